// Typed Nlb (2022-04-30) calls: load balancers here; listeners and server groups in their own
// files. Writes the API runs as jobs resolve only once the job Succeeded (nlb-jobs.ts), and a
// created instance is handed back only once it has left Provisioning, so the next write does
// not meet a locked instance.
import type { RpcClient } from './client.js';
import { CloudError, isNotFound } from './errors.js';
import { NlbCall, nlbStruct, nlbTags } from './nlb-call.js';
import { NlbJobTimeoutError, NlbJobWaiter, type NlbWaitOptions } from './nlb-jobs.js';
import * as listeners from './nlb-listeners.js';
import { toLoadBalancer, type RawLoadBalancer } from './nlb-records.js';
import * as groups from './nlb-servergroups.js';
import type {
  CreateNlbLoadBalancerInput,
  NlbAddressType,
  NlbApi,
  NlbListener,
  NlbListenerCertificate,
  NlbListenerInput,
  NlbListenerUpdate,
  NlbLoadBalancer,
  NlbLoadBalancerFilter,
  NlbProtectionInput,
  NlbServer,
  NlbServerGroup,
  NlbServerGroupFilter,
  NlbServerGroupInput,
  NlbServerGroupUpdate,
  NlbServerKey,
  NlbTaggableType,
  NlbTagResource,
  NlbZoneMappingInput,
  UpdateNlbLoadBalancerInput,
} from './nlb-types.js';
import { indexed, type Tag } from './params.js';

export type * from './nlb-types.js';
export { NlbJobError, NlbJobTimeoutError, type NlbWaitOptions } from './nlb-jobs.js';

function zoneMappings(zones: readonly NlbZoneMappingInput[] | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  zones?.forEach((z, i) => {
    const p = `ZoneMappings.${i + 1}`;
    out[`${p}.ZoneId`] = z.ZoneId;
    out[`${p}.VSwitchId`] = z.VSwitchId;
    out[`${p}.AllocationId`] = z.AllocationId;
    out[`${p}.PrivateIPv4Address`] = z.PrivateIPv4Address;
  });
  return out;
}

export class NlbFacade implements NlbApi {
  private readonly call: NlbCall;

  constructor(rpc: RpcClient, wait: NlbWaitOptions = {}) {
    this.call = new NlbCall(rpc, new NlbJobWaiter(rpc, wait));
  }

  listLoadBalancers(filter: NlbLoadBalancerFilter = {}): Promise<NlbLoadBalancer[]> {
    const params = {
      ...indexed('LoadBalancerNames', filter.LoadBalancerNames),
      ...indexed('VpcIds', filter.VpcIds),
      ...nlbTags(filter.Tags),
      AddressType: filter.AddressType,
    };
    return this.call
      .listByIds<RawLoadBalancer>(
        'ListLoadBalancers',
        'LoadBalancers',
        'LoadBalancerIds',
        filter.LoadBalancerIds,
        params,
      )
      .then((all) => all.map(toLoadBalancer));
  }

  async getLoadBalancer(loadBalancerId: string): Promise<NlbLoadBalancer | undefined> {
    try {
      const res = await this.call.rpc.read<RawLoadBalancer>('GetLoadBalancerAttribute', {
        LoadBalancerId: loadBalancerId,
      });
      return toLoadBalancer(res);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async createLoadBalancer(input: CreateNlbLoadBalancerInput): Promise<string | undefined> {
    const res = await this.call.rpc.write<{ LoadbalancerId?: string }>(
      'CreateLoadBalancer',
      {
        LoadBalancerName: input.LoadBalancerName,
        AddressType: input.AddressType,
        VpcId: input.VpcId,
        ...zoneMappings(input.ZoneMappings),
        AddressIpVersion: input.AddressIpVersion,
        BandwidthPackageId: input.BandwidthPackageId,
        ResourceGroupId: input.ResourceGroupId,
        ...nlbStruct('DeletionProtectionConfig', input.DeletionProtection),
        ...nlbStruct('ModificationProtectionConfig', input.ModificationProtection),
        ...nlbTags(input.Tags),
      },
      input.ClientToken ? { clientToken: input.ClientToken } : {},
    );
    if (res === undefined) return undefined;
    // Lower-case b: the API's own spelling for this one field.
    const id = res.LoadbalancerId;
    if (!id)
      throw new CloudError({
        code: 'InvalidResponse',
        message: 'CreateLoadBalancer answered without LoadbalancerId',
        action: 'CreateLoadBalancer',
        product: 'Nlb',
        retryable: false,
      });
    await this.waitActive(id);
    return id;
  }

  /** Until GetLoadBalancerAttribute no longer says Provisioning (the CCM's waitNLBActive). */
  private async waitActive(id: string): Promise<void> {
    const started = this.call.jobs.now();
    let status = 'Provisioning';
    await this.call.jobs.until(
      async () => {
        const lb = await this.getLoadBalancer(id);
        status = lb?.LoadBalancerStatus ?? 'Provisioning';
        return status === 'Provisioning' ? undefined : true;
      },
      () => new NlbJobTimeoutError('CreateLoadBalancer', id, this.call.jobs.now() - started, status),
    );
  }

  async deleteLoadBalancer(loadBalancerId: string): Promise<void> {
    await this.call.job('DeleteLoadBalancer', { LoadBalancerId: loadBalancerId });
  }

  async updateLoadBalancer(loadBalancerId: string, input: UpdateNlbLoadBalancerInput): Promise<void> {
    await this.call.job('UpdateLoadBalancerAttribute', { LoadBalancerId: loadBalancerId, ...input });
  }

  async updateAddressType(
    loadBalancerId: string,
    addressType: NlbAddressType,
    zones?: NlbZoneMappingInput[],
  ): Promise<void> {
    await this.call.job('UpdateLoadBalancerAddressTypeConfig', {
      LoadBalancerId: loadBalancerId,
      AddressType: addressType,
      // This action takes no fixed private address per zone.
      ...zoneMappings(
        zones?.map((z) => ({ ZoneId: z.ZoneId, VSwitchId: z.VSwitchId, AllocationId: z.AllocationId })),
      ),
    });
  }

  async updateZones(loadBalancerId: string, zones: NlbZoneMappingInput[]): Promise<void> {
    await this.call.job('UpdateLoadBalancerZones', {
      LoadBalancerId: loadBalancerId,
      ...zoneMappings(zones),
    });
  }

  async updateProtection(loadBalancerId: string, input: NlbProtectionInput): Promise<void> {
    await this.call.write('UpdateLoadBalancerProtection', { LoadBalancerId: loadBalancerId, ...input });
  }

  async setIpv6Internet(loadBalancerId: string, enabled: boolean): Promise<void> {
    const action = enabled ? 'EnableLoadBalancerIpv6Internet' : 'DisableLoadBalancerIpv6Internet';
    await this.call.write(action, { LoadBalancerId: loadBalancerId });
  }

  async attachBandwidthPackage(loadBalancerId: string, bandwidthPackageId: string): Promise<void> {
    await this.call.job('AttachCommonBandwidthPackageToLoadBalancer', {
      LoadBalancerId: loadBalancerId,
      BandwidthPackageId: bandwidthPackageId,
    });
  }

  async detachBandwidthPackage(loadBalancerId: string, bandwidthPackageId: string): Promise<void> {
    await this.call.job('DetachCommonBandwidthPackageFromLoadBalancer', {
      LoadBalancerId: loadBalancerId,
      BandwidthPackageId: bandwidthPackageId,
    });
  }

  async joinSecurityGroups(loadBalancerId: string, securityGroupIds: string[]): Promise<void> {
    if (securityGroupIds.length === 0) return;
    await this.call.job('LoadBalancerJoinSecurityGroup', {
      LoadBalancerId: loadBalancerId,
      ...indexed('SecurityGroupIds', securityGroupIds),
    });
  }

  async leaveSecurityGroups(loadBalancerId: string, securityGroupIds: string[]): Promise<void> {
    if (securityGroupIds.length === 0) return;
    await this.call.job('LoadBalancerLeaveSecurityGroup', {
      LoadBalancerId: loadBalancerId,
      ...indexed('SecurityGroupIds', securityGroupIds),
    });
  }

  listListeners(loadBalancerIds: string[]): Promise<NlbListener[]> {
    return listeners.listListeners(this.call, loadBalancerIds);
  }
  getListener(listenerId: string): Promise<NlbListener | undefined> {
    return listeners.getListener(this.call, listenerId);
  }
  createListener(loadBalancerId: string, input: NlbListenerInput): Promise<string | undefined> {
    return listeners.createListener(this.call, loadBalancerId, input);
  }
  updateListener(listenerId: string, input: NlbListenerUpdate): Promise<void> {
    return listeners.updateListener(this.call, listenerId, input);
  }
  async deleteListener(listenerId: string): Promise<void> {
    await this.call.job('DeleteListener', { ListenerId: listenerId });
  }
  async startListener(listenerId: string): Promise<void> {
    await this.call.job('StartListener', { ListenerId: listenerId });
  }
  async stopListener(listenerId: string): Promise<void> {
    await this.call.job('StopListener', { ListenerId: listenerId });
  }
  listListenerCertificates(listenerId: string): Promise<NlbListenerCertificate[]> {
    return this.call.list<NlbListenerCertificate>('ListListenerCertificates', 'Certificates', {
      ListenerId: listenerId,
    });
  }
  async associateCertificates(listenerId: string, certificateIds: string[]): Promise<void> {
    if (certificateIds.length === 0) return;
    await this.call.job('AssociateAdditionalCertificatesWithListener', {
      ListenerId: listenerId,
      ...indexed('AdditionalCertificateIds', certificateIds),
    });
  }
  async disassociateCertificates(listenerId: string, certificateIds: string[]): Promise<void> {
    if (certificateIds.length === 0) return;
    await this.call.job('DisassociateAdditionalCertificatesWithListener', {
      ListenerId: listenerId,
      ...indexed('AdditionalCertificateIds', certificateIds),
    });
  }

  listServerGroups(filter?: NlbServerGroupFilter): Promise<NlbServerGroup[]> {
    return groups.listServerGroups(this.call, filter ?? {});
  }
  createServerGroup(input: NlbServerGroupInput): Promise<string | undefined> {
    return groups.createServerGroup(this.call, input);
  }
  updateServerGroup(serverGroupId: string, input: NlbServerGroupUpdate): Promise<void> {
    return groups.updateServerGroup(this.call, serverGroupId, input);
  }
  async deleteServerGroup(serverGroupId: string): Promise<void> {
    await this.call.job('DeleteServerGroup', { ServerGroupId: serverGroupId });
  }
  listServers(serverGroupId: string): Promise<NlbServer[]> {
    return this.call.list<NlbServer>('ListServerGroupServers', 'Servers', { ServerGroupId: serverGroupId });
  }
  addServers(serverGroupId: string, servers: NlbServer[]): Promise<void> {
    return groups.serverBatches(this.call, 'AddServersToServerGroup', serverGroupId, servers, true);
  }
  removeServers(serverGroupId: string, servers: NlbServerKey[]): Promise<void> {
    return groups.serverBatches(this.call, 'RemoveServersFromServerGroup', serverGroupId, servers, false);
  }
  updateServers(serverGroupId: string, servers: NlbServer[]): Promise<void> {
    return groups.serverBatches(this.call, 'UpdateServerGroupServersAttribute', serverGroupId, servers, true);
  }

  async listTagResources(resourceType: NlbTaggableType, resourceIds: string[]): Promise<NlbTagResource[]> {
    if (resourceIds.length === 0) return [];
    return await this.call.listByIds<NlbTagResource>(
      'ListTagResources',
      'TagResources',
      'ResourceId',
      resourceIds,
      {
        ResourceType: resourceType,
      },
    );
  }
  async tagResources(resourceType: NlbTaggableType, resourceIds: string[], tags: Tag[]): Promise<void> {
    if (resourceIds.length === 0 || tags.length === 0) return;
    await this.call.write('TagResources', {
      ResourceType: resourceType,
      ...indexed('ResourceId', resourceIds),
      ...nlbTags(tags),
    });
  }
  async untagResources(
    resourceType: NlbTaggableType,
    resourceIds: string[],
    tagKeys: string[],
  ): Promise<void> {
    if (resourceIds.length === 0 || tagKeys.length === 0) return;
    await this.call.write('UntagResources', {
      ResourceType: resourceType,
      ...indexed('ResourceId', resourceIds),
      ...indexed('TagKey', tagKeys),
    });
  }

  async describeZones(): Promise<{ ZoneId: string; LocalName?: string }[]> {
    const res = await this.call.rpc.read<{ Zones?: { ZoneId: string; LocalName?: string }[] }>(
      'DescribeZones',
      {
        RegionId: this.call.rpc.region,
      },
    );
    return res.Zones ?? [];
  }
}
