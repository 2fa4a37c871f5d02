// REST coordinates of the resources the runtime touches. Kept as data (not discovery) because
// the set is small and fixed, and a discovery round-trip at startup is one more thing to fail.
export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower-case, as in the URL. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

const core = (resource: string, kind: string, namespaced: boolean): ResourceRef => ({
  group: '',
  version: 'v1',
  resource,
  kind,
  namespaced,
});

export const Resources = {
  nodes: core('nodes', 'Node', false),
  services: core('services', 'Service', true),
  endpoints: core('endpoints', 'Endpoints', true),
  pods: core('pods', 'Pod', true),
  events: core('events', 'Event', true),
  configmaps: core('configmaps', 'ConfigMap', true),
  secrets: core('secrets', 'Secret', true),
  namespaces: core('namespaces', 'Namespace', false),
  persistentvolumes: core('persistentvolumes', 'PersistentVolume', false),
  persistentvolumeclaims: core('persistentvolumeclaims', 'PersistentVolumeClaim', true),
  endpointslices: {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  leases: {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    namespaced: true,
  },
  storageclasses: {
    group: 'storage.k8s.io',
    version: 'v1',
    resource: 'storageclasses',
    kind: 'StorageClass',
    namespaced: false,
  },
} as const satisfies Record<string, ResourceRef>;

export function apiVersionOf(ref: ResourceRef): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** `/api/v1/namespaces/ns/services` or, with no namespace, the cluster-wide collection. */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${ref.resource}`;
}

export function objectPath(
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  if (ref.namespaced && !namespace) throw new Error(`${ref.kind} ${name}: namespace required`);
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}${sub}`;
}
