// Hostile tenant, endpoint part: what a Pod in namespace `team-b` can try against the
// controller-manager's /metrics — no token, a made-up or revoked token, its own ServiceAccount
// token, a namespace RoleBinding to a metrics ClusterRole (RoleBindings never grant non-resource
// URLs), tokens in the wrong place, plain HTTP to the secure port, the plain-HTTP port, and path
// spellings that might slip past the allow list. Each must be refused by the real process with
// the status named here and never return the metrics text; one reader bound cluster-wide is the
// control that proves the check can fail. Used by the R8 chaos scenario.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeEmulator } from '../../emulators/kube/index.js';
import type { Rng } from './rng.js';

export const READER_ROLE = 'r8:metrics-reader';

export interface MetricsTokens {
  /** team-b's default ServiceAccount, no RBAC at all. */
  tenant: string;
  /** team-b's ServiceAccount bound to the metrics ClusterRole by a RoleBinding in team-b. */
  namespaceBound: string;
  /** A user with every verb on every resource of team-b, through a Role. */
  namespaceAdmin: string;
  /** An identity allowed /healthz only, cluster-wide. */
  healthOnly: string;
  /** Was valid, then removed from the apiserver before first use. */
  revoked: string;
  /** The control: kube-system's prometheus ServiceAccount, bound cluster-wide. */
  reader: string;
}

function token(r: Rng, label: string): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(r() * 36)];
  return `r8-${label}-${s}`;
}

/** Registers the tokens and the RBAC objects behind them in the Kubernetes emulator. */
export function seedMetricsIdentities(kube: KubeEmulator, r: Rng): MetricsTokens {
  const t: MetricsTokens = {
    tenant: token(r, 'tenant'),
    namespaceBound: token(r, 'nsbound'),
    namespaceAdmin: token(r, 'nsadmin'),
    healthOnly: token(r, 'health'),
    revoked: token(r, 'revoked'),
    reader: token(r, 'reader'),
  };
  const s = kube.store;
  for (const ns of ['team-b'])
    if (!s.get('namespaces', ns))
      s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  kube.auth.addServiceAccountToken(t.tenant, 'team-b', 'default');
  kube.auth.addServiceAccountToken(t.namespaceBound, 'team-b', 'scraper');
  kube.auth.addToken(t.namespaceAdmin, { username: 'tenant-b-admin', groups: ['tenants'] });
  kube.auth.addToken(t.healthOnly, { username: 'health-checker', groups: [] });
  kube.auth.addServiceAccountToken(t.reader, 'kube-system', 'prometheus');
  kube.auth.addServiceAccountToken(t.revoked, 'kube-system', 'prometheus-old');
  kube.auth.removeToken(t.revoked);
  const rbac = 'rbac.authorization.k8s.io/v1';
  s.create('clusterroles', {
    apiVersion: rbac,
    kind: 'ClusterRole',
    metadata: { name: READER_ROLE },
    rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
  });
  s.create('clusterroles', {
    apiVersion: rbac,
    kind: 'ClusterRole',
    metadata: { name: 'r8:health' },
    rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }],
  });
  s.create('clusterrolebindings', {
    apiVersion: rbac,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'r8:prometheus' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'kube-system' }],
  });
  s.create('clusterrolebindings', {
    apiVersion: rbac,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'r8:health' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r8:health' },
    subjects: [{ kind: 'User', name: 'health-checker' }],
  });
  s.create('rolebindings', {
    apiVersion: rbac,
    kind: 'RoleBinding',
    metadata: { name: 'scraper-metrics', namespace: 'team-b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: 'scraper', namespace: 'team-b' }],
  });
  s.create('roles', {
    apiVersion: rbac,
    kind: 'Role',
    metadata: { name: 'everything', namespace: 'team-b' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  });
  s.create('rolebindings', {
    apiVersion: rbac,
    kind: 'RoleBinding',
    metadata: { name: 'tenant-admin', namespace: 'team-b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'everything' },
    subjects: [{ kind: 'Group', name: 'tenants' }],
  });
  return t;
}

export interface Endpoints {
  /** https://127.0.0.1:<secure-port> */
  secureUrl: string;
  /** http://127.0.0.1:<port>, when the manager serves one. */
  insecureUrl?: string;
}

export interface MetricsAttempt {
  name: string;
  /** `https`: the secure port; `http-to-secure`: plain HTTP sent to it; `insecure`: the --port listener. */
  via: 'https' | 'http-to-secure' | 'insecure';
  path: string;
  headers?: Record<string, string>;
  /** Acceptable statuses (0 = the connection was refused or cut, never answered). */
  expect: readonly number[];
}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

/** The fixed attempts; `variations` adds seeded ones (path spellings, garbage tokens). */
export function metricsAttempts(t: MetricsTokens): MetricsAttempt[] {
  return [
    { name: 'no token', via: 'https', path: '/metrics', expect: [401] },
    {
      name: 'a made-up bearer token',
      via: 'https',
      path: '/metrics',
      headers: bearer('eyJhbGciOiJSUzI1NiJ9.forged.signature'),
      expect: [401],
    },
    {
      name: 'a revoked ServiceAccount token',
      via: 'https',
      path: '/metrics',
      headers: bearer(t.revoked),
      expect: [401],
    },
    {
      name: "the tenant's own ServiceAccount token",
      via: 'https',
      path: '/metrics',
      headers: bearer(t.tenant),
      expect: [403],
    },
    {
      name: 'a RoleBinding in team-b to the metrics ClusterRole',
      via: 'https',
      path: '/metrics',
      headers: bearer(t.namespaceBound),
      expect: [403],
    },
    {
      name: 'every verb on every resource of team-b',
      via: 'https',
      path: '/metrics',
      headers: bearer(t.namespaceAdmin),
      expect: [403],
    },
    {
      name: 'an identity allowed /healthz only',
      via: 'https',
      path: '/metrics',
      headers: bearer(t.healthOnly),
      expect: [403],
    },
    {
      name: 'the reader token as Basic credentials',
      via: 'https',
      path: '/metrics',
      headers: { Authorization: `Basic ${Buffer.from(`x:${t.reader}`).toString('base64')}` },
      expect: [401],
    },
    {
      name: 'the reader token in the query string',
      via: 'https',
      path: `/metrics?access_token=${t.reader}`,
      expect: [401],
    },
    // The secure port answers plain HTTP for the probes only (the official manifests' livenessProbe).
    { name: 'plain HTTP to the secure port', via: 'http-to-secure', path: '/metrics', expect: [403] },
    {
      name: 'plain HTTP to the secure port with the reader token',
      via: 'http-to-secure',
      path: '/metrics',
      headers: bearer(t.reader),
      expect: [403],
    },
    {
      name: 'plain HTTP to the secure port, a path spelling',
      via: 'http-to-secure',
      path: '/METRICS/',
      headers: bearer(t.reader),
      expect: [403],
    },
    { name: 'the plain-HTTP port', via: 'insecure', path: '/metrics', expect: [403] },
    {
      name: 'the plain-HTTP port with the reader token',
      via: 'insecure',
      path: '/metrics',
      headers: bearer(t.reader),
      expect: [403],
    },
  ];
}

const SPELLINGS = [
  '/metrics/',
  '/metrics?format=text',
  '/metrics;x',
  '/%6detrics',
  '/healthz/../metrics',
  '/metrics%2f',
  '/./metrics',
  '/metrics#x',
];

export function metricsVariations(t: MetricsTokens, r: Rng, n: number): MetricsAttempt[] {
  const out: MetricsAttempt[] = [];
  for (let i = 0; i < n; i++) {
    const path = SPELLINGS[Math.floor(r() * SPELLINGS.length)]!;
    const who = Math.floor(r() * 3);
    const headers = who === 0 ? undefined : who === 1 ? bearer(token(r, 'guess')) : bearer(t.tenant);
    // An unknown path is a 404 after the guard, never before it.
    out.push({
      name: `${path} ${who === 0 ? 'without a token' : who === 1 ? 'with a guessed token' : "with the tenant's token"}`,
      via: 'https',
      path,
      ...(headers ? { headers } : {}),
      expect: who === 2 ? [403] : [401],
    });
  }
  return out;
}

export interface MetricsReply {
  status: number;
  body: string;
}

/** GET `rawPath` (sent verbatim, no normalisation) from the server at `base`. */
export function get(
  base: string,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<MetricsReply> {
  const u = new URL(base);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const r = req(
      {
        host: u.hostname,
        port: u.port,
        path: rawPath,
        method: 'GET',
        headers,
        agent: false,
        rejectUnauthorized: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    r.on('timeout', () => r.destroy());
    r.on('error', () => resolve({ status: 0, body: '' }));
    r.end();
  });
}

/** The metrics text gives itself away by its exposition format. */
export const looksLikeMetrics = (body: string): boolean => /^# (HELP|TYPE) /m.test(body);

/** Replays one attempt; returns what went wrong (empty = refused as expected, no metrics text). */
export async function replayMetricsAttempt(
  e: Endpoints,
  a: MetricsAttempt,
): Promise<{ status: number; problems: string[] }> {
  let base: string;
  if (a.via === 'https') base = e.secureUrl;
  else if (a.via === 'http-to-secure') base = e.secureUrl.replace(/^https:/, 'http:');
  else if (e.insecureUrl) base = e.insecureUrl;
  else return { status: 0, problems: ['the manager serves no plain-HTTP port to try'] };
  // The path goes out verbatim: new URL() would resolve `..` and percent-escapes, which is
  // exactly what an attacker hopes the server does differently from the allow list.
  const reply = await get(base, a.path.replace(/#.*$/, ''), a.headers);
  const problems: string[] = [];
  if (!a.expect.includes(reply.status))
    problems.push(`${a.name}: expected ${a.expect.join(' or ')}, got ${reply.status}`);
  if (looksLikeMetrics(reply.body)) problems.push(`${a.name}: the metrics text was served`);
  return { status: reply.status, problems };
}
