// Where the apiserver is and how to authenticate. Parsed by us rather than by
// @kubernetes/client-node: its 2.x line pulls undici 8, which does not load on Node 20
// (it needs Node >= 22.19), so the runtime speaks REST over node:http(s) itself; client-node
// stays usable for its types only (`import type`).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { registerSecret } from '../util/secrets.js';

/** Everything a request needs to reach and authenticate to one apiserver. */
export interface KubeConfig {
  /** Base URL without trailing slash, e.g. `https://10.0.0.1:6443` or `http://127.0.0.1:8080`. */
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** Re-read on every request: projected service-account tokens rotate. */
  tokenFile?: string;
  username?: string;
  password?: string;
  insecureSkipTlsVerify?: boolean;
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
    return override ? { ...cfg, server: override } : cfg;
  }
  if (override) return { server: override };
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port) return fromInCluster(host, port, opts.inClusterDir ?? IN_CLUSTER_DIR);
  throw new KubeConfigError('no apiserver: pass --kubeconfig or --master, or run in a cluster');
}

function normalizeServer(raw: string, what: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new KubeConfigError(`${what}: invalid URL "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new KubeConfigError(`${what}: unsupported scheme "${url.protocol}"`);
  return url.toString().replace(/\/+$/, '');
}

function fromInCluster(host: string, port: string, dir: string): KubeConfig {
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const tokenFile = `${dir}/token`;
  const cfg: KubeConfig = { server: `https://${bracketed}:${port}`, tokenFile };
  try {
    cfg.ca = readFileSync(`${dir}/ca.crt`, 'utf8');
  } catch {
    throw new KubeConfigError(`in-cluster: cannot read ${dir}/ca.crt`);
  }
  return cfg;
}

interface NamedCluster {
  name: string;
  cluster?: Record<string, unknown>;
}
interface NamedUser {
  name: string;
  user?: Record<string, unknown>;
}
interface NamedContext {
  name: string;
  context?: { cluster?: string; user?: string };
}

/** Parses the current context of a kubeconfig file; file references are relative to the file. */
export function fromKubeconfigFile(path: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new KubeConfigError(`--kubeconfig: cannot read "${path}"`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch {
    throw new KubeConfigError(`--kubeconfig: "${path}" is not valid YAML`);
  }
  const base = dirname(resolve(path));
  const contexts = (doc.contexts ?? []) as NamedContext[];
  const clusters = (doc.clusters ?? []) as NamedCluster[];
  const users = (doc.users ?? []) as NamedUser[];
  const currentName = typeof doc['current-context'] === 'string' ? doc['current-context'] : contexts[0]?.name;
  const ctx = contexts.find((c) => c.name === currentName);
  const cluster = (ctx ? clusters.find((c) => c.name === ctx.context?.cluster) : clusters[0])?.cluster;
  if (!cluster || typeof cluster.server !== 'string')
    throw new KubeConfigError(`--kubeconfig: "${path}" has no cluster server for the current context`);
  const user = (ctx ? users.find((u) => u.name === ctx.context?.user) : users[0])?.user ?? {};
  const cfg: KubeConfig = { server: normalizeServer(cluster.server, '--kubeconfig cluster.server') };
  cfg.ca = dataOrFile(cluster['certificate-authority-data'], cluster['certificate-authority'], base);
  if (cluster['insecure-skip-tls-verify'] === true) cfg.insecureSkipTlsVerify = true;
  cfg.cert = dataOrFile(user['client-certificate-data'], user['client-certificate'], base);
  cfg.key = dataOrFile(user['client-key-data'], user['client-key'], base);
  if (typeof user.token === 'string') cfg.token = user.token;
  if (typeof user.tokenFile === 'string') cfg.tokenFile = absolute(user.tokenFile, base);
  if (typeof user.username === 'string') cfg.username = user.username;
  if (typeof user.password === 'string') cfg.password = user.password;
  registerSecret(cfg.token);
  registerSecret(cfg.password);
  registerSecret(cfg.key);
  for (const k of Object.keys(cfg) as Array<keyof KubeConfig>) if (cfg[k] === undefined) delete cfg[k];
  return cfg;
}

function absolute(p: string, base: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

function dataOrFile(data: unknown, file: unknown, base: string): string | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8');
  if (typeof file === 'string' && file) {
    try {
      return readFileSync(absolute(file, base), 'utf8');
    } catch {
      throw new KubeConfigError(`--kubeconfig: cannot read "${file}"`);
    }
  }
  return undefined;
}
