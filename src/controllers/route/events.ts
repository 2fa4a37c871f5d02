// Event and condition reasons of the route controller, in one place so docs/routes.md,
// dashboards and tests can rely on the spelling.

/** Event reasons (on the Node unless noted). */
export const RouteEvents = {
  CreatedRoute: 'CreatedRoute',
  CreateRouteFailed: 'CreateRouteFailed',
  /** A route someone else made occupies (part of) the Node's pod CIDR; we do not delete it. */
  RouteConflict: 'RouteConflict',
  /** The route table is full; says how to get room. */
  RouteQuotaExceeded: 'RouteQuotaExceeded',
  /** A whole pass failed (listing a table, resolving tables). */
  SyncRouteFailed: 'SyncRouteFailed',
} as const;

export type RouteEventReason = (typeof RouteEvents)[keyof typeof RouteEvents];

/** NetworkUnavailable condition reasons. `RouteCreated` is the only one with status False. */
export const RouteConditionReasons = {
  RouteCreated: 'RouteCreated',
  NoRouteCreated: 'NoRouteCreated',
  RoutePending: 'RoutePending',
  RouteConflict: 'RouteConflict',
  RouteQuotaExceeded: 'RouteQuotaExceeded',
  InvalidPodCIDR: 'InvalidPodCIDR',
  PodCIDROutsideClusterCIDR: 'PodCIDROutsideClusterCIDR',
  NoInstance: 'NoInstance',
  DuplicatePodCIDR: 'DuplicatePodCIDR',
} as const;

export type RouteConditionReason = (typeof RouteConditionReasons)[keyof typeof RouteConditionReasons];

// Host routes are not offered: on a VPC they do not carry pod traffic (docs/routes.md).
export const QUOTA_HINT =
  'raise the route table quota (Quota Center) or run fewer Nodes per table; host routes do not replace VPC routes on a VPC (see docs/routes.md#quota)';
