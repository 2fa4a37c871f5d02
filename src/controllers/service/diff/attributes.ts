// SLB-level comparison (docs/design/service.md § "Attributes and updates"): immutables become conflicts, mutables one
// action per attribute group, and nothing at all when equal.
import { isReservedTagKey, MAX_TAGS, TAG_DEFAULT_NAME, TAG_REUSED } from '../model/naming.js';
import { STAGE, type PlanAction, type PlanConflict } from '../plan.js';
import type { DesiredLoadBalancer, LoadBalancerAttributes, RemoteLoadBalancer } from '../types.js';

const IMMUTABLE: Array<{ field: keyof LoadBalancerAttributes; label: string }> = [
  { field: 'addressType', label: 'address type' },
  { field: 'networkType', label: 'network type' },
  { field: 'address', label: 'address' },
  { field: 'masterZoneId', label: 'master zone' },
  { field: 'slaveZoneId', label: 'slave zone' },
  { field: 'resourceGroupId', label: 'resource group' },
];

export function attributeConflicts(desired: DesiredLoadBalancer, remote: RemoteLoadBalancer): PlanConflict[] {
  const out: PlanConflict[] = [];
  const d = desired.attributes;
  const r = remote.attributes;
  for (const { field, label } of IMMUTABLE) {
    if (d[field] !== undefined && r[field] !== undefined && d[field] !== r[field]) {
      out.push({
        reason: `the SLB ${label} is ${String(r[field])} and cannot be changed to ${String(d[field])}; delete the Service and re-create it`,
      });
    }
  }
  if ((d.addressIpVersion ?? 'ipv4') !== (r.addressIpVersion ?? 'ipv4')) {
    out.push({
      reason: `the SLB IP version is ${r.addressIpVersion ?? 'ipv4'} and cannot be changed to ${d.addressIpVersion ?? 'ipv4'}`,
    });
  }
  return out;
}

export function attributeActions(desired: DesiredLoadBalancer, remote: RemoteLoadBalancer): PlanAction[] {
  const out: PlanAction[] = [];
  const d = desired.attributes;
  const r = remote.attributes;
  const stage = STAGE.loadBalancerAttributes;
  if (d.name !== undefined && d.name !== r.name)
    out.push({ kind: 'SetLoadBalancerName', stage, name: d.name });

  // Instance billing: a charge-type change carries the spec and is the only billing call this round.
  const effectiveCharge = d.instanceChargeType ?? r.instanceChargeType;
  if (d.instanceChargeType !== undefined && d.instanceChargeType !== r.instanceChargeType) {
    out.push({
      kind: 'ModifyLoadBalancerInstanceChargeType',
      stage,
      instanceChargeType: d.instanceChargeType,
      ...(d.instanceChargeType === 'PayBySpec'
        ? { loadBalancerSpec: d.loadBalancerSpec ?? 'slb.s1.small' }
        : {}),
    });
  } else if (
    effectiveCharge === 'PayBySpec' &&
    d.loadBalancerSpec !== undefined &&
    d.loadBalancerSpec !== r.loadBalancerSpec
  ) {
    out.push({ kind: 'ModifyLoadBalancerInstanceSpec', stage, loadBalancerSpec: d.loadBalancerSpec });
  }

  // Internet billing only exists on internet SLBs; on intranet ones the annotation is moot.
  if ((r.addressType ?? 'internet') === 'internet') {
    const chargeChanged = d.internetChargeType !== undefined && d.internetChargeType !== r.internetChargeType;
    const bwChanged =
      d.bandwidth !== undefined && d.internetChargeType === 'paybybandwidth' && d.bandwidth !== r.bandwidth;
    if (chargeChanged || bwChanged) {
      const internetChargeType = d.internetChargeType ?? r.internetChargeType ?? 'paybytraffic';
      const bandwidth = d.bandwidth ?? r.bandwidth;
      out.push({
        kind: 'ModifyLoadBalancerInternetSpec',
        stage,
        internetChargeType,
        ...(internetChargeType === 'paybybandwidth' && bandwidth !== undefined ? { bandwidth } : {}),
      });
    }
  }
  if (d.deleteProtection !== undefined && d.deleteProtection !== r.deleteProtection) {
    out.push({ kind: 'SetLoadBalancerDeleteProtection', stage, deleteProtection: d.deleteProtection });
  }
  if (
    d.modificationProtectionStatus !== undefined &&
    d.modificationProtectionStatus !== r.modificationProtectionStatus
  ) {
    out.push({
      kind: 'SetLoadBalancerModificationProtection',
      stage,
      status: d.modificationProtectionStatus,
      ...(d.modificationProtectionStatus === 'ConsoleProtection' ? { reason: 'managed.by.ack' } : {}),
    });
  }
  return out;
}

/**
 * Tags: add the marker tag (reused SLB) or the default-name tag (owned SLB) when missing and
 * there is room; set the user's additional tags; untag only keys we set before and no longer want.
 * Unlike the official CCM, a tag someone added in the console is never removed.
 */
export function tagActions(desired: DesiredLoadBalancer, remote: RemoteLoadBalancer): PlanAction[] {
  const stage = STAGE.loadBalancerAttributes;
  const toTag: Record<string, string> = {};
  for (const [k, v] of Object.entries(desired.tags)) {
    if (isReservedTagKey(k)) continue;
    if (remote.tags[k] !== v) toTag[k] = v;
  }
  const marker: [string, string] = desired.reusedLoadBalancerId
    ? [TAG_REUSED, 'true']
    : [TAG_DEFAULT_NAME, desired.defaultName];
  const remoteCount = Object.keys(remote.tags).length;
  if (
    !(marker[0] in remote.tags) &&
    remoteCount + Object.keys(toTag).filter((k) => !(k in remote.tags)).length < MAX_TAGS
  ) {
    toTag[marker[0]] = marker[1];
  }
  const toUntag = desired.previouslyManagedTagKeys.filter(
    (k) => !(k in desired.tags) && k in remote.tags && !isReservedTagKey(k),
  );
  const out: PlanAction[] = [];
  if (Object.keys(toTag).length > 0) out.push({ kind: 'TagResources', stage, tags: sortKeys(toTag) });
  if (toUntag.length > 0) out.push({ kind: 'UntagResources', stage, keys: [...toUntag].sort() });
  return out;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
