// Names and tags that mark cloud objects as ours. They are byte-compatible with the official
// Alibaba Cloud CCM so a cluster can switch controllers without orphaning or duplicating anything:
//
//   SLB tags (set at create)   kubernetes.do.not.delete = <default name>
//                              ack.aliyun.com           = <cluster id>
//   reused (user) SLB tag      kubernetes.reused.by.user = true
//   listener Description       k8s/<servicePort>/<service>/<namespace>/<clusterId>
//   vserver group name         k8s/<nodePort | targetPort>/<service>/<namespace>/<clusterId>
//   backend Description        the vserver group name
//
// Anything whose name does not parse as such a key is the user's and is never modified or deleted.
import {
  DEFAULT_CLUSTER_ID as CLUSTER_ID_FALLBACK,
  MAX_TAGS_FOR_MARKERS,
  OWNED_NAME_PREFIX,
  TAG_CLUSTER_ID,
  TAG_DO_NOT_DELETE,
  TAG_REUSED_BY_USER,
} from '../../../cloud/ownership.js';
export { isReservedTagKey } from '../../../cloud/ownership.js';
import type { ServiceIdentity } from '../types.js';

// The tag keys themselves live in src/cloud/ownership.ts (a constants-only module every
// controller shares); these are the Service controller's names for them.
export const TAG_DEFAULT_NAME = TAG_DO_NOT_DELETE;
export const TAG_CLUSTER = TAG_CLUSTER_ID;
export const TAG_REUSED = TAG_REUSED_BY_USER;
/** The official CCM's fallback when no cluster id is configured (we warn about it elsewhere). */
export const DEFAULT_CLUSTER_ID = CLUSTER_ID_FALLBACK;
/** SLB allows this many tags; marker tags are only added below it. */
export const MAX_TAGS = MAX_TAGS_FOR_MARKERS;

/** `a` + UID without dashes, cut to 32 characters. */
export function defaultLoadBalancerName(uid: string): string {
  return ('a' + uid.replace(/-/g, '')).slice(0, 32);
}

/** Ownership tags written by CreateLoadBalancer. */
export function ownershipTags(identity: ServiceIdentity): Record<string, string> {
  return { [TAG_DEFAULT_NAME]: defaultLoadBalancerName(identity.uid), [TAG_CLUSTER]: identity.clusterId };
}

function key(port: number | string, id: ServiceIdentity): string {
  return `${OWNED_NAME_PREFIX}/${port}/${id.name}/${id.namespace}/${id.clusterId}`;
}

export function listenerDescription(servicePort: number, id: ServiceIdentity): string {
  return key(servicePort, id);
}

/** `port` is the nodePort (ECS backends) or the targetPort number/name (ENI backends). */
export function vGroupName(port: number | string, id: ServiceIdentity): string {
  return key(port, id);
}

export interface NamedKey {
  port: string;
  service: string;
  namespace: string;
  clusterId: string;
}

/** Parses a `k8s/…` key; `undefined` means a user-managed object. */
export function parseNamedKey(value: string | undefined): NamedKey | undefined {
  if (!value) return undefined;
  const parts = value.split('/');
  if (parts.length !== 5 || parts[0] !== OWNED_NAME_PREFIX || parts.slice(1).some((p) => p === ''))
    return undefined;
  return { port: parts[1]!, service: parts[2]!, namespace: parts[3]!, clusterId: parts[4]! };
}

/** True when the key names this very Service in this cluster. */
export function isOwnedBy(
  value: string | undefined,
  id: Pick<ServiceIdentity, 'name' | 'namespace' | 'clusterId'>,
): boolean {
  const k = parseNamedKey(value);
  return (
    k !== undefined && k.service === id.name && k.namespace === id.namespace && k.clusterId === id.clusterId
  );
}

/** An SLB carrying either ownership tag was created by some cluster and must not be reused (docs/design/service.md § "Reusing a hand-made SLB"). */
export function isClusterCreated(tags: Readonly<Record<string, string>>): boolean {
  return (
    Object.prototype.hasOwnProperty.call(tags, TAG_DEFAULT_NAME) ||
    Object.prototype.hasOwnProperty.call(tags, TAG_CLUSTER)
  );
}

/**
 * Service annotation where the controller records the additional-resource-tags keys it set on the
 * SLB (comma-separated, sorted). Only these may ever be untagged, and recording them on the Service
 * lets a restarted controller untag a key the user removed while it was down.
 */
export const ANNOTATION_MANAGED_TAGS = 'service.k8s.alibaba/managed-resource-tags';

export function formatManagedTagKeys(keys: Iterable<string>): string | undefined {
  const sorted = [...new Set(keys)].sort();
  return sorted.length > 0 ? sorted.join(',') : undefined;
}
