// The cloud operations the NLB controller uses, in the controller's own model terms, and their
// adapter onto the NLB facade (src/cloud/nlb.ts, contract in src/cloud/nlb-types.ts). The port is
// what tests fake; the adapter is the only place that knows the API's field names.
import { hasCode, isNotFound } from '../../cloud/errors.js';
import type { Tag } from '../../cloud/params.js';
import { NLB_IDS_PER_CALL } from '../../cloud/nlb-types.js';
import type {
  NlbApi,
  NlbHealthCheckConfig,
  NlbListener as ApiListener,
  NlbListenerInput,
  NlbListenerUpdate,
  NlbLoadBalancer,
  NlbServer as ApiServer,
  NlbServerGroup as ApiServerGroup,
} from '../../cloud/nlb-types.js';
import type {
  HealthCheck,
  ModificationProtection,
  NlbAddressType,
  NlbAttributes,
  NlbListener,
  NlbListenerProtocol,
  NlbListenerSettings,
  NlbServer,
  NlbServerGroup,
  ServerGroupSettings,
  ZoneMapping,
} from './types.js';

/** An NLB as read: attributes and tags (listeners and groups are read separately, when needed). */
export interface NlbRecord {
  attributes: NlbAttributes;
  tags: Record<string, string>;
}

/** Ids one `listLoadBalancersByIds` call takes (ListLoadBalancers' `LoadBalancerIds.N` limit). */
export const MAX_NLB_IDS_PER_LIST = NLB_IDS_PER_CALL;

export interface NlbCloudPort {
  getLoadBalancer(id: string): Promise<NlbRecord | undefined>;
  /**
   * The NLBs among `ids` that exist, in one ListLoadBalancers call when there are at most
   * MAX_NLB_IDS_PER_LIST (the drift pass's cheap read); an absent id does not exist.
   */
  listLoadBalancersByIds(ids: readonly string[]): Promise<NlbRecord[]>;
  /** NLBs carrying every tag given. */
  findLoadBalancers(tags: Record<string, string>): Promise<NlbRecord[]>;
  /** The new NLB's id; `undefined` in dry-run (nothing was sent). */
  createLoadBalancer(
    attributes: NlbAttributes,
    tags: Record<string, string>,
    clientToken: string,
  ): Promise<string | undefined>;
  deleteLoadBalancer(id: string): Promise<void>;
  updateLoadBalancer(id: string, changes: { name?: string; crossZoneEnabled?: boolean }): Promise<void>;
  updateAddressType(id: string, addressType: NlbAddressType): Promise<void>;
  updateZones(id: string, zones: ZoneMapping[]): Promise<void>;
  updateProtection(
    id: string,
    p: { deletionProtection?: boolean; modificationProtection?: ModificationProtection },
  ): Promise<void>;
  joinSecurityGroups(id: string, ids: string[]): Promise<void>;
  leaveSecurityGroups(id: string, ids: string[]): Promise<void>;
  attachBandwidthPackage(id: string, packageId: string): Promise<void>;
  detachBandwidthPackage(id: string, packageId: string): Promise<void>;
  tagLoadBalancer(id: string, tags: Record<string, string>): Promise<void>;
  untagLoadBalancer(id: string, keys: string[]): Promise<void>;

  listListeners(loadBalancerId: string): Promise<NlbListener[]>;
  createListener(
    loadBalancerId: string,
    listener: NlbListener,
    serverGroupId: string,
  ): Promise<string | undefined>;
  updateListener(
    listenerId: string,
    changes: NlbListenerSettings,
    extra: { serverGroupId?: string; description?: string },
  ): Promise<void>;
  startListener(listenerId: string): Promise<void>;
  deleteListener(listenerId: string): Promise<void>;

  /** Groups carrying every tag given, with their servers. */
  findServerGroups(tags: Record<string, string>): Promise<NlbServerGroup[]>;
  /** Groups by id, with their servers; missing ids are left out. */
  getServerGroups(ids: readonly string[]): Promise<NlbServerGroup[]>;
  createServerGroup(
    group: NlbServerGroup,
    vpcId: string,
    resourceGroupId: string | undefined,
    tags: Record<string, string>,
  ): Promise<string | undefined>;
  updateServerGroup(id: string, changes: ServerGroupSettings): Promise<void>;
  deleteServerGroup(id: string): Promise<void>;
  addServers(groupId: string, servers: NlbServer[]): Promise<void>;
  updateServers(groupId: string, servers: NlbServer[]): Promise<void>;
  removeServers(groupId: string, servers: NlbServer[]): Promise<void>;

  isNotFound(err: unknown): boolean;
  hasCode(err: unknown, ...codes: string[]): boolean;
}

const toTags = (t: Record<string, string>): Tag[] =>
  Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
const fromTags = (t: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((t ?? []).map((x) => [x.Key, x.Value]));

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const ADDRESS_TYPES = ['Internet', 'Intranet'] as const;

/** The API's open string enums narrowed to the values this controller knows. */
function pick<const T extends string>(v: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === v);
}

export function recordOf(lb: NlbLoadBalancer): NlbRecord {
  const mod = lb.ModificationProtectionConfig?.Status;
  return {
    attributes: defined({
      loadBalancerId: lb.LoadBalancerId,
      name: lb.LoadBalancerName,
      addressType: pick(lb.AddressType, ADDRESS_TYPES),
      addressIpVersion:
        lb.AddressIpVersion?.toLowerCase() === 'dualstack' ? ('DualStack' as const) : ('ipv4' as const),
      ipv6AddressType: pick(lb.Ipv6AddressType, ADDRESS_TYPES),
      vpcId: lb.VpcId,
      zoneMappings: (lb.ZoneMappings ?? []).map((z) => {
        const a = z.LoadBalancerAddresses?.[0];
        return defined({
          zoneId: z.ZoneId,
          vSwitchId: z.VSwitchId,
          ipv4Addr: a?.PrivateIPv4Address,
          allocationId: a?.AllocationId,
        });
      }),
      resourceGroupId: lb.ResourceGroupId,
      securityGroupIds: [...(lb.SecurityGroupIds ?? [])].sort(),
      bandwidthPackageId: lb.BandwidthPackageId,
      crossZoneEnabled: lb.CrossZoneEnabled,
      deletionProtection: lb.DeletionProtectionConfig?.Enabled,
      modificationProtection: pick(mod, ['ConsoleProtection', 'NonProtection'] as const),
      dnsName: lb.DNSName,
      status: lb.LoadBalancerStatus,
    }),
    tags: fromTags(lb.Tags),
  };
}

function listenerOf(l: ApiListener): NlbListener {
  const p = l.ProxyProtocolV2Config;
  return {
    protocol: l.ListenerProtocol as NlbListenerProtocol,
    port: l.ListenerPort,
    ...(l.StartPort ? { startPort: l.StartPort } : {}),
    ...(l.EndPort ? { endPort: l.EndPort } : {}),
    description: l.ListenerDescription ?? '',
    ...(l.ServerGroupId ? { serverGroupId: l.ServerGroupId } : {}),
    listenerId: l.ListenerId,
    ...(l.ListenerStatus ? { status: l.ListenerStatus } : {}),
    settings: defined({
      idleTimeout: l.IdleTimeout,
      cps: l.Cps,
      proxyProtocolEnabled: l.ProxyProtocolEnabled,
      proxyProtocolV2: p
        ? defined({
            privateLinkEpIdEnabled: p.Ppv2PrivateLinkEpIdEnabled,
            privateLinkEpsIdEnabled: p.Ppv2PrivateLinkEpsIdEnabled,
            vpcIdEnabled: p.Ppv2VpcIdEnabled,
          })
        : undefined,
      securityPolicyId: l.SecurityPolicyId,
      certificateIds: l.CertificateIds,
      caCertificateIds: l.CaCertificateIds,
      caEnabled: l.CaEnabled,
      alpnEnabled: l.AlpnEnabled,
      alpnPolicy: l.AlpnPolicy,
    }),
  };
}

function listenerFields(s: NlbListenerSettings): NlbListenerUpdate {
  const p = s.proxyProtocolV2;
  return defined({
    IdleTimeout: s.idleTimeout,
    Cps: s.cps,
    ProxyProtocolEnabled: s.proxyProtocolEnabled,
    ProxyProtocolV2Config: p
      ? defined({
          Ppv2PrivateLinkEpIdEnabled: p.privateLinkEpIdEnabled,
          Ppv2PrivateLinkEpsIdEnabled: p.privateLinkEpsIdEnabled,
          Ppv2VpcIdEnabled: p.vpcIdEnabled,
        })
      : undefined,
    SecurityPolicyId: s.securityPolicyId,
    CertificateIds: s.certificateIds,
    CaCertificateIds: s.caCertificateIds,
    CaEnabled: s.caEnabled,
    AlpnEnabled: s.alpnEnabled,
    AlpnPolicy: s.alpnPolicy,
  });
}

function healthCheckOf(h: NlbHealthCheckConfig | undefined): HealthCheck | undefined {
  if (!h) return undefined;
  const type = pick(h.HealthCheckType?.toLowerCase(), ['tcp', 'http'] as const);
  const method = pick(h.HttpCheckMethod?.toUpperCase(), ['GET', 'HEAD'] as const);
  return defined({
    enabled: h.HealthCheckEnabled ?? true,
    type,
    connectPort: h.HealthCheckConnectPort,
    healthyThreshold: h.HealthyThreshold,
    unhealthyThreshold: h.UnhealthyThreshold,
    connectTimeout: h.HealthCheckConnectTimeout,
    interval: h.HealthCheckInterval,
    domain: h.HealthCheckDomain,
    url: h.HealthCheckUrl,
    httpCodes: h.HealthCheckHttpCode,
    method,
  });
}

function healthCheckFields(h: HealthCheck | undefined): NlbHealthCheckConfig | undefined {
  if (!h) return undefined;
  return defined({
    HealthCheckEnabled: h.enabled,
    HealthCheckType: h.type?.toUpperCase(),
    HealthCheckConnectPort: h.connectPort,
    HealthyThreshold: h.healthyThreshold,
    UnhealthyThreshold: h.unhealthyThreshold,
    HealthCheckConnectTimeout: h.connectTimeout,
    HealthCheckInterval: h.interval,
    HealthCheckDomain: h.domain,
    HealthCheckUrl: h.url,
    HealthCheckHttpCode: h.httpCodes,
    HttpCheckMethod: h.method,
  });
}

function serverOf(s: ApiServer): NlbServer {
  return {
    serverId: s.ServerId,
    ...(s.ServerIp ? { serverIp: s.ServerIp } : {}),
    serverType: pick(s.ServerType, ['Eni', 'Ip'] as const) ?? 'Ecs',
    port: s.Port,
    weight: s.Weight ?? 100,
    ...(s.Description ? { description: s.Description } : {}),
  };
}

const serverFields = (s: NlbServer): ApiServer =>
  defined({
    ServerId: s.serverId,
    ServerType: s.serverType,
    ServerIp: s.serverIp,
    Port: s.port,
    Weight: s.weight,
    Description: s.description,
  });

async function groupOf(api: NlbApi, g: ApiServerGroup): Promise<NlbServerGroup> {
  const servers = await api.listServers(g.ServerGroupId);
  return {
    name: g.ServerGroupName ?? '',
    id: g.ServerGroupId,
    type: g.ServerGroupType === 'Ip' ? 'Ip' : 'Instance',
    protocol: (g.Protocol ?? 'TCP') as NlbListenerProtocol,
    ...(g.AnyPortEnabled ? { anyPortEnabled: true } : {}),
    tags: fromTags(g.Tags),
    settings: defined({
      scheduler: g.Scheduler,
      connectionDrainEnabled: g.ConnectionDrainEnabled,
      connectionDrainTimeout: g.ConnectionDrainTimeout,
      preserveClientIpEnabled: g.PreserveClientIpEnabled,
      healthCheck: healthCheckOf(g.HealthCheck),
    }),
    servers: servers.map(serverOf),
  };
}

/** The non-default certificates of a listener, sorted (the default one is `CertificateIds`). */
async function additionalCerts(api: NlbApi, listenerId: string): Promise<string[]> {
  return (await api.listListenerCertificates(listenerId))
    .filter((c) => !c.IsDefault && (c.CertificateType ?? 'Server') === 'Server')
    .map((c) => c.CertificateId)
    .sort();
}

/** The port onto the process's NLB facade. */
export function nlbCloudPort(api: NlbApi): NlbCloudPort {
  return {
    getLoadBalancer: async (id) => {
      const lb = await api.getLoadBalancer(id);
      return lb ? recordOf(lb) : undefined;
    },
    listLoadBalancersByIds: async (ids) =>
      ids.length === 0 ? [] : (await api.listLoadBalancers({ LoadBalancerIds: [...ids] })).map(recordOf),
    findLoadBalancers: async (tags) => (await api.listLoadBalancers({ Tags: toTags(tags) })).map(recordOf),
    createLoadBalancer: (a, tags, clientToken) =>
      api.createLoadBalancer({
        LoadBalancerName: a.name ?? '',
        AddressType: a.addressType ?? 'Internet',
        VpcId: a.vpcId ?? '',
        ZoneMappings: (a.zoneMappings ?? []).map((z) =>
          defined({
            ZoneId: z.zoneId,
            VSwitchId: z.vSwitchId,
            PrivateIPv4Address: z.ipv4Addr,
            AllocationId: z.allocationId,
          }),
        ),
        ...defined({
          AddressIpVersion: a.addressIpVersion,
          BandwidthPackageId: a.bandwidthPackageId || undefined,
          ResourceGroupId: a.resourceGroupId,
          DeletionProtection:
            a.deletionProtection !== undefined ? { Enabled: a.deletionProtection } : undefined,
          ModificationProtection: a.modificationProtection
            ? {
                Status: a.modificationProtection,
                ...(a.modificationProtection === 'ConsoleProtection' ? { Reason: 'managed.by.ack' } : {}),
              }
            : undefined,
        }),
        Tags: toTags(tags),
        ClientToken: clientToken,
      }),
    deleteLoadBalancer: (id) => api.deleteLoadBalancer(id),
    updateLoadBalancer: (id, c) =>
      api.updateLoadBalancer(id, defined({ LoadBalancerName: c.name, CrossZoneEnabled: c.crossZoneEnabled })),
    updateAddressType: (id, t) => api.updateAddressType(id, t),
    updateZones: (id, zones) =>
      api.updateZones(
        id,
        zones.map((z) =>
          defined({
            ZoneId: z.zoneId,
            VSwitchId: z.vSwitchId,
            PrivateIPv4Address: z.ipv4Addr,
            AllocationId: z.allocationId,
          }),
        ),
      ),
    updateProtection: (id, p) =>
      api.updateProtection(
        id,
        defined({
          DeletionProtectionEnabled: p.deletionProtection,
          ModificationProtectionStatus: p.modificationProtection,
          ModificationProtectionReason:
            p.modificationProtection === 'ConsoleProtection' ? 'managed.by.ack' : undefined,
        }),
      ),
    joinSecurityGroups: (id, ids) => api.joinSecurityGroups(id, ids),
    leaveSecurityGroups: (id, ids) => api.leaveSecurityGroups(id, ids),
    attachBandwidthPackage: (id, p) => api.attachBandwidthPackage(id, p),
    detachBandwidthPackage: (id, p) => api.detachBandwidthPackage(id, p),
    tagLoadBalancer: (id, tags) => api.tagResources('loadbalancer', [id], toTags(tags)),
    untagLoadBalancer: (id, keys) => api.untagResources('loadbalancer', [id], keys),

    listListeners: async (lbId) => {
      const all = (await api.listListeners([lbId])).filter((l) => l.LoadBalancerId === lbId).map(listenerOf);
      // Additional (SNI) certificates are not in the listener record: one read per TCPSSL listener.
      for (const l of all)
        if (l.protocol === 'TCPSSL' && l.listenerId)
          l.settings.additionalCertificateIds = await additionalCerts(api, l.listenerId);
      return all;
    },
    createListener: async (lbId, l, serverGroupId) => {
      const input: NlbListenerInput = {
        ListenerProtocol: l.protocol,
        ListenerPort: l.port,
        ...(l.startPort ? { StartPort: l.startPort, EndPort: l.endPort } : {}),
        ServerGroupId: serverGroupId,
        ListenerDescription: l.description,
        ...listenerFields(l.settings),
      };
      const id = await api.createListener(lbId, input);
      if (id && l.settings.additionalCertificateIds?.length)
        await api.associateCertificates(id, l.settings.additionalCertificateIds);
      return id;
    },
    updateListener: async (id, changes, extra) => {
      const fields = {
        ...listenerFields(changes),
        ...defined({ ServerGroupId: extra.serverGroupId, ListenerDescription: extra.description }),
      };
      if (Object.keys(fields).length > 0) await api.updateListener(id, fields);
      const want = changes.additionalCertificateIds;
      if (want) {
        const have = await additionalCerts(api, id);
        const add = want.filter((c) => !have.includes(c));
        const drop = have.filter((c) => !want.includes(c));
        if (add.length > 0) await api.associateCertificates(id, add);
        if (drop.length > 0) await api.disassociateCertificates(id, drop);
      }
    },
    startListener: (id) => api.startListener(id),
    deleteListener: (id) => api.deleteListener(id),

    findServerGroups: async (tags) =>
      Promise.all((await api.listServerGroups({ Tags: toTags(tags) })).map((g) => groupOf(api, g))),
    getServerGroups: async (ids) =>
      ids.length === 0
        ? []
        : Promise.all((await api.listServerGroups({ ServerGroupIds: [...ids] })).map((g) => groupOf(api, g))),
    createServerGroup: (g, vpcId, resourceGroupId, tags) =>
      api.createServerGroup({
        ServerGroupName: g.name,
        VpcId: vpcId,
        ServerGroupType: g.type,
        Protocol: g.protocol,
        ...defined({
          Scheduler: g.settings.scheduler,
          AnyPortEnabled: g.anyPortEnabled,
          ConnectionDrainEnabled: g.settings.connectionDrainEnabled,
          ConnectionDrainTimeout: g.settings.connectionDrainTimeout,
          PreserveClientIpEnabled: g.settings.preserveClientIpEnabled,
          HealthCheckConfig: healthCheckFields(g.settings.healthCheck),
          ResourceGroupId: resourceGroupId,
        }),
        Tags: toTags(tags),
      }),
    updateServerGroup: (id, c) =>
      api.updateServerGroup(
        id,
        defined({
          Scheduler: c.scheduler,
          ConnectionDrainEnabled: c.connectionDrainEnabled,
          ConnectionDrainTimeout: c.connectionDrainTimeout,
          PreserveClientIpEnabled: c.preserveClientIpEnabled,
          HealthCheckConfig: healthCheckFields(c.healthCheck),
        }),
      ),
    deleteServerGroup: (id) => api.deleteServerGroup(id),
    addServers: (id, s) => api.addServers(id, s.map(serverFields)),
    updateServers: (id, s) => api.updateServers(id, s.map(serverFields)),
    removeServers: (id, s) =>
      api.removeServers(
        id,
        s.map((x) =>
          defined({ ServerId: x.serverId, ServerType: x.serverType, Port: x.port, ServerIp: x.serverIp }),
        ),
      ),
    isNotFound,
    hasCode,
  };
}
