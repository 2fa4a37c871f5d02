// The cleanup path of the NLB controller (its own file so controller.ts stays one concept):
// what the Service owned is read leniently from its annotations — a Service with a broken
// annotation must still be deletable — then planDeletion → apply → labels/status → finalizer.
import type { EventType } from '../../kube/events.js';
import type { Logger } from '../../util/log.js';
import { lookup } from '../service/annotations/parse.js';
import type { ClusterConfig } from '../service/inputs/objects.js';
import { NLB_ANNOTATIONS, parseNlbAnnotations } from './annotations/index.js';
import { applyNlbPlan } from './apply.js';
import { planDeletion } from './diff/index.js';
import { message, NlbEvents } from './events.js';
import { observeNlb, ObserveError } from './inputs.js';
import type { NlbCloudPort } from './cloudport.js';
import { LABEL_HASH, LABEL_LB_ID, type NlbKubePort, type ServiceObject } from './kubeport.js';
import { defaultName } from './model/naming.js';
import { describeAction, isEmptyPlan, type NlbPlan } from './plan.js';
import type { Ownership } from './types.js';

export function cleanupOwnership(
  svc: ServiceObject,
  clusterId: string,
): { ownership: Ownership; reusedGroups: string[] } {
  const a = svc.metadata?.annotations;
  const identity = {
    namespace: svc.metadata?.namespace ?? '',
    name: svc.metadata?.name ?? '',
    uid: svc.metadata?.uid ?? '',
    clusterId,
  };
  const parsed = parseNlbAnnotations(a);
  const raw = (k: readonly string[]): string => lookup(a, k)?.value.trim() ?? '';
  const id = parsed.ok ? parsed.config.loadBalancerId : raw(NLB_ANNOTATIONS.loadBalancerId.keys) || undefined;
  const ownership: Ownership = {
    identity,
    defaultName: defaultName(identity.uid),
    ...(id ? { reusedLoadBalancerId: id } : {}),
    forceOverrideListeners: parsed.ok
      ? parsed.config.forceOverrideListeners === true
      : raw(NLB_ANNOTATIONS.forceOverrideListeners.keys) === 'true',
    preserveOnDelete: parsed.ok
      ? parsed.config.preserveLbOnDelete === true
      : raw(NLB_ANNOTATIONS.preserveLbOnDelete.keys) !== '',
  };
  const reusedGroups = parsed.ok ? (parsed.config.vgroupPort ?? []).map((v) => v.serverGroupId) : [];
  return { ownership, reusedGroups };
}

/**
 * What cleanup uses of the controller, named here so this file does not import the controller
 * (which imports it).
 */
export interface CleanupHost {
  readonly deps: {
    readonly config: Pick<ClusterConfig, 'clusterId' | 'vpcId'>;
    readonly cloud: NlbCloudPort;
    readonly dryRun?: boolean;
    readonly logger: Logger;
  };
  readonly writer: NlbKubePort;
  event(svc: ServiceObject, type: EventType, reason: string, msg: string): void;
}

export async function cleanupNlb(c: CleanupHost, svcIn: ServiceObject, deleting: boolean): Promise<NlbPlan> {
  let svc = svcIn;
  const { ownership, reusedGroups } = cleanupOwnership(svc, c.deps.config.clusterId);
  c.event(svc, 'Normal', NlbEvents.DeletingLoadBalancer, 'Deleting NLB');
  const remote = await observeNlb(c.deps.cloud, { ownership, reusedServerGroupIds: reusedGroups }).catch(
    (err: unknown) => {
      // The reused NLB is already gone: nothing of ours is left on it.
      if (err instanceof ObserveError && ownership.reusedLoadBalancerId) return undefined;
      throw err;
    },
  );
  const plan = planDeletion(ownership, remote);
  if (plan.conflicts.length > 0) {
    // Not ours: we never wrote to it, so there is nothing to clean; say so and let the Service go.
    c.event(svc, 'Warning', NlbEvents.LoadBalancerConflict, `Not cleaning up: ${plan.conflicts.join('; ')}`);
  }
  if (c.deps.dryRun) {
    if (!isEmptyPlan(plan))
      c.event(
        svc,
        'Normal',
        NlbEvents.DeletingLoadBalancer,
        `would apply: ${plan.actions.map(describeAction).join('; ')}`,
      );
    return plan;
  }
  if (!isEmptyPlan(plan)) {
    c.deps.logger.info(
      {
        service: `${ownership.identity.namespace}/${ownership.identity.name}`,
        actions: plan.actions.map(describeAction),
      },
      'applying NLB deletion plan',
    );
    try {
      await applyNlbPlan(c.deps.cloud, plan, { vpcId: c.deps.config.vpcId, clientToken: '' });
    } catch (err) {
      c.event(
        svc,
        'Warning',
        NlbEvents.CleanLoadBalancerFailed,
        `Error deleting NLB [${plan.loadBalancerId ?? ''}]: ${message(err)}`,
      );
      throw err;
    }
  }
  svc = await c.writer.setLabels(svc, { [LABEL_HASH]: undefined, [LABEL_LB_ID]: undefined });
  if (!deleting) svc = await c.writer.setIngress(svc, []);
  try {
    await c.writer.removeFinalizer(svc);
  } catch (err) {
    c.event(svc, 'Warning', NlbEvents.FailedRemoveFinalizer, `could not remove finalizer: ${message(err)}`);
    throw err;
  }
  const what = plan.actions.some((a) => a.kind === 'DeleteLoadBalancer')
    ? `Deleted NLB [${plan.loadBalancerId ?? ''}]`
    : remote
      ? `Removed this Service's listeners and servers from [${plan.loadBalancerId ?? ''}]`
      : 'No NLB to delete';
  c.event(svc, 'Normal', NlbEvents.DeletedLoadBalancer, what);
  if (ownership.preserveOnDelete && plan.loadBalancerId)
    c.event(
      svc,
      'Normal',
      NlbEvents.PreservedOnDelete,
      `NLB [${plan.loadBalancerId}] was kept (preserve-lb-on-delete)`,
    );
  return plan;
}
