// Where the apiserver is and how to authenticate, loaded by @kubernetes/client-node's KubeConfig
// so every kubeconfig feature it knows (contexts, certificate files/data, tokens, exec credential
// plugins, auth providers) works. The transport stays ours (src/kube/rest.ts): it asks client-node
// for TLS material and auth headers on every request (src/kube/auth.ts), so rotating credentials
// are refreshed by client-node. This file adds what client-node leaves out: one-line errors naming
// the culprit, client-go's flag precedence (--kubeconfig, --master, in-cluster), client-go's
// `tokenFile` key, and plain-http servers.
import { normalizeServer as parseServer } from './server-url.js';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { KubeConfig as ClientNodeConfig, type Cluster, type User } from './client-node.js';
import { parse as parseYaml } from 'yaml';
import { registerSecret } from '../util/secrets.js';

export { ClientNodeConfig };

/** Everything a request needs to reach and authenticate to one apiserver. */
export interface KubeConfig {
  /** Base URL without trailing slash, e.g. `https://10.0.0.1:6443` or `http://127.0.0.1:8080`. */
  server: string;
  /** client-node's configuration, current context pointing at `server`. Absent = anonymous. */
  clientNode?: ClientNodeConfig;
}

export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

export const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadOptions {
  kubeconfigPath?: string;
  /** `--master`/`--server`: overrides the server; alone (no kubeconfig) it means "no auth". */
  serverOverride?: string;
  env?: NodeJS.ProcessEnv;
  /** For tests: where the service-account files live. */
  inClusterDir?: string;
}

/** Precedence like client-go's BuildConfigFromFlags: kubeconfig file, else in-cluster; the override wins for the URL. */
export function loadKubeConfig(opts: LoadOptions): KubeConfig {
  const env = opts.env ?? process.env;
  const override = opts.serverOverride ? normalizeServer(opts.serverOverride, '--master') : undefined;
  const path = opts.kubeconfigPath || undefined;
  if (path) {
    const cfg = fromKubeconfigFile(path);
    return override && cfg.clientNode ? pinServer(cfg.clientNode, override) : cfg;
  }
  if (override) return anonymous(override);
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port) return fromInCluster(host, port, opts.inClusterDir ?? IN_CLUSTER_DIR);
  throw new KubeConfigError('no apiserver: pass --kubeconfig or --master, or run in a cluster');
}

/** The client-node configuration a transport should use: the loaded one, else anonymous. */
export function clientNodeFor(cfg: KubeConfig): ClientNodeConfig {
  return cfg.clientNode ?? (anonymous(normalizeServer(cfg.server, 'server')).clientNode as ClientNodeConfig);
}

function normalizeServer(raw: string, what: string): string {
  const r = parseServer(raw, what);
  if ('error' in r) throw new KubeConfigError(r.error);
  return r.url;
}

/** `--master` alone: client-go talks to it without credentials (kube-aliyun's `--server=http://127.0.0.1:8080`). */
function anonymous(server: string): KubeConfig {
  const kc = new ClientNodeConfig();
  kc.loadFromClusterAndUser({ name: 'master', server, skipTLSVerify: false }, { name: 'anonymous' });
  return pinServer(kc, server);
}

/**
 * Points the current cluster at `server`. client-node refuses plain http unless the cluster skips
 * TLS verification; with http there is no TLS to verify and our transport, not client-node's
 * agent, carries the request, so the flag is set for http servers only.
 */
function pinServer(kc: ClientNodeConfig, server: string): KubeConfig {
  const current = kc.getCurrentCluster();
  if (current) {
    const pinned: Cluster = {
      ...current,
      server,
      skipTLSVerify: current.skipTLSVerify || server.startsWith('http:'),
    };
    kc.clusters = kc.clusters.map((c) => (c === current ? pinned : c));
  }
  return { server, clientNode: kc };
}

function fromInCluster(host: string, port: string, dir: string): KubeConfig {
  const caFile = `${dir}/ca.crt`;
  try {
    readFileSync(caFile);
  } catch {
    throw new KubeConfigError(`in-cluster: cannot read ${caFile}`);
  }
  // client-node's in-cluster shape (CA file + a token-file provider that re-reads the rotating
  // projected token), then pointed at the given env/dir: client-node reads process.env and the
  // fixed path itself, and it guesses http from the port where client-go always uses https.
  const kc = new ClientNodeConfig();
  kc.loadFromCluster();
  const bracketed = host.includes(':') ? `[${host}]` : host;
  kc.clusters = kc.clusters.map((c) => ({ ...c, caFile, server: `https://${bracketed}:${port}` }));
  kc.users = kc.users.map((u) => ({
    ...u,
    authProvider: { name: 'tokenFile', config: { tokenFile: `${dir}/token` } },
  }));
  return pinServer(kc, `https://${bracketed}:${port}`);
}

/** Loads the current context of a kubeconfig file; file references are relative to the file. */
/** Comments and blank lines only: no document at all. */
function isEmptyYaml(text: string): boolean {
  try {
    return parseYaml(text) == null;
  } catch {
    return false;
  }
}

export function fromKubeconfigFile(path: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new KubeConfigError(`--kubeconfig: cannot read "${path}"`);
  }
  // Same steps as client-node's loadFromFile, with the text read once so errors name the file.
  const kc = new ClientNodeConfig();
  const base = dirname(resolve(path));
  try {
    kc.loadFromString(text, { onInvalidEntry: 'filter' });
  } catch (err) {
    // An empty or scalar document is not a YAML error; it just has no cluster (reported below).
    // client-node 2.x (js-yaml 5) reports an empty document as a YAMLException too, hence the check.
    if ((err as Error).name === 'YAMLException' && !isEmptyYaml(text))
      throw new KubeConfigError(`--kubeconfig: "${path}" is not valid YAML`);
  }
  kc.makePathsAbsolute(base);
  chooseContext(kc);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server)
    throw new KubeConfigError(`--kubeconfig: "${path}" has no cluster server for the current context`);
  const server = normalizeServer(cluster.server, '--kubeconfig cluster.server');
  adoptClientGoKeys(kc, text, base);
  const user = kc.getCurrentUser();
  for (const file of [cluster.caFile, user?.certFile, user?.keyFile]) mustRead(file);
  registerSecret(user?.token);
  registerSecret(user?.password);
  registerSecret(user?.keyData);
  if (user?.keyData) registerSecret(Buffer.from(user.keyData, 'base64').toString('utf8'));
  if (user?.keyFile) registerSecret(readFileSync(user.keyFile, 'utf8'));
  return pinServer(kc, server);
}

/**
 * client-go falls back to the first context when current-context is unset, and a context without
 * a user is anonymous; client-node then finds no user and would skip the cluster's CA too, so an
 * empty user is supplied.
 */
function chooseContext(kc: ClientNodeConfig): void {
  if (!kc.getContextObject(kc.getCurrentContext()) && kc.contexts[0])
    kc.setCurrentContext(kc.contexts[0].name);
  if (!kc.getContextObject(kc.getCurrentContext()) && kc.clusters[0]) {
    kc.contexts = [{ name: 'default', cluster: kc.clusters[0].name, user: kc.users[0]?.name ?? '' }];
    kc.setCurrentContext('default');
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (ctx && !kc.getCurrentUser()) {
    const name = `${ctx.name}/anonymous`;
    kc.users = [...kc.users, { name }];
    kc.contexts = kc.contexts.map((c) => (c === ctx ? { ...c, user: name } : c));
  }
}

/**
 * Keys client-node does not read the client-go way: `tokenFile` (client-node looks for
 * `token-file`) becomes its re-reading token-file provider, and a relative exec command with a
 * path separator is resolved against the kubeconfig's directory as client-go does.
 */
function adoptClientGoKeys(kc: ClientNodeConfig, text: string, base: string): void {
  let raw: { users?: Array<{ name?: string; user?: Record<string, unknown> }> };
  try {
    raw = (parseYaml(text) ?? {}) as typeof raw;
  } catch {
    return; // client-node accepted it; a stricter parser's objection only loses these extras
  }
  const current = kc.getCurrentUser();
  if (!current) return;
  const rawUser = raw.users?.find((u) => u.name === current.name)?.user ?? {};
  let user: User = current;
  const tokenFile = rawUser.tokenFile;
  if (typeof tokenFile === 'string' && tokenFile && !user.token && !user.exec && !user.authProvider) {
    const abs = isAbsolute(tokenFile) ? tokenFile : resolve(base, tokenFile);
    mustRead(abs);
    user = { ...user, authProvider: { name: 'tokenFile', config: { tokenFile: abs } } };
  }
  const exec = user.exec as { command?: unknown } | undefined;
  if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command))
    user = { ...user, exec: { ...exec, command: resolve(base, exec.command) } };
  if (user !== current) kc.users = kc.users.map((u) => (u === current ? user : u));
}

function mustRead(file: string | undefined): void {
  if (!file) return;
  try {
    readFileSync(file);
  } catch {
    throw new KubeConfigError(`--kubeconfig: cannot read "${file}"`);
  }
}
