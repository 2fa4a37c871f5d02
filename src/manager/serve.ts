// The manager's endpoints, composed from the serving flags: the secure port (HTTPS, delegated
// authentication and authorization through the apiserver for every path that is not always
// allowed) and, only when --port is given, a plain-HTTP port on loopback that serves nothing but
// the always-allowed paths. The one `listening` line names both.
import type { Registry } from 'prom-client';
import { loadKubeConfig } from '../kube/config.js';
import { KubeClient } from '../kube/rest.js';
import { startHttpServer, type RunningServer } from '../server/app.js';
import { createDelegatedGuard } from '../server/delegated.js';
import type { Readiness } from '../server/health.js';
import { servingCertificate } from '../server/tls.js';
import type { Logger } from '../util/log.js';
import type { ManagerConfig } from './config.js';

export interface ServingDeps {
  registry: Registry;
  readiness: Readiness;
  /** The manager's own API client: reviews go through it unless a separate kubeconfig is given. */
  kube: KubeClient;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface ServingUrls {
  /** What tests and tools poll: the plain-HTTP URL when there is one, else the secure one. */
  url: string;
  secureUrl: string;
  insecureUrl?: string;
}

export interface Serving {
  urls: ServingUrls;
  close(): Promise<void>;
}

export async function startServing(config: ManagerConfig, deps: ServingDeps): Promise<Serving> {
  const s = config.serving;
  const extraClients: KubeClient[] = [];
  const clientFor = (path: string | undefined): KubeClient => {
    if (!path) return deps.kube;
    const c = new KubeClient(loadKubeConfig({ kubeconfigPath: path, env: deps.env }), {
      userAgent: 'alicloud-controller-manager/delegated-auth',
      timeoutMs: 10_000,
    });
    extraClients.push(c);
    return c;
  };
  const guard = createDelegatedGuard({
    authentication: clientFor(s.authenticationKubeconfig),
    authorization: clientFor(s.authorizationKubeconfig),
    logger: deps.logger.child({ component: 'delegated-auth' }),
  });
  const bindAddress = s.bindAddress ?? '127.0.0.1';
  const tls = servingCertificate({
    ...(s.tlsCertFile ? { certFile: s.tlsCertFile } : {}),
    ...(s.tlsPrivateKeyFile ? { keyFile: s.tlsPrivateKeyFile } : {}),
    ...(s.certDir ? { certDir: s.certDir } : {}),
    bindAddress,
  });
  const common = { registry: deps.registry, readiness: deps.readiness, alwaysAllowPaths: s.alwaysAllowPaths };
  const servers: RunningServer[] = [];
  try {
    const secure = await startHttpServer({ ...common, host: bindAddress, port: s.securePort, tls, guard });
    servers.push(secure);
    let insecure: RunningServer | undefined;
    if (s.insecurePort !== undefined) {
      insecure = await startHttpServer({ ...common, host: '127.0.0.1', port: s.insecurePort });
      servers.push(insecure);
    }
    deps.logger.info(
      {
        secure: secure.url,
        certificate: tls.source,
        ...(insecure ? { insecure: insecure.url } : {}),
        alwaysAllowPaths: s.alwaysAllowPaths,
      },
      'serving',
    );
    return {
      urls: {
        url: insecure?.url ?? secure.url,
        secureUrl: secure.url,
        ...(insecure ? { insecureUrl: insecure.url } : {}),
      },
      close: async () => {
        await Promise.all(servers.map((x) => x.close()));
        for (const c of extraClients) c.close();
      },
    };
  } catch (err) {
    await Promise.all(servers.map((x) => x.close()));
    for (const c of extraClients) c.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES')
      throw new Error(`--secure-port/--port/--bind-address: cannot listen: ${e.message}`, { cause: err });
    throw err;
  }
}
