// Desired vs remote → Plan (pure). The ordering rule, encoded as `stage` on every action:
//
//   0  CreateLoadBalancer                      everything else needs the SLB
//   1  SLB attributes + tags; vserver groups   groups must exist before a listener references them;
//      (create, then add → remove → update     backends go in before listeners start sending traffic
//      backends)
//   2  delete forwarding HTTP listeners        a forwarder goes before the HTTPS listener it targets
//   3  delete listeners                        a port must be free before its new protocol is created
//   4  update listeners; create listeners
//   5  start listeners; create forwarders      a forwarder needs its HTTPS target to exist
//   6  start forwarders; domain extensions     extensions need their HTTPS listener
//   7  delete / empty unused vserver groups    only after no listener of ours points at them
//   8  delete protection off                   (deletion only)
//   9  DeleteLoadBalancer                      (deletion only)
//
// Safety (docs/design/service.md § "Ownership", § "Reusing a hand-made SLB"): nothing is planned for a listener, vserver group or backend
// whose name/description is not this Service's `k8s/…` key, no tag we did not set is removed, and
// a reused SLB is never deleted. Refusals come back as `conflicts`: the controller must then apply
// nothing and report them.
import { attributeActions, attributeConflicts, tagActions } from './attributes.js';
import { planListeners } from './listeners.js';
import { cleanupVGroups, planVGroups } from './vgroups.js';
import {
  defaultLoadBalancerName,
  isClusterCreated,
  isOwnedBy,
  isReservedTagKey,
  TAG_CLUSTER,
  TAG_DEFAULT_NAME,
} from '../model/naming.js';
import { STAGE, type Plan, type PlanAction, type PlanConflict } from '../plan.js';
import type { DesiredLoadBalancer, LoadBalancerModel, Ownership, RemoteLoadBalancer } from '../types.js';

export function ownershipOf(desired: DesiredLoadBalancer): Ownership {
  return {
    identity: desired.identity,
    ...(desired.reusedLoadBalancerId ? { reusedLoadBalancerId: desired.reusedLoadBalancerId } : {}),
    forceOverrideListeners: desired.forceOverrideListeners,
    preserveOnDelete: desired.preserveOnDelete,
  };
}

const EMPTY: LoadBalancerModel = { attributes: {}, tags: {}, listeners: [], vgroups: [] };

function withoutReserved(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !isReservedTagKey(k)));
}

function sorted(actions: PlanAction[]): PlanAction[] {
  // Stable sort keeps the per-stage order the planners chose (e.g. add before remove backends).
  return actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.stage - y.a.stage || x.i - y.i)
    .map((x) => x.a);
}

/** Ownership refusals shared by sync and cleanup. */
function ownershipConflicts(
  remote: RemoteLoadBalancer,
  ownership: Ownership,
  defaultName: string,
): PlanConflict[] {
  const lbId = remote.attributes.loadBalancerId ?? '?';
  if (ownership.reusedLoadBalancerId) {
    return isClusterCreated(remote.tags)
      ? [
          {
            reason: `SLB ${lbId} was created by a Kubernetes cluster (ownership tags) and cannot be reused; only SLBs created by hand can be named by the id annotation`,
          },
        ]
      : [];
  }
  const cluster = remote.tags[TAG_CLUSTER];
  if (cluster !== undefined && cluster !== ownership.identity.clusterId) {
    return [
      {
        reason: `SLB ${lbId} belongs to cluster "${cluster}", not "${ownership.identity.clusterId}"; refusing to adopt it`,
      },
    ];
  }
  const tagName = remote.tags[TAG_DEFAULT_NAME];
  if (tagName !== undefined && tagName !== defaultName) {
    return [
      {
        reason: `SLB ${lbId} belongs to another Service (${TAG_DEFAULT_NAME}=${tagName}); refusing to adopt it`,
      },
    ];
  }
  return [];
}

export function planChanges(
  desired: DesiredLoadBalancer,
  remote: RemoteLoadBalancer | undefined,
  ownership: Ownership,
): Plan {
  const actions: PlanAction[] = [];
  const conflicts: PlanConflict[] = [];
  const id = ownership.identity;

  if (!remote) {
    if (ownership.reusedLoadBalancerId) {
      return {
        actions: [],
        conflicts: [
          { reason: `SLB ${ownership.reusedLoadBalancerId} named by the id annotation does not exist` },
        ],
      };
    }
    if (desired.publishedIngressIps.length > 0) {
      // (safety) The SLB behind a published IP vanished (deleted by hand?). A new one would get a
      // new IP behind the users' backs; make a human decide (clear status or re-create the Service).
      return {
        actions: [],
        conflicts: [
          {
            reason: `no SLB found, but the Service already publishes ${desired.publishedIngressIps.join(', ')}; was the SLB deleted by hand? Re-create the Service to get a new one`,
          },
        ],
      };
    }
    actions.push({
      kind: 'CreateLoadBalancer',
      stage: STAGE.createLoadBalancer,
      attributes: { ...desired.createDefaults, ...desired.attributes },
      // (safety) Ownership tags last: no additional tag can ever replace them (the model also
      // refuses reserved keys; this holds even if that check were bypassed).
      tags: { ...withoutReserved(desired.tags), ...desired.ownershipTags },
      ...(desired.vSwitchAlternatives?.length ? { vSwitchAlternatives: desired.vSwitchAlternatives } : {}),
    });
  } else {
    conflicts.push(...ownershipConflicts(remote, ownership, desired.defaultName));
    conflicts.push(...attributeConflicts(desired, remote));
    if (conflicts.length > 0)
      return { loadBalancerId: remote.attributes.loadBalancerId, actions: [], conflicts };
    actions.push(...attributeActions(desired, remote));
    actions.push(...tagActions(desired, remote));
  }

  const base = remote ?? EMPTY;
  const vg = planVGroups(desired.vgroups, base.vgroups, id, desired.ignoreWeightUpdate);
  const canManageListeners = !ownership.reusedLoadBalancerId || ownership.forceOverrideListeners;
  const ls = planListeners(desired.listeners, base.listeners, id, vg.refs, canManageListeners);
  actions.push(...vg.actions, ...ls.actions, ...cleanupVGroups(vg.unused, id, ls.referencedGroupIds));
  conflicts.push(...vg.conflicts, ...ls.conflicts);
  if (conflicts.length > 0)
    return {
      ...(remote?.attributes.loadBalancerId ? { loadBalancerId: remote.attributes.loadBalancerId } : {}),
      actions: [],
      conflicts,
    };
  return {
    ...(remote?.attributes.loadBalancerId ? { loadBalancerId: remote.attributes.loadBalancerId } : {}),
    actions: sorted(actions),
    conflicts,
  };
}

/**
 * Cleanup when the Service is deleted or stops being a LoadBalancer.
 *  - SLB we created, not preserved: delete protection off (we turned it on at create; the
 *    Service owner asked for deletion), then DeleteLoadBalancer. Its listeners and groups go with it.
 *  - SLB we created, `preserve-lb-on-delete`: remove our listeners and groups, protection off,
 *    modification protection off, and our ownership tags (only those present and matching), so the
 *    SLB becomes an ordinary user SLB that a later Service may reuse.
 *  - Reused SLB: never deleted; remove listeners with our description (they can only exist because
 *    we created them under force-override), our groups, and our backends in the user's groups.
 */
export function planDeletion(remote: RemoteLoadBalancer | undefined, ownership: Ownership): Plan {
  if (!remote) return { actions: [], conflicts: [] };
  const lbId = remote.attributes.loadBalancerId;
  const id = ownership.identity;
  const defaultName = defaultLoadBalancerName(id.uid);
  const conflicts = ownershipConflicts(remote, ownership, defaultName);
  if (conflicts.length > 0) return { ...(lbId ? { loadBalancerId: lbId } : {}), actions: [], conflicts };
  const actions: PlanAction[] = [];
  const owned = !ownership.reusedLoadBalancerId;

  if (owned && !ownership.preserveOnDelete) {
    if (remote.attributes.deleteProtection === 'on') {
      actions.push({
        kind: 'SetLoadBalancerDeleteProtection',
        stage: STAGE.disableDeleteProtection,
        deleteProtection: 'off',
      });
    }
    actions.push({ kind: 'DeleteLoadBalancer', stage: STAGE.deleteLoadBalancer });
    return { ...(lbId ? { loadBalancerId: lbId } : {}), actions, conflicts: [] };
  }

  const deleted = new Set<string>();
  for (const l of remote.listeners) {
    if (isOwnedBy(l.description, id)) {
      const stage =
        l.protocol === 'http' && l.listenerForward === 'on'
          ? STAGE.deleteForwardingListeners
          : STAGE.deleteListeners;
      actions.push({
        kind: 'DeleteListener',
        stage,
        port: l.port,
        protocol: l.protocol,
        reason: 'the Service is being deleted',
      });
      deleted.add(`${l.port}/${l.protocol}`);
    }
  }
  const referenced = new Set(
    remote.listeners
      .filter((l) => !deleted.has(`${l.port}/${l.protocol}`) && l.vGroupId)
      .map((l) => l.vGroupId!),
  );
  actions.push(...cleanupVGroups(remote.vgroups, id, referenced));

  if (owned) {
    if (remote.attributes.deleteProtection === 'on') {
      actions.push({
        kind: 'SetLoadBalancerDeleteProtection',
        stage: STAGE.disableDeleteProtection,
        deleteProtection: 'off',
      });
    }
    if (remote.attributes.modificationProtectionStatus === 'ConsoleProtection') {
      actions.push({
        kind: 'SetLoadBalancerModificationProtection',
        stage: STAGE.disableDeleteProtection,
        status: 'NonProtection',
      });
    }
    const ours = [TAG_DEFAULT_NAME, TAG_CLUSTER].filter(
      (k) => remote.tags[k] === (k === TAG_DEFAULT_NAME ? defaultName : id.clusterId),
    );
    // Untag only what is there: the CCM sends an empty Untag call here.
    if (ours.length > 0)
      actions.push({ kind: 'UntagResources', stage: STAGE.disableDeleteProtection, keys: ours });
  }
  return { ...(lbId ? { loadBalancerId: lbId } : {}), actions: sorted(actions), conflicts: [] };
}
