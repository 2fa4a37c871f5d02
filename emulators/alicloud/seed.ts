// The cloud a fresh emulator starts with: one region, three zones, one VPC with its vRouter,
// system route table and one vSwitch per zone — the minimum a cluster needs to exist in.
import { emptyNlbState } from './nlb/types.js';
import { DEFAULT_CONFIG, type CloudState, type RouteEntry } from './state.js';
import { nowIso } from './ids.js';

const ZONE_SUFFIXES = ['h', 'i', 'j'];

export function initialState(regionId: string): CloudState {
  const created = nowIso();
  const vpcId = 'vpc-emu00000000000000001';
  const vrouterId = 'vrt-emu00000000000000001';
  const tableId = 'vtb-emu00000000000000001';
  const zones = ZONE_SUFFIXES.map((s) => ({
    ZoneId: `${regionId}-${s}`,
    LocalName: `${regionId} zone ${s.toUpperCase()}`,
  }));
  const state: CloudState = {
    config: { ...DEFAULT_CONFIG },
    regionId,
    regions: [
      { RegionId: regionId, LocalName: regionId },
      ...(regionId === 'cn-beijing' ? [] : [{ RegionId: 'cn-beijing', LocalName: 'cn-beijing' }]),
    ],
    zones,
    vpcs: {
      [vpcId]: {
        VpcId: vpcId,
        VpcName: 'emulated-vpc',
        CidrBlock: '192.168.0.0/16',
        VRouterId: vrouterId,
        Description: '',
        IsDefault: false,
        CreationTime: created,
        Tags: [],
      },
    },
    vrouters: {
      [vrouterId]: {
        VRouterId: vrouterId,
        VpcId: vpcId,
        VRouterName: '',
        Description: '',
        CreationTime: created,
      },
    },
    routeTables: {
      [tableId]: {
        RouteTableId: tableId,
        VRouterId: vrouterId,
        VpcId: vpcId,
        RouteTableType: 'System',
        RouteTableName: '',
        Description: '',
        CreationTime: created,
      },
    },
    routeEntries: {},
    vswitches: {},
    instances: {},
    networkInterfaces: {},
    disks: {},
    eips: {},
    loadBalancers: {},
    vserverGroups: {},
    serverCertificates: {},
    domainExtensions: {},
    acls: {},
    clientTokens: {},
    nlb: emptyNlbState(),
    nextPublicHost: 0,
  };
  zones.forEach((z, i) => {
    const id = `vsw-emu0000000000000000${i + 1}`;
    state.vswitches[id] = {
      VSwitchId: id,
      VpcId: vpcId,
      ZoneId: z.ZoneId,
      CidrBlock: `192.168.${i * 16}.0/20`,
      VSwitchName: `emulated-${z.ZoneId}`,
      Description: '',
      RouteTableId: tableId,
      CreationTime: created,
      NextHost: 1,
    };
    addSystemRoute(state, tableId, `192.168.${i * 16}.0/20`, created);
  });
  addSystemRoute(state, tableId, '100.64.0.0/10', created);
  return state;
}

function addSystemRoute(state: CloudState, tableId: string, cidr: string, when: string): void {
  const id = `rte-sys${Object.keys(state.routeEntries).length + 1}`;
  const e: RouteEntry = {
    RouteEntryId: id,
    RouteTableId: tableId,
    DestinationCidrBlock: cidr,
    NextHopType: 'local',
    NextHopId: '',
    Status: 'Available',
    Type: 'System',
    RouteEntryName: '',
    Description: '',
    GmtModified: when,
  };
  state.routeEntries[id] = e;
}

/**
 * A state loaded from disk may hold transitions that were in flight when the previous process
 * died. There is no timer left to finish them, so they complete now, as they would have.
 */
export function settleTransitions(state: CloudState): void {
  for (const d of Object.values(state.disks)) {
    if (d.Status === 'Attaching') d.Status = 'In_use';
    if (d.Status === 'Detaching' || d.Status === 'Creating') {
      d.Status = 'Available';
      if (d.Status === 'Available') {
        d.InstanceId = '';
        d.Device = '';
      }
    }
  }
  for (const [id, e] of Object.entries(state.routeEntries)) {
    if (e.Status === 'Pending' || e.Status === 'Modifying') e.Status = 'Available';
    if (e.Status === 'Deleting') delete state.routeEntries[id];
  }
}
