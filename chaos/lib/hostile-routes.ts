// Hostile tenant, host-route part: Node podCIDRs that must never become a kernel route on any
// node — the metadata service, loopback, link-local, multicast, ranges outside the cluster CIDR,
// the node's own subnet and addresses, and its own pod range. Whoever can write a Node's
// spec.podCIDR (a kubelet of a compromised node, an over-privileged tenant) tries each in turn.
// Used by test/hostroutes/hostile.test.ts (pure model and a real kernel in a netns) and meant for
// the R8 "hostile tenant" chaos scenario.
import type { RejectReason } from '../../src/hostroutes/desired.js';
import type { NodeFacts } from '../../src/hostroutes/node-facts.js';
import type { Reconciler } from '../../src/hostroutes/reconciler.js';

/** The layout the attacks assume: nodes on 198.18.0.0/24, pods in 198.19.0.0/16. */
export const ROUTE_ARENA = {
  /** Deliberately wide (it covers the node subnet too), so the node-subnet checks are what refuses. */
  clusterCIDR: '198.18.0.0/15',
  nodeSubnet: '198.18.0.0/24',
  self: { name: 'self', podCIDRs: ['198.19.1.0/24'], internalIPs: ['198.18.0.1'] } as NodeFacts,
  peer: { name: 'peer', podCIDRs: ['198.19.2.0/24'], internalIPs: ['198.18.0.2'] } as NodeFacts,
  /** The hostile node's address: on-link, so only the destination can make it refused. */
  attackerIP: '198.18.0.2',
};

export interface RouteAttack {
  name: string;
  podCIDR: string;
  /** A rejection reason, or `foreign-route`: the destination is held by a route we never touch. */
  expect: RejectReason | 'foreign-route';
}

export const ROUTE_ATTACKS: readonly RouteAttack[] = [
  { name: 'the metadata service', podCIDR: '100.100.100.200/32', expect: 'reserved-destination' },
  {
    name: 'Alibaba Cloud internal services (DNS)',
    podCIDR: '100.100.2.0/24',
    expect: 'reserved-destination',
  },
  {
    name: 'CGNAT range that covers the metadata service',
    podCIDR: '100.64.0.0/10',
    expect: 'reserved-destination',
  },
  { name: 'loopback', podCIDR: '127.0.0.0/8', expect: 'reserved-destination' },
  { name: 'one loopback address', podCIDR: '127.0.0.1/32', expect: 'reserved-destination' },
  { name: 'link-local', podCIDR: '169.254.0.0/16', expect: 'reserved-destination' },
  {
    name: "the other clouds' metadata address",
    podCIDR: '169.254.169.254/32',
    expect: 'reserved-destination',
  },
  { name: 'multicast', podCIDR: '224.0.0.0/4', expect: 'reserved-destination' },
  { name: 'limited broadcast', podCIDR: '255.255.255.255/32', expect: 'reserved-destination' },
  { name: '"this network"', podCIDR: '0.0.0.0/8', expect: 'reserved-destination' },
  { name: 'half the Internet (covers 0/8)', podCIDR: '0.0.0.0/1', expect: 'reserved-destination' },
  {
    name: 'the other half (covers link-local, multicast)',
    podCIDR: '128.0.0.0/1',
    expect: 'reserved-destination',
  },
  { name: 'a default route', podCIDR: '0.0.0.0/0', expect: 'invalid-cidr' },
  { name: 'outside the cluster CIDR', podCIDR: '192.168.7.0/24', expect: 'outside-cluster-cidr' },
  {
    name: 'a prefix covering the whole cluster CIDR',
    podCIDR: '198.16.0.0/14',
    expect: 'outside-cluster-cidr',
  },
  {
    name: 'the node subnet itself (its connected route holds it)',
    podCIDR: '198.18.0.0/24',
    expect: 'foreign-route',
  },
  { name: 'part of the node subnet', podCIDR: '198.18.0.0/25', expect: 'overlaps-local' },
  { name: "this node's own address", podCIDR: '198.18.0.1/32', expect: 'overlaps-local' },
  { name: "this node's pod range", podCIDR: '198.19.1.0/24', expect: 'overlaps-self' },
  { name: "a range covering this node's pods", podCIDR: '198.19.0.0/16', expect: 'overlaps-self' },
];

/** The Node list of one attack: this node, an honest peer, and the hostile node. */
export function hostileNodes(attack: RouteAttack): NodeFacts[] {
  return [
    ROUTE_ARENA.self,
    ROUTE_ARENA.peer,
    { name: 'hostile', podCIDRs: [attack.podCIDR], internalIPs: [ROUTE_ARENA.attackerIP] },
  ];
}

/**
 * One pass with the hostile node; returns what went wrong (empty = refused as expected, nothing
 * of it applied). The caller compares the kernel's tables around it.
 */
export async function replayRouteAttack(reconciler: Reconciler, attack: RouteAttack): Promise<string[]> {
  const problems: string[] = [];
  const report = await reconciler.sync(hostileNodes(attack));
  const rejected = report.rejected.find((r) => r.node === 'hostile');
  const held = report.conflicts.find((c) => c.node === 'hostile');
  const got = rejected?.reason ?? (held ? 'foreign-route' : undefined);
  if (!got) problems.push(`${attack.podCIDR} was not refused`);
  else if (got !== attack.expect)
    problems.push(
      `${attack.podCIDR}: expected ${attack.expect}, got ${got}${rejected ? ` (${rejected.detail})` : ''}`,
    );
  const touched = report.applied.filter((op) => op.kind === 'replace' && op.node === 'hostile');
  if (touched.length > 0)
    problems.push(`${attack.podCIDR}: programmed ${touched.map((o) => o.dst).join(', ')}`);
  return problems;
}
