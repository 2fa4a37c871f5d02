// Event and condition reasons of the route controller, in one place so docs/routes.md,
// dashboards and tests can rely on the spelling.

/** Event reasons (on the Node unless noted). */
export const RouteEvents = {
  CreatedRoute: 'CreatedRoute',
  CreateRouteFailed: 'CreateRouteFailed',
  /** A route someone else made occupies (part of) the Node's pod CIDR; we do not delete it. */
  RouteConflict: 'RouteConflict',
  /** The route table is full; points at hostroutes mode. */
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

export const HOSTROUTES_HINT =
  'raise the route table quota, or switch to hostroutes mode: deploy the alicloud-hostroutes DaemonSet and run the controller-manager with --configure-cloud-routes=false (see docs/hostroutes.md)';
