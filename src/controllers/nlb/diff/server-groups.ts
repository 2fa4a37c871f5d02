// Server group and server differences. Our groups are found by their ownership tag, a reused one
// (`vgroup-port`) by id. In any group we only ever remove servers whose description is one of
// this Service's keys: a server someone added by hand stays (the official CCM's rule too).
import type { NlbAction } from '../plan.js';
import type { DesiredNlb, HealthCheck, NlbServer, NlbServerGroup, ServerGroupSettings } from '../types.js';
import { isOwnedBy } from '../model/naming.js';

/** An ECS server is its instance and port; the cloud reports its private IP, which we never send. */
const serverKey = (s: NlbServer): string =>
  s.serverType === 'Ecs'
    ? `Ecs/${s.serverId}/${s.port}`
    : `${s.serverType}/${s.serverId}/${s.serverIp ?? ''}/${s.port}`;

export function serverActions(
  desired: DesiredNlb,
  want: NlbServerGroup,
  have: NlbServerGroup | undefined,
): NlbAction[] {
  const group = { name: want.name, ...(have?.id ? { id: have.id } : {}) };
  if (!have?.id) return want.servers.length > 0 ? [{ kind: 'AddServers', group, servers: want.servers }] : [];
  const ref = { name: want.name, id: have.id };
  const remote = new Map(have.servers.map((s) => [serverKey(s), s]));
  const wanted = new Map(want.servers.map((s) => [serverKey(s), s]));
  const add = want.servers.filter((s) => !remote.has(serverKey(s)));
  const update = desired.ignoreWeightUpdate
    ? []
    : want.servers.filter((s) => {
        const r = remote.get(serverKey(s));
        return r !== undefined && r.weight !== s.weight && isOwnedBy(r.description, desired.identity);
      });
  const remove = have.servers.filter(
    (s) => !wanted.has(serverKey(s)) && isOwnedBy(s.description, desired.identity),
  );
  const out: NlbAction[] = [];
  // Add before remove: a rolling update never leaves the group empty in between.
  if (add.length > 0) out.push({ kind: 'AddServers', group: ref, servers: add });
  if (update.length > 0) out.push({ kind: 'UpdateServers', group: ref, servers: update });
  if (remove.length > 0) out.push({ kind: 'RemoveServers', group: ref, servers: remove });
  return out;
}

function healthCheckChanges(
  want: HealthCheck | undefined,
  have: HealthCheck | undefined,
): HealthCheck | undefined {
  if (!want) return undefined;
  const keys = Object.keys(want) as Array<keyof HealthCheck>;
  const differs = keys.some((k) => JSON.stringify(want[k]) !== JSON.stringify(have?.[k]));
  return differs ? want : undefined;
}

/** Settings the user set that the remote group does not have; `undefined` when none. */
export function settingsChanges(
  want: ServerGroupSettings,
  have: ServerGroupSettings,
): ServerGroupSettings | undefined {
  const out: ServerGroupSettings = {};
  if (want.scheduler && want.scheduler.toLowerCase() !== (have.scheduler ?? '').toLowerCase())
    out.scheduler = want.scheduler;
  if (
    want.connectionDrainEnabled !== undefined &&
    want.connectionDrainEnabled !== have.connectionDrainEnabled
  )
    out.connectionDrainEnabled = want.connectionDrainEnabled;
  if (
    want.connectionDrainTimeout !== undefined &&
    want.connectionDrainTimeout !== have.connectionDrainTimeout
  )
    out.connectionDrainTimeout = want.connectionDrainTimeout;
  if (
    want.preserveClientIpEnabled !== undefined &&
    want.preserveClientIpEnabled !== have.preserveClientIpEnabled
  )
    out.preserveClientIpEnabled = want.preserveClientIpEnabled;
  const hc = healthCheckChanges(want.healthCheck, have.healthCheck);
  if (hc) out.healthCheck = hc;
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface ServerGroupDiff {
  /** Creates, setting updates and server changes: before any listener action. */
  before: NlbAction[];
  /** Deletes of our groups no listener needs any more: after the listener actions. */
  after: NlbAction[];
  conflicts: string[];
  /** Name → id of every desired group that already exists. */
  ids: Map<string, string>;
}

export function serverGroupDiff(desired: DesiredNlb, remote: readonly NlbServerGroup[]): ServerGroupDiff {
  const before: NlbAction[] = [];
  const after: NlbAction[] = [];
  const conflicts: string[] = [];
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const want of desired.serverGroups) {
    const have = want.reused
      ? remote.find((g) => g.id === want.id)
      : remote.find((g) => !g.reused && g.name === want.name && !used.has(g.id ?? ''));
    if (want.reused && !have) {
      conflicts.push(`server group ${want.id} named by vgroup-port was not found`);
      continue;
    }
    if (have?.id) {
      used.add(have.id);
      ids.set(want.name, have.id);
      if (!want.reused) {
        if (have.type !== want.type) {
          conflicts.push(
            `server group ${have.id}: server-group-type is fixed at create (${have.type}, the Service asks ${want.type})`,
          );
          continue;
        }
        const changes = settingsChanges(want.settings, have.settings);
        if (changes)
          before.push({ kind: 'UpdateServerGroup', group: { name: want.name, id: have.id }, changes });
      }
    } else {
      before.push({
        kind: 'CreateServerGroup',
        group: { ...want, servers: [] },
        tags: desired.ownershipTags,
      });
    }
    before.push(...serverActions(desired, want, have));
  }
  for (const g of remote) {
    if (g.reused || !g.id || used.has(g.id)) continue;
    // Found by our ownership tag, so ours; the name check keeps another Service's group safe even
    // if someone copied the tag onto it.
    if (isOwnedBy(g.name, desired.identity))
      after.push({ kind: 'DeleteServerGroup', group: { name: g.name, id: g.id } });
  }
  return { before, after, conflicts, ids };
}
