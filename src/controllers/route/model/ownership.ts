// How the route controller recognises its own route entries.
//
// The VPC has no tags on route entries, and the official CCM therefore treats every instance
// route inside the cluster CIDR as its own — including ones a person made by hand. We write a
// marker into each entry's Description instead:
//
//     kube-alicloud/route cluster=<clusterId> node=<nodeName>
//
// A route counts as "of this cluster" only when it lies inside --cluster-cidr, points at an ECS
// instance, and carries our marker for this cluster id. Pointing at a current Node's instance is
// not enough: an aggregate a person routed to a node by hand looks exactly like that. The marker
// is also what lets a restarted controller find routes of Nodes deleted while it was down.

import { ROUTE_ENTRY_NAME_PREFIX, ROUTE_MARKER as MARKER } from '../../../cloud/ownership.js';

/** The VPC rejects names and descriptions longer than these. */
const MAX_DESCRIPTION = 256;
const MAX_NAME = 128;

export interface RouteOwner {
  clusterId: string;
  nodeName: string;
}

export function routeDescription(owner: RouteOwner): string {
  return `${MARKER} cluster=${owner.clusterId} node=${owner.nodeName}`.slice(0, MAX_DESCRIPTION);
}

/** Route entry names must start with a letter; node names may start with a digit (IP-named nodes). */
export function routeEntryName(nodeName: string): string {
  return `${ROUTE_ENTRY_NAME_PREFIX}${nodeName}`.slice(0, MAX_NAME);
}

export function parseRouteOwner(description: string | undefined): RouteOwner | undefined {
  if (!description?.startsWith(`${MARKER} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of description.slice(MARKER.length + 1).split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const clusterId = fields.get('cluster');
  const nodeName = fields.get('node');
  return clusterId && nodeName ? { clusterId, nodeName } : undefined;
}
