// The resource table. Everything the emulator serves — discovery, routing, storage, printing —
// is driven from these rows, so serving a new kind is one line here.

export interface ResourceDef {
  group: string; // '' for the core group
  version: string;
  resource: string; // plural, as in URLs
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Has a separately-updated status subresource (main updates ignore status and vice versa). */
  status?: boolean;
  /** Storage bucket shared with another row (events.k8s.io/v1 events live with core/v1 events). */
  storageOf?: string;
  categories?: string[];
  /**
   * Tracks metadata.generation (1 on create, +1 per spec change). Only the kinds whose apiserver
   * strategy sets it do; Nodes, Services, Namespaces, PVs and most others carry none.
   */
  generation?: boolean;
}

const r = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef => ({ group, version, resource, kind, namespaced, ...extra });

export const RESOURCES: readonly ResourceDef[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], status: true }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], status: true }),
  r('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], status: true, categories: ['all'] }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    status: true,
    categories: ['all'],
    generation: true,
  }),
  r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], status: true }),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], status: true }),
  r('', 'v1', 'secrets', 'Secret', true),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  r('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], status: true }),
  r('', 'v1', 'replicationcontrollers', 'ReplicationController', true, {
    shortNames: ['rc'],
    status: true,
    generation: true,
  }),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, { generation: true }),
  r('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'], storageOf: '/events' }),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  r('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  r('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false),
  r('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false, { status: true }),
  r('apps', 'v1', 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    status: true,
    categories: ['all'],
    generation: true,
  }),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
    shortNames: ['ds'],
    status: true,
    categories: ['all'],
    generation: true,
  }),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    status: true,
    categories: ['all'],
    generation: true,
  }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    status: true,
    categories: ['all'],
    generation: true,
  }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  r('batch', 'v1', 'jobs', 'Job', true, { status: true, categories: ['all'], generation: true }),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, {
    shortNames: ['cj'],
    status: true,
    categories: ['all'],
    generation: true,
  }),
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
    status: true,
    generation: true,
  }),
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, {
    shortNames: ['netpol'],
    generation: true,
  }),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, {
    shortNames: ['ing'],
    status: true,
    generation: true,
  }),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false, { generation: true }),
  r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    status: true,
    generation: true,
  }),
  r(
    'admissionregistration.k8s.io',
    'v1',
    'validatingwebhookconfigurations',
    'ValidatingWebhookConfiguration',
    false,
    { generation: true },
  ),
  r(
    'admissionregistration.k8s.io',
    'v1',
    'mutatingwebhookconfigurations',
    'MutatingWebhookConfiguration',
    false,
    { generation: true },
  ),
];

/** "group/resource" ('' group gives "/resource"); the identity of a storage bucket. */
export function resourceKey(def: Pick<ResourceDef, 'group' | 'resource'>): string {
  return `${def.group}/${def.resource}`;
}

export function storageKey(def: ResourceDef): string {
  return def.storageOf ?? resourceKey(def);
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

const byGvr = new Map<string, ResourceDef>(
  RESOURCES.map((d) => [`${d.group}/${d.version}/${d.resource}`, d]),
);

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return byGvr.get(`${group}/${version}/${resource}`);
}

/** Lookup by "resource", "resource.group", kind or short name — for the in-process store API. */
export function resolveResource(name: string): ResourceDef {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const [res, group] = dot >= 0 ? [lower.slice(0, dot), lower.slice(dot + 1)] : [lower, undefined];
  const hit = RESOURCES.find(
    (d) =>
      (group === undefined ? !d.storageOf : d.group === group) &&
      (d.resource === res || d.kind.toLowerCase() === res || d.shortNames?.includes(res)),
  );
  if (!hit) throw new Error(`unknown resource ${name}`);
  return hit;
}

export function groupVersions(): { group: string; versions: string[] }[] {
  const groups = new Map<string, Set<string>>();
  for (const d of RESOURCES) {
    if (!groups.has(d.group)) groups.set(d.group, new Set());
    groups.get(d.group)!.add(d.version);
  }
  return [...groups].map(([group, v]) => ({ group, versions: [...v] }));
}
