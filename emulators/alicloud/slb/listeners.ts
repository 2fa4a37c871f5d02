// SLB listeners per protocol. Settings are kept as a bag of catalog-named attributes so every
// field a client sets is echoed back by the Describe*ListenerAttribute calls.
import { ApiError, invalidParameter } from '../errors.js';
import { tokenPageOf } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { Listener, ListenerProtocol, LoadBalancer } from '../state.js';
import { findListener, getLb, getListener } from './lookup.js';

const PROTOCOLS: ListenerProtocol[] = ['tcp', 'udp', 'http', 'https'];
/** Parameters that identify the listener or the request rather than configure the listener. */
const NOT_ATTRIBUTES = new Set([
  'LoadBalancerId',
  'ListenerPort',
  'ListenerProtocol',
  'access_key_id',
  'Tags',
  'VServerGroup',
  'MasterSlaveServerGroup',
  'OwnerId',
  'OwnerAccount',
  'ResourceOwnerId',
  'ResourceOwnerAccount',
]);
const COMMON = new Set([
  'Version',
  'Action',
  'Format',
  'Timestamp',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureType',
  'SignatureNonce',
  'AccessKeyId',
  'RegionId',
  'SecurityToken',
  'BearerToken',
  'Signature',
]);
const INTEGER_ATTRS = /(Port|Timeout|Interval|Threshold|Bandwidth|MaxConnection|ForwardCode)$/;

const DEFAULTS: Record<ListenerProtocol, Record<string, string | number>> = {
  tcp: {
    Scheduler: 'wrr',
    Bandwidth: -1,
    HealthCheck: 'on',
    HealthCheckType: 'tcp',
    HealthyThreshold: 3,
    UnhealthyThreshold: 3,
    HealthCheckInterval: 2,
    HealthCheckConnectTimeout: 5,
    PersistenceTimeout: 0,
    EstablishedTimeout: 900,
    AclStatus: 'off',
    ConnectionDrain: 'off',
  },
  udp: {
    Scheduler: 'wrr',
    Bandwidth: -1,
    HealthCheck: 'on',
    HealthyThreshold: 3,
    UnhealthyThreshold: 3,
    HealthCheckInterval: 2,
    HealthCheckConnectTimeout: 5,
    PersistenceTimeout: 0,
    AclStatus: 'off',
    ConnectionDrain: 'off',
  },
  http: {
    Scheduler: 'wrr',
    Bandwidth: -1,
    HealthCheck: 'off',
    StickySession: 'off',
    XForwardedFor: 'on',
    Gzip: 'on',
    IdleTimeout: 15,
    RequestTimeout: 60,
    ListenerForward: 'off',
    AclStatus: 'off',
  },
  https: {
    Scheduler: 'wrr',
    Bandwidth: -1,
    HealthCheck: 'off',
    StickySession: 'off',
    XForwardedFor: 'on',
    Gzip: 'on',
    IdleTimeout: 15,
    RequestTimeout: 60,
    EnableHttp2: 'on',
    TLSCipherPolicy: 'tls_cipher_policy_1_0',
    AclStatus: 'off',
  },
};

function attributesFrom(ctx: Ctx): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(ctx.p.raw)) {
    if (COMMON.has(k) || NOT_ATTRIBUTES.has(k) || k.startsWith('Tag.') || k.includes('.')) continue;
    // The Go SDK spells a few names in lower camel case (healthCheckInterval); responses do not.
    const name = k[0]!.toUpperCase() + k.slice(1);
    out[name] = INTEGER_ATTRS.test(name) && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

function checkPort(n: number, name: string): void {
  if (n < 1 || n > 65535) throw invalidParameter(name, 'must be between 1 and 65535');
}

function checkVServerGroup(ctx: Ctx, lb: LoadBalancer, attrs: Record<string, string | number>): void {
  for (const key of ['VServerGroupId', 'MasterSlaveServerGroupId']) {
    const id = attrs[key];
    if (id === undefined || id === '') continue;
    const g = ctx.state.vserverGroups[String(id)];
    if (!g || g.LoadBalancerId !== lb.LoadBalancerId)
      throw new ApiError(
        400,
        'InvalidParameter.VServerGroupId',
        `The specified ${key} ${id} does not exist on ${lb.LoadBalancerId}.`,
      );
  }
}

function checkCertificate(ctx: Ctx, attrs: Record<string, string | number>): void {
  const id = attrs.ServerCertificateId;
  if (id === undefined || id === '') return;
  if (!ctx.state.serverCertificates[String(id)])
    throw new ApiError(
      400,
      'ServerCertificateId.NotFound',
      `The specified ServerCertificateId ${id} does not exist.`,
    );
}

function conflicts(lb: LoadBalancer, port: number, protocol: ListenerProtocol): boolean {
  // TCP and UDP may share a port; anything else on the same port collides.
  return lb.Listeners.some(
    (l) =>
      l.ListenerPort === port &&
      (l.ListenerProtocol === protocol ||
        !(['tcp', 'udp'].includes(l.ListenerProtocol) && ['tcp', 'udp'].includes(protocol))),
  );
}

function create(protocol: ListenerProtocol) {
  return (ctx: Ctx): ResponseBody => {
    const lb = getLb(ctx);
    const port = ctx.p.reqInt('ListenerPort');
    checkPort(port, 'ListenerPort');
    const attrs = attributesFrom(ctx);
    if (
      attrs.VServerGroupId === undefined &&
      attrs.BackendServerPort === undefined &&
      attrs.MasterSlaveServerGroupId === undefined
    ) {
      throw new ApiError(
        400,
        'MissingParameter',
        'The input parameter "BackendServerPort" that is mandatory for processing this request is not supplied.',
      );
    }
    if (typeof attrs.BackendServerPort === 'number') checkPort(attrs.BackendServerPort, 'BackendServerPort');
    if (protocol === 'https' && !attrs.ServerCertificateId)
      throw new ApiError(
        400,
        'MissingParameter',
        'The input parameter "ServerCertificateId" that is mandatory for processing this request is not supplied.',
      );
    if (conflicts(lb, port, protocol))
      throw new ApiError(
        400,
        'ListenerAlreadyExists',
        `A listener already uses port ${port} on ${lb.LoadBalancerId}.`,
      );
    checkVServerGroup(ctx, lb, attrs);
    checkCertificate(ctx, attrs);
    // Like the real SLB, a new listener is stopped until StartLoadBalancerListener.
    lb.Listeners.push({
      ListenerPort: port,
      ListenerProtocol: protocol,
      Status: 'stopped',
      Attributes: { ...DEFAULTS[protocol], ...attrs },
    });
    return {};
  };
}

function set(protocol: ListenerProtocol) {
  return (ctx: Ctx): ResponseBody => {
    const lb = getLb(ctx);
    const l = getListener(lb, ctx.p.reqInt('ListenerPort'), protocol);
    const attrs = attributesFrom(ctx);
    checkVServerGroup(ctx, lb, attrs);
    checkCertificate(ctx, attrs);
    Object.assign(l.Attributes, attrs);
    if (ctx.p.str('VServerGroup') === 'off') delete l.Attributes.VServerGroupId;
    if (ctx.p.str('VServerGroup') === 'on' && !l.Attributes.VServerGroupId)
      throw new ApiError(400, 'MissingParameter', 'VServerGroupId is mandatory when VServerGroup is on.');
    return {};
  };
}

function render(lb: LoadBalancer, l: Listener): ResponseBody {
  return {
    ...l.Attributes,
    LoadBalancerId: lb.LoadBalancerId,
    ListenerPort: l.ListenerPort,
    ListenerProtocol: l.ListenerProtocol,
    Status: l.Status,
    BackendServerPort: l.Attributes.BackendServerPort ?? 0,
    AclIds: { AclId: l.Attributes.AclId ? [l.Attributes.AclId] : [] },
    PortRanges: { PortRange: [] },
    Tags: { Tag: [] },
  };
}

function describe(protocol: ListenerProtocol) {
  return (ctx: Ctx): ResponseBody => {
    const lb = getLb(ctx);
    return render(lb, getListener(lb, ctx.p.reqInt('ListenerPort'), protocol));
  };
}

function describeListeners(ctx: Ctx): ResponseBody {
  const ids = ctx.p.list('LoadBalancerId');
  const lbs = ids.length > 0 ? ids.map((id) => getLb(ctx, id)) : Object.values(ctx.state.loadBalancers);
  const protocol = ctx.p.str('ListenerProtocol')?.toLowerCase();
  const port = ctx.p.int('ListenerPort');
  const desc = ctx.p.str('Description');
  const rows = lbs.flatMap((lb) =>
    lb.Listeners.filter(
      (l) =>
        (!protocol || l.ListenerProtocol === protocol) &&
        (port === undefined || l.ListenerPort === port) &&
        (!desc || l.Attributes.Description === desc),
    )
      .sort((a, b) => a.ListenerPort - b.ListenerPort)
      .map((l) => ({ lb, l })),
  );
  const page = tokenPageOf(rows, ctx.p, { max: 100, def: 20 });
  return {
    Listeners: page.items.map(({ lb, l }) => {
      const a = l.Attributes;
      const config = { ...a };
      return {
        LoadBalancerId: lb.LoadBalancerId,
        ListenerPort: l.ListenerPort,
        ListenerProtocol: l.ListenerProtocol,
        Status: l.Status,
        BackendServerPort: a.BackendServerPort ?? 0,
        VServerGroupId: a.VServerGroupId ?? '',
        Scheduler: a.Scheduler,
        Bandwidth: a.Bandwidth,
        Description: a.Description ?? '',
        AclStatus: a.AclStatus,
        AclType: a.AclType,
        AclId: a.AclId,
        BackendProtocol: a.BackendProtocol,
        [`${l.ListenerProtocol.toUpperCase()}ListenerConfig`]: config,
        Tags: [],
      };
    }),
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
    TotalCount: rows.length,
  };
}

function listenerFor(ctx: Ctx): [LoadBalancer, Listener] {
  const lb = getLb(ctx);
  const port = ctx.p.reqInt('ListenerPort');
  const protocol = ctx.p.str('ListenerProtocol')?.toLowerCase();
  if (protocol && !PROTOCOLS.includes(protocol as ListenerProtocol))
    throw invalidParameter('ListenerProtocol');
  if (!protocol && lb.Listeners.filter((l) => l.ListenerPort === port).length > 1) {
    throw new ApiError(
      400,
      'MissingParameter',
      `Port ${port} has several listeners; ListenerProtocol is mandatory.`,
    );
  }
  return [lb, getListener(lb, port, protocol)];
}

function start(ctx: Ctx): ResponseBody {
  const [lb, l] = listenerFor(ctx);
  if (lb.LoadBalancerStatus === 'locked')
    throw new ApiError(400, 'OperationFailed.LoadBalancerLocked', 'The load balancer is locked.');
  l.Status = 'running';
  return {};
}

function stop(ctx: Ctx): ResponseBody {
  const [, l] = listenerFor(ctx);
  l.Status = 'stopped';
  return {};
}

function remove(ctx: Ctx): ResponseBody {
  const [lb, l] = listenerFor(ctx);
  lb.Listeners = lb.Listeners.filter((x) => x !== l);
  for (const [id, d] of Object.entries(ctx.state.domainExtensions)) {
    if (d.LoadBalancerId === lb.LoadBalancerId && d.ListenerPort === l.ListenerPort)
      delete ctx.state.domainExtensions[id];
  }
  return {};
}

export { findListener };

export const listenerHandlers: HandlerTable = {
  CreateLoadBalancerTCPListener: create('tcp'),
  CreateLoadBalancerUDPListener: create('udp'),
  CreateLoadBalancerHTTPListener: create('http'),
  CreateLoadBalancerHTTPSListener: create('https'),
  SetLoadBalancerTCPListenerAttribute: set('tcp'),
  SetLoadBalancerUDPListenerAttribute: set('udp'),
  SetLoadBalancerHTTPListenerAttribute: set('http'),
  SetLoadBalancerHTTPSListenerAttribute: set('https'),
  DescribeLoadBalancerTCPListenerAttribute: describe('tcp'),
  DescribeLoadBalancerUDPListenerAttribute: describe('udp'),
  DescribeLoadBalancerHTTPListenerAttribute: describe('http'),
  DescribeLoadBalancerHTTPSListenerAttribute: describe('https'),
  DescribeLoadBalancerListeners: describeListeners,
  StartLoadBalancerListener: start,
  StopLoadBalancerListener: stop,
  DeleteLoadBalancerListener: remove,
};
