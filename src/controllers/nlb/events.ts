// Event reasons the NLB controller records on a Service. They are the CLB controller's (the same
// story in `kubectl describe service`), so one alert rule covers both load-balancer kinds.
import { errorText } from '../../util/errors.js';
import { redactSecrets } from '../../util/secrets.js';
import { ServiceEvents } from '../service/events.js';

export const NlbEvents = {
  EnsuringLoadBalancer: ServiceEvents.EnsuringLoadBalancer,
  EnsuredLoadBalancer: ServiceEvents.EnsuredLoadBalancer,
  SyncLoadBalancerFailed: ServiceEvents.SyncLoadBalancerFailed,
  DeletingLoadBalancer: ServiceEvents.DeletingLoadBalancer,
  DeletedLoadBalancer: ServiceEvents.DeletedLoadBalancer,
  CleanLoadBalancerFailed: ServiceEvents.CleanLoadBalancerFailed,
  InvalidAnnotation: ServiceEvents.InvalidAnnotation,
  LoadBalancerConflict: ServiceEvents.LoadBalancerConflict,
  PreservedOnDelete: ServiceEvents.PreservedOnDelete,
  DriftRepaired: ServiceEvents.DriftRepaired,
  UnAvailableLoadBalancer: ServiceEvents.UnAvailableLoadBalancer,
  SkipSyncBackends: ServiceEvents.SkipSyncBackends,
  FailedAddFinalizer: ServiceEvents.FailedAddFinalizer,
  FailedRemoveFinalizer: ServiceEvents.FailedRemoveFinalizer,
  FailedUpdateStatus: ServiceEvents.FailedUpdateStatus,
} as const;

export type NlbEventReason = (typeof NlbEvents)[keyof typeof NlbEvents];

/** An error as Event/log text: never carries a credential. */
export function message(err: unknown): string {
  return redactSecrets(errorText(err));
}
