// Desired routes vs one table's remote entries → a plan. Pure; the safety rules live here:
//  - only routes inside --cluster-cidr that carry this cluster's marker (see ownership.ts) are
//    ever deleted or replaced — pointing at a cluster instance proves nothing, a person may have
//    routed an aggregate or a spare CIDR to a node by hand;
//  - a route someone else made for a CIDR we need is a conflict: reported, never deleted;
//  - routes outside the cluster CIDR are never touched.
import { cidrContains, formatCidr, parseCidrMasked, type Ipv4Cidr } from '../../util/ipv4.js';
import type { DesiredRoute, RouteModel } from './model/index.js';
import { parseRouteOwner } from './model/ownership.js';

/** A route entry as listed from the VPC (already narrowed to what decisions need). */
export interface RemoteRoute {
  routeEntryId: string;
  cidr: string;
  nextHopType: string;
  nextHopId: string;
  /** Pending | Available | Modifying | Deleting */
  status: string;
  /** Custom | System | … — only Custom entries are ever considered. */
  type: string;
  description?: string;
}

export type DeleteReason = 'orphan' | 'replaced' | 'shadowing';

export interface RouteDeletion {
  routeEntryId: string;
  cidr: string;
  nextHopId: string;
  reason: DeleteReason;
}

export interface RouteConflict {
  nodeName: string;
  /** The Node's pod CIDR. */
  cidr: string;
  remote: { cidr: string; nextHopType: string; nextHopId: string };
  /** `same-cidr` blocks our route; `more-specific` shadows part of the pod CIDR. */
  kind: 'same-cidr' | 'more-specific';
}

export interface SatisfiedRoute {
  nodeName: string;
  cidr: string;
  available: boolean;
}

export interface RoutePlan {
  tableId: string;
  /** Run first: they free CIDRs that `creates` reuse, and quota. */
  deletes: RouteDeletion[];
  creates: DesiredRoute[];
  conflicts: RouteConflict[];
  /** Desired routes already present with the right next hop. */
  satisfied: SatisfiedRoute[];
  /**
   * Entries that must be gone before `creates` can run: ones we replace, and ones already
   * Deleting whose CIDR we need (the VPC refuses a duplicate destination until then).
   */
  awaitGone: Array<{ routeEntryId: string; cidr: string }>;
}

export interface DiffInput {
  tableId: string;
  model: Pick<RouteModel, 'desired' | 'unroutable' | 'skipped'>;
  remote: readonly RemoteRoute[];
  clusterCidrs: readonly Ipv4Cidr[];
  clusterId: string;
}

interface ParsedRemote extends RemoteRoute {
  parsed: Ipv4Cidr;
  ours: boolean;
}

const isInstanceHop = (r: RemoteRoute) => r.nextHopType.toLowerCase() === 'instance';

/** True when the route is this cluster's to delete or replace. */
export function isOwnedRoute(
  r: RemoteRoute,
  parsed: Ipv4Cidr,
  ctx: { clusterCidrs: readonly Ipv4Cidr[]; clusterId: string },
): boolean {
  if (r.type !== 'Custom' || !isInstanceHop(r)) return false;
  if (!ctx.clusterCidrs.some((c) => cidrContains(c, parsed))) return false;
  return parseRouteOwner(r.description)?.clusterId === ctx.clusterId;
}

export function diffRoutes(input: DiffInput): RoutePlan {
  const plan: RoutePlan = {
    tableId: input.tableId,
    deletes: [],
    creates: [],
    conflicts: [],
    satisfied: [],
    awaitGone: [],
  };
  const ctx = { clusterCidrs: input.clusterCidrs, clusterId: input.clusterId };

  const remote: ParsedRemote[] = [];
  for (const r of input.remote) {
    const parsed = r.type === 'Custom' ? parseCidrMasked(r.cidr) : undefined;
    // System entries, IPv6 and unparseable destinations are outside our remit entirely.
    if (parsed) remote.push({ ...r, parsed, ours: isOwnedRoute(r, parsed, ctx) });
  }
  const byCidr = new Map<string, ParsedRemote>();
  for (const r of remote) byCidr.set(formatCidr(r.parsed), r);

  const keep = new Set<ParsedRemote>();
  const deleting = new Set<ParsedRemote>();
  const drop = (r: ParsedRemote, reason: DeleteReason) => {
    if (deleting.has(r)) return;
    deleting.add(r);
    // An entry already Deleting is on its way out; asking again would only earn an error.
    if (r.status !== 'Deleting')
      plan.deletes.push({
        routeEntryId: r.routeEntryId,
        cidr: formatCidr(r.parsed),
        nextHopId: r.nextHopId,
        reason,
      });
  };

  for (const want of input.model.desired) {
    const wantCidr = parseCidrMasked(want.cidr)!;
    const existing = byCidr.get(want.cidr);
    if (!existing) {
      plan.creates.push(want);
    } else if (
      isInstanceHop(existing) &&
      existing.nextHopId === want.instanceId &&
      existing.status !== 'Deleting'
    ) {
      keep.add(existing);
      plan.satisfied.push({
        nodeName: want.nodeName,
        cidr: want.cidr,
        available: existing.status === 'Available',
      });
    } else if (existing.status === 'Deleting') {
      plan.awaitGone.push({ routeEntryId: existing.routeEntryId, cidr: want.cidr });
      plan.creates.push(want);
    } else if (existing.ours) {
      drop(existing, 'replaced');
      plan.awaitGone.push({ routeEntryId: existing.routeEntryId, cidr: want.cidr });
      plan.creates.push(want);
    } else {
      plan.conflicts.push({
        nodeName: want.nodeName,
        cidr: want.cidr,
        kind: 'same-cidr',
        remote: remoteRef(existing),
      });
    }

    // More specific entries inside the pod CIDR win longest-prefix matching and would steal
    // part of the Node's pod traffic.
    for (const r of remote) {
      if (r.parsed.prefix <= wantCidr.prefix || !cidrContains(wantCidr, r.parsed)) continue;
      if (r.ours) drop(r, 'shadowing');
      else
        plan.conflicts.push({
          nodeName: want.nodeName,
          cidr: want.cidr,
          kind: 'more-specific',
          remote: remoteRef(r),
        });
    }
  }

  // Routes of Nodes that still exist but cannot be routed right now (no providerID yet, an
  // invalid CIDR) or are skipped on purpose (excluded, Ready Unknown, being deleted) are kept:
  // dropping them would cut a Node off over a state it may come back from.
  const protectedNodes = new Set([
    ...input.model.unroutable.map((u) => u.nodeName),
    ...input.model.skipped.map((u) => u.nodeName),
  ]);
  for (const r of remote) {
    if (!r.ours || keep.has(r) || deleting.has(r)) continue;
    const owner = parseRouteOwner(r.description);
    if (owner && owner.clusterId === input.clusterId && protectedNodes.has(owner.nodeName)) continue;
    drop(r, 'orphan');
  }
  return plan;
}

function remoteRef(r: RemoteRoute): RouteConflict['remote'] {
  return { cidr: r.cidr, nextHopType: r.nextHopType, nextHopId: r.nextHopId };
}
