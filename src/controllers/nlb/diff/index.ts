// The NLB diff layer (pure): desired vs observed → an ordered plan (plan.ts), and the cleanup plan.
//
// Order of a sync plan, each step finished before the next (the facade waits for the NLB's jobs):
//   1. create the NLB, or update its attributes (our NLB only)
//   2. server groups: create, update settings, add/update/remove servers
//   3. listeners: delete ours no port wants (and a user's one being force-overridden), then
//      create / update / start
//   4. delete our server groups no listener points at any more
import type { NlbAction, NlbPlan } from '../plan.js';
import type { DesiredNlb, NlbModel, Ownership } from '../types.js';
import { isOwnedBy } from '../model/naming.js';
import { attributeDiff } from './attributes.js';
import { listenerDiff } from './listeners.js';
import { serverGroupDiff } from './server-groups.js';
import { CREATE_DEFAULTS } from '../model/fields.js';
import { TAG_CLUSTER_ID, TAG_DO_NOT_DELETE } from '../model/naming.js';

export { attributeDiff } from './attributes.js';
export { listenerChanges, listenerDiff } from './listeners.js';
export { serverGroupDiff, serverActions, settingsChanges } from './server-groups.js';

export function ownershipOf(d: DesiredNlb): Ownership {
  return {
    identity: d.identity,
    defaultName: d.defaultName,
    ...(d.reusedLoadBalancerId ? { reusedLoadBalancerId: d.reusedLoadBalancerId } : {}),
    forceOverrideListeners: d.forceOverrideListeners,
    preserveOnDelete: d.preserveOnDelete,
  };
}

/**
 * Whether the remote NLB is one this Service may write to: the reused one it names, or one that
 * carries this Service's ownership tag *and* this cluster's id (a same-named NLB of another
 * cluster is never ours).
 */
export function ownershipProblem(o: Ownership, remote: NlbModel): string | undefined {
  if (o.reusedLoadBalancerId) return undefined;
  if (remote.tags[TAG_DO_NOT_DELETE] !== o.defaultName)
    return `NLB ${remote.attributes.loadBalancerId ?? ''} does not carry this Service's ownership tag`;
  if (remote.tags[TAG_CLUSTER_ID] !== o.identity.clusterId)
    return `NLB ${remote.attributes.loadBalancerId ?? ''} belongs to cluster ${remote.tags[TAG_CLUSTER_ID] ?? '(none)'}`;
  return undefined;
}

export function planChanges(desired: DesiredNlb, remote: NlbModel | undefined): NlbPlan {
  const actions: NlbAction[] = [];
  const conflicts: string[] = [];
  const lbId = remote?.attributes.loadBalancerId;
  if (!remote || !lbId) {
    if (desired.reusedLoadBalancerId)
      return {
        actions,
        conflicts: [`NLB ${desired.reusedLoadBalancerId} named by the id annotation was not found`],
      };
    actions.push({
      kind: 'CreateLoadBalancer',
      attributes: { ...CREATE_DEFAULTS, ...desired.attributes },
      tags: { ...desired.tags, ...desired.ownershipTags },
    });
  } else {
    const problem = ownershipProblem(ownershipOf(desired), remote);
    if (problem) return { loadBalancerId: lbId, actions, conflicts: [problem] };
    const a = attributeDiff(desired, remote);
    actions.push(...a.actions);
    conflicts.push(...a.conflicts);
  }
  const groups = serverGroupDiff(desired, remote?.serverGroups ?? []);
  conflicts.push(...groups.conflicts);
  actions.push(...groups.before);
  const listeners = listenerDiff(desired, remote?.listeners ?? [], groups.ids);
  conflicts.push(...listeners.conflicts);
  actions.push(...listeners.deletes, ...listeners.upserts, ...groups.after);
  return { ...(lbId ? { loadBalancerId: lbId } : {}), actions, conflicts };
}

/**
 * Cleanup when the Service goes (or stops asking for an NLB). Our own NLB is deleted whole —
 * deletion protection first off — and then our server groups (they outlive the NLB). A reused or
 * preserved NLB keeps everything not ours: only our listeners, our servers in reused groups and
 * our groups go, and a preserved NLB loses our ownership tags so no later Service adopts it.
 */
export function planDeletion(o: Ownership, remote: NlbModel | undefined): NlbPlan {
  const actions: NlbAction[] = [];
  const conflicts: string[] = [];
  if (!remote?.attributes.loadBalancerId) {
    for (const g of remote?.serverGroups ?? [])
      if (!g.reused && g.id && isOwnedBy(g.name, o.identity))
        actions.push({ kind: 'DeleteServerGroup', group: { name: g.name, id: g.id } });
    return { actions, conflicts };
  }
  const lbId = remote.attributes.loadBalancerId;
  const problem = ownershipProblem(o, remote);
  if (problem) {
    // Not ours: we may still delete groups we tagged, never the NLB nor its listeners.
    conflicts.push(problem);
    return { loadBalancerId: lbId, actions, conflicts };
  }
  const whole = !o.reusedLoadBalancerId && !o.preserveOnDelete;
  if (whole) {
    if (
      remote.attributes.deletionProtection !== false ||
      remote.attributes.modificationProtection === 'ConsoleProtection'
    )
      actions.push({
        kind: 'UpdateLoadBalancerProtection',
        deletionProtection: false,
        modificationProtection: 'NonProtection',
      });
    actions.push({ kind: 'DeleteLoadBalancer' });
  } else {
    for (const l of remote.listeners)
      if (l.listenerId && isOwnedBy(l.description, o.identity))
        actions.push({
          kind: 'DeleteListener',
          listenerId: l.listenerId,
          description: l.description,
          reason: 'Service deleted',
        });
    for (const g of remote.serverGroups) {
      if (!g.reused || !g.id) continue;
      const ours = g.servers.filter((s) => isOwnedBy(s.description, o.identity));
      if (ours.length > 0)
        actions.push({ kind: 'RemoveServers', group: { name: g.name, id: g.id }, servers: ours });
    }
    if (o.preserveOnDelete && !o.reusedLoadBalancerId)
      actions.push({
        kind: 'UntagLoadBalancer',
        keys: [TAG_DO_NOT_DELETE, TAG_CLUSTER_ID].filter((k) => k in remote.tags),
      });
  }
  for (const g of remote.serverGroups)
    if (!g.reused && g.id && isOwnedBy(g.name, o.identity))
      actions.push({ kind: 'DeleteServerGroup', group: { name: g.name, id: g.id } });
  return { loadBalancerId: lbId, actions, conflicts };
}
