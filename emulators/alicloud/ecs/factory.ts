// Creating and releasing instances is not an RPC action the product calls (instances come from
// elsewhere), but tests and the admin API need it, with the side effects the real cloud has.
import { ApiError } from '../errors.js';
import { allocatePrivateIp, macAddress, newId, nowIso } from '../ids.js';
import type { CloudState, Disk, Instance, Tag } from '../state.js';

export interface InstanceInput {
  InstanceId?: string;
  InstanceName?: string;
  HostName?: string;
  Description?: string;
  ZoneId?: string;
  InstanceType?: string;
  Cpu?: number;
  Memory?: number;
  ImageId?: string;
  OSType?: string;
  Status?: Instance['Status'];
  VpcId?: string;
  VSwitchId?: string;
  PrivateIpAddress?: string;
  PublicIpAddress?: string;
  EipAddress?: string;
  Tags?: Tag[];
}

export function createInstance(state: CloudState, input: InstanceInput): Instance {
  const vswitches = Object.values(state.vswitches);
  const vsw =
    (input.VSwitchId ? state.vswitches[input.VSwitchId] : undefined) ??
    vswitches.find(
      (v) => (!input.ZoneId || v.ZoneId === input.ZoneId) && (!input.VpcId || v.VpcId === input.VpcId),
    );
  if (!vsw)
    throw new ApiError(400, 'InvalidVSwitchId.NotFound', 'No vSwitch matches the instance placement.');
  const id = input.InstanceId ?? newId('i');
  const ip = input.PrivateIpAddress ?? allocatePrivateIp(state, vsw);
  const inst: Instance = {
    InstanceId: id,
    InstanceName: input.InstanceName ?? id,
    HostName: input.HostName ?? `iZ${id.slice(2)}Z`,
    Description: input.Description ?? '',
    RegionId: state.regionId,
    ZoneId: vsw.ZoneId,
    InstanceType: input.InstanceType ?? 'ecs.g6.large',
    Cpu: input.Cpu ?? 2,
    Memory: input.Memory ?? 8192,
    ImageId: input.ImageId ?? 'ubuntu_22_04_x64_20G_alibase_20240101.vhd',
    OSType: input.OSType ?? 'linux',
    Status: input.Status ?? 'Running',
    VpcId: vsw.VpcId,
    VSwitchId: vsw.VSwitchId,
    PrivateIpAddress: ip,
    PublicIpAddress: input.PublicIpAddress ?? '',
    EipAddress: input.EipAddress ?? '',
    EipAllocationId: '',
    SecurityGroupIds: ['sg-emu00000000000000001'],
    Tags: input.Tags ?? [],
    CreationTime: nowIso(),
  };
  state.instances[id] = inst;
  const eniId = newId('eni');
  state.networkInterfaces[eniId] = {
    NetworkInterfaceId: eniId,
    NetworkInterfaceName: '',
    InstanceId: id,
    Type: 'Primary',
    PrimaryIpAddress: ip,
    MacAddress: macAddress(),
    VSwitchId: vsw.VSwitchId,
    VpcId: vsw.VpcId,
    ZoneId: vsw.ZoneId,
    SourceDestCheck: true,
    Status: 'InUse',
    Description: '',
    SecurityGroupIds: inst.SecurityGroupIds,
    CreationTime: inst.CreationTime,
  };
  if (inst.EipAddress) {
    const allocationId = newId('eip');
    inst.EipAllocationId = allocationId;
    state.eips[allocationId] = {
      AllocationId: allocationId,
      IpAddress: inst.EipAddress,
      InstanceId: id,
      InstanceType: 'EcsInstance',
      Status: 'InUse',
      Bandwidth: '5',
      InternetChargeType: 'PayByTraffic',
      Name: '',
      AllocationTime: inst.CreationTime,
    };
  }
  return inst;
}

/** Release an instance the way ECS does: its disks detach (or go with it), its ENIs and backends vanish. */
export function releaseInstance(state: CloudState, instanceId: string): boolean {
  if (!state.instances[instanceId]) return false;
  delete state.instances[instanceId];
  for (const [id, d] of Object.entries(state.disks)) {
    if (d.InstanceId !== instanceId) continue;
    if (d.DeleteWithInstance || d.Type === 'system') delete state.disks[id];
    else Object.assign(d, { InstanceId: '', Device: '', Status: 'Available', DetachedTime: nowIso() });
  }
  for (const [id, e] of Object.entries(state.networkInterfaces))
    if (e.InstanceId === instanceId) delete state.networkInterfaces[id];
  for (const e of Object.values(state.eips))
    if (e.InstanceId === instanceId)
      Object.assign(e, { InstanceId: '', InstanceType: '', Status: 'Available' });
  for (const lb of Object.values(state.loadBalancers))
    lb.BackendServers = lb.BackendServers.filter((b) => b.ServerId !== instanceId);
  for (const g of Object.values(state.vserverGroups))
    g.BackendServers = g.BackendServers.filter((b) => b.ServerId !== instanceId);
  return true;
}

/**
 * A detached data disk record with every field the API reports, for seeding state directly (the
 * admin merge, tests, chaos): `fields` override the defaults, and DiskId is required.
 */
export function diskRecord(state: CloudState, fields: Partial<Disk> & Pick<Disk, 'DiskId'>): Disk {
  return {
    DiskName: '',
    Description: '',
    RegionId: state.regionId,
    ZoneId: state.zones[0]?.ZoneId ?? '',
    Category: 'cloud_efficiency',
    PerformanceLevel: '',
    Size: 20,
    Status: 'Available',
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
    ...fields,
  };
}
