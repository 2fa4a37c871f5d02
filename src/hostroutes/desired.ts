// Pure: Node facts + this node's name → the routes this node should have, plus every Node that
// was left out and why. No kernel state is consulted here (adjacency and foreign routes are the
// diff's job), so the result can be printed and table-tested.
import type { NodeFacts } from './node-facts.js';
import {
  type Ipv4Cidr as Cidr,
  cidrEnd,
  cidrsOverlap,
  formatCidr,
  parseCidr,
  parseIPv4,
} from '../util/ipv4.js';
import { describeReserved, reservedOverlap } from './reserved.js';

export type RejectReason =
  | 'no-pod-cidr'
  | 'no-internal-ip'
  | 'invalid-cidr'
  | 'unsupported-family'
  | 'outside-cluster-cidr'
  | 'reserved-destination'
  | 'overlaps-self'
  | 'overlapping-cidr'
  // Assigned by the diff, which knows the kernel's state.
  | 'overlaps-local'
  | 'gateway-is-local'
  | 'not-on-link';

export interface Rejection {
  readonly node: string;
  readonly dst?: string;
  readonly reason: RejectReason;
  readonly detail: string;
}

export interface DesiredRoute {
  /** Canonical `a.b.c.d/len`. */
  readonly dst: string;
  readonly cidr: Cidr;
  readonly node: string;
  /** IPv4 InternalIPs of the node in status order; the diff keeps the first that is on-link. */
  readonly gateways: readonly string[];
}

export interface DesiredState {
  readonly routes: ReadonlyMap<string, DesiredRoute>;
  readonly rejected: readonly Rejection[];
}

export interface DesiredOptions {
  /**
   * Pod CIDRs must lie inside one of these (the cluster's --cluster-cidr). Optional here so the
   * pure model can be table-tested alone; the Reconciler refuses to exist without one.
   */
  readonly clusterCIDRs?: readonly Cidr[];
}

/** A pod CIDR of another node that passed the per-node checks; overlaps are judged across nodes. */
export interface Candidate {
  readonly node: string;
  readonly cidr: Cidr;
  readonly gateways: readonly string[];
}

export function computeDesired(
  nodes: readonly NodeFacts[],
  self: string,
  options: DesiredOptions = {},
): DesiredState {
  const rejected: Rejection[] = [];
  const selfCIDRs = ownPodCIDRs(nodes.find((n) => n.name === self));
  const candidates: Candidate[] = [];
  for (const node of nodes) {
    if (node.name === self) continue;
    const verdict = evaluateNode(node, selfCIDRs, options);
    candidates.push(...verdict.candidates);
    rejected.push(...verdict.rejected);
  }

  const overlapping = findOverlaps(candidates);
  const routes = new Map<string, DesiredRoute>();
  candidates.forEach((c, i) => {
    const dst = formatCidr(c.cidr);
    const other = overlapping.get(i);
    if (other !== undefined) {
      // Two nodes claiming the same addresses: any choice would black-hole one of them.
      rejected.push({
        node: c.node,
        dst,
        reason: 'overlapping-cidr',
        detail: `${dst} overlaps ${formatCidr(candidates[other]!.cidr)} of node ${candidates[other]!.node}`,
      });
      return;
    }
    routes.set(dst, { dst, cidr: c.cidr, node: c.node, gateways: c.gateways });
  });
  return { routes, rejected };
}

/** This node's own pod CIDRs (parseable ones); other nodes may not route into them. */
export function ownPodCIDRs(self: NodeFacts | undefined): Cidr[] {
  return (self?.podCIDRs ?? []).flatMap((c) => {
    const parsed = parseCidr(c);
    return parsed ? [parsed] : [];
  });
}

/**
 * The checks that depend on one other node alone (plus this node's own CIDRs). Shared by the full
 * computation and the incremental update, so both judge a node identically.
 */
export function evaluateNode(
  node: NodeFacts,
  selfCIDRs: readonly Cidr[],
  options: DesiredOptions = {},
): { candidates: Candidate[]; rejected: Rejection[] } {
  const clusterCIDRs = options.clusterCIDRs ?? [];
  const candidates: Candidate[] = [];
  const rejected: Rejection[] = [];
  if (node.podCIDRs.length === 0) {
    rejected.push({ node: node.name, reason: 'no-pod-cidr', detail: 'node has no spec.podCIDR(s) yet' });
    return { candidates, rejected };
  }
  const gateways = node.internalIPs.filter((ip) => parseIPv4(ip) !== undefined);
  for (const text of node.podCIDRs) {
    if (text.includes(':')) {
      rejected.push({
        node: node.name,
        dst: text,
        reason: 'unsupported-family',
        detail: 'IPv6 pod CIDRs are not programmed',
      });
      continue;
    }
    const cidr = parseCidr(text);
    if (!cidr || cidr.prefix === 0) {
      // Never let a malformed or /0 value through: it would become a default route.
      rejected.push({
        node: node.name,
        dst: text,
        reason: 'invalid-cidr',
        detail: `pod CIDR ${JSON.stringify(text)} is not a usable IPv4 prefix`,
      });
      continue;
    }
    const dst = formatCidr(cidr);
    if (gateways.length === 0) {
      rejected.push({
        node: node.name,
        dst,
        reason: 'no-internal-ip',
        detail: 'node has no IPv4 InternalIP address',
      });
      continue;
    }
    const reserved = reservedOverlap(cidr);
    if (reserved) {
      // (safety) Checked before the cluster CIDR, so even a too-wide --cluster-cidr cannot let it through.
      rejected.push({
        node: node.name,
        dst,
        reason: 'reserved-destination',
        detail: describeReserved(cidr, reserved),
      });
      continue;
    }
    if (
      clusterCIDRs.length > 0 &&
      !clusterCIDRs.some((c) => c.prefix <= cidr.prefix && cidrsOverlap(c, cidr))
    ) {
      rejected.push({
        node: node.name,
        dst,
        reason: 'outside-cluster-cidr',
        detail: `${dst} is outside the configured cluster CIDR`,
      });
      continue;
    }
    if (selfCIDRs.some((own) => cidrsOverlap(own, cidr))) {
      rejected.push({
        node: node.name,
        dst,
        reason: 'overlaps-self',
        detail: `${dst} overlaps this node's own pod CIDR`,
      });
      continue;
    }
    candidates.push({ node: node.name, cidr, gateways });
  }
  return { candidates, rejected };
}

/**
 * Index of every candidate that overlaps another → index of one it overlaps. Prefixes are either
 * nested or disjoint, so a sweep over candidates sorted by start finds all overlaps in O(n log n).
 */
function findOverlaps(candidates: readonly Candidate[]): Map<number, number> {
  const order = candidates
    .map((_, i) => i)
    .sort((a, b) => {
      const ca = candidates[a]!.cidr;
      const cb = candidates[b]!.cidr;
      return ca.network - cb.network || ca.prefix - cb.prefix;
    });
  const result = new Map<number, number>();
  let widest = -1;
  let widestEnd = -1;
  for (const i of order) {
    const cidr = candidates[i]!.cidr;
    if (widest >= 0 && cidr.network <= widestEnd) {
      result.set(i, widest);
      if (!result.has(widest)) result.set(widest, i);
    }
    const end = cidrEnd(cidr);
    if (end > widestEnd) {
      widest = i;
      widestEnd = end;
    }
  }
  return result;
}
