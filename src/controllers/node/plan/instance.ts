// The cloud's view of one instance, flattened from DescribeInstances to what Node facts need.
import type { EcsInstance } from '../../../cloud/ecs.js';

export interface CloudInstance {
  id: string;
  region: string;
  zone?: string;
  instanceType?: string;
  /** ECS status: Pending, Starting, Running, Stopping, Stopped (and, seen transiently while releasing, Deleted). */
  status?: string;
  hostName?: string;
  /** VPC private IPs, primary first. */
  privateIps: string[];
  /** Classic-network inner IPs. */
  innerIps: string[];
  publicIps: string[];
  eip?: string;
  primaryEniId?: string;
  chargeType?: string;
  spotStrategy?: string;
  tags: Record<string, string>;
}

/** Statuses that mean the instance is gone even though DescribeInstances still lists it. */
const GONE_STATUSES = new Set(['Deleted', 'Released']);

export function isReleased(inst: CloudInstance): boolean {
  return inst.status !== undefined && GONE_STATUSES.has(inst.status);
}

export function isStopped(inst: CloudInstance): boolean {
  return inst.status === 'Stopped';
}

export function isRunning(inst: CloudInstance): boolean {
  return inst.status === 'Running';
}

type RawInstance = EcsInstance & { SpotStrategy?: string };

const nonEmpty = (xs: (string | undefined)[] | undefined): string[] =>
  (xs ?? []).filter((x): x is string => typeof x === 'string' && x.length > 0);

export function fromEcs(raw: EcsInstance, fallbackRegion: string): CloudInstance {
  const r = raw as RawInstance;
  const tags: Record<string, string> = {};
  for (const t of r.Tags?.Tag ?? []) {
    const k = t.TagKey ?? t.Key;
    if (k) tags[k] = t.TagValue ?? t.Value ?? '';
  }
  const primary =
    r.NetworkInterfaces?.NetworkInterface?.find((n) => n.Type === 'Primary') ??
    r.NetworkInterfaces?.NetworkInterface?.[0];
  const eip = r.EipAddress?.IpAddress;
  return {
    id: r.InstanceId,
    region: r.RegionId || fallbackRegion,
    ...(r.ZoneId ? { zone: r.ZoneId } : {}),
    ...(r.InstanceType ? { instanceType: r.InstanceType } : {}),
    ...(r.Status ? { status: r.Status } : {}),
    ...((r.HostName ?? r.Hostname) ? { hostName: r.HostName ?? r.Hostname } : {}),
    privateIps: nonEmpty(r.VpcAttributes?.PrivateIpAddress?.IpAddress),
    innerIps: nonEmpty(r.InnerIpAddress?.IpAddress),
    publicIps: nonEmpty(r.PublicIpAddress?.IpAddress),
    ...(eip ? { eip } : {}),
    ...(primary?.NetworkInterfaceId ? { primaryEniId: primary.NetworkInterfaceId } : {}),
    ...(r.InstanceChargeType ? { chargeType: r.InstanceChargeType } : {}),
    ...(r.SpotStrategy ? { spotStrategy: r.SpotStrategy } : {}),
    tags,
  };
}
