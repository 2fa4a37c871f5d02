// Listener reconciliation (docs/design/service.md § "Listeners"). Listeners match on port AND protocol; a protocol
// or forwarding change is a delete plus a create; only listeners whose description is this
// Service's key are ever deleted.
import { createDefaults } from '../model/listener-fields.js';
import { isOwnedBy, parseNamedKey } from '../model/naming.js';
import { STAGE, type PlanAction, type PlanConflict, type VGroupRef } from '../plan.js';
import { matchBy } from './match.js';
import type {
  DomainExtension,
  ListenerModel,
  ListenerProtocol,
  ListenerSettingName,
  ListenerSettings,
  ServiceIdentity,
} from '../types.js';

export interface ListenerPlan {
  actions: PlanAction[];
  conflicts: PlanConflict[];
  /** Vgroup ids some listener will still point at after the plan (those groups must not be deleted). */
  referencedGroupIds: Set<string>;
}

const listenerKey = (l: ListenerModel): string => `${l.port}/${l.protocol}`;
/** TCP, HTTP and HTTPS share the TCP port space; UDP has its own. */
const portSpace = (p: ListenerProtocol): string => (p === 'udp' ? 'udp' : 'tcp');
const forwards = (l: ListenerModel): boolean => l.protocol === 'http' && l.listenerForward === 'on';

export function planListeners(
  desired: readonly ListenerModel[],
  remote: readonly ListenerModel[],
  identity: ServiceIdentity,
  refs: ReadonlyMap<string, VGroupRef>,
  canManage: boolean,
): ListenerPlan {
  const referencedGroupIds = new Set<string>();
  if (!canManage) {
    for (const r of remote) if (r.vGroupId) referencedGroupIds.add(r.vGroupId);
    return { actions: [], conflicts: [], referencedGroupIds };
  }
  const actions: PlanAction[] = [];
  const conflicts: PlanConflict[] = [];
  const { matched, toCreate, toDelete } = matchBy(desired, remote, listenerKey);
  const deleted = new Set<ListenerModel>();
  const refOf = (d: ListenerModel): VGroupRef =>
    d.vGroupName ? (refs.get(d.vGroupName) ?? { name: d.vGroupName }) : { name: '' };

  const del = (r: ListenerModel, reason: string): void => {
    deleted.add(r);
    const stage = forwards(r) ? STAGE.deleteForwardingListeners : STAGE.deleteListeners;
    actions.push({ kind: 'DeleteListener', stage, port: r.port, protocol: r.protocol, reason });
  };
  const create = (d: ListenerModel): void => {
    const fwd = forwards(d);
    const listener: ListenerModel = { ...d, settings: { ...createDefaults(d.protocol), ...d.settings } };
    delete listener.domainExtensions;
    actions.push({
      kind: 'CreateListener',
      stage: fwd ? STAGE.createForwardingListeners : STAGE.createListeners,
      listener,
      vgroup: refOf(d),
    });
    actions.push({
      kind: 'StartListener',
      stage: fwd ? STAGE.startForwardingListeners : STAGE.startListeners,
      port: d.port,
      protocol: d.protocol,
    });
    for (const x of d.domainExtensions ?? []) {
      actions.push({
        kind: 'CreateDomainExtension',
        stage: STAGE.domainExtensions,
        port: d.port,
        domain: x.domain,
        serverCertificateId: x.serverCertificateId,
      });
    }
    const id = refOf(d).id;
    if (id) referencedGroupIds.add(id);
  };

  for (const r of toDelete) {
    if (isOwnedBy(r.description, identity)) del(r, 'no longer a port of the Service');
    // (safety) anything else on the SLB is the user's: not read further, never touched.
  }
  const deferredCreates: ListenerModel[] = [];
  for (const { desired: d, remote: r } of matched) {
    const owner = foreignOwner(r, identity);
    if (owner) {
      // (safety) Another Service's listener — same cluster or not — is never rewritten or
      // deleted, force-override-listeners or not: that option adopts hand-made listeners only.
      conflicts.push({
        kind: 'ownership',
        reason: `listener ${r.protocol}:${r.port} belongs to ${owner} (description "${r.description ?? ''}"); it is never rewritten or deleted; use another port`,
      });
      if (r.vGroupId) referencedGroupIds.add(r.vGroupId);
      continue;
    }
    if (d.protocol === 'http' && forwardingDiffers(d, r)) {
      del(r, 'HTTP forwarding cannot be changed in place');
      deferredCreates.push(d);
      continue;
    }
    const ref = refOf(d);
    if (ref.id) referencedGroupIds.add(ref.id);
    if (r.status === 'stopped')
      actions.push({
        kind: 'StartListener',
        stage: STAGE.updateListeners,
        port: d.port,
        protocol: d.protocol,
      });
    // A forwarding HTTP listener has no backend settings the API lets us change.
    if (!forwards(r)) {
      const changes = settingChanges(d.settings, r.settings);
      const descriptionChanged = d.description !== r.description;
      const groupChanged = ref.id === undefined || ref.id !== r.vGroupId;
      if (Object.keys(changes).length > 0 || descriptionChanged || groupChanged) {
        actions.push({
          kind: 'SetListenerAttribute',
          stage: STAGE.updateListeners,
          port: d.port,
          protocol: d.protocol,
          vgroup: ref,
          ...(descriptionChanged && d.description ? { description: d.description } : {}),
          changes,
          ...(changes.ServerCertificateId !== undefined && r.settings.ServerCertificateId
            ? { previousCertificateId: r.settings.ServerCertificateId }
            : {}),
        });
      }
    }
    if (d.protocol === 'https' && d.domainExtensions)
      actions.push(...domainExtensionActions(d.port, d.domainExtensions, r.domainExtensions ?? []));
  }
  for (const d of [...toCreate, ...deferredCreates]) {
    const occupant = remote.find(
      (r) =>
        !deleted.has(r) &&
        r.port === d.port &&
        portSpace(r.protocol) === portSpace(d.protocol) &&
        listenerKey(r) !== listenerKey(d),
    );
    if (occupant) {
      const owner = foreignOwner(occupant, identity);
      conflicts.push({
        ...(owner ? { kind: 'ownership' as const } : {}),
        reason: `port ${d.port} is taken by a ${occupant.protocol} listener this Service does not own (description "${occupant.description ?? ''}")`,
      });
      continue;
    }
    create(d);
  }
  for (const r of remote)
    if (!deleted.has(r) && r.vGroupId && !matched.some((m) => m.remote === r))
      referencedGroupIds.add(r.vGroupId);
  return { actions, conflicts, referencedGroupIds };
}

/** `Service ns/name of cluster c` when the description is another Service's key. */
function foreignOwner(r: ListenerModel, identity: ServiceIdentity): string | undefined {
  const k = parseNamedKey(r.description);
  if (!k || isOwnedBy(r.description, identity)) return undefined;
  return `Service ${k.namespace}/${k.service}${k.clusterId === identity.clusterId ? '' : ` of cluster ${k.clusterId}`}`;
}

function forwardingDiffers(d: ListenerModel, r: ListenerModel): boolean {
  if (d.listenerForward === 'on') return r.listenerForward !== 'on' || r.forwardPort !== d.forwardPort;
  return r.listenerForward === 'on';
}

/** Fields the user set that the cloud has differently; unset fields are never reverted (sticky). */
export function settingChanges(desired: ListenerSettings, remote: ListenerSettings): ListenerSettings {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(desired) as ListenerSettingName[]) {
    const d = desired[name];
    if (d === undefined) continue;
    const r = remote[name];
    const equal = name === 'AclId' ? sameSet(String(d), r === undefined ? '' : String(r)) : d === r;
    if (!equal) out[name] = d;
  }
  return out;
}

function sameSet(a: string, b: string): boolean {
  const norm = (s: string): string =>
    [
      ...new Set(
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ]
      .sort()
      .join(',');
  return norm(a) === norm(b);
}

/** Diff by domain; a changed certificate updates the existing extension in place. */
function domainExtensionActions(
  port: number,
  desired: readonly DomainExtension[],
  remote: readonly DomainExtension[],
): PlanAction[] {
  const out: PlanAction[] = [];
  const stage = STAGE.domainExtensions;
  const { matched, toCreate, toDelete } = matchBy(desired, remote, (x) => x.domain);
  for (const d of toCreate)
    out.push({
      kind: 'CreateDomainExtension',
      stage,
      port,
      domain: d.domain,
      serverCertificateId: d.serverCertificateId,
    });
  for (const { desired: d, remote: r } of matched) {
    if (d.serverCertificateId !== r.serverCertificateId && r.domainExtensionId) {
      out.push({
        kind: 'SetDomainExtensionAttribute',
        stage,
        port,
        domainExtensionId: r.domainExtensionId,
        serverCertificateId: d.serverCertificateId,
      });
    }
  }
  for (const r of toDelete)
    if (r.domainExtensionId)
      out.push({ kind: 'DeleteDomainExtension', stage, port, domainExtensionId: r.domainExtensionId });
  return out;
}
