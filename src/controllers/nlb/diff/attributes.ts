// NLB attribute differences → actions, for an NLB we own. A reused NLB's attributes are the
// user's and are never compared. Only fields the user set are desired (sticky update rule);
// fields the NLB API fixes at create become conflicts, reported rather than silently ignored.
import type { NlbAction } from '../plan.js';
import type { DesiredNlb, NlbModel, ZoneMapping } from '../types.js';

export interface AttributeDiff {
  actions: NlbAction[];
  conflicts: string[];
}

const eqi = (a: string | undefined, b: string | undefined): boolean =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** A desired mapping is satisfied by a remote one in the same zone and vswitch (and its IP/EIP when asked). */
function zoneSatisfied(want: ZoneMapping, have: readonly ZoneMapping[]): boolean {
  return have.some(
    (r) =>
      r.zoneId === want.zoneId &&
      r.vSwitchId === want.vSwitchId &&
      (!want.ipv4Addr || want.ipv4Addr === r.ipv4Addr) &&
      (!want.allocationId || want.allocationId === r.allocationId),
  );
}

export function attributeDiff(desired: DesiredNlb, remote: NlbModel): AttributeDiff {
  const actions: NlbAction[] = [];
  const conflicts: string[] = [];
  if (desired.reusedLoadBalancerId) return { actions, conflicts };
  const d = desired.attributes;
  const r = remote.attributes;
  if (d.addressIpVersion && !eqi(d.addressIpVersion, r.addressIpVersion))
    conflicts.push(
      `ip-version is fixed at create: the NLB is ${r.addressIpVersion ?? 'ipv4'}, the Service asks ${d.addressIpVersion}`,
    );
  if (d.resourceGroupId && r.resourceGroupId && d.resourceGroupId !== r.resourceGroupId)
    conflicts.push(
      `resource-group-id is fixed at create: the NLB is in ${r.resourceGroupId}, the Service asks ${d.resourceGroupId}`,
    );
  if (d.addressType && !eqi(d.addressType, r.addressType))
    actions.push({ kind: 'UpdateLoadBalancerAddressType', addressType: d.addressType });
  if (
    d.zoneMappings &&
    (d.zoneMappings.some((z) => !zoneSatisfied(z, r.zoneMappings ?? [])) ||
      (r.zoneMappings?.length ?? 0) !== d.zoneMappings.length)
  )
    actions.push({ kind: 'UpdateLoadBalancerZones', zoneMappings: d.zoneMappings });
  if (d.securityGroupIds) {
    const have = new Set(r.securityGroupIds ?? []);
    const want = new Set(d.securityGroupIds);
    const join = [...want].filter((id) => !have.has(id));
    const leave = [...have].filter((id) => !want.has(id));
    if (join.length > 0) actions.push({ kind: 'JoinSecurityGroups', securityGroupIds: join.sort() });
    if (leave.length > 0) actions.push({ kind: 'LeaveSecurityGroups', securityGroupIds: leave.sort() });
  }
  if (d.bandwidthPackageId !== undefined && d.bandwidthPackageId !== (r.bandwidthPackageId ?? '')) {
    if (r.bandwidthPackageId)
      actions.push({ kind: 'DetachBandwidthPackage', bandwidthPackageId: r.bandwidthPackageId });
    if (d.bandwidthPackageId)
      actions.push({ kind: 'AttachBandwidthPackage', bandwidthPackageId: d.bandwidthPackageId });
  }
  const changes: { name?: string; crossZoneEnabled?: boolean } = {};
  if (d.name && d.name !== r.name) changes.name = d.name;
  if (d.crossZoneEnabled !== undefined && d.crossZoneEnabled !== r.crossZoneEnabled)
    changes.crossZoneEnabled = d.crossZoneEnabled;
  if (Object.keys(changes).length > 0) actions.push({ kind: 'UpdateLoadBalancerAttribute', changes });
  const protection: {
    deletionProtection?: boolean;
    modificationProtection?: 'ConsoleProtection' | 'NonProtection';
  } = {};
  if (d.deletionProtection !== undefined && d.deletionProtection !== r.deletionProtection)
    protection.deletionProtection = d.deletionProtection;
  if (d.modificationProtection && d.modificationProtection !== r.modificationProtection)
    protection.modificationProtection = d.modificationProtection;
  if (Object.keys(protection).length > 0)
    actions.push({ kind: 'UpdateLoadBalancerProtection', ...protection });
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired.tags)) if (remote.tags[k] !== v) tags[k] = v;
  if (Object.keys(tags).length > 0) actions.push({ kind: 'TagLoadBalancer', tags });
  return { actions, conflicts };
}
