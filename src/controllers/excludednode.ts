// Which Nodes the official CCM's node and route controllers leave alone (its IsExcludedNode):
// either exclude-node label, whatever its value, or a hybrid node outside the VPC. Pure; shared
// by the route and node controllers so both read the same labels.

/** Labels whose mere presence takes a Node out of the cloud controllers' hands. */
export const EXCLUDE_NODE_LABELS = [
  'service.beta.kubernetes.io/exclude-node',
  'service.alibabacloud.com/exclude-node',
] as const;

/** Nodes of an ACK hybrid cluster run outside the VPC: no ECS instance, no VPC route. */
const HYBRID_PREFIX = 'ack-hybrid://';

export interface ExcludableNode {
  metadata?: { labels?: Record<string, string> };
  spec?: { providerID?: string };
}

/** Why the Node is excluded, or undefined when it is not. */
export function nodeExcludedBy(node: ExcludableNode): string | undefined {
  const labels = node.metadata?.labels ?? {};
  for (const l of EXCLUDE_NODE_LABELS) if (l in labels) return `label ${l}`;
  if (node.spec?.providerID?.startsWith(HYBRID_PREFIX)) return `hybrid node (providerID ${HYBRID_PREFIX}…)`;
  return undefined;
}
