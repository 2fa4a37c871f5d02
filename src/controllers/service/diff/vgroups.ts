// VServer groups and their backends (docs/design/service.md § "VServer groups"). A backend is ours only when its
// description is a `k8s/…` key of this Service; everything else in a group is left exactly as is.
import { isOwnedBy } from '../model/naming.js';
import { STAGE, type PlanAction, type PlanConflict, type VGroupRef } from '../plan.js';
import type { BackendModel, ServiceIdentity, VGroupModel } from '../types.js';

export function backendIdentity(b: BackendModel): string {
  return b.type === 'eni' ? `eni|${b.serverId}|${b.serverIp ?? ''}|${b.port}` : `ecs|${b.serverId}|${b.port}`;
}

export interface VGroupPlan {
  actions: PlanAction[];
  conflicts: PlanConflict[];
  /** Desired group name → reference for listener actions (id known unless created in this plan). */
  refs: Map<string, VGroupRef>;
  /** Remote groups no desired group uses any more (cleanup candidates). */
  unused: VGroupModel[];
}

export function planVGroups(
  desired: readonly VGroupModel[],
  remote: readonly VGroupModel[],
  identity: ServiceIdentity,
  ignoreWeightUpdate: boolean,
): VGroupPlan {
  const actions: PlanAction[] = [];
  const conflicts: PlanConflict[] = [];
  const refs = new Map<string, VGroupRef>();
  const used = new Set<VGroupModel>();
  const stage = STAGE.vgroups;
  for (const d of desired) {
    // Reused groups are matched by id (their name is the user's); ours by the ownership name.
    const r = d.reused
      ? remote.find((x) => x.id === d.id)
      : remote.find((x) => !used.has(x) && x.name === d.name);
    if (!r) {
      if (d.reused) {
        conflicts.push({
          reason: `vserver group ${d.id} (vgroup-port for port ${d.servicePort}) does not exist on the SLB`,
        });
        continue;
      }
      const ref: VGroupRef = { name: d.name };
      refs.set(d.name, ref);
      actions.push({ kind: 'CreateVServerGroup', stage, vgroup: ref });
      if (d.backends.length > 0)
        actions.push({ kind: 'AddVServerGroupBackends', stage, vgroup: ref, backends: d.backends });
      continue;
    }
    used.add(r);
    const ref: VGroupRef = { name: d.name, ...(r.id ? { id: r.id } : {}) };
    refs.set(d.name, ref);
    actions.push(...backendActions(d, r, ref, identity, ignoreWeightUpdate));
  }
  return { actions, conflicts, refs, unused: remote.filter((r) => !used.has(r)) };
}

/** Add, remove, then update — the CCM's order, so capacity frees up before weights shift. */
function backendActions(
  d: VGroupModel,
  r: VGroupModel,
  ref: VGroupRef,
  identity: ServiceIdentity,
  ignoreWeightUpdate: boolean,
): PlanAction[] {
  const stage = STAGE.vgroups;
  const remoteById = new Map(r.backends.map((b) => [backendIdentity(b), b]));
  const desiredIds = new Set(d.backends.map(backendIdentity));
  const add: BackendModel[] = [];
  const update: BackendModel[] = [];
  for (const b of d.backends) {
    const rb = remoteById.get(backendIdentity(b));
    if (!rb) add.push(b);
    else if (
      isOwnedBy(rb.description, identity) &&
      ((!ignoreWeightUpdate && rb.weight !== b.weight) || rb.description !== b.description)
    )
      update.push(b);
  }
  const remove = r.backends.filter(
    (b) => isOwnedBy(b.description, identity) && !desiredIds.has(backendIdentity(b)),
  );
  const out: PlanAction[] = [];
  if (add.length > 0) out.push({ kind: 'AddVServerGroupBackends', stage, vgroup: ref, backends: add });
  if (remove.length > 0)
    out.push({ kind: 'RemoveVServerGroupBackends', stage, vgroup: ref, backends: remove });
  if (update.length > 0) out.push({ kind: 'SetVServerGroupBackends', stage, vgroup: ref, backends: update });
  return out;
}

/**
 * Groups no longer wanted: delete the ones that are entirely ours and no surviving listener uses;
 * from any other group (a user's, or ours still referenced by a user listener) remove only our
 * backends. (safety) A group with someone else's backend in it is never deleted.
 */
export function cleanupVGroups(
  unused: readonly VGroupModel[],
  identity: ServiceIdentity,
  referencedIds: ReadonlySet<string>,
): PlanAction[] {
  const out: PlanAction[] = [];
  const stage = STAGE.cleanupVGroups;
  for (const g of unused) {
    const ours = g.backends.filter((b) => isOwnedBy(b.description, identity));
    const foreign = g.backends.length - ours.length;
    if (g.id && isOwnedBy(g.name, identity) && foreign === 0 && !referencedIds.has(g.id)) {
      out.push({ kind: 'DeleteVServerGroup', stage, vgroup: { name: g.name, id: g.id } });
    } else if (ours.length > 0) {
      out.push({
        kind: 'RemoveVServerGroupBackends',
        stage,
        vgroup: { name: g.name, ...(g.id ? { id: g.id } : {}) },
        backends: ours,
      });
    }
  }
  return out;
}
