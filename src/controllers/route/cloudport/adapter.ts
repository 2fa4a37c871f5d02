// The route controller's cloud seam (port.ts) over src/cloud's VPC facade.
import type { RemoteRoute } from '../diff.js';
import type {
  EntryFailure,
  ListResult,
  RouteCloudPort,
  RouteEntryCreate,
  RouteEntryDelete,
  RouteTableInfo,
} from './port.js';
import { ROUTE_ENTRY_PAGE_SIZE, type VpcApi } from '../../../cloud/vpc.js';

/** The VpcApi methods the port uses (a structural subset, so tests may wrap it to count calls). */
export type VpcRouteApi = Pick<
  VpcApi,
  | 'describeRouteEntryList'
  | 'createRouteEntries'
  | 'deleteRouteEntries'
  | 'describeRouteTableList'
  | 'describeVRouters'
>;

interface WireRouteEntry {
  RouteEntryId?: string;
  DestinationCidrBlock?: string;
  Type?: string;
  Status?: string;
  NextHopType?: string;
  InstanceId?: string;
  Description?: string;
  NextHops?: { NextHop?: Array<{ NextHopId?: string; NextHopType?: string }> };
}

interface WireFailed {
  DstCidrBlock?: string;
  NextHop?: string;
  FailedCode?: string;
  FailedMessage?: string;
}

/** The API's limits: 50 entries per batch call; the facade pages listings by 100. */
export const VPC_ROUTE_LIMITS = { maxBatch: 50, pageSize: ROUTE_ENTRY_PAGE_SIZE, maxCidrFilter: 50 } as const;

export function toRemoteRoute(e: WireRouteEntry): RemoteRoute | undefined {
  const hops = e.NextHops?.NextHop ?? [];
  // ECMP entries (several next hops) are never ours; report the first hop for conflict messages.
  const hop = hops.length > 0 ? hops[0] : { NextHopId: e.InstanceId, NextHopType: e.NextHopType };
  if (!e.RouteEntryId || !e.DestinationCidrBlock) return undefined;
  return {
    routeEntryId: e.RouteEntryId,
    cidr: e.DestinationCidrBlock,
    type: hops.length > 1 ? 'ECMP' : (e.Type ?? ''),
    status: e.Status ?? '',
    nextHopType: hop?.NextHopType ?? e.NextHopType ?? '',
    nextHopId: hop?.NextHopId ?? e.InstanceId ?? '',
    ...(e.Description ? { description: e.Description } : {}),
  };
}

const failures = (list: WireFailed[] | undefined): EntryFailure[] =>
  (list ?? []).map((f) => ({
    cidr: f.DstCidrBlock ?? '',
    nextHopId: f.NextHop ?? '',
    code: f.FailedCode ?? 'Unknown',
    message: f.FailedMessage ?? '',
  }));

export function createRoutePort(vpc: VpcRouteApi, metadataVpcId: () => Promise<string>): RouteCloudPort {
  return {
    ...VPC_ROUTE_LIMITS,

    async listRoutes(routeTableId: string, cidrs?: readonly string[]): Promise<ListResult> {
      const entries = await vpc.describeRouteEntryList({
        routeTableId,
        routeEntryType: 'Custom',
        ...(cidrs && cidrs.length > 0 ? { destCidrBlocks: [...cidrs] } : {}),
      });
      const routes: RemoteRoute[] = [];
      for (const e of entries) {
        const r = toRemoteRoute(e);
        if (r) routes.push(r);
      }
      // The facade follows NextToken itself; this is the number of pages it had to fetch.
      return { routes, calls: Math.max(1, Math.ceil(entries.length / VPC_ROUTE_LIMITS.pageSize)) };
    },

    async createRoutes(entries: readonly RouteEntryCreate[]): Promise<EntryFailure[]> {
      const res = await vpc.createRouteEntries(
        entries.map((e) => ({
          routeTableId: e.routeTableId,
          dstCidrBlock: e.cidr,
          nextHop: e.nextHopId,
          nextHopType: 'Instance',
          name: e.name,
          description: e.description,
        })),
      );
      return failures(res?.FailedRouteEntries);
    },

    async deleteRoutes(entries: readonly RouteEntryDelete[]): Promise<EntryFailure[]> {
      const res = await vpc.deleteRouteEntries(
        entries.map((e) => ({
          routeTableId: e.routeTableId,
          routeEntryId: e.routeEntryId,
          dstCidrBlock: e.cidr,
          nextHop: e.nextHopId,
        })),
      );
      return failures(res?.FailedRouteEntries);
    },

    async describeRouteTables(filter: { vpcId?: string; routeTableId?: string }): Promise<RouteTableInfo[]> {
      const tables = await vpc.describeRouteTableList({
        ...(filter.vpcId ? { vpcId: filter.vpcId } : {}),
        ...(filter.routeTableId ? { routeTableId: filter.routeTableId } : {}),
      });
      return tables.map((t) => ({
        routeTableId: t.RouteTableId,
        vpcId: t.VpcId ?? '',
        ...(t.RouterId ? { vRouterId: t.RouterId } : {}),
        ...(t.RouteTableType ? { type: t.RouteTableType } : {}),
      }));
    },

    async describeVRouter(vRouterId: string) {
      const vr = (await vpc.describeVRouters(vRouterId)).find((v) => v.VRouterId === vRouterId);
      return vr ? { vpcId: vr.VpcId ?? '', routeTableIds: vr.RouteTableIds?.RouteTableId ?? [] } : undefined;
    },

    metadataVpcId,
  };
}
