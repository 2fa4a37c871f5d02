// ECS part of POST /_emulator/state: instances and disks.
import { createInstance, diskRecord, type InstanceInput } from '../ecs/factory.js';
import { newId } from '../ids.js';
import type { CloudState, Disk } from '../state.js';
import { bool, defined, ip, num, str, tags, type Obj } from './fields.js';

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

export function mergeInstances(state: CloudState, items: Obj[]): void {
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

export function mergeDisks(state: CloudState, items: Obj[]): void {
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
    state.disks[id] = diskRecord(state, {
      DiskId: id,
      Status: patch.InstanceId ? 'In_use' : 'Available',
      ...patch,
    });
  }
}
