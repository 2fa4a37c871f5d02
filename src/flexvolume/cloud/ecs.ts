// DiskCloud over the ECS RPC API (version 2014-05-26), with full pagination so nothing beyond the
// first page is missed (kube-aliyun's instance lookup stopped at 10).
import { RpcClient } from './rpc.js';
import type { CloudDisk, CloudInstance, DiskCloud, DiskQuery } from './types.js';

type Obj = Record<string, unknown>;
const PAGE = 100;

function s(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
function arr(v: unknown, key: string): Obj[] {
  const inner = v && typeof v === 'object' ? (v as Obj)[key] : undefined;
  return Array.isArray(inner) ? (inner as Obj[]) : [];
}

function toDisk(d: Obj): CloudDisk {
  const tags: Record<string, string> = {};
  for (const t of arr(d.Tags, 'Tag')) tags[s(t.TagKey ?? t.Key)] = s(t.TagValue ?? t.Value);
  return {
    diskId: s(d.DiskId),
    diskName: s(d.DiskName),
    status: s(d.Status),
    instanceId: s(d.InstanceId),
    device: s(d.Device),
    serialNumber: s(d.SerialNumber),
    zoneId: s(d.ZoneId),
    sizeGiB: typeof d.Size === 'number' ? d.Size : Number(d.Size ?? 0),
    type: s(d.Type),
    tags,
  };
}

function toInstance(i: Obj): CloudInstance {
  const vpc = (i.VpcAttributes ?? {}) as Obj;
  const ips = arr(vpc.PrivateIpAddress, 'IpAddress') as unknown as string[];
  return { instanceId: s(i.InstanceId), status: s(i.Status), zoneId: s(i.ZoneId), hostName: s(i.HostName), instanceName: s(i.InstanceName), privateIps: ips.map(String) };
}

export class EcsDiskCloud implements DiskCloud {
  constructor(private readonly rpc: RpcClient) {}

  private async pages<T>(action: string, params: Record<string, string | undefined>, listKey: string, itemKey: string, map: (o: Obj) => T): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; page <= 1000; page++) {
      const body = await this.rpc.call(action, { ...params, PageNumber: String(page), PageSize: String(PAGE) });
      const items = arr(body[listKey], itemKey);
      out.push(...items.map(map));
      const total = Number(body.TotalCount ?? 0);
      if (items.length < PAGE || out.length >= total) break;
    }
    return out;
  }

  describeDisks(q: DiskQuery): Promise<CloudDisk[]> {
    return this.pages(
      'DescribeDisks',
      {
        DiskIds: q.diskIds ? JSON.stringify(q.diskIds) : undefined,
        DiskName: q.diskName,
        InstanceId: q.instanceId,
        'Tag.1.Key': q.tag?.key,
        'Tag.1.Value': q.tag?.value,
      },
      'Disks',
      'Disk',
      toDisk,
    );
  }

  async attachDisk(diskId: string, instanceId: string): Promise<void> {
    await this.rpc.call('AttachDisk', { DiskId: diskId, InstanceId: instanceId });
  }

  async detachDisk(diskId: string, instanceId: string): Promise<void> {
    await this.rpc.call('DetachDisk', { DiskId: diskId, InstanceId: instanceId });
  }

  async resizeDisk(diskId: string, newSizeGiB: number): Promise<void> {
    await this.rpc.call('ResizeDisk', { DiskId: diskId, NewSize: String(newSizeGiB), Type: 'online' });
  }

  describeInstances(q: { instanceIds?: string[]; privateIps?: string[]; instanceName?: string }): Promise<CloudInstance[]> {
    return this.pages(
      'DescribeInstances',
      {
        InstanceIds: q.instanceIds ? JSON.stringify(q.instanceIds) : undefined,
        PrivateIpAddresses: q.privateIps ? JSON.stringify(q.privateIps) : undefined,
        InstanceName: q.instanceName,
      },
      'Instances',
      'Instance',
      toInstance,
    );
  }
}
