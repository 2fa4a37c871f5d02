// Backend servers: the SLB's default server group and VServer groups. Clients send them as JSON
// text (`BackendServers='[{"ServerId":"i-…","Weight":"100","Port":80}]'`); the CCM uses lower
// camel keys, the console upper camel, so both are accepted.
import { ApiError, invalidParameter } from '../errors.js';
import { newId, nowIso } from '../ids.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { BackendServer, LoadBalancer, VServerGroup } from '../state.js';
import { getLb, getVsg } from './lookup.js';
import { wireText } from '../../text.js';

export const MAX_BACKENDS = 200;

function field(o: Record<string, unknown>, name: string): unknown {
  return o[name] ?? o[name[0]!.toLowerCase() + name.slice(1)];
}

function parseBackends(ctx: Ctx, name: string, needPort: boolean): BackendServer[] {
  const list = ctx.p.json<unknown>(name);
  if (list === undefined)
    throw new ApiError(
      400,
      'MissingParameter',
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    );
  if (!Array.isArray(list)) throw invalidParameter(name, 'must be a JSON array');
  return list.map((raw) => {
    const o = (raw ?? {}) as Record<string, unknown>;
    const serverId = wireText(field(o, 'ServerId') ?? '');
    if (!serverId) throw invalidParameter(name, 'has an entry without ServerId');
    const type = wireText(field(o, 'Type') ?? 'ecs');
    if (type === 'ecs' && !ctx.state.instances[serverId])
      throw new ApiError(
        400,
        'InvalidBackendServers.ServerIdNotExist',
        `The backend server ${serverId} does not exist.`,
      );
    if (type === 'eni' && !ctx.state.networkInterfaces[serverId])
      throw new ApiError(
        400,
        'InvalidBackendServers.ServerIdNotExist',
        `The ENI ${serverId} does not exist.`,
      );
    const weight = Number(field(o, 'Weight') ?? 100);
    if (!Number.isInteger(weight) || weight < 0 || weight > 100)
      throw invalidParameter(name, `has weight ${String(field(o, 'Weight'))}; weights are integers 0..100`);
    const port = Number(field(o, 'Port') ?? 0);
    if (needPort && (!Number.isInteger(port) || port < 1 || port > 65535))
      throw invalidParameter(name, `has an entry for ${serverId} without a valid Port`);
    const ip = wireText(
      field(o, 'ServerIp') ??
        ctx.state.instances[serverId]?.PrivateIpAddress ??
        ctx.state.networkInterfaces[serverId]?.PrimaryIpAddress ??
        '',
    );
    return {
      ServerId: serverId,
      Weight: weight,
      Type: type,
      ServerIp: ip,
      Port: port,
      Description: wireText(field(o, 'Description') ?? ''),
    };
  });
}

const sameServer = (a: BackendServer, b: BackendServer, byPort: boolean) =>
  a.ServerId === b.ServerId &&
  (!byPort || a.Port === b.Port) &&
  (a.Type !== 'eni' || a.ServerIp === b.ServerIp);

function upsert(current: BackendServer[], add: BackendServer[], byPort: boolean): BackendServer[] {
  const out = current.map((b) => ({ ...b }));
  for (const a of add) {
    const hit = out.find((b) => sameServer(a, b, byPort));
    if (hit) Object.assign(hit, a);
    else out.push(a);
  }
  if (out.length > MAX_BACKENDS)
    throw new ApiError(
      400,
      'InstanceBackendServerNumberOverLimit',
      `A server group can hold at most ${MAX_BACKENDS} backend servers.`,
    );
  return out;
}

const renderLbBackends = (lb: LoadBalancer): ResponseBody => ({
  LoadBalancerId: lb.LoadBalancerId,
  BackendServers: {
    BackendServer: lb.BackendServers.map((b) => ({
      ServerId: b.ServerId,
      Weight: b.Weight,
      Type: b.Type,
      ServerIp: b.ServerIp,
      Description: b.Description,
    })),
  },
});

const renderGroup = (g: VServerGroup): ResponseBody => ({
  VServerGroupId: g.VServerGroupId,
  VServerGroupName: g.VServerGroupName,
  LoadBalancerId: g.LoadBalancerId,
  CreateTime: g.CreateTime,
  BackendServers: { BackendServer: g.BackendServers.map((b) => ({ ...b, ServerRegionId: '' })) },
  Tags: { Tag: g.Tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })) },
});

function addBackendServers(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  lb.BackendServers = upsert(lb.BackendServers, parseBackends(ctx, 'BackendServers', false), false);
  return renderLbBackends(lb);
}

function removeBackendServers(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const rm = parseBackendsLenient(ctx, 'BackendServers');
  lb.BackendServers = lb.BackendServers.filter((b) => !rm.some((r) => r.ServerId === b.ServerId));
  return renderLbBackends(lb);
}

function setBackendServers(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  // Only weights (and descriptions) of servers already attached change; others are ignored.
  for (const s of parseBackends(ctx, 'BackendServers', false)) {
    const hit = lb.BackendServers.find((b) => b.ServerId === s.ServerId);
    if (hit) Object.assign(hit, { Weight: s.Weight, Description: s.Description || hit.Description });
  }
  return renderLbBackends(lb);
}

/** Removal lists need not reference live instances (the instance may be gone already). */
function parseBackendsLenient(ctx: Ctx, name: string): BackendServer[] {
  const list = ctx.p.json<unknown>(name);
  if (!Array.isArray(list))
    throw new ApiError(
      400,
      'MissingParameter',
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    );
  return list.map((raw) => {
    const o = (raw ?? {}) as Record<string, unknown>;
    return {
      ServerId: wireText(field(o, 'ServerId') ?? ''),
      Weight: 0,
      Type: wireText(field(o, 'Type') ?? 'ecs'),
      ServerIp: wireText(field(o, 'ServerIp') ?? ''),
      Port: Number(field(o, 'Port') ?? 0),
      Description: '',
    };
  });
}

function createVServerGroup(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const backends = ctx.p.str('BackendServers')
    ? upsert([], parseBackends(ctx, 'BackendServers', true), true)
    : [];
  const g: VServerGroup = {
    VServerGroupId: newId('rsp'),
    VServerGroupName: ctx.p.str('VServerGroupName') ?? '',
    LoadBalancerId: lb.LoadBalancerId,
    CreateTime: nowIso(),
    BackendServers: backends,
    Tags: ctx.p.tags(),
  };
  ctx.state.vserverGroups[g.VServerGroupId] = g;
  return renderGroup(g);
}

function groupInUse(ctx: Ctx, g: VServerGroup): boolean {
  const lb = ctx.state.loadBalancers[g.LoadBalancerId];
  return Boolean(
    lb?.Listeners.some(
      (l) =>
        l.Attributes.VServerGroupId === g.VServerGroupId ||
        l.Attributes.MasterSlaveServerGroupId === g.VServerGroupId,
    ),
  );
}

function deleteVServerGroup(ctx: Ctx): ResponseBody {
  const g = getVsg(ctx);
  if (groupInUse(ctx, g))
    throw new ApiError(
      400,
      'ResourceInUse.VServerGroup',
      `VServer group ${g.VServerGroupId} is used by a listener.`,
    );
  delete ctx.state.vserverGroups[g.VServerGroupId];
  return {};
}

function describeVServerGroups(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const withListeners = ctx.p.bool('IncludeListener') ?? false;
  // Hoisted: the filter runs over every group in the region (10,000 at 5000 SLBs), per call.
  const description = ctx.p.str('Description');
  const groups = Object.values(ctx.state.vserverGroups).filter(
    (g) => g.LoadBalancerId === lb.LoadBalancerId && (!description || g.VServerGroupName === description),
  );
  return {
    VServerGroups: {
      VServerGroup: groups.map((g) => ({
        VServerGroupId: g.VServerGroupId,
        VServerGroupName: g.VServerGroupName,
        ServerCount: g.BackendServers.length,
        CreateTime: g.CreateTime,
        Tags: { Tag: g.Tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })) },
        AssociatedObjects: withListeners
          ? {
              Listeners: {
                Listener: lb.Listeners.filter((l) => l.Attributes.VServerGroupId === g.VServerGroupId).map(
                  (l) => ({
                    Port: l.ListenerPort,
                    Protocol: l.ListenerProtocol,
                    ListenerPort: l.ListenerPort,
                    ListenerProtocol: l.ListenerProtocol,
                    Status: l.Status,
                  }),
                ),
              },
              Rules: { Rule: [] },
            }
          : undefined,
      })),
    },
  };
}

function describeVServerGroupAttribute(ctx: Ctx): ResponseBody {
  return renderGroup(getVsg(ctx));
}

function setVServerGroupAttribute(ctx: Ctx): ResponseBody {
  const g = getVsg(ctx);
  const name = ctx.p.str('VServerGroupName');
  if (name !== undefined) g.VServerGroupName = name;
  if (ctx.p.str('BackendServers')) {
    for (const s of parseBackends(ctx, 'BackendServers', true)) {
      const hit = g.BackendServers.find((b) => sameServer(s, b, true));
      if (hit) Object.assign(hit, { Weight: s.Weight, Description: s.Description || hit.Description });
    }
  }
  return renderGroup(g);
}

function addVsgBackends(ctx: Ctx): ResponseBody {
  const g = getVsg(ctx);
  g.BackendServers = upsert(g.BackendServers, parseBackends(ctx, 'BackendServers', true), true);
  return renderGroup(g);
}

function removeVsgBackends(ctx: Ctx): ResponseBody {
  const g = getVsg(ctx);
  const rm = parseBackendsLenient(ctx, 'BackendServers');
  g.BackendServers = g.BackendServers.filter((b) => !rm.some((r) => sameServer(r, b, r.Port > 0)));
  return renderGroup(g);
}

function modifyVsgBackends(ctx: Ctx): ResponseBody {
  const g = getVsg(ctx);
  const old = parseBackendsLenient(ctx, 'OldBackendServers');
  const add = parseBackends(ctx, 'NewBackendServers', true);
  g.BackendServers = upsert(
    g.BackendServers.filter((b) => !old.some((r) => sameServer(r, b, r.Port > 0))),
    add,
    true,
  );
  return renderGroup(g);
}

export const backendHandlers: HandlerTable = {
  AddBackendServers: addBackendServers,
  RemoveBackendServers: removeBackendServers,
  SetBackendServers: setBackendServers,
  CreateVServerGroup: createVServerGroup,
  DeleteVServerGroup: deleteVServerGroup,
  DescribeVServerGroups: describeVServerGroups,
  DescribeVServerGroupAttribute: describeVServerGroupAttribute,
  SetVServerGroupAttribute: setVServerGroupAttribute,
  AddVServerGroupBackendServers: addVsgBackends,
  RemoveVServerGroupBackendServers: removeVsgBackends,
  ModifyVServerGroupBackendServers: modifyVsgBackends,
};
