// NLB instances: create (Provisioning, then Active; ClientToken returns the same instance),
// read, list with filters and NextToken paging, and the asynchronous attribute changes.
import { allocatePrivateIp, allocatePublicIp, newId, nowIso } from '../ids.js';
import { tokenPageOf } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { CloudState } from '../state.js';
import {
  bool,
  getLb,
  hasTags,
  illegalParam,
  oneOf,
  PAGE,
  quotaExceeded,
  renderTags,
  resourceNotFound,
  writableLb,
} from './common.js';
import { assertUnlocked, isLocked, lbKey, listenerKey, startJob } from './jobs.js';
import type { NlbLoadBalancerRecord, NlbZone } from './types.js';

function status(state: CloudState, lb: NlbLoadBalancerRecord): string {
  if (!lb.Provisioned) return 'Provisioning';
  return isLocked(state.nlb, lbKey(lb.LoadBalancerId)) ? 'Configuring' : 'Active';
}

export function renderLb(ctx: Ctx, lb: NlbLoadBalancerRecord): ResponseBody {
  return {
    LoadBalancerId: lb.LoadBalancerId,
    LoadBalancerName: lb.LoadBalancerName,
    LoadBalancerStatus: status(ctx.state, lb),
    LoadBalancerBusinessStatus: 'Normal',
    LoadBalancerType: 'Network',
    AddressType: lb.AddressType,
    AddressIpVersion: lb.AddressIpVersion,
    Ipv6AddressType: lb.AddressIpVersion === 'DualStack' ? lb.Ipv6AddressType : undefined,
    BandwidthPackageId: lb.BandwidthPackageId || undefined,
    CrossZoneEnabled: lb.CrossZoneEnabled,
    Cps: lb.Cps,
    DNSName: lb.DNSName,
    VpcId: lb.VpcId,
    RegionId: ctx.state.regionId,
    ResourceGroupId: lb.ResourceGroupId,
    CreateTime: lb.CreateTime,
    SecurityGroupIds: lb.SecurityGroupIds,
    DeletionProtectionConfig: lb.DeletionProtection,
    ModificationProtectionConfig: lb.ModificationProtection,
    LoadBalancerBillingConfig: { PayType: lb.PayType },
    OperationLocks: [],
    Tags: renderTags(lb.Tags),
    ZoneMappings: lb.Zones.map((z) => ({
      ZoneId: z.ZoneId,
      VSwitchId: z.VSwitchId,
      Status: 'Active',
      LoadBalancerAddresses: [
        {
          ...z.Address,
          PublicIPv4Address: lb.AddressType === 'Internet' ? z.Address.PublicIPv4Address : undefined,
          Ipv6Address: lb.AddressIpVersion === 'DualStack' ? z.Address.Ipv6Address : undefined,
          Ipv4LocalAddresses: [z.Address.PrivateIPv4Address],
          PrivateIPv4HcStatus: 'Healthy',
        },
      ],
    })),
  };
}

/** ZoneMappings.N.*: each vSwitch must exist, sit in the instance's VPC and in the named zone. */
function zonesOf(
  ctx: Ctx,
  vpcId: string,
  addressType: 'Internet' | 'Intranet',
  required: boolean,
): NlbZone[] {
  const maps = ctx.p.structs('ZoneMappings');
  if (maps.length === 0 && required) throw illegalParam('ZoneMappings', 'at least one zone is required');
  const seen = new Set<string>();
  return maps.map((m, i) => {
    const vswId = m.VSwitchId ?? '';
    const vsw = ctx.state.vswitches[vswId];
    if (!vsw) throw resourceNotFound('vSwitch', vswId || `ZoneMappings.${i + 1}.VSwitchId`);
    if (vsw.VpcId !== vpcId) throw illegalParam('ZoneMappings.VSwitchId', `${vswId} is not in ${vpcId}`);
    if (m.ZoneId !== vsw.ZoneId)
      throw illegalParam('ZoneMappings.ZoneId', `${vswId} is in ${vsw.ZoneId}, not ${m.ZoneId}`);
    if (seen.has(vsw.ZoneId)) throw illegalParam('ZoneMappings.ZoneId', `zone ${vsw.ZoneId} is given twice`);
    seen.add(vsw.ZoneId);
    const n = Object.keys(ctx.state.nlb.loadBalancers).length + i + 1;
    return {
      ZoneId: vsw.ZoneId,
      VSwitchId: vswId,
      Address: {
        AllocationId: m.AllocationId ?? '',
        EniId: newId('eni'),
        PrivateIPv4Address: m.PrivateIPv4Address ?? allocatePrivateIp(ctx.state, vsw),
        PublicIPv4Address: addressType === 'Internet' ? allocatePublicIp(ctx.state) : '',
        Ipv6Address: `2408:4000:${n.toString(16)}::${i + 1}`,
      },
    };
  });
}

function createLoadBalancer(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const nlb = state.nlb;
  const addressType = oneOf(ctx, 'AddressType', ['Internet', 'Intranet'] as const);
  const vpcId = p.req('VpcId');
  if (!state.vpcs[vpcId]) throw resourceNotFound('vpc', vpcId);
  const limit = nlb.config.loadBalancersPerRegion;
  if (Object.keys(nlb.loadBalancers).length >= limit) throw quotaExceeded('LoadBalancersNum', limit);
  const zones = zonesOf(ctx, vpcId, addressType, true);
  const id = newId('nlb');
  const now = nowIso();
  const deletion = bool(ctx, 'DeletionProtectionConfig.Enabled', false);
  const modification = oneOf(
    ctx,
    'ModificationProtectionConfig.Status',
    ['NonProtection', 'ConsoleProtection'] as const,
    'NonProtection',
  );
  const lb: NlbLoadBalancerRecord = {
    LoadBalancerId: id,
    LoadBalancerName: p.str('LoadBalancerName') ?? '',
    Provisioned: false,
    AddressType: addressType,
    AddressIpVersion: oneOf(ctx, 'AddressIpVersion', ['ipv4', 'DualStack'] as const, 'ipv4'),
    Ipv6AddressType: 'Intranet',
    VpcId: vpcId,
    Zones: zones,
    DNSName: `${id}.${state.regionId}.nlb.aliyuncsslb.com`,
    BandwidthPackageId: p.str('BandwidthPackageId') ?? '',
    SecurityGroupIds: [],
    CrossZoneEnabled: true,
    Cps: 0,
    DeletionProtection: {
      Enabled: deletion,
      Reason: p.str('DeletionProtectionConfig.Reason') ?? '',
      EnabledTime: deletion ? now : '',
    },
    ModificationProtection: {
      Status: modification,
      Reason: p.str('ModificationProtectionConfig.Reason') ?? '',
      EnabledTime: modification === 'ConsoleProtection' ? now : '',
    },
    ResourceGroupId: p.str('ResourceGroupId') ?? 'rg-emulated',
    PayType: p.str('LoadBalancerBillingConfig.PayType') ?? 'PostPay',
    CreateTime: now,
    Tags: p.tags(),
  };
  if (lb.Tags.length > nlb.config.tagsPerResource) throw quotaExceeded('TagsNum', nlb.config.tagsPerResource);
  nlb.loadBalancers[id] = lb;
  ctx.rt.schedule(nlb.config.provisionMs, () => {
    const still = state.nlb.loadBalancers[id];
    if (still) still.Provisioned = true;
  });
  return { LoadbalancerId: id, OrderId: 0 };
}

/**
 * ListLoadBalancers' filter list limits, from the API reference (the vendored catalog has the
 * parameters but not their limits): 20 instance ids or names, 10 VPC ids per call.
 */
export const LIST_FILTER_MAX = { LoadBalancerIds: 20, LoadBalancerNames: 20, VpcIds: 10 } as const;

function listLoadBalancers(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const ids = p.list('LoadBalancerIds');
  const names = p.list('LoadBalancerNames');
  const vpcs = p.list('VpcIds');
  for (const [name, list] of [
    ['LoadBalancerIds', ids],
    ['LoadBalancerNames', names],
    ['VpcIds', vpcs],
  ] as const) {
    const max = LIST_FILTER_MAX[name];
    if (list.length > max) throw illegalParam(name, `at most ${max} values per call, got ${list.length}`);
  }
  const tags = p.tags();
  const all = Object.values(ctx.state.nlb.loadBalancers).filter(
    (lb) =>
      (ids.length === 0 || ids.includes(lb.LoadBalancerId)) &&
      (names.length === 0 || names.includes(lb.LoadBalancerName)) &&
      (vpcs.length === 0 || vpcs.includes(lb.VpcId)) &&
      (p.str('AddressType') === undefined || p.str('AddressType') === lb.AddressType) &&
      (p.str('ZoneId') === undefined || lb.Zones.some((z) => z.ZoneId === p.str('ZoneId'))) &&
      (p.str('DNSName') === undefined || p.str('DNSName') === lb.DNSName) &&
      (p.str('LoadBalancerStatus') === undefined || p.str('LoadBalancerStatus') === status(ctx.state, lb)) &&
      hasTags(lb.Tags, tags),
  );
  const page = tokenPageOf(all, p, PAGE);
  return {
    LoadBalancers: page.items.map((lb) => renderLb(ctx, lb)),
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
    TotalCount: all.length,
  };
}

function deleteLoadBalancer(ctx: Ctx): ResponseBody {
  const nlb = ctx.state.nlb;
  const id = ctx.p.req('LoadBalancerId');
  const lb = writableLb(nlb, id);
  if (lb.DeletionProtection.Enabled)
    throw illegalParam('LoadBalancerId', `${id} has deletion protection enabled; disable it first`);
  // Its listeners go with it, as on the service; server groups are regional and stay.
  const listeners = Object.values(nlb.listeners).filter((l) => l.LoadBalancerId === id);
  return startJob(ctx, {
    locks: [lbKey(id), ...listeners.map((l) => listenerKey(l.ListenerId))],
    apply: () => {
      for (const l of listeners) delete nlb.listeners[l.ListenerId];
      delete nlb.loadBalancers[id];
    },
  });
}

/** A job that edits the instance only. */
function lbJob(ctx: Ctx, edit: (lb: NlbLoadBalancerRecord) => void): ResponseBody {
  const lb = writableLb(ctx.state.nlb, ctx.p.req('LoadBalancerId'));
  return startJob(ctx, { locks: [lbKey(lb.LoadBalancerId)], apply: () => edit(lb) });
}

/** A synchronous edit: still refused while a job holds the instance. */
function lbSync(ctx: Ctx, edit: (lb: NlbLoadBalancerRecord) => void): ResponseBody {
  const lb = writableLb(ctx.state.nlb, ctx.p.req('LoadBalancerId'));
  assertUnlocked(ctx.state.nlb, [lbKey(lb.LoadBalancerId)]);
  edit(lb);
  return {};
}

export const nlbLoadBalancerHandlers: HandlerTable = {
  CreateLoadBalancer: createLoadBalancer,
  ListLoadBalancers: listLoadBalancers,
  GetLoadBalancerAttribute: (ctx) => renderLb(ctx, getLb(ctx.state.nlb, ctx.p.req('LoadBalancerId'))),
  DeleteLoadBalancer: deleteLoadBalancer,
  UpdateLoadBalancerAttribute: (ctx) =>
    lbJob(ctx, (lb) => {
      lb.LoadBalancerName = ctx.p.str('LoadBalancerName') ?? lb.LoadBalancerName;
      lb.CrossZoneEnabled = ctx.p.bool('CrossZoneEnabled') ?? lb.CrossZoneEnabled;
      lb.Cps = ctx.p.int('Cps') ?? lb.Cps;
    }),
  UpdateLoadBalancerAddressTypeConfig: (ctx) => {
    const type = oneOf(ctx, 'AddressType', ['Internet', 'Intranet'] as const);
    return lbJob(ctx, (lb) => {
      lb.AddressType = type;
      for (const z of lb.Zones)
        z.Address.PublicIPv4Address =
          type === 'Internet' ? z.Address.PublicIPv4Address || allocatePublicIp(ctx.state) : '';
    });
  },
  UpdateLoadBalancerZones: (ctx) => {
    const lb = writableLb(ctx.state.nlb, ctx.p.req('LoadBalancerId'));
    const zones = zonesOf(ctx, lb.VpcId, lb.AddressType, true);
    // Zones the instance already has keep their addresses.
    const kept = zones.map(
      (z) => lb.Zones.find((o) => o.ZoneId === z.ZoneId && o.VSwitchId === z.VSwitchId) ?? z,
    );
    return lbJob(ctx, (l) => {
      l.Zones = kept;
    });
  },
  UpdateLoadBalancerProtection: (ctx) =>
    lbSync(ctx, (lb) => {
      const now = nowIso();
      const del = ctx.p.bool('DeletionProtectionEnabled');
      if (del !== undefined)
        lb.DeletionProtection = {
          Enabled: del,
          Reason: ctx.p.str('DeletionProtectionReason') ?? '',
          EnabledTime: del ? now : '',
        };
      const mod = ctx.p.str('ModificationProtectionStatus');
      if (mod !== undefined) {
        const s = oneOf(ctx, 'ModificationProtectionStatus', ['NonProtection', 'ConsoleProtection'] as const);
        lb.ModificationProtection = {
          Status: s,
          Reason: ctx.p.str('ModificationProtectionReason') ?? '',
          EnabledTime: s === 'ConsoleProtection' ? now : '',
        };
      }
    }),
  EnableLoadBalancerIpv6Internet: (ctx) => lbSync(ctx, (lb) => ipv6(lb, 'Internet')),
  DisableLoadBalancerIpv6Internet: (ctx) => lbSync(ctx, (lb) => ipv6(lb, 'Intranet')),
  AttachCommonBandwidthPackageToLoadBalancer: (ctx) => {
    const pkg = ctx.p.req('BandwidthPackageId');
    return lbJob(ctx, (lb) => {
      lb.BandwidthPackageId = pkg;
    });
  },
  DetachCommonBandwidthPackageFromLoadBalancer: (ctx) => {
    const pkg = ctx.p.req('BandwidthPackageId');
    const lb = writableLb(ctx.state.nlb, ctx.p.req('LoadBalancerId'));
    if (lb.BandwidthPackageId !== pkg) throw resourceNotFound('bandwidthPackage', pkg);
    return lbJob(ctx, (l) => {
      l.BandwidthPackageId = '';
    });
  },
  LoadBalancerJoinSecurityGroup: (ctx) => {
    const ids = securityGroups(ctx);
    return lbJob(ctx, (lb) => {
      lb.SecurityGroupIds = [...new Set([...lb.SecurityGroupIds, ...ids])];
    });
  },
  LoadBalancerLeaveSecurityGroup: (ctx) => {
    const ids = securityGroups(ctx);
    const lb = writableLb(ctx.state.nlb, ctx.p.req('LoadBalancerId'));
    const missing = ids.find((id) => !lb.SecurityGroupIds.includes(id));
    if (missing) throw resourceNotFound('securityGroup', missing);
    return lbJob(ctx, (l) => {
      l.SecurityGroupIds = l.SecurityGroupIds.filter((id) => !ids.includes(id));
    });
  },
};

function ipv6(lb: NlbLoadBalancerRecord, type: 'Internet' | 'Intranet'): void {
  if (lb.AddressIpVersion !== 'DualStack')
    throw illegalParam('LoadBalancerId', `${lb.LoadBalancerId} is not a DualStack instance`);
  lb.Ipv6AddressType = type;
}

function securityGroups(ctx: Ctx): string[] {
  const ids = ctx.p.list('SecurityGroupIds');
  if (ids.length === 0) throw illegalParam('SecurityGroupIds', 'at least one security group is required');
  const bad = ids.find((id) => !/^sg-[a-z0-9]+$/.test(id));
  if (bad) throw resourceNotFound('securityGroup', bad);
  return ids;
}
