// SLB instances: create (idempotent by ClientToken), describe, attributes, protection, delete.
import { ApiError, invalidParameter } from '../errors.js';
import {
  allocatePrivateIp,
  allocatePublicIp,
  cidrContains,
  ipToInt,
  newId,
  nowIso,
  parseCidr,
} from '../ids.js';
import { pageOf } from '../params.js';
import { remember, replayed } from '../tokens.js';
import { matchesTags, mergeTags, nameMatches, parseJsonTags, renderTags } from '../tags.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { LoadBalancer } from '../state.js';
import { getLb } from './lookup.js';

const SPECS = [
  'slb.s1.small',
  'slb.s2.small',
  'slb.s2.medium',
  'slb.s3.small',
  'slb.s3.medium',
  'slb.s3.large',
  'slb.s3.xlarge',
  'slb.s3.xxlarge',
];

function onOff(ctx: Ctx, name: string): 'on' | 'off' | undefined {
  const v = ctx.p.str(name);
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw invalidParameter(name, 'must be "on" or "off"');
  return v;
}

function createLoadBalancer(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const again = replayed(ctx, (id) => Boolean(state.loadBalancers[id]));
  if (again) return createdBody(state.loadBalancers[again]!);

  const addressType = p.str('AddressType') ?? 'internet';
  if (addressType !== 'internet' && addressType !== 'intranet')
    throw invalidParameter('AddressType', 'must be internet or intranet');
  const spec = p.str('LoadBalancerSpec') ?? '';
  if (spec && !SPECS.includes(spec))
    throw new ApiError(
      400,
      'InvalidParameter.LoadBalancerSpec',
      `The specified LoadBalancerSpec "${spec}" is not valid.`,
    );
  const vswId = p.str('VSwitchId');
  const vsw = vswId ? state.vswitches[vswId] : undefined;
  if (vswId && !vsw)
    throw new ApiError(
      400,
      'InvalidVSwitchId.NotFound',
      `The specified VSwitchId does not exist. (${vswId})`,
    );
  const vpcId = p.str('VpcId');
  if (vpcId && !state.vpcs[vpcId])
    throw new ApiError(400, 'InvalidVpcId.NotFound', `The specified VpcId does not exist. (${vpcId})`);
  if (vsw && vpcId && vsw.VpcId !== vpcId)
    throw new ApiError(400, 'InvalidParameter.VSwitchId', 'The vSwitch does not belong to the VPC.');
  const zoneIds = state.zones.map((z) => z.ZoneId);
  const master = p.str('MasterZoneId') ?? vsw?.ZoneId ?? zoneIds[0] ?? '';
  if (!zoneIds.includes(master))
    throw new ApiError(
      400,
      'InvalidParameter.MasterZoneId',
      `The specified MasterZoneId "${master}" is not valid.`,
    );
  const slave = p.str('SlaveZoneId') ?? zoneIds.find((z) => z !== master) ?? '';
  if (slave && !zoneIds.includes(slave))
    throw new ApiError(
      400,
      'InvalidParameter.SlaveZoneId',
      `The specified SlaveZoneId "${slave}" is not valid.`,
    );

  let address = p.str('Address');
  if (addressType === 'intranet') {
    if (address) {
      if (vsw && !cidrContains(parseCidr(vsw.CidrBlock), ipToInt(address)))
        throw invalidParameter('Address', 'is not inside the vSwitch CIDR');
      if (Object.values(state.loadBalancers).some((l) => l.Address === address))
        throw new ApiError(400, 'InvalidParam.Address', `The address ${address} is already in use.`);
    } else if (vsw) {
      address = allocatePrivateIp(state, vsw);
    } else {
      address = `10.158.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    }
  } else {
    address = allocatePublicIp(state);
  }

  const tags = [...p.tags(), ...parseJsonTags(p.str('Tags'))];
  const created = new Date();
  const lb: LoadBalancer = {
    LoadBalancerId: newId('lb'),
    LoadBalancerName: p.str('LoadBalancerName') ?? `auto_named_slb`,
    Address: address,
    AddressType: addressType,
    AddressIPVersion: p.str('AddressIPVersion') ?? 'ipv4',
    NetworkType: vsw || vpcId ? 'vpc' : 'classic',
    VpcId: vsw?.VpcId ?? vpcId ?? '',
    VSwitchId: vsw?.VSwitchId ?? '',
    MasterZoneId: master,
    SlaveZoneId: slave,
    LoadBalancerSpec: spec,
    LoadBalancerStatus: 'active',
    Bandwidth: p.int('Bandwidth') ?? 5120,
    InternetChargeType: p.str('InternetChargeType') ?? 'paybytraffic',
    PayType: p.str('PayType') ?? 'PayOnDemand',
    InstanceChargeType: p.str('InstanceChargeType') ?? (spec ? 'PayBySpec' : 'PayByCLCU'),
    DeleteProtection: onOff(ctx, 'DeleteProtection') ?? 'off',
    ModificationProtectionStatus:
      p.str('ModificationProtectionStatus') === 'ConsoleProtection' ? 'ConsoleProtection' : 'NonProtection',
    ModificationProtectionReason: p.str('ModificationProtectionReason') ?? '',
    ResourceGroupId: p.str('ResourceGroupId') ?? 'rg-emu-default',
    CreateTime: nowIso(created).replace(/:\d{2}Z$/, 'Z'),
    CreateTimeStamp: created.getTime(),
    Tags: mergeTags([], tags),
    BackendServers: [],
    Listeners: [],
  };
  state.loadBalancers[lb.LoadBalancerId] = lb;
  remember(ctx, lb.LoadBalancerId);
  return createdBody(lb);
}

function createdBody(lb: LoadBalancer): ResponseBody {
  return {
    LoadBalancerId: lb.LoadBalancerId,
    Address: lb.Address,
    AddressIPVersion: lb.AddressIPVersion,
    NetworkType: lb.NetworkType,
    VpcId: lb.VpcId,
    VSwitchId: lb.VSwitchId,
    LoadBalancerName: lb.LoadBalancerName,
    ResourceGroupId: lb.ResourceGroupId,
    OrderId: 0,
  };
}

function summary(ctx: Ctx, lb: LoadBalancer): ResponseBody {
  return {
    LoadBalancerId: lb.LoadBalancerId,
    LoadBalancerName: lb.LoadBalancerName,
    LoadBalancerStatus: lb.LoadBalancerStatus,
    Address: lb.Address,
    AddressType: lb.AddressType,
    AddressIPVersion: lb.AddressIPVersion,
    NetworkType: lb.NetworkType,
    VpcId: lb.VpcId,
    VSwitchId: lb.VSwitchId,
    RegionId: ctx.state.regionId,
    RegionIdAlias: ctx.state.regionId,
    MasterZoneId: lb.MasterZoneId,
    SlaveZoneId: lb.SlaveZoneId,
    LoadBalancerSpec: lb.LoadBalancerSpec,
    Bandwidth: lb.Bandwidth,
    InternetChargeType: lb.InternetChargeType,
    PayType: lb.PayType,
    InstanceChargeType: lb.InstanceChargeType,
    DeleteProtection: lb.DeleteProtection,
    ModificationProtectionStatus: lb.ModificationProtectionStatus,
    ModificationProtectionReason: lb.ModificationProtectionReason,
    ResourceGroupId: lb.ResourceGroupId,
    CreateTime: lb.CreateTime,
    CreateTimeStamp: lb.CreateTimeStamp,
    BusinessStatus: 'Normal',
    Tags: renderTags(lb.Tags),
  };
}

function describeLoadBalancers(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const ids = p
    .str('LoadBalancerId')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids && ids.length > 10) throw invalidParameter('LoadBalancerId', 'accepts at most 10 ids');
  const tags = [...p.tags(), ...parseJsonTags(p.str('Tags'))];
  const serverId = p.str('ServerId');
  // Every filter read once: the predicate runs over every SLB in the region (5000), per call.
  const idSet = ids && new Set(ids);
  const name = p.str('LoadBalancerName');
  const eq = (field: string) => {
    const want = p.str(field);
    return (have: string) => !want || have === want;
  };
  const byAddressType = eq('AddressType');
  const byAddress = eq('Address');
  const byVpc = eq('VpcId');
  const byVSwitch = eq('VSwitchId');
  const byNetworkType = eq('NetworkType');
  const byStatus = eq('LoadBalancerStatus');
  const byZone = eq('MasterZoneId');
  const byGroup = eq('ResourceGroupId');
  const all = Object.values(ctx.state.loadBalancers).filter(
    (lb) =>
      (!idSet || idSet.has(lb.LoadBalancerId)) &&
      nameMatches(name, lb.LoadBalancerName) &&
      byAddressType(lb.AddressType) &&
      byAddress(lb.Address) &&
      byVpc(lb.VpcId) &&
      byVSwitch(lb.VSwitchId) &&
      byNetworkType(lb.NetworkType) &&
      byStatus(lb.LoadBalancerStatus) &&
      byZone(lb.MasterZoneId) &&
      byGroup(lb.ResourceGroupId) &&
      (!serverId ||
        lb.BackendServers.some((b) => b.ServerId === serverId) ||
        Object.values(ctx.state.vserverGroups).some(
          (g) =>
            g.LoadBalancerId === lb.LoadBalancerId && g.BackendServers.some((b) => b.ServerId === serverId),
        )) &&
      matchesTags(lb.Tags, tags),
  );
  const page = pageOf(all, p, { max: 100, def: 10 });
  return {
    LoadBalancers: { LoadBalancer: page.items.map((lb) => summary(ctx, lb)) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function describeLoadBalancerAttribute(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const listeners = [...lb.Listeners].sort((a, b) => a.ListenerPort - b.ListenerPort);
  return {
    ...summary(ctx, lb),
    ListenerPorts: { ListenerPort: listeners.map((l) => l.ListenerPort) },
    ListenerPortsAndProtocal: {
      ListenerPortAndProtocal: listeners.map((l) => ({
        ListenerPort: l.ListenerPort,
        ListenerProtocal: l.ListenerProtocol,
      })),
    },
    ListenerPortsAndProtocol: {
      ListenerPortAndProtocol: listeners.map((l) => ({
        ListenerPort: l.ListenerPort,
        ListenerProtocol: l.ListenerProtocol,
        Description: l.Attributes.Description ?? '',
        ListenerForward: l.Attributes.ListenerForward ?? 'off',
        ForwardPort: l.Attributes.ForwardPort ?? 0,
      })),
    },
    BackendServers: {
      BackendServer: lb.BackendServers.map((b) => ({
        ServerId: b.ServerId,
        Weight: b.Weight,
        Type: b.Type,
        ServerIp: b.ServerIp,
        Description: b.Description,
      })),
    },
    Labels: { Label: [] },
    HasReservedInfo: 'false',
    SupportPrivateLink: false,
  };
}

function deleteLoadBalancer(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  if (lb.DeleteProtection === 'on') {
    throw new ApiError(
      400,
      'OperationDenied.DeleteProtection',
      `The load balancer ${lb.LoadBalancerId} has deletion protection enabled.`,
    );
  }
  const { state } = ctx;
  delete state.loadBalancers[lb.LoadBalancerId];
  for (const [id, g] of Object.entries(state.vserverGroups))
    if (g.LoadBalancerId === lb.LoadBalancerId) delete state.vserverGroups[id];
  for (const [id, d] of Object.entries(state.domainExtensions))
    if (d.LoadBalancerId === lb.LoadBalancerId) delete state.domainExtensions[id];
  return {};
}

function setDeleteProtection(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const v = onOff(ctx, 'DeleteProtection');
  if (!v)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "DeleteProtection" that is mandatory for processing this request is not supplied.',
    );
  lb.DeleteProtection = v;
  return {};
}

function setModificationProtection(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const status = ctx.p.req('ModificationProtectionStatus');
  if (status !== 'ConsoleProtection' && status !== 'NonProtection')
    throw invalidParameter('ModificationProtectionStatus');
  lb.ModificationProtectionStatus = status;
  lb.ModificationProtectionReason =
    status === 'ConsoleProtection' ? (ctx.p.str('ModificationProtectionReason') ?? '') : '';
  return {};
}

function setName(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  lb.LoadBalancerName = ctx.p.req('LoadBalancerName');
  return {};
}

function setStatus(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const s = ctx.p.req('LoadBalancerStatus');
  if (s !== 'active' && s !== 'inactive')
    throw invalidParameter('LoadBalancerStatus', 'must be active or inactive');
  lb.LoadBalancerStatus = s;
  return {};
}

function modifySpec(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const spec = ctx.p.req('LoadBalancerSpec');
  if (!SPECS.includes(spec))
    throw new ApiError(
      400,
      'InvalidParameter.LoadBalancerSpec',
      `The specified LoadBalancerSpec "${spec}" is not valid.`,
    );
  lb.LoadBalancerSpec = spec;
  lb.InstanceChargeType = 'PayBySpec';
  return { OrderId: 0 };
}

function modifyInternetSpec(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const bw = ctx.p.int('Bandwidth');
  if (bw !== undefined) lb.Bandwidth = bw;
  const ict = ctx.p.str('InternetChargeType');
  if (ict !== undefined) lb.InternetChargeType = ict;
  return { OrderId: 0 };
}

function modifyChargeType(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const ict = ctx.p.req('InstanceChargeType');
  if (ict !== 'PayBySpec' && ict !== 'PayByCLCU') throw invalidParameter('InstanceChargeType');
  lb.InstanceChargeType = ict;
  if (ict === 'PayBySpec') lb.LoadBalancerSpec = ctx.p.req('LoadBalancerSpec');
  else lb.LoadBalancerSpec = '';
  return {};
}

export const loadBalancerHandlers: HandlerTable = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  DescribeLoadBalancerAttribute: describeLoadBalancerAttribute,
  DeleteLoadBalancer: deleteLoadBalancer,
  SetLoadBalancerDeleteProtection: setDeleteProtection,
  SetLoadBalancerModificationProtection: setModificationProtection,
  SetLoadBalancerName: setName,
  SetLoadBalancerStatus: setStatus,
  ModifyLoadBalancerInstanceSpec: modifySpec,
  ModifyLoadBalancerInternetSpec: modifyInternetSpec,
  ModifyLoadBalancerInstanceChargeType: modifyChargeType,
};
