// Ownership tags and names the product writes into cloud objects so it can find them again and
// never touch what it does not own. Kept in one place so every controller agrees: this module
// holds constants only and imports nothing, so pure model/naming code may depend on it.
//
// Load balancers (see the service controller):
//   - `kubernetes.do.not.delete` = the LB's default name ("a" + Service UID without dashes, 32 chars):
//     marks a CCM-created LB and is the primary lookup key (DescribeLoadBalancers by Tags).
//   - `ack.aliyun.com` = the cluster id (cloud-config clusterID, else the literal `clusterid`).
//   - `kubernetes.reused.by.user` = `true` on a user-provided LB we attached to; such LBs are never deleted.
//   Listener Description and VServerGroupName are `k8s/<port>/<svc>/<namespace>/<clusterId>`;
//   anything that does not parse that way is user-managed.
//
// VPC route entries carry no tags, so the route controller marks its entries in text instead:
//   - Description `kube-alicloud/route cluster=<clusterId> node=<nodeName>`: how a restarted
//     controller finds this cluster's entries (the full rule is in route/model/ownership.ts).
//   - Name `k8s-<nodeName>` (entry names must start with a letter; node names may not).

export const TAG_DO_NOT_DELETE = 'kubernetes.do.not.delete';
export const TAG_CLUSTER_ID = 'ack.aliyun.com';
export const TAG_REUSED_BY_USER = 'kubernetes.reused.by.user';
export const DEFAULT_CLUSTER_ID = 'clusterid';
/** Prefix of listener descriptions and vServer group names we own. */
export const OWNED_NAME_PREFIX = 'k8s';
/** The CCM adds marker tags only while an LB has fewer tags than this. */
export const MAX_TAGS_FOR_MARKERS = 10;

/** First word of the Description of every route entry the route controller writes. */
export const ROUTE_MARKER = 'kube-alicloud/route';
export const ROUTE_ENTRY_NAME_PREFIX = 'k8s-';

// Disks (see the disk controller and the FlexVolume driver):
//   - `ack.aliyun.com` = cluster id on every disk the provisioner creates: the driver attaches it.
//   - `kubernetes.io/created-for/pv/name` = the PV a provisioned disk was made for.
//   - `alicloud.kubernetes.io/open-to/<clusterId>` (any value) set by the account owner on a disk
//     made elsewhere: opens that disk to the cluster's driver.
//   - The attachment record the driver writes before AttachDisk, read by `detach` on any master:
//     `…/attachment` = a digest of (cluster id, node name, volume name), the two human-readable
//     tags beside it say which node and volume (truncated to the 128-character tag value limit).
export const TAG_PV_NAME = 'kubernetes.io/created-for/pv/name';
export const TAG_PVC_NAME = 'kubernetes.io/created-for/pvc/name';
export const TAG_PVC_NAMESPACE = 'kubernetes.io/created-for/pvc/namespace';
export const TAG_DISK_OPEN_PREFIX = 'alicloud.kubernetes.io/open-to/';
export const TAG_ATTACHMENT = 'alicloud.kubernetes.io/attachment';
export const TAG_ATTACHED_NODE = 'alicloud.kubernetes.io/attached-node';
export const TAG_ATTACHED_VOLUME = 'alicloud.kubernetes.io/attached-volume';

// Reuse grants and reserved tag keys (the Service controller's tenant boundary).
//
// An SLB made by hand may be named by a Service's `loadbalancer-id` annotation only when the
// operator opened it to this cluster: cloud-config `Global.reusableLoadBalancers`, or a tag on
// the SLB whose key is this prefix followed by the cluster id and whose value is `*` (every
// namespace) or a comma-separated list of namespaces.
export const TAG_REUSE_GRANT_PREFIX = 'kube-alicloud.io/reusable/';

/** Exact keys that mark ownership; a Service may never set them through additional tags. */
export const RESERVED_TAG_KEYS: readonly string[] = [TAG_DO_NOT_DELETE, TAG_CLUSTER_ID, TAG_REUSED_BY_USER];
/**
 * Key prefixes reserved for Kubernetes, Alibaba Cloud and this product (ownership markers, reuse
 * grants, the disk provisioner's tags). Compared case-insensitively: refusing a look-alike costs
 * a user nothing, and the cloud's own case rules are not ours to rely on.
 */
export const RESERVED_TAG_PREFIXES: readonly string[] = [
  'kubernetes.',
  'k8s.',
  'ack.',
  'acs:',
  'aliyun',
  'alicloud.',
  'kube-alicloud',
  'service.k8s.alibaba',
];

export function isReservedTagKey(key: string): boolean {
  const k = key.trim().toLowerCase();
  return RESERVED_TAG_KEYS.includes(k) || RESERVED_TAG_PREFIXES.some((p) => k.startsWith(p));
}
