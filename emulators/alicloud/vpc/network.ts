// Read-only VPC topology: VPCs, vSwitches, vRouters, route tables and EIPs.
import { notFound } from '../errors.js';
import { parseCidr } from '../ids.js';
import { pageOf, type Params } from '../params.js';
import { renderTags } from '../tags.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { CloudState, RouteTable, Vpc, VSwitch } from '../state.js';
import { getTable, renderEntry } from './routes.js';

function idList(p: Params, name: string): string[] | undefined {
  return p
    .str(name)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function renderVpc(state: CloudState, v: Vpc): ResponseBody {
  return {
    VpcId: v.VpcId,
    VpcName: v.VpcName,
    CidrBlock: v.CidrBlock,
    VRouterId: v.VRouterId,
    RegionId: state.regionId,
    Status: 'Available',
    Description: v.Description,
    IsDefault: v.IsDefault,
    CreationTime: v.CreationTime,
    ResourceGroupId: 'rg-emu-default',
    VSwitchIds: {
      VSwitchId: Object.values(state.vswitches)
        .filter((s) => s.VpcId === v.VpcId)
        .map((s) => s.VSwitchId),
    },
    RouterTableIds: {
      RouterTableIds: Object.values(state.routeTables)
        .filter((t) => t.VpcId === v.VpcId)
        .map((t) => t.RouteTableId),
    },
    UserCidrs: { UserCidr: [] },
    SecondaryCidrBlocks: { SecondaryCidrBlock: [] },
    NatGatewayIds: { NatGatewayIds: [] },
    Tags: renderTags(v.Tags),
  };
}

function getVpc(state: CloudState, id: string): Vpc {
  const v = state.vpcs[id];
  if (!v) throw notFound('InvalidVpcId.NotFound', 'VpcId', id);
  return v;
}

function renderTable(state: CloudState, t: RouteTable, withEntries: boolean): ResponseBody {
  return {
    RouteTableId: t.RouteTableId,
    RouteTableType: t.RouteTableType,
    RouteTableName: t.RouteTableName,
    VRouterId: t.VRouterId,
    RouterId: t.VRouterId,
    RouterType: 'VRouter',
    VpcId: t.VpcId,
    Description: t.Description,
    CreationTime: t.CreationTime,
    Status: 'Available',
    ResourceGroupId: 'rg-emu-default',
    AssociateType: 'VSwitch',
    VSwitchIds: {
      VSwitchId: Object.values(state.vswitches)
        .filter((s) => s.RouteTableId === t.RouteTableId)
        .map((s) => s.VSwitchId),
    },
    Tags: { Tag: [] },
    ...(withEntries
      ? {
          RouteEntrys: {
            RouteEntry: Object.values(state.routeEntries)
              .filter((e) => e.RouteTableId === t.RouteTableId)
              .map(renderEntry),
          },
        }
      : {}),
  };
}

function renderVSwitch(state: CloudState, s: VSwitch): ResponseBody {
  const size = 2 ** (32 - parseCidr(s.CidrBlock).prefix);
  const used =
    Object.values(state.networkInterfaces).filter((e) => e.VSwitchId === s.VSwitchId).length +
    Object.values(state.loadBalancers).filter(
      (l) => l.VSwitchId === s.VSwitchId && l.AddressType === 'intranet',
    ).length;
  const table = state.routeTables[s.RouteTableId];
  return {
    VSwitchId: s.VSwitchId,
    VpcId: s.VpcId,
    ZoneId: s.ZoneId,
    CidrBlock: s.CidrBlock,
    VSwitchName: s.VSwitchName,
    Description: s.Description,
    Status: 'Available',
    IsDefault: false,
    CreationTime: s.CreationTime,
    AvailableIpAddressCount: Math.max(0, size - 4 - used),
    ResourceGroupId: 'rg-emu-default',
    ShareType: 'Sharing',
    RouteTable: table
      ? { RouteTableId: table.RouteTableId, RouteTableType: table.RouteTableType }
      : undefined,
    Tags: { Tag: [] },
  };
}

function describeVpcs(ctx: Ctx): ResponseBody {
  const ids = idList(ctx.p, 'VpcId');
  const all = Object.values(ctx.state.vpcs).filter(
    (v) => (!ids || ids.includes(v.VpcId)) && (!ctx.p.str('VpcName') || v.VpcName === ctx.p.str('VpcName')),
  );
  const page = pageOf(all, ctx.p, { max: 50, def: 10 });
  return {
    Vpcs: { Vpc: page.items.map((v) => renderVpc(ctx.state, v)) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function describeVpcAttribute(ctx: Ctx): ResponseBody {
  return renderVpc(ctx.state, getVpc(ctx.state, ctx.p.req('VpcId')));
}

function describeVSwitches(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const ids = idList(p, 'VSwitchId');
  const all = Object.values(ctx.state.vswitches).filter(
    (s) =>
      (!ids || ids.includes(s.VSwitchId)) &&
      (!p.str('VpcId') || s.VpcId === p.str('VpcId')) &&
      (!p.str('ZoneId') || s.ZoneId === p.str('ZoneId')) &&
      (!p.str('VSwitchName') || s.VSwitchName === p.str('VSwitchName')) &&
      (!p.str('RouteTableId') || s.RouteTableId === p.str('RouteTableId')),
  );
  const page = pageOf(all, p, { max: 50, def: 10 });
  return {
    VSwitches: { VSwitch: page.items.map((s) => renderVSwitch(ctx.state, s)) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function describeVSwitchAttributes(ctx: Ctx): ResponseBody {
  const id = ctx.p.req('VSwitchId');
  const s = ctx.state.vswitches[id];
  if (!s) throw notFound('InvalidVSwitchId.NotFound', 'VSwitchId', id);
  return renderVSwitch(ctx.state, s);
}

function describeVRouters(ctx: Ctx): ResponseBody {
  const id = ctx.p.str('VRouterId');
  const all = Object.values(ctx.state.vrouters).filter((r) => !id || r.VRouterId === id);
  const page = pageOf(all, ctx.p, { max: 50, def: 10 });
  return {
    VRouters: {
      VRouter: page.items.map((r) => ({
        VRouterId: r.VRouterId,
        VpcId: r.VpcId,
        VRouterName: r.VRouterName,
        Description: r.Description,
        CreationTime: r.CreationTime,
        RegionId: ctx.state.regionId,
        RouteTableIds: {
          RouteTableId: Object.values(ctx.state.routeTables)
            .filter((t) => t.VRouterId === r.VRouterId)
            .map((t) => t.RouteTableId),
        },
      })),
    },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function filterTables(ctx: Ctx): RouteTable[] {
  const { p } = ctx;
  const router = p.str('RouterId') ?? p.str('VRouterId');
  const type = p.str('RouteTableType') ?? p.str('Type');
  if (p.str('VpcId')) getVpc(ctx.state, p.str('VpcId')!);
  if (p.str('RouteTableId')) getTable(ctx.state, p.str('RouteTableId')!);
  return Object.values(ctx.state.routeTables).filter(
    (t) =>
      (!p.str('RouteTableId') || t.RouteTableId === p.str('RouteTableId')) &&
      (!p.str('VpcId') || t.VpcId === p.str('VpcId')) &&
      (!router || t.VRouterId === router) &&
      (!type || t.RouteTableType === type) &&
      (!p.str('RouteTableName') || t.RouteTableName === p.str('RouteTableName')),
  );
}

function describeRouteTables(ctx: Ctx): ResponseBody {
  const page = pageOf(filterTables(ctx), ctx.p, { max: 50, def: 10 });
  return {
    RouteTables: { RouteTable: page.items.map((t) => renderTable(ctx.state, t, true)) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function describeRouteTableList(ctx: Ctx): ResponseBody {
  const page = pageOf(filterTables(ctx), ctx.p, { max: 50, def: 10 });
  return {
    RouterTableList: { RouterTableListType: page.items.map((t) => renderTable(ctx.state, t, false)) },
    Success: true,
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function describeEipAddresses(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const all = Object.values(ctx.state.eips).filter(
    (e) =>
      (!p.str('AllocationId') || e.AllocationId === p.str('AllocationId')) &&
      (!p.str('EipAddress') || e.IpAddress === p.str('EipAddress')) &&
      (!p.str('AssociatedInstanceId') || e.InstanceId === p.str('AssociatedInstanceId')) &&
      (!p.str('AssociatedInstanceType') || e.InstanceType === p.str('AssociatedInstanceType')) &&
      (!p.str('Status') || e.Status === p.str('Status')),
  );
  const page = pageOf(all, p, { max: 100, def: 10 });
  return {
    EipAddresses: {
      EipAddress: page.items.map((e) => ({
        AllocationId: e.AllocationId,
        IpAddress: e.IpAddress,
        InstanceId: e.InstanceId,
        InstanceType: e.InstanceType,
        Status: e.Status,
        Bandwidth: e.Bandwidth,
        InternetChargeType: e.InternetChargeType,
        Name: e.Name,
        AllocationTime: e.AllocationTime,
        RegionId: ctx.state.regionId,
        ChargeType: 'PostPaid',
        OperationLocks: { LockReason: [] },
        Tags: { Tag: [] },
      })),
    },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

export const networkHandlers: HandlerTable = {
  DescribeVpcs: describeVpcs,
  DescribeVpcAttribute: describeVpcAttribute,
  DescribeVSwitches: describeVSwitches,
  DescribeVSwitchAttributes: describeVSwitchAttributes,
  DescribeVRouters: describeVRouters,
  DescribeRouteTables: describeRouteTables,
  DescribeRouteTableList: describeRouteTableList,
  DescribeEipAddresses: describeEipAddresses,
};
