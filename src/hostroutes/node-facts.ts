// The few Node fields hostroutes depends on. Reducing a Node to these facts first is what lets
// heartbeat-only updates (status.conditions, lastHeartbeatTime) be dropped before any work.
import type { KubeObject } from '../kube/types.js';

/** The parts of a core/v1 Node read here. */
export interface NodeObject extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: { type?: string; address?: string }[] };
}

export interface NodeFacts {
  readonly name: string;
  /** spec.podCIDRs, or [spec.podCIDR] on clusters that only set the singular field. */
  readonly podCIDRs: readonly string[];
  /** Every InternalIP in status order; the desired-route step picks by family and adjacency. */
  readonly internalIPs: readonly string[];
}

export function nodeFacts(node: NodeObject): NodeFacts | undefined {
  const name = node.metadata?.name;
  if (!name) return undefined;
  const plural = node.spec?.podCIDRs?.filter((c) => typeof c === 'string' && c.length > 0) ?? [];
  const single = node.spec?.podCIDR;
  const podCIDRs = plural.length > 0 ? plural : single ? [single] : [];
  const internalIPs = (node.status?.addresses ?? []).flatMap((a) =>
    a.type === 'InternalIP' && typeof a.address === 'string' ? [a.address] : [],
  );
  return { name, podCIDRs, internalIPs };
}

/** Stable identity of the facts; equal keys mean the Node change cannot affect any route. */
export function factsKey(f: NodeFacts): string {
  return JSON.stringify([f.name, f.podCIDRs, f.internalIPs]);
}
