// Well-known Kubernetes label, taint and annotation keys the controllers read or write on Nodes
// and volumes. One spelling for the whole product: the node controller writes the topology labels
// that the disk provisioner reads back to pick a zone, so the two must never drift apart.

/** Topology and instance-type labels, current and the deprecated beta names still read by older tools. */
export const WellKnownLabels = {
  region: 'topology.kubernetes.io/region',
  zone: 'topology.kubernetes.io/zone',
  instanceType: 'node.kubernetes.io/instance-type',
  betaRegion: 'failure-domain.beta.kubernetes.io/region',
  betaZone: 'failure-domain.beta.kubernetes.io/zone',
  betaInstanceType: 'beta.kubernetes.io/instance-type',
} as const;

/** Set by the kubelet with --cloud-provider=external; removed once the cloud facts are on the Node. */
export const TAINT_UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';
/** Added while the instance is stopped, so nothing new is scheduled onto a machine that is off. */
export const TAINT_SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';

/** The kubelet's --node-ip, which must stay the Node's InternalIP. */
export const ANNOTATION_PROVIDED_NODE_IP = 'alpha.kubernetes.io/provided-node-ip';
