// VPC part of POST /_emulator/state: VPCs (with their vRouter and system table), route tables,
// vSwitches, route entries and EIPs.
import { ApiError } from '../errors.js';
import { allocatePublicIp, newId, nowIso } from '../ids.js';
import type { CloudState, RouteEntry } from '../state.js';
import { defined, str, tags, type Obj } from './fields.js';

export function mergeVpcs(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.VpcId) ?? newId('vpc');
    if (state.vpcs[id]) {
      Object.assign(
        state.vpcs[id],
        defined({ VpcName: str(o.VpcName), Description: str(o.Description), CidrBlock: str(o.CidrBlock) }),
      );
      continue;
    }
    const vrouterId = str(o.VRouterId) ?? newId('vrt');
    const tableId = newId('vtb');
    const when = nowIso();
    state.vpcs[id] = {
      VpcId: id,
      VpcName: str(o.VpcName) ?? '',
      CidrBlock: str(o.CidrBlock) ?? '172.16.0.0/12',
      VRouterId: vrouterId,
      Description: str(o.Description) ?? '',
      IsDefault: false,
      CreationTime: when,
      Tags: tags(o.Tags) ?? [],
    };
    state.vrouters[vrouterId] = {
      VRouterId: vrouterId,
      VpcId: id,
      VRouterName: '',
      Description: '',
      CreationTime: when,
    };
    state.routeTables[tableId] = {
      RouteTableId: tableId,
      VRouterId: vrouterId,
      VpcId: id,
      RouteTableType: 'System',
      RouteTableName: '',
      Description: '',
      CreationTime: when,
    };
  }
}

function systemTable(state: CloudState, vpcId: string): string {
  const t = Object.values(state.routeTables).find((r) => r.VpcId === vpcId && r.RouteTableType === 'System');
  if (!t) throw new ApiError(400, 'InvalidVpcId.NotFound', `no VPC ${vpcId}`);
  return t.RouteTableId;
}

export function mergeVSwitches(state: CloudState, items: Obj[]): void {
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

export function mergeRouteTables(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.RouteTableId) ?? newId('vtb');
    const existing = state.routeTables[id];
    if (existing) {
      Object.assign(
        existing,
        defined({ RouteTableName: str(o.RouteTableName), Description: str(o.Description) }),
      );
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

export function mergeRouteEntries(state: CloudState, items: Obj[]): void {
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
    if (!state.routeTables[tableId])
      throw new ApiError(400, 'InvalidRouteTableId.NotFound', `no route table ${tableId}`);
    if (!patch.DestinationCidrBlock)
      throw new ApiError(400, 'MissingParameter', 'a new RouteEntry needs DestinationCidrBlock');
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

export function mergeEips(state: CloudState, items: Obj[]): void {
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
