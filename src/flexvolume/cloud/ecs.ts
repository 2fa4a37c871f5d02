// DiskCloud over src/cloud's ECS facade: the facade signs, retries, rate-limits and pages; this
// adapter only reshapes its answers: disks into the product's one disk record (src/cloud/ecs-disk.ts),
// instances into the driver's small CloudInstance.
import type { RpcClient } from '../../cloud/client.js';
import type { DescribeInstancesResponse, EcsApi, EcsInstance } from '../../cloud/ecs.js';
import { toDiskRecord } from '../../cloud/ecs-disk.js';
import type { CloudDisk, CloudInstance, DiskCloud, DiskQuery, InstanceQuery } from './types.js';

export function toInstance(i: EcsInstance): CloudInstance {
  return {
    instanceId: i.InstanceId,
    status: i.Status ?? '',
    zoneId: i.ZoneId ?? '',
    hostName: i.HostName ?? i.Hostname ?? '',
    instanceName: i.InstanceName ?? '',
    privateIps: (i.VpcAttributes?.PrivateIpAddress?.IpAddress ?? []).map(String),
  };
}

/** The API caps PrivateIpAddresses at 100 per call; a node name is one address. */
const MAX_IPS = 100;

export class EcsDiskCloud implements DiskCloud {
  constructor(
    private readonly ecs: EcsApi,
    /** The same client as the facade's, for the one read the facade does not cover. */
    private readonly rpc: RpcClient,
  ) {}

  async describeDisks(q: DiskQuery): Promise<CloudDisk[]> {
    const disks = await this.ecs.describeDisks({
      ...(q.diskIds ? { diskIds: q.diskIds } : {}),
      ...(q.diskName !== undefined ? { diskName: q.diskName } : {}),
      ...(q.instanceId !== undefined ? { instanceId: q.instanceId } : {}),
      ...(q.tag ? { tags: [{ Key: q.tag.key, Value: q.tag.value }] } : {}),
    });
    return disks.map(toDiskRecord);
  }

  async attachDisk(diskId: string, instanceId: string): Promise<void> {
    await this.ecs.attachDisk({ diskId, instanceId });
  }

  async detachDisk(diskId: string, instanceId: string): Promise<void> {
    await this.ecs.detachDisk(instanceId, diskId);
  }

  async resizeDisk(diskId: string, newSizeGiB: number): Promise<void> {
    await this.ecs.resizeDisk(diskId, newSizeGiB, 'online');
  }

  async tagDisk(diskId: string, tags: Record<string, string>): Promise<void> {
    await this.ecs.tagResources(
      'disk',
      [diskId],
      Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    );
  }

  async describeInstances(q: InstanceQuery): Promise<CloudInstance[]> {
    if (q.instanceIds) return (await this.ecs.describeInstancesByIds(q.instanceIds)).map(toInstance);
    if (q.privateIps) {
      if (q.privateIps.length > MAX_IPS) throw new Error(`at most ${MAX_IPS} private IPs per lookup`);
      // The facade's IP lookup wants a VPC id, which a central driver does not know; the API
      // accepts the address list on its own for VPC instances, so ask through the signed client.
      const res = await this.rpc.read<DescribeInstancesResponse>('DescribeInstances', {
        InstanceNetworkType: 'vpc',
        PrivateIpAddresses: JSON.stringify(q.privateIps),
        PageSize: MAX_IPS,
      });
      return (res.Instances?.Instance ?? []).map(toInstance);
    }
    return (
      await this.ecs.describeInstances(q.instanceName !== undefined ? { instanceName: q.instanceName } : {})
    ).map(toInstance);
  }
}
