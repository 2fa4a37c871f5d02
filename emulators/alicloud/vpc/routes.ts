// VPC custom route entries. Like the real VPC: new entries are Pending, deletions Deleting, for
// config.routeTransitionMs; while any entry of a table is in transition every further change on
// that table is refused (IncorrectRouteEntryStatus), and a table holds at most
// config.routeQuotaPerTable custom entries (QuotaExceeded.RouteEntryNum).
import { ApiError, invalidParameter, notFound } from '../errors.js';
import { newId, nowIso, parseCidr } from '../ids.js';
import { tokenPageOf } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { CloudState, RouteEntry, RouteTable } from '../state.js';

export const MAX_BATCH = 50;
const NEXT_HOP_TYPES = [
  'Instance',
  'NetworkInterface',
  'HaVip',
  'RouterInterface',
  'VpnGateway',
  'IPv6Gateway',
  'NatGateway',
  'Attachment',
  'VpcPeer',
  'Ipv4Gateway',
  'GatewayEndpoint',
  'Ecr',
];

export function getTable(state: CloudState, id: string): RouteTable {
  const t = state.routeTables[id];
  if (!t) throw notFound('InvalidRouteTableId.NotFound', 'RouteTableId', id);
  return t;
}

function entriesOf(state: CloudState, tableId: string): RouteEntry[] {
  return Object.values(state.routeEntries).filter((e) => e.RouteTableId === tableId);
}

function assertTableSettled(state: CloudState, tableId: string): void {
  const busy = entriesOf(state, tableId).find((e) => e.Status !== 'Available');
  if (busy) {
    throw new ApiError(
      400,
      'IncorrectRouteEntryStatus',
      `Route table ${tableId} has an entry in ${busy.Status} status (${busy.RouteEntryId}); concurrent route changes are not allowed.`,
    );
  }
}

interface NewRoute {
  tableId: string;
  cidr: string;
  nextHopType: string;
  nextHopId: string;
  name: string;
  description: string;
}

/** Checks one new entry against the table; returns [code, message] on failure. */
function validate(state: CloudState, r: NewRoute, pendingCidrs: Set<string>): [string, string] | undefined {
  try {
    const c = parseCidr(r.cidr, 'DestinationCidrBlock');
    if (`${intToDotted(c.base)}/${c.prefix}` !== r.cidr)
      return ['InvalidDestinationCidrBlock.Malformed', `"${r.cidr}" is not a network address.`];
  } catch (err) {
    return ['InvalidDestinationCidrBlock.Malformed', err instanceof Error ? err.message : String(err)];
  }
  if (!NEXT_HOP_TYPES.includes(r.nextHopType))
    return ['InvalidNextHopType.NotSupported', `NextHopType "${r.nextHopType}" is not supported.`];
  if (!r.nextHopId) return ['MissingParameter', 'NextHopId is mandatory.'];
  const table = state.routeTables[r.tableId]!;
  if (r.nextHopType === 'Instance') {
    const inst = state.instances[r.nextHopId];
    if (!inst) return ['InvalidInstanceId.NotFound', `The specified instance ${r.nextHopId} does not exist.`];
    if (inst.VpcId !== table.VpcId)
      return ['InvalidInstanceId.NotInVpc', `Instance ${r.nextHopId} is not in VPC ${table.VpcId}.`];
  }
  if (r.nextHopType === 'NetworkInterface' && !state.networkInterfaces[r.nextHopId])
    return ['InvalidEniId.NotFound', `The specified ENI ${r.nextHopId} does not exist.`];
  const existing = entriesOf(state, r.tableId);
  if (pendingCidrs.has(r.cidr) || existing.some((e) => e.DestinationCidrBlock === r.cidr)) {
    return ['InvalidCIDRBlock.Duplicate', `A route entry for ${r.cidr} already exists in ${r.tableId}.`];
  }
  // Accepted entries of the same batch are already in the table, so they count here too.
  const custom = existing.filter((e) => e.Type === 'Custom').length;
  if (custom >= state.config.routeQuotaPerTable)
    return [
      'QuotaExceeded.RouteEntryNum',
      `Route table ${r.tableId} already has ${custom} custom entries (quota ${state.config.routeQuotaPerTable}).`,
    ];
  return undefined;
}

function intToDotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function insert(ctx: Ctx, r: NewRoute): RouteEntry {
  const e: RouteEntry = {
    RouteEntryId: newId('rte'),
    RouteTableId: r.tableId,
    DestinationCidrBlock: r.cidr,
    NextHopType: r.nextHopType,
    NextHopId: r.nextHopId,
    Status: 'Pending',
    Type: 'Custom',
    RouteEntryName: r.name,
    Description: r.description,
    GmtModified: nowIso(),
  };
  ctx.state.routeEntries[e.RouteEntryId] = e;
  return e;
}

function settleLater(ctx: Ctx, ids: string[]): void {
  ctx.rt.schedule(ctx.state.config.routeTransitionMs, () => {
    for (const id of ids) {
      const e = ctx.state.routeEntries[id];
      if (!e) continue;
      if (e.Status === 'Deleting') delete ctx.state.routeEntries[id];
      else if (e.Status === 'Pending' || e.Status === 'Modifying')
        Object.assign(e, { Status: 'Available', GmtModified: nowIso() });
    }
  });
}

function createRouteEntry(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const tableId = p.req('RouteTableId');
  getTable(state, tableId);
  const cidr = p.req('DestinationCidrBlock');
  const hops = p.structs('NextHopList');
  const route: NewRoute = {
    tableId,
    cidr,
    nextHopType: p.str('NextHopType') ?? hops[0]?.NextHopType ?? 'Instance',
    nextHopId: p.str('NextHopId') ?? hops[0]?.NextHopId ?? '',
    name: p.str('RouteEntryName') ?? '',
    description: p.str('Description') ?? '',
  };
  assertTableSettled(state, tableId);
  const bad = validate(state, route, new Set());
  if (bad) {
    const status = bad[0].endsWith('NotFound') ? 404 : 400;
    throw new ApiError(status, bad[0], bad[1]);
  }
  const e = insert(ctx, route);
  settleLater(ctx, [e.RouteEntryId]);
  return { RouteEntryId: e.RouteEntryId };
}

function createRouteEntries(ctx: Ctx): ResponseBody {
  const { state } = ctx;
  const items = ctx.p.structs('RouteEntries');
  if (items.length === 0)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "RouteEntries" that is mandatory for processing this request is not supplied.',
    );
  if (items.length > MAX_BATCH)
    throw invalidParameter('RouteEntries', `accepts at most ${MAX_BATCH} entries per call`);
  const routes: NewRoute[] = items.map((i) => ({
    tableId: i.RouteTableId ?? '',
    cidr: i.DstCidrBlock ?? '',
    nextHopType: i.NextHopType ?? 'Instance',
    nextHopId: i.NextHop ?? '',
    name: i.Name ?? '',
    description: i.Description ?? i.Describption ?? '',
  }));
  for (const r of routes) {
    if (!r.tableId) throw new ApiError(400, 'MissingParameter', 'RouteEntries.N.RouteTableId is mandatory.');
    if (!r.cidr) throw new ApiError(400, 'MissingParameter', 'RouteEntries.N.DstCidrBlock is mandatory.');
    getTable(state, r.tableId);
  }
  for (const t of new Set(routes.map((r) => r.tableId))) assertTableSettled(state, t);
  const accepted = new Map<string, Set<string>>();
  const ids: string[] = [];
  const failed: ResponseBody[] = [];
  for (const r of routes) {
    const pending = accepted.get(r.tableId) ?? new Set<string>();
    const bad = validate(state, r, pending);
    if (bad) {
      // The batch API reports a duplicate destination with its own code.
      const code = bad[0] === 'InvalidCIDRBlock.Duplicate' ? 'VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE' : bad[0];
      failed.push({ DstCidrBlock: r.cidr, NextHop: r.nextHopId, FailedCode: code, FailedMessage: bad[1] });
      continue;
    }
    pending.add(r.cidr);
    accepted.set(r.tableId, pending);
    ids.push(insert(ctx, r).RouteEntryId);
  }
  if (ids.length > 0) settleLater(ctx, ids);
  return {
    SuccessCount: ids.length,
    FailedCount: failed.length,
    RouteEntryIds: ids,
    FailedRouteEntries: failed,
  };
}

function findCustom(
  state: CloudState,
  tableId: string | undefined,
  id: string | undefined,
  cidr: string | undefined,
  nextHop: string | undefined,
): RouteEntry | undefined {
  return Object.values(state.routeEntries).find(
    (e) =>
      e.Type === 'Custom' &&
      (!tableId || e.RouteTableId === tableId) &&
      (id ? e.RouteEntryId === id : e.DestinationCidrBlock === cidr && (!nextHop || e.NextHopId === nextHop)),
  );
}

function deleteRouteEntry(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const id = p.str('RouteEntryId');
  const tableId = p.str('RouteTableId');
  if (!id && !tableId)
    throw new ApiError(
      400,
      'MissingParameter',
      'Either RouteEntryId or RouteTableId and DestinationCidrBlock must be given.',
    );
  if (tableId) getTable(state, tableId);
  const cidr = id ? undefined : p.req('DestinationCidrBlock');
  const e = findCustom(
    state,
    tableId,
    id,
    cidr,
    p.str('NextHopId') ?? p.structs('NextHopList')[0]?.NextHopId,
  );
  if (!e) throw notFound('InvalidRouteEntry.NotFound', 'route entry', id ?? `${tableId} ${cidr}`);
  assertTableSettled(state, e.RouteTableId);
  e.Status = 'Deleting';
  settleLater(ctx, [e.RouteEntryId]);
  return {};
}

function deleteRouteEntries(ctx: Ctx): ResponseBody {
  const { state } = ctx;
  const items = ctx.p.structs('RouteEntries');
  if (items.length === 0)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "RouteEntries" that is mandatory for processing this request is not supplied.',
    );
  if (items.length > MAX_BATCH)
    throw invalidParameter('RouteEntries', `accepts at most ${MAX_BATCH} entries per call`);
  for (const i of items) {
    if (!i.RouteTableId)
      throw new ApiError(400, 'MissingParameter', 'RouteEntries.N.RouteTableId is mandatory.');
    getTable(state, i.RouteTableId);
  }
  for (const t of new Set(items.map((i) => i.RouteTableId!))) assertTableSettled(state, t);
  const failed: ResponseBody[] = [];
  const ids: string[] = [];
  for (const i of items) {
    const e = findCustom(state, i.RouteTableId, i.RouteEntryId, i.DstCidrBlock, i.NextHop);
    if (!e || e.Status === 'Deleting') {
      failed.push({
        DstCidrBlock: i.DstCidrBlock ?? '',
        NextHop: i.NextHop ?? '',
        RouteEntryId: i.RouteEntryId ?? '',
        FailedCode: 'VPC_ROUTER_ENTRY_NOT_EXIST',
        FailedMessage: 'The route entry does not exist.',
      });
      continue;
    }
    e.Status = 'Deleting';
    ids.push(e.RouteEntryId);
  }
  if (ids.length > 0) settleLater(ctx, ids);
  return { SuccessCount: ids.length, FailedCount: failed.length, FailedRouteEntries: failed };
}

function modifyRouteEntry(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const id = p.str('RouteEntryId');
  const e = id
    ? state.routeEntries[id]
    : findCustom(state, p.req('RouteTableId'), undefined, p.req('DestinationCidrBlock'), undefined);
  if (!e) throw notFound('InvalidRouteEntry.NotFound', 'route entry', id);
  const name = p.str('RouteEntryName');
  if (name !== undefined) e.RouteEntryName = name;
  const desc = p.str('Description');
  if (desc !== undefined) e.Description = desc;
  const hop = p.str('NewNextHopId');
  if (hop !== undefined) {
    if (e.Type !== 'Custom')
      throw new ApiError(
        400,
        'OperationDenied.SystemRouteEntry',
        'The next hop of a system route entry cannot be changed.',
      );
    assertTableSettled(state, e.RouteTableId);
    const type = p.str('NewNextHopType') ?? e.NextHopType;
    if (type === 'Instance' && !state.instances[hop])
      throw notFound('InvalidInstanceId.NotFound', 'instance', hop);
    Object.assign(e, { NextHopId: hop, NextHopType: type, Status: 'Modifying' });
    settleLater(ctx, [e.RouteEntryId]);
  }
  e.GmtModified = nowIso();
  return {};
}

export function renderEntry(e: RouteEntry): ResponseBody {
  return {
    RouteEntryId: e.RouteEntryId,
    RouteTableId: e.RouteTableId,
    DestinationCidrBlock: e.DestinationCidrBlock,
    Type: e.Type,
    Status: e.Status,
    NextHopType: e.NextHopType,
    InstanceId: e.NextHopId,
    RouteEntryName: e.RouteEntryName,
    Description: e.Description,
    IpVersion: 'ipv4',
    Origin: e.Type === 'System' ? 'SystemRoute' : 'CustomRoute',
    GmtModified: e.GmtModified,
    NextHops: {
      NextHop: e.NextHopId
        ? [{ NextHopId: e.NextHopId, NextHopType: e.NextHopType, Enabled: 1, Weight: 0 }]
        : [],
    },
  };
}

function describeRouteEntryList(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const tableId = p.req('RouteTableId');
  getTable(state, tableId);
  const cidrs = p.list('DestCidrBlockList');
  const all = entriesOf(state, tableId).filter(
    (e) =>
      (!p.str('RouteEntryId') || e.RouteEntryId === p.str('RouteEntryId')) &&
      (!p.str('RouteEntryType') || e.Type === p.str('RouteEntryType')) &&
      (!p.str('NextHopType') || e.NextHopType.toLowerCase() === p.str('NextHopType')!.toLowerCase()) &&
      (!p.str('NextHopId') || e.NextHopId === p.str('NextHopId')) &&
      (!p.str('DestinationCidrBlock') || e.DestinationCidrBlock === p.str('DestinationCidrBlock')) &&
      (cidrs.length === 0 || cidrs.includes(e.DestinationCidrBlock)) &&
      (!p.str('RouteEntryName') || e.RouteEntryName === p.str('RouteEntryName')),
  );
  const page = tokenPageOf(all, p, { max: 500, def: 50, sizeParam: 'MaxResult' });
  return { RouteEntrys: { RouteEntry: page.items.map(renderEntry) }, NextToken: page.nextToken };
}

export const routeHandlers: HandlerTable = {
  CreateRouteEntry: createRouteEntry,
  CreateRouteEntries: createRouteEntries,
  DeleteRouteEntry: deleteRouteEntry,
  DeleteRouteEntries: deleteRouteEntries,
  ModifyRouteEntry: modifyRouteEntry,
  DescribeRouteEntryList: describeRouteEntryList,
};
