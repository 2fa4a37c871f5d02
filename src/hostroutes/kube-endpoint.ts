// Where the agent's two requests (list and watch Nodes) go and how they authenticate. The
// DaemonSet's case, in-cluster, is served here with node:https alone: the service-account token
// (re-read for every request, as the kubelet rotates it) and the cluster CA. `--master` alone is
// anonymous, like client-go. Only `--kubeconfig`, which can name exec plugins, client
// certificates and auth providers, loads the product's client-node based loader, lazily, so the
// other cases never pay for it.
import { normalizeServer as parseServer } from '../kube/server-url.js';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { registerSecret } from '../util/secrets.js';

export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface RequestAuth {
  readonly agent: HttpAgent;
  readonly headers: Record<string, string>;
}

export interface KubeEndpoint {
  /** Base URL without trailing slash. */
  readonly server: string;
  forRequest(): Promise<RequestAuth>;
  close(): void;
}

export class KubeEndpointError extends Error {
  override name = 'KubeEndpointError';
}

export interface EndpointOptions {
  readonly kubeconfig?: string;
  /** `--master`: overrides the kubeconfig's server; alone it means "no credentials". */
  readonly master?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: where the service-account files live. */
  readonly inClusterDir?: string;
}

/** Precedence of client-go's BuildConfigFromFlags: kubeconfig file, else --master, else in-cluster. */
export async function resolveEndpoint(opts: EndpointOptions): Promise<KubeEndpoint> {
  if (opts.kubeconfig) return fromKubeconfig(opts.kubeconfig, opts.master);
  if (opts.master) return anonymous(normalizeServer(opts.master, '--master'));
  const env = opts.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port) return inCluster(host, port, opts.inClusterDir ?? IN_CLUSTER_DIR);
  throw new KubeEndpointError('no apiserver: pass --kubeconfig or --master, or run in a cluster');
}

function normalizeServer(raw: string, what: string): string {
  const r = parseServer(raw, what);
  if ('error' in r) throw new KubeEndpointError(r.error);
  return r.url;
}

function anonymous(server: string): KubeEndpoint {
  const agent = server.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true })
    : new HttpAgent({ keepAlive: true });
  return { server, forRequest: () => Promise.resolve({ agent, headers: {} }), close: () => agent.destroy() };
}

function inCluster(host: string, port: string, dir: string): KubeEndpoint {
  const caFile = `${dir}/ca.crt`;
  const tokenFile = `${dir}/token`;
  let ca: Buffer;
  try {
    ca = readFileSync(caFile);
  } catch {
    throw new KubeEndpointError(`in-cluster: cannot read ${caFile}`);
  }
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const agent = new HttpsAgent({ keepAlive: true, ca });
  return {
    server: `https://${bracketed}:${port}`,
    forRequest(): Promise<RequestAuth> {
      let token: string;
      try {
        token = readFileSync(tokenFile, 'utf8').trim();
      } catch {
        return Promise.reject(new KubeEndpointError(`in-cluster: cannot read ${tokenFile}`));
      }
      registerSecret(token);
      const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
      return Promise.resolve({ agent, headers });
    },
    close: () => agent.destroy(),
  };
}

async function fromKubeconfig(path: string, master: string | undefined): Promise<KubeEndpoint> {
  const [{ loadKubeConfig, clientNodeFor }, { ClientNodeAuth }] = await Promise.all([
    import('../kube/config.js'),
    import('../kube/auth.js'),
  ]);
  const config = loadKubeConfig({ kubeconfigPath: path, ...(master ? { serverOverride: master } : {}) });
  const auth = new ClientNodeAuth(clientNodeFor(config), config.server.startsWith('https:'));
  return { server: config.server, forRequest: () => auth.forRequest(), close: () => auth.close() };
}
