// ECS instance reads and ENI attributes: what the node controller and route controller consume.
import { invalidParameter, notFound } from '../errors.js';
import { pageOf, tokenPageOf, type Params } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { CloudState, Instance, NetworkInterface } from '../state.js';
import { matchesTags, nameMatches, renderTags } from '../tags.js';

type EniIndex = ReadonlyMap<string, NetworkInterface[]>;

/**
 * ENIs by instance, built once per request: looking them up per rendered instance scanned every
 * ENI for every instance, which at 15,000 instances was most of the emulator's CPU in the scale
 * benches (bench/memory.ts, CPU profile).
 */
/**
 * `only`: the instances a response renders. A page lists at most 100 of 15,000 instances; indexing
 * every ENI's owner per request was most of a DescribeInstances call at that size.
 */
function eniIndex(state: CloudState, only?: ReadonlySet<string>): EniIndex {
  const byInstance = new Map<string, NetworkInterface[]>();
  for (const e of Object.values(state.networkInterfaces)) {
    if (!e.InstanceId || (only && !only.has(e.InstanceId))) continue;
    const list = byInstance.get(e.InstanceId);
    if (list) list.push(e);
    else byInstance.set(e.InstanceId, [e]);
  }
  return byInstance;
}

/** Primary first, then the secondary IPs (Terway's pod IPs), as the API lists them. */
function privateIpSets(e: NetworkInterface): ResponseBody {
  return {
    PrivateIpSet: [
      { PrivateIpAddress: e.PrimaryIpAddress, Primary: true },
      ...(e.SecondaryIpAddresses ?? []).map((ip) => ({ PrivateIpAddress: ip, Primary: false })),
    ],
  };
}

function renderInstance(state: CloudState, i: Instance, index: EniIndex = eniIndex(state)): ResponseBody {
  return {
    InstanceId: i.InstanceId,
    InstanceName: i.InstanceName,
    HostName: i.HostName,
    Hostname: i.HostName,
    Description: i.Description,
    RegionId: i.RegionId,
    ZoneId: i.ZoneId,
    InstanceType: i.InstanceType,
    InstanceTypeFamily: i.InstanceType.split('.').slice(0, 2).join('.'),
    Cpu: i.Cpu,
    CPU: i.Cpu,
    Memory: i.Memory,
    ImageId: i.ImageId,
    OSType: i.OSType,
    OsType: i.OSType,
    OSName: 'Ubuntu 22.04 64 bit',
    Status: i.Status,
    InstanceNetworkType: 'vpc',
    NetworkType: 'vpc',
    InstanceChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    IoOptimized: true,
    CreationTime: i.CreationTime,
    StartTime: i.CreationTime,
    ExpiredTime: '2099-12-31T15:59Z',
    SerialNumber: `${i.InstanceId.slice(2)}-serial`,
    DeletionProtection: false,
    VpcAttributes: {
      VpcId: i.VpcId,
      VSwitchId: i.VSwitchId,
      NatIpAddress: '',
      PrivateIpAddress: { IpAddress: [i.PrivateIpAddress] },
    },
    InnerIpAddress: { IpAddress: [] },
    PublicIpAddress: { IpAddress: i.PublicIpAddress ? [i.PublicIpAddress] : [] },
    EipAddress: {
      IpAddress: i.EipAddress,
      AllocationId: i.EipAllocationId,
      InternetChargeType: i.EipAddress ? 'PayByTraffic' : '',
      Bandwidth: i.EipAddress ? 5 : 0,
    },
    SecurityGroupIds: { SecurityGroupId: i.SecurityGroupIds },
    Tags: renderTags(i.Tags),
    OperationLocks: { LockReason: [] },
    NetworkInterfaces: {
      NetworkInterface: (index.get(i.InstanceId) ?? []).map((e) => ({
        NetworkInterfaceId: e.NetworkInterfaceId,
        MacAddress: e.MacAddress,
        PrimaryIpAddress: e.PrimaryIpAddress,
        Type: e.Type,
        VSwitchId: e.VSwitchId,
        SecurityGroupIds: { SecurityGroupId: e.SecurityGroupIds },
        PrivateIpSets: privateIpSets(e),
      })),
    },
  };
}

function jsonList(p: Params, name: string, max = 100): string[] | undefined {
  const v = p.jsonStringArray(name);
  if (v && v.length > max) throw invalidParameter(name, `accepts at most ${max} entries`);
  return v;
}

/** A list filter as a set: the predicate runs once per instance in the region, per request. */
function jsonSet(p: Params, name: string): Set<string> | undefined {
  const v = jsonList(p, name);
  return v && new Set(v);
}

function filterInstances(ctx: Ctx): Instance[] {
  const { p, state } = ctx;
  const ids = jsonSet(p, 'InstanceIds');
  const privateIps = jsonSet(p, 'PrivateIpAddresses');
  const innerIps = jsonSet(p, 'InnerIpAddresses');
  const publicIps = jsonSet(p, 'PublicIpAddresses');
  const eips = jsonSet(p, 'EipAddresses');
  const tags = p.tags();
  const vpcId = p.str('VpcId');
  const vSwitchId = p.str('VSwitchId');
  const zoneId = p.str('ZoneId');
  const status = p.str('Status');
  const instanceType = p.str('InstanceType');
  const name = p.str('InstanceName');
  return Object.values(state.instances).filter(
    (i) =>
      (!ids || ids.has(i.InstanceId)) &&
      (!privateIps || privateIps.has(i.PrivateIpAddress)) &&
      (!innerIps || innerIps.has(i.PrivateIpAddress)) &&
      (!publicIps || publicIps.has(i.PublicIpAddress)) &&
      (!eips || eips.has(i.EipAddress)) &&
      (!vpcId || i.VpcId === vpcId) &&
      (!vSwitchId || i.VSwitchId === vSwitchId) &&
      (!zoneId || i.ZoneId === zoneId) &&
      (!status || i.Status === status) &&
      (!instanceType || i.InstanceType === instanceType) &&
      nameMatches(name, i.InstanceName) &&
      matchesTags(i.Tags, tags),
  );
}

function describeInstances(ctx: Ctx): ResponseBody {
  const all = filterInstances(ctx);
  const renderAll = (items: Instance[]) => {
    const index = eniIndex(ctx.state, new Set(items.map((i) => i.InstanceId)));
    return items.map((i) => renderInstance(ctx.state, i, index));
  };
  // Newer clients page with NextToken/MaxResults; older ones with PageNumber/PageSize.
  if (ctx.p.str('NextToken') !== undefined || ctx.p.str('MaxResults') !== undefined) {
    const page = tokenPageOf(all, ctx.p, { max: 100, def: 10 });
    return {
      Instances: { Instance: renderAll(page.items) },
      NextToken: page.nextToken,
      TotalCount: all.length,
      PageSize: page.maxResults,
      PageNumber: 1,
    };
  }
  const page = pageOf(all, ctx.p, { max: 100, def: 10 });
  return {
    Instances: { Instance: renderAll(page.items) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

export function getInstance(state: CloudState, id: string): Instance {
  const inst = state.instances[id];
  if (!inst) throw notFound('InvalidInstanceId.NotFound', 'InstanceId', id);
  return inst;
}

function describeInstanceAttribute(ctx: Ctx): ResponseBody {
  const i = getInstance(ctx.state, ctx.p.req('InstanceId'));
  return renderInstance(ctx.state, i);
}

function describeInstanceStatus(ctx: Ctx): ResponseBody {
  const ids = ctx.p.list('InstanceId');
  const all = Object.values(ctx.state.instances).filter(
    (i) =>
      (ids.length === 0 || ids.includes(i.InstanceId)) &&
      (!ctx.p.str('ZoneId') || i.ZoneId === ctx.p.str('ZoneId')),
  );
  const page = pageOf(all, ctx.p, { max: 50, def: 10 });
  return {
    InstanceStatuses: {
      InstanceStatus: page.items.map((i) => ({ InstanceId: i.InstanceId, Status: i.Status })),
    },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function renderEni(e: NetworkInterface): ResponseBody {
  return {
    NetworkInterfaceId: e.NetworkInterfaceId,
    NetworkInterfaceName: e.NetworkInterfaceName,
    InstanceId: e.InstanceId,
    Type: e.Type,
    Status: e.Status,
    MacAddress: e.MacAddress,
    PrivateIpAddress: e.PrimaryIpAddress,
    VpcId: e.VpcId,
    VSwitchId: e.VSwitchId,
    ZoneId: e.ZoneId,
    SourceDestCheck: e.SourceDestCheck,
    Description: e.Description,
    CreationTime: e.CreationTime,
    SecurityGroupIds: { SecurityGroupId: e.SecurityGroupIds },
    PrivateIpSets: privateIpSets(e),
    Attachment: e.InstanceId
      ? { InstanceId: e.InstanceId, DeviceIndex: e.Type === 'Primary' ? 0 : 1 }
      : undefined,
    Tags: { Tag: [] },
  };
}

const MAX_LISTED = 100;

function describeNetworkInterfaces(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const ids = p.list('NetworkInterfaceId');
  const ips = p.list('PrivateIpAddress');
  // The API numbers PrivateIpAddress.1 … PrivateIpAddress.100 (as NetworkInterfaceId.N).
  if (ips.length > MAX_LISTED)
    throw invalidParameter('PrivateIpAddress', `accepts at most ${MAX_LISTED} entries`);
  if (ids.length > MAX_LISTED)
    throw invalidParameter('NetworkInterfaceId', `accepts at most ${MAX_LISTED} entries`);
  // An ENI matches when any of its private IPs, primary or secondary, is asked for.
  const held = (e: NetworkInterface) => [e.PrimaryIpAddress, ...(e.SecondaryIpAddresses ?? [])];
  const all = Object.values(ctx.state.networkInterfaces).filter(
    (e) =>
      (ids.length === 0 || ids.includes(e.NetworkInterfaceId)) &&
      (ips.length === 0 || held(e).some((ip) => ips.includes(ip))) &&
      (!p.str('InstanceId') || e.InstanceId === p.str('InstanceId')) &&
      (!p.str('VpcId') || e.VpcId === p.str('VpcId')) &&
      (!p.str('VSwitchId') || e.VSwitchId === p.str('VSwitchId')) &&
      (!p.str('Type') || e.Type === p.str('Type')) &&
      (!p.str('Status') || e.Status === p.str('Status')) &&
      (!p.str('PrimaryIpAddress') || e.PrimaryIpAddress === p.str('PrimaryIpAddress')),
  );
  if (p.str('NextToken') !== undefined || p.str('MaxResults') !== undefined) {
    const page = tokenPageOf(all, p, { max: 500, def: 10 });
    return {
      NetworkInterfaceSets: { NetworkInterfaceSet: page.items.map(renderEni) },
      NextToken: page.nextToken,
      TotalCount: all.length,
    };
  }
  const page = pageOf(all, p, { max: 100, def: 10 });
  return {
    NetworkInterfaceSets: { NetworkInterfaceSet: page.items.map(renderEni) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function modifyNetworkInterfaceAttribute(ctx: Ctx): ResponseBody {
  const id = ctx.p.req('NetworkInterfaceId');
  const eni = ctx.state.networkInterfaces[id];
  if (!eni) throw notFound('InvalidEniId.NotFound', 'NetworkInterfaceId', id);
  const sdc = ctx.p.bool('SourceDestCheck');
  if (sdc !== undefined) eni.SourceDestCheck = sdc;
  const name = ctx.p.str('NetworkInterfaceName');
  if (name !== undefined) eni.NetworkInterfaceName = name;
  const desc = ctx.p.str('Description');
  if (desc !== undefined) eni.Description = desc;
  const sgs = ctx.p.list('SecurityGroupId');
  if (sgs.length > 0) eni.SecurityGroupIds = sgs;
  return {};
}

export const instanceHandlers: HandlerTable = {
  DescribeInstances: describeInstances,
  DescribeInstanceAttribute: describeInstanceAttribute,
  DescribeInstanceStatus: describeInstanceStatus,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
};
