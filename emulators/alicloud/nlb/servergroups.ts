// NLB server groups (Instance or Ip type) and their servers. Server changes are jobs that lock
// the group; the group's status reads Configuring meanwhile, as on the service.
import { newId } from '../ids.js';
import { missingParameter } from '../errors.js';
import { tokenPageOf } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import {
  getServerGroup,
  hasTags,
  illegalParam,
  oneOf,
  PAGE,
  quotaExceeded,
  renderTags,
  resourceNotFound,
} from './common.js';
import { assertUnlocked, isLocked, sgKey, startJob } from './jobs.js';
import type { NlbServerGroupRecord, NlbServerRecord } from './types.js';

const HC_DEFAULTS = {
  HealthCheckEnabled: true,
  HealthCheckType: 'TCP',
  HealthCheckConnectPort: 0,
  HealthCheckConnectTimeout: 5,
  HealthCheckInterval: 10,
  HealthyThreshold: 2,
  UnhealthyThreshold: 2,
};

function render(ctx: Ctx, g: NlbServerGroupRecord): ResponseBody {
  const nlb = ctx.state.nlb;
  const related = [
    ...new Set(
      Object.values(nlb.listeners)
        .filter((l) => l.ServerGroupId === g.ServerGroupId)
        .map((l) => l.LoadBalancerId),
    ),
  ];
  return {
    ...g,
    Servers: undefined,
    ServerGroupStatus: isLocked(nlb, sgKey(g.ServerGroupId)) ? 'Configuring' : 'Available',
    ServerCount: g.Servers.length,
    RelatedLoadBalancerIds: related,
    RegionId: ctx.state.regionId,
    AliUid: 1234567890,
    Tags: renderTags(g.Tags),
  };
}

/** HealthCheckConfig.* onto the group's health check (lists as HealthCheckHttpCode.N). */
function healthCheck(ctx: Ctx, hc: NlbServerGroupRecord['HealthCheck']): NlbServerGroupRecord['HealthCheck'] {
  const out = { ...hc };
  const prefix = 'HealthCheckConfig.';
  const codes: string[] = [];
  for (const [k, v] of Object.entries(ctx.p.raw)) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    if (name.startsWith('HealthCheckHttpCode.')) codes.push(v);
    else if (name === 'HealthCheckEnabled') out[name] = ctx.p.bool(k) ?? true;
    else if (
      /^\d+$/.test(v) &&
      !['HealthCheckDomain', 'HealthCheckUrl', 'HealthCheckReq', 'HealthCheckExp'].includes(name)
    )
      out[name] = Number(v);
    else out[name] = v;
  }
  if (codes.length > 0) out.HealthCheckHttpCode = codes;
  const type = String(out.HealthCheckType ?? 'TCP');
  if (!['TCP', 'HTTP', 'UDP'].includes(type))
    throw illegalParam('HealthCheckConfig.HealthCheckType', `"${type}" is not TCP, HTTP or UDP`);
  return out;
}

function createServerGroup(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const nlb = state.nlb;
  const vpcId = p.req('VpcId');
  if (!state.vpcs[vpcId]) throw resourceNotFound('vpc', vpcId);
  const limit = nlb.config.serverGroupsPerRegion;
  if (Object.keys(nlb.serverGroups).length >= limit) throw quotaExceeded('ServerGroupsNum', limit);
  const g: NlbServerGroupRecord = {
    ServerGroupId: newId('sgp'),
    ServerGroupName: p.req('ServerGroupName'),
    ServerGroupType: oneOf(ctx, 'ServerGroupType', ['Instance', 'Ip'] as const, 'Instance'),
    Protocol: oneOf(ctx, 'Protocol', ['TCP', 'UDP', 'TCPSSL'] as const, 'TCP'),
    Scheduler: oneOf(ctx, 'Scheduler', ['Wrr', 'rr', 'sch', 'tch', 'qch', 'Wlc'] as const, 'Wrr'),
    VpcId: vpcId,
    AddressIPVersion: p.str('AddressIPVersion') ?? 'ipv4',
    AnyPortEnabled: p.bool('AnyPortEnabled') ?? false,
    ConnectionDrainEnabled: p.bool('ConnectionDrainEnabled') ?? false,
    ConnectionDrainTimeout: p.int('ConnectionDrainTimeout') ?? 10,
    PreserveClientIpEnabled: p.bool('PreserveClientIpEnabled') ?? false,
    HealthCheck: {},
    ResourceGroupId: p.str('ResourceGroupId') ?? 'rg-emulated',
    Servers: [],
    Tags: p.tags(),
  };
  g.HealthCheck = healthCheck(ctx, { ...HC_DEFAULTS, HealthCheckType: g.Protocol === 'UDP' ? 'UDP' : 'TCP' });
  return startJob(ctx, {
    locks: [],
    apply: () => {
      nlb.serverGroups[g.ServerGroupId] = g;
      return [sgKey(g.ServerGroupId)];
    },
    body: { ServerGroupId: g.ServerGroupId },
  });
}

function groupJob(ctx: Ctx, edit: (g: NlbServerGroupRecord) => void, remove = false): ResponseBody {
  const nlb = ctx.state.nlb;
  const g = getServerGroup(nlb, ctx.p.req('ServerGroupId'));
  assertUnlocked(nlb, [sgKey(g.ServerGroupId)]);
  const draft = structuredClone(g);
  edit(draft);
  return startJob(ctx, {
    locks: [sgKey(g.ServerGroupId)],
    apply: () => {
      if (remove) delete nlb.serverGroups[g.ServerGroupId];
      else nlb.serverGroups[g.ServerGroupId] = draft;
    },
    body: { ServerGroupId: g.ServerGroupId },
  });
}

/** Servers.N.*: Ecs/Eni/Eci servers in an Instance group, Ip servers (by address) in an Ip group. */
function serversOf(ctx: Ctx, g: NlbServerGroupRecord, removing = false): NlbServerRecord[] {
  const list = ctx.p.structs('Servers');
  if (list.length === 0) throw missingParameter('Servers.1.ServerId');
  return list.map((s, i) => {
    const at = `Servers.${i + 1}`;
    const type = s.ServerType ?? '';
    const allowed = g.ServerGroupType === 'Ip' ? ['Ip'] : ['Ecs', 'Eni', 'Eci'];
    if (!allowed.includes(type))
      throw illegalParam(
        `${at}.ServerType`,
        `"${type}" is not allowed in a ${g.ServerGroupType} server group`,
      );
    const id = s.ServerId ?? '';
    if (id === '') throw missingParameter(`${at}.ServerId`);
    const inst = type === 'Ecs' ? ctx.state.instances[id] : undefined;
    // A released instance can still be taken out of the group.
    if (type === 'Ecs' && !inst && !removing) throw resourceNotFound('instance', id);
    if (inst && inst.VpcId !== g.VpcId) throw illegalParam(`${at}.ServerId`, `${id} is not in ${g.VpcId}`);
    // An ENI server is a pod's address on a Terway/ECI interface: it must exist in the group's VPC.
    const eni = type === 'Eni' ? ctx.state.networkInterfaces[id] : undefined;
    if (type === 'Eni' && !eni && !removing) throw resourceNotFound('eni', id);
    if (eni && eni.VpcId !== g.VpcId) throw illegalParam(`${at}.ServerId`, `${id} is not in ${g.VpcId}`);
    const ip = s.ServerIp ?? (type === 'Ip' ? id : (inst?.PrivateIpAddress ?? ''));
    if (type !== 'Ecs' && ip === '') throw missingParameter(`${at}.ServerIp`);
    const port = s.Port === undefined ? (g.AnyPortEnabled ? 0 : undefined) : Number(s.Port);
    if (port === undefined) throw missingParameter(`${at}.Port`);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw illegalParam(`${at}.Port`, `${s.Port} is not a port`);
    const weight = s.Weight === undefined ? 100 : Number(s.Weight);
    if (!Number.isInteger(weight) || weight < 0 || weight > 100)
      throw illegalParam(`${at}.Weight`, `${s.Weight} is outside 0..100`);
    return {
      ServerId: id,
      ServerType: type as NlbServerRecord['ServerType'],
      ServerIp: ip,
      Port: port,
      Weight: weight,
      Description: s.Description ?? '',
      ZoneId: inst?.ZoneId ?? '',
    };
  });
}

// An ENI carries many pod IPs (Terway secondary addresses): an Eni or Ip server is the pair
// (id, address); an instance is its id.
const same = (a: NlbServerRecord, b: NlbServerRecord): boolean =>
  a.ServerId === b.ServerId && a.Port === b.Port && (a.ServerType === 'Ecs' || a.ServerIp === b.ServerIp);

function listServerGroups(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const ids = p.list('ServerGroupIds');
  const names = p.list('ServerGroupNames');
  const tags = p.tags();
  const all = Object.values(ctx.state.nlb.serverGroups).filter(
    (g) =>
      (ids.length === 0 || ids.includes(g.ServerGroupId)) &&
      (names.length === 0 || names.includes(g.ServerGroupName)) &&
      (p.str('VpcId') === undefined || p.str('VpcId') === g.VpcId) &&
      (p.str('ServerGroupType') === undefined || p.str('ServerGroupType') === g.ServerGroupType) &&
      hasTags(g.Tags, tags),
  );
  const page = tokenPageOf(all, p, PAGE);
  return {
    ServerGroups: page.items.map((g) => render(ctx, g)),
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
    TotalCount: all.length,
  };
}

function listServers(ctx: Ctx): ResponseBody {
  const g = getServerGroup(ctx.state.nlb, ctx.p.req('ServerGroupId'));
  const ids = ctx.p.list('ServerIds');
  const ips = ctx.p.list('ServerIps');
  const all = g.Servers.filter(
    (s) => (ids.length === 0 || ids.includes(s.ServerId)) && (ips.length === 0 || ips.includes(s.ServerIp)),
  );
  const page = tokenPageOf(all, ctx.p, PAGE);
  const status = isLocked(ctx.state.nlb, sgKey(g.ServerGroupId)) ? 'Configuring' : 'Available';
  return {
    Servers: page.items.map((s) => ({ ...s, ServerGroupId: g.ServerGroupId, Status: status })),
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
    TotalCount: all.length,
  };
}

export const nlbServerGroupHandlers: HandlerTable = {
  CreateServerGroup: createServerGroup,
  ListServerGroups: listServerGroups,
  UpdateServerGroupAttribute: (ctx) =>
    groupJob(ctx, (g) => {
      g.ServerGroupName = ctx.p.str('ServerGroupName') ?? g.ServerGroupName;
      g.Scheduler =
        ctx.p.str('Scheduler') === undefined
          ? g.Scheduler
          : oneOf(ctx, 'Scheduler', ['Wrr', 'rr', 'sch', 'tch', 'qch', 'Wlc'] as const);
      g.ConnectionDrainEnabled = ctx.p.bool('ConnectionDrainEnabled') ?? g.ConnectionDrainEnabled;
      g.ConnectionDrainTimeout = ctx.p.int('ConnectionDrainTimeout') ?? g.ConnectionDrainTimeout;
      g.PreserveClientIpEnabled = ctx.p.bool('PreserveClientIpEnabled') ?? g.PreserveClientIpEnabled;
      g.HealthCheck = healthCheck(ctx, g.HealthCheck);
    }),
  DeleteServerGroup: (ctx) => {
    const id = ctx.p.req('ServerGroupId');
    const user = Object.values(ctx.state.nlb.listeners).find((l) => l.ServerGroupId === id);
    if (user) throw illegalParam('ServerGroupId', `${id} is used by listener ${user.ListenerId}`);
    return groupJob(ctx, () => undefined, true);
  },
  ListServerGroupServers: listServers,
  AddServersToServerGroup: (ctx) =>
    groupJob(ctx, (g) => {
      const add = serversOf(ctx, g);
      const dup = add.find(
        (s, i) => g.Servers.some((o) => same(o, s)) || add.findIndex((o) => same(o, s)) !== i,
      );
      if (dup)
        throw illegalParam('Servers', `server ${dup.ServerId}:${dup.Port} is already in ${g.ServerGroupId}`);
      const limit = ctx.state.nlb.config.serversPerServerGroup;
      if (g.Servers.length + add.length > limit) throw quotaExceeded('ServersNum', limit);
      g.Servers.push(...add);
    }),
  RemoveServersFromServerGroup: (ctx) =>
    groupJob(ctx, (g) => {
      const gone = serversOf(ctx, g, true);
      const missing = gone.find((s) => !g.Servers.some((o) => same(o, s)));
      if (missing) throw resourceNotFound('backendServer', `${missing.ServerId}:${missing.Port}`);
      g.Servers = g.Servers.filter((o) => !gone.some((s) => same(o, s)));
    }),
  UpdateServerGroupServersAttribute: (ctx) =>
    groupJob(ctx, (g) => {
      for (const s of serversOf(ctx, g)) {
        const cur = g.Servers.find((o) => same(o, s));
        if (!cur) throw resourceNotFound('backendServer', `${s.ServerId}:${s.Port}`);
        cur.Weight = s.Weight;
        cur.Description = s.Description || cur.Description;
      }
    }),
};
