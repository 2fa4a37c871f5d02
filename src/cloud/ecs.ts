// Typed ECS (2014-05-26) calls the node/disk controllers and the FlexVolume driver use.
// Parameter wire names follow data/alicloud-api/catalog.json: InstanceIds, DiskIds and
// PrivateIpAddresses are JSON text; tags are `Tag.N.Key/Value`; id lists are `ResourceId.N`.
import type { RpcClient } from './client.js';
import type {
  CreateDiskResponse,
  DescribeDisksResponse,
  DescribeInstanceStatusResponse,
  DescribeInstancesResponse,
  DescribeNetworkInterfacesResponse,
  DescribeZonesResponse,
  EcsDisk,
  EcsInstance,
  EcsZone,
  InstanceStatus,
  ListTagResourcesResponse,
  NetworkInterfaceSet,
  RequestIdResponse,
  TagResource,
} from './ecs-types.js';
import { chunk } from '../util/chunk.js';
import { collectByPageNumber, collectByToken } from './pagination.js';
import { indexed, jsonList, tagParams, type Tag } from './params.js';

export type * from './ecs-types.js';

/** The API caps InstanceIds/DiskIds/PrivateIpAddresses lists at 100 per call. */
export const MAX_IDS_PER_CALL = 100;
const PAGE_SIZE = 100;

export interface DescribeInstancesFilter {
  vpcId?: string;
  vswitchId?: string;
  zoneId?: string;
  instanceName?: string;
  status?: string;
  tags?: Tag[];
}

export interface DescribeDisksFilter {
  diskIds?: string[];
  instanceId?: string;
  zoneId?: string;
  diskName?: string;
  status?: string;
  category?: string;
  diskType?: 'all' | 'system' | 'data';
  tags?: Tag[];
}

export interface CreateDiskInput {
  zoneId: string;
  diskCategory: string;
  size?: number;
  snapshotId?: string;
  diskName?: string;
  description?: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  performanceLevel?: string;
  resourceGroupId?: string;
  tags?: Tag[];
  /** Caller-chosen idempotency token (e.g. derived from the PV name); one is generated otherwise. */
  clientToken?: string;
}

export interface AttachDiskInput {
  instanceId: string;
  diskId: string;
  deleteWithInstance?: boolean;
  device?: string;
}

export interface ModifyDiskInput {
  diskId: string;
  diskName?: string;
  description?: string;
  deleteWithInstance?: boolean;
}

export type TaggableEcsResource = 'instance' | 'disk' | 'eni' | 'snapshot' | 'image' | 'securitygroup';

export class EcsApi {
  constructor(private readonly rpc: RpcClient) {}

  /** Instances by id, batched 100 per call; unknown ids are simply absent from the result. */
  async describeInstancesByIds(ids: readonly string[]): Promise<EcsInstance[]> {
    const unique = [...new Set(ids)];
    const out: EcsInstance[] = [];
    for (const batch of chunk(unique, MAX_IDS_PER_CALL)) {
      const res = await this.rpc.read<DescribeInstancesResponse>('DescribeInstances', {
        InstanceIds: jsonList(batch),
        PageSize: MAX_IDS_PER_CALL,
      });
      out.push(...(res.Instances?.Instance ?? []));
    }
    return out;
  }

  /** Instances in a VPC by private IP (node addresses → instances), batched 100 per call. */
  async describeInstancesByPrivateIps(vpcId: string, ips: readonly string[]): Promise<EcsInstance[]> {
    const out: EcsInstance[] = [];
    for (const batch of chunk([...new Set(ips)], MAX_IDS_PER_CALL)) {
      const res = await this.rpc.read<DescribeInstancesResponse>('DescribeInstances', {
        VpcId: vpcId,
        InstanceNetworkType: 'vpc',
        PrivateIpAddresses: jsonList(batch),
        PageSize: MAX_IDS_PER_CALL,
      });
      out.push(...(res.Instances?.Instance ?? []));
    }
    return out;
  }

  describeInstancesByName(name: string): Promise<EcsInstance[]> {
    return this.describeInstances({ instanceName: name });
  }

  /** Every instance matching the filter, across all pages. */
  describeInstances(filter: DescribeInstancesFilter = {}): Promise<EcsInstance[]> {
    return collectByPageNumber(
      async (PageNumber, PageSize) => {
        const res = await this.rpc.read<DescribeInstancesResponse>('DescribeInstances', {
          VpcId: filter.vpcId,
          VSwitchId: filter.vswitchId,
          ZoneId: filter.zoneId,
          InstanceName: filter.instanceName,
          Status: filter.status,
          ...tagParams(filter.tags),
          PageNumber,
          PageSize,
        });
        return { items: res.Instances?.Instance ?? [], totalCount: res.TotalCount };
      },
      { pageSize: PAGE_SIZE },
    );
  }

  describeInstancesInVpc(vpcId: string): Promise<EcsInstance[]> {
    return this.describeInstances({ vpcId });
  }

  /** Status of the given instances (or all), across all pages. */
  describeInstanceStatus(instanceIds?: readonly string[], zoneId?: string): Promise<InstanceStatus[]> {
    const batches = instanceIds ? chunk([...new Set(instanceIds)], MAX_IDS_PER_CALL) : [undefined];
    return Promise.all(
      batches.map((ids) =>
        collectByPageNumber(
          async (PageNumber, PageSize) => {
            const res = await this.rpc.read<DescribeInstanceStatusResponse>('DescribeInstanceStatus', {
              ...indexed('InstanceId', ids),
              ZoneId: zoneId,
              PageNumber,
              PageSize,
            });
            return { items: res.InstanceStatuses?.InstanceStatus ?? [], totalCount: res.TotalCount };
          },
          // DescribeInstanceStatus caps PageSize at 50.
          { pageSize: 50 },
        ),
      ),
    ).then((parts) => parts.flat());
  }

  describeNetworkInterfaces(
    filter: {
      instanceId?: string;
      vpcId?: string;
      networkInterfaceIds?: string[];
      privateIps?: string[];
      type?: 'Primary' | 'Secondary';
      /** `InUse` keeps out ENIs being created or released (the service controller's ENI lookup). */
      status?: 'InUse' | 'Available';
    } = {},
  ): Promise<NetworkInterfaceSet[]> {
    return collectByPageNumber(
      async (PageNumber, PageSize) => {
        const res = await this.rpc.read<DescribeNetworkInterfacesResponse>('DescribeNetworkInterfaces', {
          InstanceId: filter.instanceId,
          VpcId: filter.vpcId,
          Type: filter.type,
          Status: filter.status,
          ...indexed('NetworkInterfaceId', filter.networkInterfaceIds),
          ...indexed('PrivateIpAddress', filter.privateIps),
          PageNumber,
          PageSize,
        });
        return { items: res.NetworkInterfaceSets?.NetworkInterfaceSet ?? [], totalCount: res.TotalCount };
      },
      { pageSize: PAGE_SIZE },
    );
  }

  async modifyNetworkInterfaceAttribute(
    networkInterfaceId: string,
    attrs: { sourceDestCheck?: boolean; name?: string; description?: string },
  ): Promise<void> {
    await this.rpc.write<RequestIdResponse>('ModifyNetworkInterfaceAttribute', {
      NetworkInterfaceId: networkInterfaceId,
      SourceDestCheck: attrs.sourceDestCheck,
      NetworkInterfaceName: attrs.name,
      Description: attrs.description,
    });
  }

  /** Route-based pod networking needs source/destination checking off on the node's ENI. */
  setSourceDestCheck(networkInterfaceId: string, enabled: boolean): Promise<void> {
    return this.modifyNetworkInterfaceAttribute(networkInterfaceId, { sourceDestCheck: enabled });
  }

  /** Disks matching the filter, across all pages (DiskIds batched 100 per call). */
  async describeDisks(filter: DescribeDisksFilter = {}): Promise<EcsDisk[]> {
    const idBatches = filter.diskIds ? chunk([...new Set(filter.diskIds)], MAX_IDS_PER_CALL) : [undefined];
    const out: EcsDisk[] = [];
    for (const ids of idBatches) {
      if (ids && ids.length === 0) continue;
      const part = await collectByPageNumber(
        async (PageNumber, PageSize) => {
          const res = await this.rpc.read<DescribeDisksResponse>('DescribeDisks', {
            DiskIds: jsonList(ids),
            InstanceId: filter.instanceId,
            ZoneId: filter.zoneId,
            DiskName: filter.diskName,
            Status: filter.status,
            Category: filter.category,
            DiskType: filter.diskType,
            ...tagParams(filter.tags),
            PageNumber,
            PageSize,
          });
          return { items: res.Disks?.Disk ?? [], totalCount: res.TotalCount };
        },
        { pageSize: PAGE_SIZE },
      );
      out.push(...part);
    }
    return out;
  }

  async describeDisk(diskId: string): Promise<EcsDisk | undefined> {
    const [disk] = await this.describeDisks({ diskIds: [diskId] });
    return disk;
  }

  /** Returns the new disk id, or undefined in dry-run mode. Retries reuse one ClientToken. */
  async createDisk(input: CreateDiskInput): Promise<string | undefined> {
    const res = await this.rpc.write<CreateDiskResponse>(
      'CreateDisk',
      {
        ZoneId: input.zoneId,
        DiskCategory: input.diskCategory,
        Size: input.size,
        SnapshotId: input.snapshotId,
        DiskName: input.diskName,
        Description: input.description,
        Encrypted: input.encrypted,
        KMSKeyId: input.kmsKeyId,
        PerformanceLevel: input.performanceLevel,
        ResourceGroupId: input.resourceGroupId,
        ...tagParams(input.tags),
      },
      input.clientToken ? { clientToken: input.clientToken } : {},
    );
    return res?.DiskId;
  }

  async deleteDisk(diskId: string): Promise<void> {
    await this.rpc.write<RequestIdResponse>('DeleteDisk', { DiskId: diskId });
  }

  async attachDisk(input: AttachDiskInput): Promise<void> {
    await this.rpc.write<RequestIdResponse>('AttachDisk', {
      InstanceId: input.instanceId,
      DiskId: input.diskId,
      DeleteWithInstance: input.deleteWithInstance,
      Device: input.device,
    });
  }

  async detachDisk(instanceId: string, diskId: string): Promise<void> {
    await this.rpc.write<RequestIdResponse>('DetachDisk', { InstanceId: instanceId, DiskId: diskId });
  }

  /** Online resize needs type `online` for attached disks; `offline` takes effect after a restart. */
  async resizeDisk(diskId: string, newSizeGiB: number, type: 'online' | 'offline' = 'online'): Promise<void> {
    await this.rpc.write<RequestIdResponse>('ResizeDisk', {
      DiskId: diskId,
      NewSize: newSizeGiB,
      Type: type,
    });
  }

  async modifyDiskAttribute(input: ModifyDiskInput): Promise<void> {
    await this.rpc.write<RequestIdResponse>('ModifyDiskAttribute', {
      DiskId: input.diskId,
      DiskName: input.diskName,
      Description: input.description,
      DeleteWithInstance: input.deleteWithInstance,
    });
  }

  async tagResources(
    resourceType: TaggableEcsResource,
    resourceIds: readonly string[],
    tags: readonly Tag[],
  ): Promise<void> {
    await this.rpc.write<RequestIdResponse>('TagResources', {
      ResourceType: resourceType,
      ...indexed('ResourceId', resourceIds),
      ...tagParams(tags),
    });
  }

  async untagResources(
    resourceType: TaggableEcsResource,
    resourceIds: readonly string[],
    tagKeys: readonly string[],
  ): Promise<void> {
    await this.rpc.write<RequestIdResponse>('UntagResources', {
      ResourceType: resourceType,
      ...indexed('ResourceId', resourceIds),
      ...indexed('TagKey', tagKeys),
    });
  }

  listTagResources(
    resourceType: TaggableEcsResource,
    resourceIds: readonly string[] = [],
    tags: readonly Tag[] = [],
  ): Promise<TagResource[]> {
    return collectByToken(async (token) => {
      const res = await this.rpc.read<ListTagResourcesResponse>('ListTagResources', {
        ResourceType: resourceType,
        ...indexed('ResourceId', resourceIds),
        ...tagParams(tags),
        NextToken: token,
      });
      return { items: res.TagResources?.TagResource ?? [], nextToken: res.NextToken };
    });
  }

  async describeZones(): Promise<EcsZone[]> {
    const res = await this.rpc.read<DescribeZonesResponse>('DescribeZones', {});
    return res.Zones?.Zone ?? [];
  }
}
