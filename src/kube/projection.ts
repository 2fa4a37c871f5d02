// What an informer cache keeps of each object. Caches hold every object of a kind for the process's
// life, so anything no reader looks at is dropped once, at parse time, before it is stored (like
// client-go's cache transforms). The rule for adding a field here: grep every reader of the cached
// kind first — writers never start from a cached object (they GET, patch or update a fresh copy),
// so a dropped field can never be written back as missing.
import type { KubeObject } from './types.js';

export type Projection = (obj: KubeObject) => void;

/**
 * kubectl's copy of the whole object as last applied (often the largest annotation); read by
 * kubectl only.
 */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Server-side apply bookkeeping and kubectl's last-applied copy: no controller reads either. */
export function stripBookkeeping(obj: KubeObject): void {
  const meta = obj.metadata;
  if (!meta) return;
  if ('managedFields' in meta) delete meta.managedFields;
  if (meta.annotations && LAST_APPLIED in meta.annotations) delete meta.annotations[LAST_APPLIED];
}

/**
 * Node status the kubelet reports for the scheduler and for humans. The manager's readers (node,
 * route and service controllers) use metadata, spec, status.addresses and status.conditions
 * only; images alone are often more than half of a real Node.
 */
const NODE_STATUS_UNREAD = [
  'images',
  'volumesInUse',
  'volumesAttached',
  'daemonEndpoints',
  'config',
  'nodeInfo',
  'capacity',
  'allocatable',
  'runtimeHandlers',
  'features',
] as const;

export function projectNode(obj: KubeObject): void {
  stripBookkeeping(obj);
  const status = (obj as { status?: Record<string, unknown> }).status;
  if (status) for (const f of NODE_STATUS_UNREAD) if (f in status) delete status[f];
}

const BY_KIND: Readonly<Record<string, Projection>> = { Node: projectNode };

/** The projection an informer of `kind` applies by default. */
export function projectionFor(kind: string): Projection {
  return BY_KIND[kind] ?? stripBookkeeping;
}
