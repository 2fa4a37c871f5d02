// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), which `kubectl get`
// asks for. Columns per kind are a small table; every other kind prints NAME and AGE.
import type { ResourceDef } from '../resources.js';
import { isPlainObject, type KubeObject } from '../types.js';
import { wireText } from '../../text.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
  cell: (o: KubeObject) => string | number;
}

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const p of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

const str = (v: unknown, empty = '<none>'): string =>
  v === undefined || v === null || v === '' ? empty : wireText(v);

export function humanAge(from: string | undefined, now = Date.now()): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name ?? '' };
const AGE: Column = { name: 'Age', type: 'string', cell: (o) => humanAge(o.metadata.creationTimestamp) };

function conditionStatus(o: KubeObject, type: string): string | undefined {
  const conds = at(o, 'status.conditions');
  if (!Array.isArray(conds)) return undefined;
  const c = conds.find((x) => isPlainObject(x) && x['type'] === type) as Record<string, unknown> | undefined;
  return c ? String(c['status']) : undefined;
}

function nodeStatus(o: KubeObject): string {
  const ready = conditionStatus(o, 'Ready');
  let s = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
  if (at(o, 'spec.unschedulable') === true) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: KubeObject): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.sort().join(',') : '<none>';
}

function servicePorts(o: KubeObject): string {
  const ports = at(o, 'spec.ports');
  if (!Array.isArray(ports) || !ports.length) return '<none>';
  return ports
    .filter(isPlainObject)
    .map(
      (p) =>
        `${wireText(p['port'])}${p['nodePort'] ? `:${wireText(p['nodePort'])}` : ''}/${str(p['protocol'], 'TCP')}`,
    )
    .join(',');
}

function externalIps(o: KubeObject): string {
  const ingress = at(o, 'status.loadBalancer.ingress');
  const ips = Array.isArray(ingress)
    ? ingress.filter(isPlainObject).map((i) => str(i['ip'] ?? i['hostname'], ''))
    : [];
  const ext = at(o, 'spec.externalIPs');
  if (Array.isArray(ext)) ips.push(...ext.map(String));
  if (ips.length) return ips.join(',');
  return at(o, 'spec.type') === 'LoadBalancer' ? '<pending>' : '<none>';
}

function podReady(o: KubeObject): string {
  const specs = at(o, 'spec.containers');
  const statuses = at(o, 'status.containerStatuses');
  const total = Array.isArray(specs) ? specs.length : 0;
  const ready = Array.isArray(statuses)
    ? statuses.filter((s) => isPlainObject(s) && s['ready'] === true).length
    : 0;
  return `${ready}/${total}`;
}

function podRestarts(o: KubeObject): number {
  const statuses = at(o, 'status.containerStatuses');
  return Array.isArray(statuses)
    ? statuses.reduce<number>((n, s) => n + (isPlainObject(s) ? Number(s['restartCount'] ?? 0) : 0), 0)
    : 0;
}

const s = (name: string, cell: (o: KubeObject) => string | number, priority = 0): Column => ({
  name,
  type: 'string',
  priority,
  cell,
});

const COLUMNS: Record<string, Column[]> = {
  Node: [
    NAME,
    s('Status', nodeStatus),
    s('Roles', nodeRoles),
    AGE,
    s('Version', (o) => str(at(o, 'status.nodeInfo.kubeletVersion'), '')),
    s(
      'Internal-IP',
      (o) =>
        str(
          (at(o, 'status.addresses') as { type: string; address: string }[] | undefined)?.find(
            (a) => a.type === 'InternalIP',
          )?.address,
        ),
      1,
    ),
  ],
  Service: [
    NAME,
    s('Type', (o) => str(at(o, 'spec.type'))),
    s('Cluster-IP', (o) => str(at(o, 'spec.clusterIP'))),
    s('External-IP', externalIps),
    s('Port(s)', servicePorts),
    AGE,
  ],
  Pod: [
    NAME,
    s('Ready', podReady),
    s('Status', (o) =>
      o.metadata.deletionTimestamp ? 'Terminating' : str(at(o, 'status.phase'), 'Unknown'),
    ),
    { name: 'Restarts', type: 'integer', cell: podRestarts },
    AGE,
    s('Node', (o) => str(at(o, 'spec.nodeName')), 1),
  ],
  Namespace: [NAME, s('Status', (o) => str(at(o, 'status.phase'), 'Active')), AGE],
  Lease: [NAME, s('Holder', (o) => str(at(o, 'spec.holderIdentity'), '')), AGE],
  PersistentVolume: [
    NAME,
    s('Capacity', (o) => str(at(o, 'spec.capacity.storage'), '')),
    s('Reclaim Policy', (o) => str(at(o, 'spec.persistentVolumeReclaimPolicy'), '')),
    s('Status', (o) => str(at(o, 'status.phase'), '')),
    s('Claim', (o) =>
      at(o, 'spec.claimRef.name')
        ? `${str(at(o, 'spec.claimRef.namespace'), '')}/${str(at(o, 'spec.claimRef.name'))}`
        : '',
    ),
    s('StorageClass', (o) => str(at(o, 'spec.storageClassName'), '')),
    AGE,
  ],
  PersistentVolumeClaim: [
    NAME,
    s('Status', (o) => str(at(o, 'status.phase'), '')),
    s('Volume', (o) => str(at(o, 'spec.volumeName'), '')),
    s('Capacity', (o) => str(at(o, 'status.capacity.storage'), '')),
    s('StorageClass', (o) => str(at(o, 'spec.storageClassName'), '')),
    AGE,
  ],
  Event: [
    s('Last Seen', (o) =>
      humanAge(
        (at(o, 'lastTimestamp') ?? at(o, 'eventTime') ?? o.metadata.creationTimestamp) as string | undefined,
      ),
    ),
    s('Type', (o) => str(at(o, 'type'), '')),
    s('Reason', (o) => str(at(o, 'reason'), '')),
    s(
      'Object',
      (o) =>
        `${wireText(at(o, 'involvedObject.kind') ?? '').toLowerCase()}/${str(at(o, 'involvedObject.name'), '')}`,
    ),
    s('Message', (o) => str(at(o, 'message'), '')),
    { ...NAME, priority: 1 },
  ],
  StorageClass: [
    NAME,
    s('Provisioner', (o) => str(at(o, 'provisioner'))),
    s('ReclaimPolicy', (o) => str(at(o, 'reclaimPolicy'))),
    AGE,
  ],
  Endpoints: [
    NAME,
    s('Endpoints', (o) => {
      const subsets = at(o, 'subsets');
      if (!Array.isArray(subsets)) return '<none>';
      const eps = subsets.flatMap((ss) =>
        Array.isArray(at(ss, 'addresses'))
          ? (at(ss, 'addresses') as unknown[]).map((a) => str(at(a, 'ip'), ''))
          : [],
      );
      return eps.length ? eps.join(',') : '<none>';
    }),
    AGE,
  ],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** `objects` are in the served view (apiVersion/kind of `def`). */
export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  include: IncludeObject,
): Record<string, unknown> {
  const cols = COLUMNS[def.kind] ?? [NAME, AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object:
        include === 'None'
          ? undefined
          : include === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}
