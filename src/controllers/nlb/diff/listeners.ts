// Listener differences. A listener is matched by protocol and port (or port range). One whose
// description is not this Service's key belongs to someone else: on a reused NLB it is replaced
// only with `force-override-listeners`, otherwise the port is a conflict. Our listeners that no
// port wants any more are deleted.
import type { NlbAction, ServerGroupRef } from '../plan.js';
import type { DesiredNlb, NlbListener, NlbListenerSettings } from '../types.js';
import { isOwnedBy } from '../model/naming.js';

const portKey = (l: NlbListener): string => `${l.protocol}/${l.port || `${l.startPort}-${l.endPort}`}`;

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/** Settings the user set that the remote listener does not have; `{}` when none. */
export function listenerChanges(want: NlbListenerSettings, have: NlbListenerSettings): NlbListenerSettings {
  const out: NlbListenerSettings = {};
  for (const k of Object.keys(want) as Array<keyof NlbListenerSettings>) {
    const w = want[k];
    const h = have[k];
    if (w === undefined) continue;
    if (Array.isArray(w)) {
      if (!sameList(w, h as string[] | undefined)) (out as Record<string, unknown>)[k] = w;
    } else if (k === 'proxyProtocolV2') {
      const wv = w as NonNullable<NlbListenerSettings['proxyProtocolV2']>;
      const hv = (h ?? {}) as NonNullable<NlbListenerSettings['proxyProtocolV2']>;
      const keys = Object.keys(wv) as Array<keyof typeof wv>;
      if (keys.some((x) => wv[x] !== (hv[x] ?? false))) out.proxyProtocolV2 = wv;
    } else if (w !== h) {
      (out as Record<string, unknown>)[k] = w;
    }
  }
  return out;
}

export interface ListenerDiff {
  deletes: NlbAction[];
  upserts: NlbAction[];
  conflicts: string[];
}

export function listenerDiff(
  desired: DesiredNlb,
  remote: readonly NlbListener[],
  groupIds: ReadonlyMap<string, string>,
): ListenerDiff {
  const deletes: NlbAction[] = [];
  const upserts: NlbAction[] = [];
  const conflicts: string[] = [];
  const byPort = new Map(remote.map((l) => [portKey(l), l]));
  const wantedPorts = new Set(desired.listeners.map(portKey));
  for (const want of desired.listeners) {
    const id = want.serverGroupId ?? groupIds.get(want.serverGroupName ?? '');
    const group: ServerGroupRef = { name: want.serverGroupName ?? '', ...(id ? { id } : {}) };
    const have = byPort.get(portKey(want));
    if (have && !isOwnedBy(have.description, desired.identity)) {
      if (!(desired.reusedLoadBalancerId && desired.forceOverrideListeners)) {
        conflicts.push(
          `listener ${portKey(want)} exists and is not this Service's (${have.description || 'no description'}); ` +
            (desired.reusedLoadBalancerId
              ? 'set force-override-listeners: "true" to replace it'
              : 'remove it by hand'),
        );
        continue;
      }
      deletes.push({
        kind: 'DeleteListener',
        listenerId: have.listenerId ?? '',
        description: have.description,
        reason: 'force-override-listeners',
      });
      upserts.push({ kind: 'CreateListener', listener: want, group });
      continue;
    }
    if (!have?.listenerId) {
      upserts.push({ kind: 'CreateListener', listener: want, group });
      continue;
    }
    const changes = listenerChanges(want.settings, have.settings);
    const regroup = !id || have.serverGroupId !== id;
    const redescribe = have.description !== want.description;
    if (Object.keys(changes).length > 0 || regroup || redescribe)
      upserts.push({
        kind: 'UpdateListener',
        listenerId: have.listenerId,
        description: have.description,
        ...(regroup ? { group } : {}),
        ...(redescribe ? { newDescription: want.description } : {}),
        changes,
      });
    if (have.status && have.status.toLowerCase() === 'stopped')
      upserts.push({ kind: 'StartListener', listenerId: have.listenerId, description: have.description });
  }
  for (const l of remote) {
    if (!l.listenerId || wantedPorts.has(portKey(l)) || !isOwnedBy(l.description, desired.identity)) continue;
    deletes.push({
      kind: 'DeleteListener',
      listenerId: l.listenerId,
      description: l.description,
      reason: 'no Service port wants it',
    });
  }
  return { deletes, upserts, conflicts };
}
