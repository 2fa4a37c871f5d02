// Typed SLB (2014-05-15) calls for the service controller: load balancers, tags, default-group
// backends, certificates and domain extensions; listeners and VServer groups live in their own
// files and hang off `SlbApi.listeners` / `SlbApi.vgroups`. Slb's `Tags` and `BackendServers`
// are JSON text; `Tag.N.*`, `ResourceId.N` and `TagKey.N` are indexed lists.
import type { RpcClient } from './client.js';
import { collectByPageNumber, collectByToken } from './pagination.js';
import { indexed, slbTagsJson, tagParams, type Tag } from './params.js';
import { SlbListenerApi } from './slb-listeners.js';
import type {
  BackendServer,
  CreateLoadBalancerResponse,
  DomainExtension,
  LoadBalancer,
  LoadBalancerAttribute,
  ServerCertificate,
  SlbTagSetEntry,
  TagResource,
} from './slb-types.js';
import { SlbVServerGroupApi } from './slb-vgroups.js';

export type * from './slb-types.js';
export type { ListenerProtocol, ListenerSettings } from './slb-listeners.js';

export interface CreateLoadBalancerInput {
  LoadBalancerName?: string;
  AddressType?: 'internet' | 'intranet';
  AddressIPVersion?: 'ipv4' | 'ipv6';
  VpcId?: string;
  VSwitchId?: string;
  Address?: string;
  LoadBalancerSpec?: string;
  InternetChargeType?: 'paybytraffic' | 'paybybandwidth';
  InstanceChargeType?: 'PayBySpec' | 'PayByCLCU';
  Bandwidth?: number;
  MasterZoneId?: string;
  SlaveZoneId?: string;
  ResourceGroupId?: string;
  DeleteProtection?: 'on' | 'off';
  ModificationProtectionStatus?: 'ConsoleProtection' | 'NonProtection';
  ModificationProtectionReason?: string;
  /** Set at create (`Tag.N`) so a crash between create and tagging cannot orphan the LB. */
  tags?: Tag[];
  clientToken?: string;
}

export interface DescribeLoadBalancersFilter {
  loadBalancerId?: string;
  loadBalancerName?: string;
  address?: string;
  addressType?: 'internet' | 'intranet';
  vpcId?: string;
  vswitchId?: string;
  /** Match all of these tags (sent as the `Tags` JSON text). */
  tags?: Tag[];
}

const PAGE_SIZE = 100;

export class SlbApi {
  readonly listeners: SlbListenerApi;
  readonly vgroups: SlbVServerGroupApi;

  constructor(private readonly rpc: RpcClient) {
    this.listeners = new SlbListenerApi(rpc);
    this.vgroups = new SlbVServerGroupApi(rpc);
  }

  /** Returns the created LB (id and address), or undefined in dry-run mode. Retries reuse one ClientToken. */
  createLoadBalancer(input: CreateLoadBalancerInput): Promise<CreateLoadBalancerResponse | undefined> {
    const { tags, clientToken, ...attrs } = input;
    return this.rpc.write<CreateLoadBalancerResponse>(
      'CreateLoadBalancer',
      { ...attrs, ...tagParams(tags) },
      clientToken ? { clientToken } : {},
    );
  }

  async deleteLoadBalancer(loadBalancerId: string): Promise<void> {
    await this.rpc.write('DeleteLoadBalancer', { LoadBalancerId: loadBalancerId });
  }

  /** Every LB matching the filter, across all pages. */
  describeLoadBalancers(filter: DescribeLoadBalancersFilter = {}): Promise<LoadBalancer[]> {
    return collectByPageNumber(
      async (PageNumber, PageSize) => {
        const res = await this.rpc.read<{
          RequestId: string;
          TotalCount?: number;
          LoadBalancers?: { LoadBalancer?: LoadBalancer[] };
        }>('DescribeLoadBalancers', {
          LoadBalancerId: filter.loadBalancerId,
          LoadBalancerName: filter.loadBalancerName,
          Address: filter.address,
          AddressType: filter.addressType,
          VpcId: filter.vpcId,
          VSwitchId: filter.vswitchId,
          Tags: slbTagsJson(filter.tags),
          PageNumber,
          PageSize,
        });
        return { items: res.LoadBalancers?.LoadBalancer ?? [], totalCount: res.TotalCount };
      },
      { pageSize: PAGE_SIZE },
    );
  }

  describeLoadBalancersByTags(tags: Tag[]): Promise<LoadBalancer[]> {
    return this.describeLoadBalancers({ tags });
  }

  describeLoadBalancerAttribute(loadBalancerId: string): Promise<LoadBalancerAttribute> {
    return this.rpc.read<LoadBalancerAttribute>('DescribeLoadBalancerAttribute', {
      LoadBalancerId: loadBalancerId,
    });
  }

  async setLoadBalancerName(loadBalancerId: string, name: string): Promise<void> {
    await this.rpc.write('SetLoadBalancerName', { LoadBalancerId: loadBalancerId, LoadBalancerName: name });
  }

  async setLoadBalancerStatus(loadBalancerId: string, status: 'active' | 'inactive'): Promise<void> {
    await this.rpc.write('SetLoadBalancerStatus', {
      LoadBalancerId: loadBalancerId,
      LoadBalancerStatus: status,
    });
  }

  async modifyLoadBalancerInstanceSpec(loadBalancerId: string, spec: string): Promise<void> {
    await this.rpc.write('ModifyLoadBalancerInstanceSpec', {
      LoadBalancerId: loadBalancerId,
      LoadBalancerSpec: spec,
    });
  }

  async modifyLoadBalancerInstanceChargeType(
    loadBalancerId: string,
    instanceChargeType: 'PayBySpec' | 'PayByCLCU',
    spec?: string,
  ): Promise<void> {
    await this.rpc.write('ModifyLoadBalancerInstanceChargeType', {
      LoadBalancerId: loadBalancerId,
      InstanceChargeType: instanceChargeType,
      LoadBalancerSpec: spec,
    });
  }

  async modifyLoadBalancerInternetSpec(
    loadBalancerId: string,
    spec: { InternetChargeType?: 'paybytraffic' | 'paybybandwidth'; Bandwidth?: number },
  ): Promise<void> {
    await this.rpc.write('ModifyLoadBalancerInternetSpec', { LoadBalancerId: loadBalancerId, ...spec });
  }

  async setDeleteProtection(loadBalancerId: string, on: boolean): Promise<void> {
    await this.rpc.write('SetLoadBalancerDeleteProtection', {
      LoadBalancerId: loadBalancerId,
      DeleteProtection: on ? 'on' : 'off',
    });
  }

  async setModificationProtection(
    loadBalancerId: string,
    status: 'ConsoleProtection' | 'NonProtection',
    reason?: string,
  ): Promise<void> {
    await this.rpc.write('SetLoadBalancerModificationProtection', {
      LoadBalancerId: loadBalancerId,
      ModificationProtectionStatus: status,
      ModificationProtectionReason: reason,
    });
  }

  // ---- default server group backends (BackendServers JSON text) ----

  async addBackendServers(loadBalancerId: string, backends: readonly BackendServer[]): Promise<void> {
    await this.rpc.write('AddBackendServers', {
      LoadBalancerId: loadBalancerId,
      BackendServers: JSON.stringify(backends),
    });
  }

  async removeBackendServers(loadBalancerId: string, backends: readonly BackendServer[]): Promise<void> {
    await this.rpc.write('RemoveBackendServers', {
      LoadBalancerId: loadBalancerId,
      BackendServers: JSON.stringify(backends),
    });
  }

  async setBackendServers(loadBalancerId: string, backends: readonly BackendServer[]): Promise<void> {
    await this.rpc.write('SetBackendServers', {
      LoadBalancerId: loadBalancerId,
      BackendServers: JSON.stringify(backends),
    });
  }

  // ---- tags: the legacy per-LB calls and the newer resource-tag calls ----

  async addTags(loadBalancerId: string, tags: readonly Tag[]): Promise<void> {
    await this.rpc.write('AddTags', { LoadBalancerId: loadBalancerId, Tags: slbTagsJson(tags) });
  }

  async removeTags(loadBalancerId: string, tags: readonly Tag[]): Promise<void> {
    await this.rpc.write('RemoveTags', { LoadBalancerId: loadBalancerId, Tags: slbTagsJson(tags) });
  }

  describeTags(loadBalancerId?: string, tags?: Tag[]): Promise<SlbTagSetEntry[]> {
    return collectByPageNumber(
      async (PageNumber, PageSize) => {
        const res = await this.rpc.read<{
          RequestId: string;
          TotalCount?: number;
          TagSets?: { TagSet?: SlbTagSetEntry[] };
        }>('DescribeTags', {
          LoadBalancerId: loadBalancerId,
          Tags: slbTagsJson(tags),
          PageNumber,
          PageSize,
        });
        return { items: res.TagSets?.TagSet ?? [], totalCount: res.TotalCount };
      },
      { pageSize: 100 },
    );
  }

  async tagResources(
    resourceIds: readonly string[],
    tags: readonly Tag[],
    resourceType = 'instance',
  ): Promise<void> {
    await this.rpc.write('TagResources', {
      ResourceType: resourceType,
      ...indexed('ResourceId', resourceIds),
      ...tagParams(tags),
    });
  }

  async untagResources(
    resourceIds: readonly string[],
    tagKeys: readonly string[],
    resourceType = 'instance',
  ): Promise<void> {
    await this.rpc.write('UntagResources', {
      ResourceType: resourceType,
      ...indexed('ResourceId', resourceIds),
      ...indexed('TagKey', tagKeys),
    });
  }

  listTagResources(
    resourceIds: readonly string[] = [],
    tags: readonly Tag[] = [],
    resourceType = 'instance',
  ): Promise<TagResource[]> {
    return collectByToken(async (token) => {
      const res = await this.rpc.read<{
        RequestId: string;
        NextToken?: string;
        TagResources?: { TagResource?: TagResource[] };
      }>('ListTagResources', {
        ResourceType: resourceType,
        ...indexed('ResourceId', resourceIds),
        ...tagParams(tags),
        NextToken: token,
      });
      return { items: res.TagResources?.TagResource ?? [], nextToken: res.NextToken };
    });
  }

  // ---- HTTPS: certificates and SNI domain extensions ----

  async describeServerCertificates(serverCertificateId?: string): Promise<ServerCertificate[]> {
    const res = await this.rpc.read<{
      RequestId: string;
      ServerCertificates?: { ServerCertificate?: ServerCertificate[] };
    }>('DescribeServerCertificates', { ServerCertificateId: serverCertificateId });
    return res.ServerCertificates?.ServerCertificate ?? [];
  }

  async describeDomainExtensions(loadBalancerId: string, listenerPort: number): Promise<DomainExtension[]> {
    const res = await this.rpc.read<{
      RequestId: string;
      DomainExtensions?: { DomainExtension?: DomainExtension[] };
    }>('DescribeDomainExtensions', { LoadBalancerId: loadBalancerId, ListenerPort: listenerPort });
    return res.DomainExtensions?.DomainExtension ?? [];
  }

  /** Returns the new extension id, or undefined in dry-run mode. */
  async createDomainExtension(
    loadBalancerId: string,
    listenerPort: number,
    domain: string,
    serverCertificateId: string,
  ): Promise<string | undefined> {
    const res = await this.rpc.write<{ RequestId: string; DomainExtensionId: string }>(
      'CreateDomainExtension',
      {
        LoadBalancerId: loadBalancerId,
        ListenerPort: listenerPort,
        Domain: domain,
        ServerCertificateId: serverCertificateId,
      },
    );
    return res?.DomainExtensionId;
  }

  async setDomainExtensionAttribute(domainExtensionId: string, serverCertificateId: string): Promise<void> {
    await this.rpc.write('SetDomainExtensionAttribute', {
      DomainExtensionId: domainExtensionId,
      ServerCertificateId: serverCertificateId,
    });
  }

  async deleteDomainExtension(domainExtensionId: string): Promise<void> {
    await this.rpc.write('DeleteDomainExtension', { DomainExtensionId: domainExtensionId });
  }
}
