// The node controller's Event reasons, one spelling for docs/nodes.md, dashboards and tests.

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
