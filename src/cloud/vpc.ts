// Typed VPC (2016-04-28) calls for the route controller and node lookups. Route entries page by
// NextToken/MaxResult; the batch create/delete calls report per-entry failures in the body
// (HTTP 200), which we pass through for the caller to interpret.
import type { RpcClient } from './client.js';
import { collectByPageNumber, collectByToken } from './pagination.js';
import { indexed, indexedStructs, tagParams, type Tag } from './params.js';
import type {
  CreateRouteEntriesResponse,
  DeleteRouteEntriesResponse,
  EipAddress,
  PagedResponse,
  RouteEntry,
  RouteTable,
  RouterTableListType,
  VRouter,
  VSwitch,
  Vpc,
} from './vpc-types.js';

export type * from './vpc-types.js';

const PAGE_SIZE = 50;
/** DescribeRouteEntryList's MaxResult upper bound. */
export const ROUTE_ENTRY_PAGE_SIZE = 100;

export interface RouteEntryFilter {
  routeTableId: string;
  routeEntryType?: 'System' | 'Custom' | 'BGP';
  nextHopType?: string;
  nextHopId?: string;
  routeEntryId?: string;
  destinationCidrBlock?: string;
  /** Several destinations in one call (`DestCidrBlockList.N`). */
  destCidrBlocks?: string[];
}

export interface CreateRouteEntryInput {
  routeTableId: string;
  destinationCidrBlock: string;
  nextHopId: string;
  nextHopType?: string;
  name?: string;
  description?: string;
  clientToken?: string;
}

export interface RouteEntrySpec {
  routeTableId: string;
  dstCidrBlock: string;
  nextHop: string;
  nextHopType?: string;
  name?: string;
  description?: string;
}

export interface RouteEntryRef {
  routeTableId: string;
  routeEntryId?: string;
  dstCidrBlock?: string;
  nextHop?: string;
}

function paged<R extends PagedResponse, I>(
  rpc: RpcClient,
  action: string,
  params: Record<string, string | number | boolean | undefined>,
  items: (r: R) => I[] | undefined,
): Promise<I[]> {
  return collectByPageNumber(
    async (PageNumber, PageSize) => {
      const res = await rpc.read<R>(action, { ...params, PageNumber, PageSize });
      return { items: items(res) ?? [], totalCount: res.TotalCount };
    },
    { pageSize: PAGE_SIZE },
  );
}

export class VpcApi {
  constructor(private readonly rpc: RpcClient) {}

  describeVpcs(filter: { vpcId?: string; vpcName?: string; tags?: Tag[] } = {}): Promise<Vpc[]> {
    return paged<PagedResponse & { Vpcs?: { Vpc?: Vpc[] } }, Vpc>(
      this.rpc,
      'DescribeVpcs',
      { VpcId: filter.vpcId, VpcName: filter.vpcName, ...tagParams(filter.tags) },
      (r) => r.Vpcs?.Vpc,
    );
  }

  describeVRouters(vRouterId?: string): Promise<VRouter[]> {
    return paged<PagedResponse & { VRouters?: { VRouter?: VRouter[] } }, VRouter>(
      this.rpc,
      'DescribeVRouters',
      { VRouterId: vRouterId },
      (r) => r.VRouters?.VRouter,
    );
  }

  /** Route tables of a vRouter (each with its entries, as DescribeRouteTables returns them). */
  describeRouteTables(
    filter: { vRouterId?: string; routeTableId?: string; type?: 'System' | 'Custom' } = {},
  ): Promise<RouteTable[]> {
    return paged<PagedResponse & { RouteTables?: { RouteTable?: RouteTable[] } }, RouteTable>(
      this.rpc,
      'DescribeRouteTables',
      { VRouterId: filter.vRouterId, RouteTableId: filter.routeTableId, Type: filter.type },
      (r) => r.RouteTables?.RouteTable,
    );
  }

  describeRouteTableList(
    filter: {
      vpcId?: string;
      routerId?: string;
      routerType?: 'VRouter' | 'VBR';
      routeTableId?: string;
      routeTableType?: string;
    } = {},
  ): Promise<RouterTableListType[]> {
    return paged<
      PagedResponse & { RouterTableList?: { RouterTableListType?: RouterTableListType[] } },
      RouterTableListType
    >(
      this.rpc,
      'DescribeRouteTableList',
      {
        VpcId: filter.vpcId,
        RouterId: filter.routerId,
        RouterType: filter.routerType,
        RouteTableId: filter.routeTableId,
        RouteTableType: filter.routeTableType,
      },
      (r) => r.RouterTableList?.RouterTableListType,
    );
  }

  /** Every route entry of a table matching the filter, across all NextToken pages. */
  describeRouteEntryList(filter: RouteEntryFilter): Promise<RouteEntry[]> {
    return collectByToken(async (token) => {
      const res = await this.rpc.read<{
        RequestId: string;
        NextToken?: string;
        RouteEntrys?: { RouteEntry?: RouteEntry[] };
      }>('DescribeRouteEntryList', {
        RouteTableId: filter.routeTableId,
        RouteEntryType: filter.routeEntryType,
        NextHopType: filter.nextHopType,
        NextHopId: filter.nextHopId,
        RouteEntryId: filter.routeEntryId,
        DestinationCidrBlock: filter.destinationCidrBlock,
        ...indexed('DestCidrBlockList', filter.destCidrBlocks),
        MaxResult: ROUTE_ENTRY_PAGE_SIZE,
        NextToken: token,
      });
      return { items: res.RouteEntrys?.RouteEntry ?? [], nextToken: res.NextToken };
    });
  }

  /** Returns the new entry id, or undefined in dry-run mode. Retries reuse one ClientToken. */
  async createRouteEntry(input: CreateRouteEntryInput): Promise<string | undefined> {
    const res = await this.rpc.write<{ RequestId: string; RouteEntryId?: string }>(
      'CreateRouteEntry',
      {
        RouteTableId: input.routeTableId,
        DestinationCidrBlock: input.destinationCidrBlock,
        NextHopId: input.nextHopId,
        NextHopType: input.nextHopType ?? 'Instance',
        RouteEntryName: input.name,
        Description: input.description,
      },
      input.clientToken ? { clientToken: input.clientToken } : {},
    );
    return res?.RouteEntryId;
  }

  /** Batch create; per-entry failures come back in FailedRouteEntries. Undefined in dry-run mode. */
  createRouteEntries(entries: readonly RouteEntrySpec[]): Promise<CreateRouteEntriesResponse | undefined> {
    return this.rpc.write<CreateRouteEntriesResponse>(
      'CreateRouteEntries',
      indexedStructs(
        'RouteEntries',
        entries.map((e) => ({
          RouteTableId: e.routeTableId,
          DstCidrBlock: e.dstCidrBlock,
          NextHop: e.nextHop,
          NextHopType: e.nextHopType ?? 'Instance',
          Name: e.name,
          Description: e.description,
        })),
      ),
    );
  }

  async deleteRouteEntry(ref: {
    routeTableId: string;
    routeEntryId?: string;
    destinationCidrBlock?: string;
    nextHopId?: string;
  }): Promise<void> {
    await this.rpc.write('DeleteRouteEntry', {
      RouteTableId: ref.routeTableId,
      RouteEntryId: ref.routeEntryId,
      DestinationCidrBlock: ref.destinationCidrBlock,
      NextHopId: ref.nextHopId,
    });
  }

  deleteRouteEntries(refs: readonly RouteEntryRef[]): Promise<DeleteRouteEntriesResponse | undefined> {
    return this.rpc.write<DeleteRouteEntriesResponse>(
      'DeleteRouteEntries',
      indexedStructs(
        'RouteEntries',
        refs.map((r) => ({
          RouteTableId: r.routeTableId,
          RouteEntryId: r.routeEntryId,
          DstCidrBlock: r.dstCidrBlock,
          NextHop: r.nextHop,
        })),
      ),
    );
  }

  describeVSwitches(
    filter: { vpcId?: string; vswitchId?: string; zoneId?: string } = {},
  ): Promise<VSwitch[]> {
    return paged<PagedResponse & { VSwitches?: { VSwitch?: VSwitch[] } }, VSwitch>(
      this.rpc,
      'DescribeVSwitches',
      { VpcId: filter.vpcId, VSwitchId: filter.vswitchId, ZoneId: filter.zoneId },
      (r) => r.VSwitches?.VSwitch,
    );
  }

  describeEipAddresses(
    filter: {
      allocationId?: string;
      eipAddress?: string;
      associatedInstanceId?: string;
      associatedInstanceType?: string;
      status?: string;
    } = {},
  ): Promise<EipAddress[]> {
    return paged<PagedResponse & { EipAddresses?: { EipAddress?: EipAddress[] } }, EipAddress>(
      this.rpc,
      'DescribeEipAddresses',
      {
        AllocationId: filter.allocationId,
        EipAddress: filter.eipAddress,
        AssociatedInstanceId: filter.associatedInstanceId,
        AssociatedInstanceType: filter.associatedInstanceType,
        Status: filter.status,
      },
      (r) => r.EipAddresses?.EipAddress,
    );
  }
}
