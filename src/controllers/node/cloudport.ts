// What the node controller needs from Alibaba Cloud, as a narrow port over the ECS facade, so
// the controller logic is tested against the emulator through the same code the product runs.
import type { Cloud } from '../../cloud/index.js';
import { chunk } from '../../util/chunk.js';
import type { DescribeInstancesResponse, EcsInstance } from '../../cloud/ecs.js';
import type { CloudInstance } from './plan/instance.js';

export interface NodeCloudPort {
  readonly region: string;
  /** Batched ≤100 ids per call. Any failed call rejects: a partial answer must never read as "gone". */
  describeByIds(ids: readonly string[]): Promise<CloudInstance[]>;
  /** Instances (in the cluster VPC when known) owning any of these private IPs. */
  describeByPrivateIps(ips: readonly string[]): Promise<CloudInstance[]>;
  /** Every instance of the cluster VPC (all pages): for hostname matching, which the API cannot filter on. */
  listVpcInstances(): Promise<CloudInstance[]>;
  /** SourceDestCheck per ENI id (ids the cloud does not know are absent). */
  sourceDestCheck(eniIds: readonly string[]): Promise<Map<string, boolean>>;
  disableSourceDestCheck(eniId: string): Promise<void>;
}

const ENI_IDS_PER_CALL = 100;

export function createNodeCloudPort(
  cloud: Pick<Cloud, 'region' | 'ecs' | 'rpc'>,
  vpcId: () => Promise<string | undefined>,
): NodeCloudPort {
  const region = cloud.region;
  const map = (xs: Parameters<typeof fromEcs>[0][]) => xs.map((x) => fromEcs(x, region));
  return {
    region,
    async describeByIds(ids) {
      if (ids.length === 0) return [];
      return map(await cloud.ecs.describeInstancesByIds(ids));
    },
    async describeByPrivateIps(ips) {
      if (ips.length === 0) return [];
      const vpc = await vpcId();
      if (vpc) return map(await cloud.ecs.describeInstancesByPrivateIps(vpc, ips));
      // Without a known VPC the IP filter still narrows to this account/region.
      const out: CloudInstance[] = [];
      for (const batch of chunk([...new Set(ips)], 100)) {
        const res = await cloud.rpc.Ecs.read<DescribeInstancesResponse>('DescribeInstances', {
          PrivateIpAddresses: JSON.stringify(batch),
          PageSize: 100,
        });
        out.push(...map(res.Instances?.Instance ?? []));
      }
      return out;
    },
    async listVpcInstances() {
      const vpc = await vpcId();
      return map(await cloud.ecs.describeInstances(vpc ? { vpcId: vpc } : {}));
    },
    async sourceDestCheck(eniIds) {
      const out = new Map<string, boolean>();
      for (const batch of chunk([...new Set(eniIds)], ENI_IDS_PER_CALL)) {
        if (batch.length === 0) continue;
        for (const eni of await cloud.ecs.describeNetworkInterfaces({ networkInterfaceIds: batch })) {
          out.set(eni.NetworkInterfaceId, eni.SourceDestCheck !== false);
        }
      }
      return out;
    },
    disableSourceDestCheck(eniId) {
      return cloud.ecs.setSourceDestCheck(eniId, false);
    },
  };
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
