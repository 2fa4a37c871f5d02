// VPC actions the ECS API answered under its own version (2014-05-26) before VPC became a product
// of its own, and that clients of that era (aliyungo's ecs package, hence kube-aliyun) still send
// to the ECS endpoint. They act on the same state as the Vpc product; parameters and responses
// are the ECS-era ones, which the vendored catalog (today's ECS API) no longer lists.
import { notFound } from '../errors.js';
import { pageOf } from '../params.js';
import type { ActionSpec, ResponseShape } from '../catalog.js';
import type { Ctx, Handler, ResponseBody } from '../context.js';
import { networkHandlers } from '../vpc/network.js';
import { routeHandlers } from '../vpc/routes.js';

const str: ResponseShape = { type: 'string' };
const num: ResponseShape = { type: 'number' };
const obj = (fields: Record<string, ResponseShape>): ResponseShape => ({ type: 'object', fields });
const list = (item: Record<string, ResponseShape>): ResponseShape => ({ type: 'array', items: obj(item) });
const page = { RequestId: str, TotalCount: num, PageNumber: num, PageSize: num };

const VSWITCH = obj({
  ...page,
  VSwitches: obj({
    VSwitch: list({
      VSwitchId: str,
      VpcId: str,
      Status: str,
      CidrBlock: str,
      ZoneId: str,
      AvailableIpAddressCount: num,
      Description: str,
      VSwitchName: str,
      CreationTime: str,
      IsDefault: { type: 'boolean' },
    }),
  }),
});

const ROUTE_ENTRY = {
  RouteTableId: str,
  DestinationCidrBlock: str,
  Type: str,
  NextHopId: str,
  InstanceId: str,
  NextHopType: str,
  Status: str,
};
const ROUTE_TABLES = obj({
  ...page,
  RouteTables: obj({
    RouteTable: list({
      VRouterId: str,
      RouteTableId: str,
      RouteTableType: str,
      CreationTime: str,
      RouteEntrys: obj({ RouteEntry: list(ROUTE_ENTRY) }),
    }),
  }),
});

function describeRouteTables(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const tableId = p.str('RouteTableId');
  const router = p.str('VRouterId');
  if (tableId && !state.routeTables[tableId])
    throw notFound('InvalidRouteTableId.NotFound', 'RouteTableId', tableId);
  const tables = Object.values(state.routeTables).filter(
    (t) => (!tableId || t.RouteTableId === tableId) && (!router || t.VRouterId === router),
  );
  const pg = pageOf(tables, p, { max: 50, def: 10 });
  return {
    RouteTables: {
      RouteTable: pg.items.map((t) => ({
        VRouterId: t.VRouterId,
        RouteTableId: t.RouteTableId,
        RouteTableType: t.RouteTableType,
        CreationTime: t.CreationTime,
        RouteEntrys: {
          RouteEntry: Object.values(state.routeEntries)
            .filter((e) => e.RouteTableId === t.RouteTableId)
            .map((e) => ({
              RouteTableId: e.RouteTableId,
              DestinationCidrBlock: e.DestinationCidrBlock,
              Type: e.Type,
              NextHopId: e.NextHopId,
              InstanceId: e.NextHopId,
              NextHopType: e.NextHopType,
              Status: e.Status,
            })),
        },
      })),
    },
    TotalCount: pg.totalCount,
    PageNumber: pg.pageNumber,
    PageSize: pg.pageSize,
  };
}

interface EcsVpcAction {
  params: readonly string[];
  response: ResponseShape;
  handler: Handler;
}

const ACTIONS: Record<string, EcsVpcAction> = {
  DescribeVSwitches: {
    params: ['VpcId', 'VSwitchId', 'ZoneId', 'PageNumber', 'PageSize'],
    response: VSWITCH,
    handler: networkHandlers.DescribeVSwitches!,
  },
  DescribeRouteTables: {
    params: ['VRouterId', 'RouteTableId', 'PageNumber', 'PageSize'],
    response: ROUTE_TABLES,
    handler: describeRouteTables,
  },
  // Both answer only the RequestId in the ECS era (no RouteEntryId yet).
  CreateRouteEntry: {
    params: ['RouteTableId', 'DestinationCidrBlock', 'NextHopType', 'NextHopId', 'ClientToken'],
    response: obj({ RequestId: str }),
    handler: routeHandlers.CreateRouteEntry!,
  },
  DeleteRouteEntry: {
    params: ['RouteTableId', 'DestinationCidrBlock', 'NextHopId'],
    response: obj({ RequestId: str }),
    handler: routeHandlers.DeleteRouteEntry!,
  },
};

/** The ECS-era action `name`, if it is one: its spec (parameters, response) and handler. */
export function ecsVpcAction(name: string): { spec: ActionSpec; handler: Handler } | undefined {
  const a = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!a) return undefined;
  const byLower = new Map(a.params.map((k) => [k.toLowerCase(), k]));
  return {
    spec: { product: 'Ecs', name, response: a.response, canonicalKey: (k) => byLower.get(k.toLowerCase()) },
    handler: a.handler,
  };
}
