// Legacy (unaggregated) discovery documents built from the resource table. kubectl asks for the
// aggregated v2 format first and falls back to these when the response is plain application/json.
import { apiVersionOf, groupVersions, RESOURCES, type ResourceDef } from '../resources.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-alicloud-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function singular(d: ResourceDef): string {
  return d.kind.toLowerCase();
}

export function apiVersions(): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  };
}

function groupDoc(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => groupDoc(g.group, g.versions)),
  };
}

export function apiGroup(group: string): Record<string, unknown> | undefined {
  const g = groupVersions().find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.group, g.versions) } : undefined;
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const defs = RESOURCES.filter((d) => d.group === group && d.version === version);
  if (!defs.length) return undefined;
  const resources = defs.flatMap((d) => {
    const main = {
      name: d.resource,
      singularName: singular(d),
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: VERBS,
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
      ...(d.categories ? { categories: d.categories } : {}),
      storageVersionHash: Buffer.from(d.kind).toString('base64').slice(0, 11),
    };
    const sub = d.status
      ? [
          {
            name: `${d.resource}/status`,
            singularName: '',
            namespaced: d.namespaced,
            kind: d.kind,
            verbs: ['get', 'patch', 'update'],
          },
        ]
      : [];
    return [main, ...sub];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(defs[0]!), resources };
}
