// NLB listeners: TCP/UDP/TCPSSL on one port or a port range, each forwarding to a server group
// of a matching protocol in the instance's VPC; certificates for TCPSSL; start/stop; the
// additional-certificate list. All writes are jobs that lock the listener and its instance.
import { newId } from '../ids.js';
import { invalidParameter, missingParameter } from '../errors.js';
import { tokenPageOf } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import {
  getListener,
  getServerGroup,
  hasTags,
  illegalParam,
  oneOf,
  PAGE,
  quotaExceeded,
  renderTags,
  writableLb,
} from './common.js';
import { isLocked, lbKey, listenerKey, startJob } from './jobs.js';
import type { NlbListenerRecord, NlbServerGroupRecord } from './types.js';

const PROTOCOLS = ['TCP', 'UDP', 'TCPSSL'] as const;
const PPV2_KEYS = ['Ppv2VpcIdEnabled', 'Ppv2PrivateLinkEpIdEnabled', 'Ppv2PrivateLinkEpsIdEnabled'];

function render(ctx: Ctx, l: NlbListenerRecord): ResponseBody {
  const locked = isLocked(ctx.state.nlb, listenerKey(l.ListenerId));
  return {
    ...l,
    StartPort: String(l.StartPort),
    EndPort: String(l.EndPort),
    ListenerStatus: locked ? 'Configuring' : l.Running ? 'Running' : 'Stopped',
    RegionId: ctx.state.regionId,
    Tags: renderTags(l.Tags),
  };
}

/** The shrink parameter arrives as JSON text of an object of booleans. */
function ppv2(ctx: Ctx): Record<string, boolean> | undefined {
  const v = ctx.p.json<unknown>('ProxyProtocolV2Config');
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw invalidParameter('ProxyProtocolV2Config', 'must be a JSON object');
  const out: Record<string, boolean> = {};
  for (const [k, b] of Object.entries(v as Record<string, unknown>)) {
    if (!PPV2_KEYS.includes(k) || typeof b !== 'boolean')
      throw invalidParameter('ProxyProtocolV2Config', `has an unknown or non-boolean member "${k}"`);
    out[k] = b;
  }
  return out;
}

function compatible(protocol: NlbListenerRecord['ListenerProtocol'], g: NlbServerGroupRecord): boolean {
  return protocol === 'UDP'
    ? g.Protocol === 'UDP'
    : g.Protocol === 'TCP' || (protocol === 'TCPSSL' && g.Protocol === 'TCPSSL');
}

function serverGroupFor(
  ctx: Ctx,
  vpcId: string,
  protocol: NlbListenerRecord['ListenerProtocol'],
  anyPort: boolean,
): string {
  const id = ctx.p.req('ServerGroupId');
  const g = getServerGroup(ctx.state.nlb, id);
  if (g.VpcId !== vpcId)
    throw illegalParam('ServerGroupId', `${id} is in ${g.VpcId}, not the instance's VPC ${vpcId}`);
  if (!compatible(protocol, g))
    throw illegalParam(
      'ServerGroupId',
      `a ${protocol} listener cannot forward to a ${g.Protocol} server group`,
    );
  if (anyPort && !g.AnyPortEnabled)
    throw illegalParam('ServerGroupId', `a port-range listener needs a server group with AnyPortEnabled`);
  return id;
}

function port(ctx: Ctx, name: string, min: number): number | undefined {
  const v = ctx.p.int(name);
  if (v !== undefined && (v < min || v > 65535)) throw illegalParam(name, `${v} is outside ${min}..65535`);
  return v;
}

function settings(ctx: Ctx, l: NlbListenerRecord): void {
  const { p } = ctx;
  l.ListenerDescription = p.str('ListenerDescription') ?? l.ListenerDescription;
  const idle = p.int('IdleTimeout');
  if (idle !== undefined && (idle < 1 || idle > 900))
    throw illegalParam('IdleTimeout', `${idle} is outside 1..900`);
  l.IdleTimeout = idle ?? l.IdleTimeout;
  l.Cps = p.int('Cps') ?? l.Cps;
  l.Mss = p.int('Mss') ?? l.Mss;
  l.ProxyProtocolEnabled = p.bool('ProxyProtocolEnabled') ?? l.ProxyProtocolEnabled;
  l.ProxyProtocolV2Config = ppv2(ctx) ?? l.ProxyProtocolV2Config;
  l.SecSensorEnabled = p.bool('SecSensorEnabled') ?? l.SecSensorEnabled;
  l.SecurityPolicyId = p.str('SecurityPolicyId') ?? l.SecurityPolicyId;
  const certs = p.list('CertificateIds');
  if (certs.length > 0) l.CertificateIds = certs;
  const cas = p.list('CaCertificateIds');
  if (cas.length > 0) l.CaCertificateIds = cas;
  l.CaEnabled = p.bool('CaEnabled') ?? l.CaEnabled;
  l.AlpnEnabled = p.bool('AlpnEnabled') ?? l.AlpnEnabled;
  l.AlpnPolicy = p.str('AlpnPolicy') ?? l.AlpnPolicy;
  if (l.ListenerProtocol === 'TCPSSL' && l.CertificateIds.length === 0)
    throw missingParameter('CertificateIds');
}

function createListener(ctx: Ctx): ResponseBody {
  const nlb = ctx.state.nlb;
  const lb = writableLb(nlb, ctx.p.req('LoadBalancerId'));
  const protocol = oneOf(ctx, 'ListenerProtocol', PROTOCOLS);
  const listenerPort = port(ctx, 'ListenerPort', 0);
  if (listenerPort === undefined) throw missingParameter('ListenerPort');
  const start = port(ctx, 'StartPort', 1) ?? 0;
  const end = port(ctx, 'EndPort', 1) ?? 0;
  const range = listenerPort === 0;
  if (range && (start === 0 || end === 0 || start > end))
    throw illegalParam('StartPort', 'a listener on port 0 needs StartPort <= EndPort');
  const mine = Object.values(nlb.listeners).filter((l) => l.LoadBalancerId === lb.LoadBalancerId);
  const limit = nlb.config.listenersPerLoadBalancer;
  if (mine.length >= limit) throw quotaExceeded('ListenersNum', limit);
  const lo = range ? start : listenerPort;
  const hi = range ? end : listenerPort;
  const clash = mine.find((l) => {
    const sameFamily = (l.ListenerProtocol === 'UDP') === (protocol === 'UDP');
    const [a, b] = l.ListenerPort === 0 ? [l.StartPort, l.EndPort] : [l.ListenerPort, l.ListenerPort];
    return sameFamily && a <= hi && lo <= b;
  });
  if (clash)
    throw illegalParam(
      'ListenerPort',
      `port ${lo}${range ? `-${hi}` : ''} overlaps listener ${clash.ListenerId}`,
    );
  const l: NlbListenerRecord = {
    ListenerId: newId('lsn'),
    LoadBalancerId: lb.LoadBalancerId,
    ListenerProtocol: protocol,
    ListenerPort: listenerPort,
    StartPort: start,
    EndPort: end,
    Running: true,
    ServerGroupId: serverGroupFor(ctx, lb.VpcId, protocol, range),
    ListenerDescription: '',
    IdleTimeout: 900,
    Cps: 0,
    Mss: 0,
    ProxyProtocolEnabled: false,
    ProxyProtocolV2Config: {},
    SecSensorEnabled: false,
    SecurityPolicyId: protocol === 'TCPSSL' ? 'tls_cipher_policy_1_0' : '',
    CertificateIds: [],
    AdditionalCertificateIds: [],
    CaCertificateIds: [],
    CaEnabled: false,
    AlpnEnabled: false,
    AlpnPolicy: '',
    Tags: ctx.p.tags(),
  };
  settings(ctx, l);
  return startJob(ctx, {
    locks: [lbKey(lb.LoadBalancerId)],
    apply: () => {
      nlb.listeners[l.ListenerId] = l;
      return [listenerKey(l.ListenerId)];
    },
    body: { ListenerId: l.ListenerId },
  });
}

/** A job on one listener; it locks the instance too, as listener changes reconfigure it. */
function listenerJob(ctx: Ctx, edit: (l: NlbListenerRecord) => void, remove = false): ResponseBody {
  const nlb = ctx.state.nlb;
  const l = getListener(nlb, ctx.p.req('ListenerId'));
  writableLb(nlb, l.LoadBalancerId);
  const draft = structuredClone(l);
  edit(draft); // validate before anything is locked
  return startJob(ctx, {
    locks: [listenerKey(l.ListenerId), lbKey(l.LoadBalancerId)],
    apply: () => {
      if (remove) delete nlb.listeners[l.ListenerId];
      else nlb.listeners[l.ListenerId] = draft;
    },
  });
}

function listListeners(ctx: Ctx): ResponseBody {
  const { p } = ctx;
  const lbs = p.list('LoadBalancerIds');
  const ids = p.list('ListenerIds');
  const proto = p.str('ListenerProtocol');
  const tags = p.tags();
  const all = Object.values(ctx.state.nlb.listeners).filter(
    (l) =>
      (lbs.length === 0 || lbs.includes(l.LoadBalancerId)) &&
      (ids.length === 0 || ids.includes(l.ListenerId)) &&
      (proto === undefined || proto === l.ListenerProtocol) &&
      hasTags(l.Tags, tags),
  );
  const page = tokenPageOf(all, p, PAGE);
  return {
    Listeners: page.items.map((l) => render(ctx, l)),
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
    TotalCount: all.length,
  };
}

function certificates(ctx: Ctx): ResponseBody {
  const l = getListener(ctx.state.nlb, ctx.p.req('ListenerId'));
  const type = ctx.p.str('CertType');
  const wanted = ctx.p.list('CertificateIds');
  const all = [
    ...l.CertificateIds.map((id, i) => ({
      CertificateId: id,
      CertificateType: 'Server',
      IsDefault: i === 0,
      Status: 'Associated',
    })),
    ...l.AdditionalCertificateIds.map((id) => ({
      CertificateId: id,
      CertificateType: 'Server',
      IsDefault: false,
      Status: 'Associated',
    })),
    ...l.CaCertificateIds.map((id) => ({
      CertificateId: id,
      CertificateType: 'Ca',
      IsDefault: false,
      Status: 'Associated',
    })),
  ].filter(
    (c) =>
      (type === undefined || c.CertificateType === type) &&
      (wanted.length === 0 || wanted.includes(c.CertificateId)),
  );
  const page = tokenPageOf(all, ctx.p, PAGE);
  return {
    Certificates: page.items,
    CertificateIds: page.items.map((c) => c.CertificateId),
    NextToken: page.nextToken,
    MaxResults: page.maxResults,
    TotalCount: all.length,
  };
}

export const nlbListenerHandlers: HandlerTable = {
  CreateListener: createListener,
  ListListeners: listListeners,
  GetListenerAttribute: (ctx) => render(ctx, getListener(ctx.state.nlb, ctx.p.req('ListenerId'))),
  UpdateListenerAttribute: (ctx) =>
    listenerJob(ctx, (l) => {
      if (ctx.p.str('ServerGroupId') !== undefined) {
        const lb = writableLb(ctx.state.nlb, l.LoadBalancerId);
        l.ServerGroupId = serverGroupFor(ctx, lb.VpcId, l.ListenerProtocol, l.ListenerPort === 0);
      }
      settings(ctx, l);
    }),
  DeleteListener: (ctx) => listenerJob(ctx, () => undefined, true),
  StartListener: (ctx) =>
    listenerJob(ctx, (l) => {
      l.Running = true;
    }),
  StopListener: (ctx) =>
    listenerJob(ctx, (l) => {
      l.Running = false;
    }),
  GetListenerHealthStatus: (ctx) => {
    const l = getListener(ctx.state.nlb, ctx.p.req('ListenerId'));
    return {
      ListenerHealthStatus: [
        {
          ListenerId: l.ListenerId,
          ListenerPort: l.ListenerPort,
          ListenerProtocol: l.ListenerProtocol,
          ServerGroupInfos: [
            { ServerGroupId: l.ServerGroupId, HeathCheckEnabled: true, NonNormalServers: [] },
          ],
        },
      ],
      TotalCount: 1,
      MaxResults: 1,
      NextToken: '',
    };
  },
  ListListenerCertificates: certificates,
  AssociateAdditionalCertificatesWithListener: (ctx) => {
    const ids = ctx.p.list('AdditionalCertificateIds');
    if (ids.length === 0) throw missingParameter('AdditionalCertificateIds.1');
    return listenerJob(ctx, (l) => {
      if (l.ListenerProtocol !== 'TCPSSL')
        throw illegalParam('ListenerId', `${l.ListenerId} is not a TCPSSL listener`);
      l.AdditionalCertificateIds = [...new Set([...l.AdditionalCertificateIds, ...ids])];
    });
  },
  DisassociateAdditionalCertificatesWithListener: (ctx) => {
    const ids = ctx.p.list('AdditionalCertificateIds');
    if (ids.length === 0) throw missingParameter('AdditionalCertificateIds.1');
    return listenerJob(ctx, (l) => {
      l.AdditionalCertificateIds = l.AdditionalCertificateIds.filter((c) => !ids.includes(c));
    });
  },
};
