// POST /_emulator/state: tests seed or alter the cloud with objects in the same shapes the
// Describe* actions return (keys Instances, Disks, LoadBalancers, VSwitches, RouteEntries,
// RouteTables, Vpcs, EipAddresses, config). A list may be bare or wrapped ({Instance:[…]}).
// Objects whose id exists are updated field by field; others are created.
import { createInstance, type InstanceInput } from './ecs/factory.js';
import { ApiError } from './errors.js';
import { allocatePrivateIp, allocatePublicIp, newId, nowIso } from './ids.js';
import type { CloudState, Disk, LoadBalancer, RouteEntry, Tag } from './state.js';

type Obj = Record<string, unknown>;

function list(v: unknown): Obj[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v as Obj[];
  if (typeof v === 'object') {
    const inner = Object.values(v as Obj);
    if (inner.length === 1 && Array.isArray(inner[0])) return inner[0] as Obj[];
    return [v as Obj];
  }
  throw new ApiError(400, 'InvalidParameter', 'state lists must be arrays or {Name:[…]} objects');
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'object' ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === 'true');

/** First address of `{IpAddress:[…]}`, a bare array, or a string. */
function ip(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return str(v[0]);
  if (v && typeof v === 'object') {
    const o = v as Obj;
    if ('IpAddress' in o) return ip(o.IpAddress);
  }
  return undefined;
}

function tags(v: unknown): Tag[] | undefined {
  if (v === undefined) return undefined;
  return list(v).map((t) => ({ Key: String(t.TagKey ?? t.Key ?? ''), Value: String(t.TagValue ?? t.Value ?? '') }));
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function instanceInput(o: Obj): InstanceInput {
  const vpc = (o.VpcAttributes ?? {}) as Obj;
  return defined({
    InstanceId: str(o.InstanceId),
    InstanceName: str(o.InstanceName),
    HostName: str(o.HostName ?? o.Hostname),
    Description: str(o.Description),
    ZoneId: str(o.ZoneId),
    InstanceType: str(o.InstanceType),
    Cpu: num(o.Cpu ?? o.CPU),
    Memory: num(o.Memory),
    ImageId: str(o.ImageId),
    OSType: str(o.OSType ?? o.OsType),
    Status: str(o.Status) as InstanceInput['Status'],
    VpcId: str(vpc.VpcId ?? o.VpcId),
    VSwitchId: str(vpc.VSwitchId ?? o.VSwitchId),
    PrivateIpAddress: ip(vpc.PrivateIpAddress) ?? ip(o.PrivateIpAddress),
    PublicIpAddress: ip(o.PublicIpAddress),
    EipAddress: ip(o.EipAddress),
    Tags: tags(o.Tags),
  });
}

function mergeInstances(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const input = instanceInput(o);
    const existing = input.InstanceId ? state.instances[input.InstanceId] : undefined;
    if (!existing) {
      createInstance(state, input);
      continue;
    }
    const { VSwitchId: _v, VpcId: _p, PrivateIpAddress: _i, ...rest } = input;
    Object.assign(existing, rest);
  }
}

function mergeDisks(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.DiskId) ?? newId('d');
    const existing = state.disks[id];
    const patch: Partial<Disk> = defined({
      DiskName: str(o.DiskName),
      Description: str(o.Description),
      ZoneId: str(o.ZoneId),
      Category: str(o.Category),
      PerformanceLevel: str(o.PerformanceLevel),
      Size: num(o.Size),
      Status: str(o.Status) as Disk['Status'] | undefined,
      Type: str(o.Type) as Disk['Type'] | undefined,
      InstanceId: str(o.InstanceId),
      Device: str(o.Device),
      Portable: bool(o.Portable),
      DeleteWithInstance: bool(o.DeleteWithInstance),
      Encrypted: bool(o.Encrypted),
      Tags: tags(o.Tags),
    });
    if (existing) {
      Object.assign(existing, patch);
      continue;
    }
    state.disks[id] = {
      DiskId: id,
      DiskName: '',
      Description: '',
      RegionId: state.regionId,
      ZoneId: state.zones[0]?.ZoneId ?? '',
      Category: 'cloud_efficiency',
      PerformanceLevel: '',
      Size: 20,
      Status: patch.InstanceId ? 'In_use' : 'Available',
      Type: 'data',
      InstanceId: '',
      Device: '',
      Portable: true,
      DeleteWithInstance: false,
      Encrypted: false,
      SnapshotId: '',
      CreationTime: nowIso(),
      AttachedTime: '',
      DetachedTime: '',
      Tags: [],
      ...patch,
    };
  }
}

function mergeLoadBalancers(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.LoadBalancerId) ?? newId('lb');
    const patch: Partial<LoadBalancer> = defined({
      LoadBalancerName: str(o.LoadBalancerName),
      Address: str(o.Address),
      AddressType: str(o.AddressType) as LoadBalancer['AddressType'] | undefined,
      VpcId: str(o.VpcId),
      VSwitchId: str(o.VSwitchId),
      MasterZoneId: str(o.MasterZoneId),
      SlaveZoneId: str(o.SlaveZoneId),
      LoadBalancerSpec: str(o.LoadBalancerSpec),
      LoadBalancerStatus: str(o.LoadBalancerStatus) as LoadBalancer['LoadBalancerStatus'] | undefined,
      DeleteProtection: str(o.DeleteProtection) as LoadBalancer['DeleteProtection'] | undefined,
      ModificationProtectionStatus: str(o.ModificationProtectionStatus) as LoadBalancer['ModificationProtectionStatus'] | undefined,
      Tags: tags(o.Tags),
    });
    const existing = state.loadBalancers[id];
    if (existing) {
      Object.assign(existing, patch);
      continue;
    }
    const addressType = patch.AddressType ?? 'internet';
    const vsw = patch.VSwitchId ? state.vswitches[patch.VSwitchId] : undefined;
    const created = new Date();
    state.loadBalancers[id] = {
      LoadBalancerId: id,
      LoadBalancerName: id,
      Address: patch.Address ?? (addressType === 'internet' || !vsw ? allocatePublicIp(state) : allocatePrivateIp(state, vsw)),
      AddressType: addressType,
      AddressIPVersion: 'ipv4',
      NetworkType: patch.VpcId || vsw ? 'vpc' : 'classic',
      VpcId: vsw?.VpcId ?? '',
      VSwitchId: '',
      MasterZoneId: vsw?.ZoneId ?? state.zones[0]?.ZoneId ?? '',
      SlaveZoneId: state.zones[1]?.ZoneId ?? '',
      LoadBalancerSpec: '',
      LoadBalancerStatus: 'active',
      Bandwidth: 5120,
      InternetChargeType: 'paybytraffic',
      PayType: 'PayOnDemand',
      InstanceChargeType: 'PayByCLCU',
      DeleteProtection: 'off',
      ModificationProtectionStatus: 'NonProtection',
      ModificationProtectionReason: '',
      ResourceGroupId: 'rg-emu-default',
      CreateTime: nowIso(created),
      CreateTimeStamp: created.getTime(),
      Tags: [],
      BackendServers: [],
      Listeners: [],
      ...patch,
    };
  }
}

function mergeVpcs(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.VpcId) ?? newId('vpc');
    if (state.vpcs[id]) {
      Object.assign(state.vpcs[id], defined({ VpcName: str(o.VpcName), Description: str(o.Description), CidrBlock: str(o.CidrBlock) }));
      continue;
    }
    const vrouterId = str(o.VRouterId) ?? newId('vrt');
    const tableId = newId('vtb');
    const when = nowIso();
    state.vpcs[id] = { VpcId: id, VpcName: str(o.VpcName) ?? '', CidrBlock: str(o.CidrBlock) ?? '172.16.0.0/12', VRouterId: vrouterId, Description: str(o.Description) ?? '', IsDefault: false, CreationTime: when, Tags: tags(o.Tags) ?? [] };
    state.vrouters[vrouterId] = { VRouterId: vrouterId, VpcId: id, VRouterName: '', Description: '', CreationTime: when };
    state.routeTables[tableId] = { RouteTableId: tableId, VRouterId: vrouterId, VpcId: id, RouteTableType: 'System', RouteTableName: '', Description: '', CreationTime: when };
  }
}

function systemTable(state: CloudState, vpcId: string): string {
  const t = Object.values(state.routeTables).find((r) => r.VpcId === vpcId && r.RouteTableType === 'System');
  if (!t) throw new ApiError(400, 'InvalidVpcId.NotFound', `no VPC ${vpcId}`);
  return t.RouteTableId;
}

function mergeVSwitches(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.VSwitchId) ?? newId('vsw');
    const existing = state.vswitches[id];
    if (existing) {
      Object.assign(existing, defined({ VSwitchName: str(o.VSwitchName), Description: str(o.Description) }));
      continue;
    }
    const vpcId = str(o.VpcId) ?? Object.keys(state.vpcs)[0] ?? '';
    const cidr = str(o.CidrBlock);
    if (!cidr) throw new ApiError(400, 'MissingParameter', 'a new VSwitch needs CidrBlock');
    state.vswitches[id] = {
      VSwitchId: id,
      VpcId: vpcId,
      ZoneId: str(o.ZoneId) ?? state.zones[0]?.ZoneId ?? '',
      CidrBlock: cidr,
      VSwitchName: str(o.VSwitchName) ?? '',
      Description: str(o.Description) ?? '',
      RouteTableId: str((o.RouteTable as Obj | undefined)?.RouteTableId) ?? systemTable(state, vpcId),
      CreationTime: nowIso(),
      NextHost: 1,
    };
  }
}

function mergeRouteTables(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.RouteTableId) ?? newId('vtb');
    const existing = state.routeTables[id];
    if (existing) {
      Object.assign(existing, defined({ RouteTableName: str(o.RouteTableName), Description: str(o.Description) }));
      continue;
    }
    const vpcId = str(o.VpcId) ?? Object.keys(state.vpcs)[0] ?? '';
    const vpc = state.vpcs[vpcId];
    if (!vpc) throw new ApiError(400, 'InvalidVpcId.NotFound', `no VPC ${vpcId}`);
    state.routeTables[id] = {
      RouteTableId: id,
      VRouterId: vpc.VRouterId,
      VpcId: vpcId,
      RouteTableType: str(o.RouteTableType) === 'System' ? 'System' : 'Custom',
      RouteTableName: str(o.RouteTableName) ?? '',
      Description: str(o.Description) ?? '',
      CreationTime: nowIso(),
    };
  }
}

function mergeRouteEntries(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.RouteEntryId) ?? newId('rte');
    const hop = (((o.NextHops as Obj | undefined)?.NextHop as Obj[] | undefined) ?? [])[0];
    const patch: Partial<RouteEntry> = defined({
      RouteTableId: str(o.RouteTableId),
      DestinationCidrBlock: str(o.DestinationCidrBlock),
      NextHopType: str(o.NextHopType ?? hop?.NextHopType),
      NextHopId: str(o.NextHopId ?? o.InstanceId ?? hop?.NextHopId),
      Status: str(o.Status) as RouteEntry['Status'] | undefined,
      Type: str(o.Type) as RouteEntry['Type'] | undefined,
      RouteEntryName: str(o.RouteEntryName),
      Description: str(o.Description),
    });
    const existing = state.routeEntries[id];
    if (existing) {
      Object.assign(existing, patch);
      continue;
    }
    const tableId = patch.RouteTableId ?? Object.keys(state.routeTables)[0] ?? '';
    if (!state.routeTables[tableId]) throw new ApiError(400, 'InvalidRouteTableId.NotFound', `no route table ${tableId}`);
    if (!patch.DestinationCidrBlock) throw new ApiError(400, 'MissingParameter', 'a new RouteEntry needs DestinationCidrBlock');
    state.routeEntries[id] = {
      RouteEntryId: id,
      RouteTableId: tableId,
      DestinationCidrBlock: patch.DestinationCidrBlock,
      NextHopType: 'Instance',
      NextHopId: '',
      Status: 'Available',
      Type: 'Custom',
      RouteEntryName: '',
      Description: '',
      GmtModified: nowIso(),
      ...patch,
    };
  }
}

function mergeEips(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.AllocationId) ?? newId('eip');
    const patch = defined({
      IpAddress: str(o.IpAddress),
      InstanceId: str(o.InstanceId),
      InstanceType: str(o.InstanceType),
      Status: str(o.Status) as 'Available' | 'InUse' | undefined,
      Bandwidth: str(o.Bandwidth),
      Name: str(o.Name),
    });
    const existing = state.eips[id];
    if (existing) Object.assign(existing, patch);
    else
      state.eips[id] = {
        AllocationId: id,
        IpAddress: patch.IpAddress ?? allocatePublicIp(state),
        InstanceId: '',
        InstanceType: '',
        Status: patch.InstanceId ? 'InUse' : 'Available',
        Bandwidth: '5',
        InternetChargeType: 'PayByTraffic',
        Name: '',
        AllocationTime: nowIso(),
        ...patch,
      };
  }
}

function mergeCertificates(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.ServerCertificateId) ?? newId('cert');
    const expire = num(o.ExpireTimeStamp) ?? Date.now() + 365 * 24 * 3600 * 1000;
    const now = Date.now();
    state.serverCertificates[id] = {
      ServerCertificateId: id,
      ServerCertificateName: str(o.ServerCertificateName) ?? id,
      Fingerprint: str(o.Fingerprint) ?? '',
      CommonName: str(o.CommonName) ?? 'example.com',
      ExpireTime: nowIso(new Date(expire)),
      ExpireTimeStamp: expire,
      CreateTime: nowIso(new Date(now)),
      CreateTimeStamp: now,
      Tags: tags(o.Tags) ?? [],
    };
  }
}

function mergeAcls(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.AclId) ?? newId('acl');
    const entries = list((o.AclEntrys ?? o.Entries) as unknown).map((e) => ({ AclEntryIP: String(e.AclEntryIP ?? ''), AclEntryComment: String(e.AclEntryComment ?? '') }));
    state.acls[id] = { AclId: id, AclName: str(o.AclName) ?? id, AddressIPVersion: str(o.AddressIPVersion) ?? 'ipv4', CreateTime: nowIso(), Entries: entries, Tags: tags(o.Tags) ?? [] };
  }
}

const STATE_KEYS = new Set(['config', 'Vpcs', 'RouteTables', 'VSwitches', 'Instances', 'Disks', 'LoadBalancers', 'RouteEntries', 'EipAddresses', 'Eips', 'ServerCertificates', 'Acls']);

export function mergeState(state: CloudState, body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'InvalidParameter', 'state body must be a JSON object');
  const b = body as Obj;
  // A misspelt key ("Instance", "LoadBalancer") would otherwise be a silent no-op and the
  // test that sent it would go on to assert against a cloud it never seeded.
  const unknown = Object.keys(b).filter((k) => !STATE_KEYS.has(k));
  if (unknown.length > 0) throw new ApiError(400, 'InvalidParameter', `unknown state key ${JSON.stringify(unknown[0])} (known: ${[...STATE_KEYS].join(', ')})`);
  if (b.config && typeof b.config === 'object') Object.assign(state.config, b.config);
  // Order matters: networks before the things placed in them.
  mergeVpcs(state, list(b.Vpcs));
  mergeRouteTables(state, list(b.RouteTables));
  mergeVSwitches(state, list(b.VSwitches));
  mergeInstances(state, list(b.Instances));
  mergeDisks(state, list(b.Disks));
  mergeLoadBalancers(state, list(b.LoadBalancers));
  mergeRouteEntries(state, list(b.RouteEntries));
  mergeEips(state, list(b.EipAddresses ?? b.Eips));
  mergeCertificates(state, list(b.ServerCertificates));
  mergeAcls(state, list(b.Acls));
}
