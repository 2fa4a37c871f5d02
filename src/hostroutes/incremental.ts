// Pure: the desired state after a few Node changes, derived from the previous one without
// re-evaluating every Node. Only changes whose effect stays with the changed Nodes are handled;
// anything that can alter another Node's verdict (this node's own CIDRs, an overlap appearing or
// disappearing) answers undefined and the caller recomputes everything with computeDesired.
import {
  type Candidate,
  type DesiredOptions,
  type DesiredRoute,
  type DesiredState,
  type Rejection,
  evaluateNode,
  ownPodCIDRs,
} from './desired.js';
import { type Ipv4Cidr as Cidr, cidrsOverlap, formatCidr, parseCidr } from '../util/ipv4.js';
import type { NodeFacts } from './node-facts.js';

/**
 * Past this many changed Nodes the pairwise overlap check costs about what a full recompute does,
 * and a burst that large is a re-list, not a single change.
 */
export const MAX_INCREMENTAL_CHANGES = 64;

/** Current facts by Node name; the delta only ever asks about the changed Nodes and this node. */
export interface FactsLookup {
  get(name: string): NodeFacts | undefined;
}

export interface NodeDelta {
  /** Names of Nodes added, removed or whose facts differ. */
  readonly changed: ReadonlySet<string>;
  readonly facts: FactsLookup;
}

/**
 * Which Nodes differ between two listings. The node source hands out the same facts object until a
 * Node's facts change, so identity settles almost every Node without serialising anything.
 * Undefined when `next` names a Node twice (only a full computation defines that case).
 */
export function diffNodes(
  prev: ReadonlyMap<string, NodeFacts>,
  next: readonly NodeFacts[],
): (NodeDelta & { readonly facts: ReadonlyMap<string, NodeFacts> }) | undefined {
  const facts = new Map<string, NodeFacts>();
  const changed = new Set<string>();
  for (const node of next) {
    if (facts.has(node.name)) return undefined;
    facts.set(node.name, node);
    const before = prev.get(node.name);
    if (before !== node && (before === undefined || !sameFacts(before, node))) changed.add(node.name);
  }
  for (const name of prev.keys()) if (!facts.has(name)) changed.add(name);
  return { changed, facts };
}

export function sameFacts(a: NodeFacts, b: NodeFacts): boolean {
  const eq = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return a.name === b.name && eq(a.podCIDRs, b.podCIDRs) && eq(a.internalIPs, b.internalIPs);
}

export interface DesiredUpdate {
  readonly state: DesiredState;
  /**
   * Every destination whose desired entry may differ from before: the old and new candidate pod
   * CIDRs of the changed Nodes, all canonical. Only these need planning and a kernel re-check.
   */
  readonly touched: ReadonlySet<string>;
}

/**
 * `prevFacts` needs to know only the changed Nodes' previous facts. With `reuse: 'in-place'` the
 * routes map of `prev` is changed and returned rather than copied (the caller owns it and drops
 * `prev` whether or not this succeeds: an undefined answer leaves it half-updated); copying 5000
 * entries per Node change was most of that change's garbage.
 */
export function updateDesired(
  prev: DesiredState,
  prevFacts: FactsLookup,
  delta: NodeDelta,
  self: string,
  options: DesiredOptions = {},
  reuse: 'copy' | 'in-place' = 'copy',
): DesiredUpdate | undefined {
  const { changed, facts } = delta;
  if (changed.has(self) || changed.size > MAX_INCREMENTAL_CHANGES) return undefined;
  // A changed Node that was part of an overlap may release the other side of it.
  if (prev.rejected.some((r) => r.reason === 'overlapping-cidr' && changed.has(r.node))) return undefined;

  const selfCIDRs = ownPodCIDRs(facts.get(self));
  const routes =
    reuse === 'in-place' && prev.routes instanceof Map
      ? (prev.routes as Map<string, DesiredRoute>)
      : new Map<string, DesiredRoute>(prev.routes);
  const touched = new Set<string>();
  for (const name of changed) {
    const old = prevFacts.get(name);
    if (!old) continue;
    // Re-evaluating the old facts names exactly the destinations this Node used to hold.
    for (const c of evaluateNode(old, selfCIDRs, options).candidates) {
      const dst = formatCidr(c.cidr);
      touched.add(dst);
      if (routes.get(dst)?.node === name) routes.delete(dst);
    }
  }
  const rejected: Rejection[] = [];
  const overlapped: Cidr[] = [];
  for (const r of prev.rejected) {
    if (changed.has(r.node)) continue;
    rejected.push(r);
    const cidr = r.reason === 'overlapping-cidr' && r.dst !== undefined ? parseCidr(r.dst) : undefined;
    if (cidr) overlapped.push(cidr);
  }

  const fresh: Candidate[] = [];
  for (const name of changed) {
    const node = facts.get(name);
    if (!node || name === self) continue;
    const verdict = evaluateNode(node, selfCIDRs, options);
    // A destination rejected here was either a candidate before (already touched) or still needs
    // nothing from the kernel; rejections name raw, possibly unparseable text, so they stay out.
    rejected.push(...verdict.rejected);
    fresh.push(...verdict.candidates);
  }
  // Any overlap involving a new candidate rejects both sides, which computeDesired alone decides.
  for (let i = 0; i < fresh.length; i++) {
    const cidr = fresh[i]!.cidr;
    for (let j = i + 1; j < fresh.length; j++) if (cidrsOverlap(cidr, fresh[j]!.cidr)) return undefined;
    for (const other of overlapped) if (cidrsOverlap(cidr, other)) return undefined;
    for (const route of routes.values()) if (cidrsOverlap(cidr, route.cidr)) return undefined;
  }
  for (const c of fresh) {
    const dst = formatCidr(c.cidr);
    touched.add(dst);
    routes.set(dst, { dst, cidr: c.cidr, node: c.node, gateways: c.gateways });
  }
  return { state: { routes, rejected }, touched };
}
