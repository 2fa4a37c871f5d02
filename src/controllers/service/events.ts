// Event reasons the Service controller records on a Service, in progress/result pairs so
// `kubectl describe service` reads as a story: Ensuring → Ensured | SyncLoadBalancerFailed,
// Deleting → Deleted | CleanLoadBalancerFailed. Names match the official CCM where it has one.
export const ServiceEvents = {
  EnsuringLoadBalancer: 'EnsuringLoadBalancer',
  EnsuredLoadBalancer: 'EnsuredLoadBalancer',
  SyncLoadBalancerFailed: 'SyncLoadBalancerFailed',
  DeletingLoadBalancer: 'DeletingLoadBalancer',
  DeletedLoadBalancer: 'DeletedLoadBalancer',
  CleanLoadBalancerFailed: 'CleanLoadBalancerFailed',
  /** A bad annotation value: names the key, the value and what is allowed. Nothing is changed. */
  InvalidAnnotation: 'InvalidAnnotation',
  /** The SLB named by the id annotation belongs to a cluster, or another refusal of the planner. */
  LoadBalancerConflict: 'LoadBalancerConflict',
  PreservedOnDelete: 'PreservedOnDelete',
  UnAvailableLoadBalancer: 'UnAvailableLoadBalancer',
  /** Pods left out of ENI backends: outside the VPC (Normal) or on no ENI found (Warning). */
  SkipSyncBackends: 'SkipSyncBackends',
  /** Writing a Pod's readiness-gate condition failed (the official CCM's reason). */
  FailedUpdateReadinessGate: 'FailedUpdateReadinessGate',
  /** More candidate backends than the SLB quota per VServer group: a subset is registered. */
  BackendQuotaExceeded: 'BackendQuotaExceeded',
  /** A hand-made change to the SLB was found by the drift check and reverted. */
  DriftRepaired: 'DriftRepaired',
  FailedAddFinalizer: 'FailedAddFinalizer',
  FailedRemoveFinalizer: 'FailedRemoveFinalizer',
  FailedUpdateStatus: 'FailedUpdateStatus',
} as const;

export type ServiceEventReason = (typeof ServiceEvents)[keyof typeof ServiceEvents];
