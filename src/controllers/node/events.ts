// Well-known names the node controller reads and writes, and its Event reasons, in one place so
// docs/nodes.md, dashboards and tests rely on one spelling.

/** Set by the kubelet with --cloud-provider=external; removed once the cloud facts are on the Node. */
export const TAINT_UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';
/** Added while the instance is stopped, so nothing new is scheduled onto a machine that is off. */
export const TAINT_SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';

export const Labels = {
  region: 'topology.kubernetes.io/region',
  zone: 'topology.kubernetes.io/zone',
  instanceType: 'node.kubernetes.io/instance-type',
  betaRegion: 'failure-domain.beta.kubernetes.io/region',
  betaZone: 'failure-domain.beta.kubernetes.io/zone',
  betaInstanceType: 'beta.kubernetes.io/instance-type',
  chargeType: 'node.alibabacloud.com/instance-charge-type',
  spotStrategy: 'node.alibabacloud.com/spot-strategy',
  nodepoolId: 'node.alibabacloud.com/nodepool-id',
} as const;

/** ECS tag whose value becomes the nodepool label (ACK convention). */
export const NODEPOOL_TAG = 'ack.alibabacloud.com/nodepool-id';

/** The kubelet's --node-ip, which must stay the Node's InternalIP. */
export const ANNOTATION_PROVIDED_NODE_IP = 'alpha.kubernetes.io/provided-node-ip';

export const NodeEvents = {
  /** Normal: cloud facts applied and the uninitialized taint removed. */
  InitializedNode: 'InitializedNode',
  /** Normal: an untainted Node without providerID (kube-aliyun style kubelet) got its providerID and cloud facts. */
  AdoptedNode: 'AdoptedNode',
  /**
   * Warning: the instance could not be identified (or the lookup failed); a tainted Node stays
   * tainted, an untainted one is left unchanged (reported once, not every pass).
   */
  InstanceNotFound: 'InstanceNotFound',
  /** Warning: a write to the Node (addresses, labels, taint) or the ENI failed. */
  SyncNodeFailed: 'SyncNodeFailed',
  /** Warning: disabling source/destination check on the primary ENI failed; the taint stays. */
  SourceDestCheckFailed: 'SourceDestCheckFailed',
  /** Warning: --node-ip (provided-node-ip) is not an address of the instance. */
  ProvidedNodeIpMismatch: 'ProvidedNodeIpMismatch',
  /** Normal: the instance is gone and the kubelet stopped reporting; the Node object was deleted. */
  DeletedNode: 'DeletedNode',
  /** Warning: deleting the Node object failed. */
  DeleteNodeFailed: 'DeleteNodeFailed',
  /** Normal: the instance is stopped; shutdown taint added. */
  NodeShutdown: 'NodeShutdown',
  /** Normal: the instance runs again; shutdown taint removed. */
  NodeStarted: 'NodeStarted',
} as const;

export type NodeEventReason = (typeof NodeEvents)[keyof typeof NodeEvents];

/** How a Node without providerID is matched to an instance (kube-aliyun's ALIYUN_NODE_NAME_TYPE). */
export type NodeNameType = 'auto' | 'private-ip' | 'hostname' | 'instance-id';

export function parseNodeNameType(raw: string | undefined): NodeNameType {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'private-ip' || v === 'privateip' || v === 'ip') return 'private-ip';
  if (v === 'hostname') return 'hostname';
  if (v === 'instance-id' || v === 'instanceid') return 'instance-id';
  throw new Error(
    `ALIYUN_NODE_NAME_TYPE: unknown value "${raw}" (expected private-ip, hostname, instance-id or auto)`,
  );
}
