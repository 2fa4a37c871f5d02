// Reads one Service's SLB from the cloud into the same model type the desired side uses
// (docs/design/service.md § "Finding the SLB"), so diff/ compares like with like.
//
// Call budget, because every read counts against the account's API quota:
//   find           1 call (DescribeLoadBalancerAttribute by id, or DescribeLoadBalancers by tag,
//                  plus one more by name only when the tag lookup found nothing)
//   vgroups        1 DescribeVServerGroups + 1 DescribeVServerGroupAttribute per group that is
//                  ours or named by `vgroup-port` (other groups' backends are never loaded — we
//                  would have no right to change them anyway)
//   listeners      1 paged DescribeLoadBalancerListeners, only when asked for (not on a reused
//                  SLB without force-override: we may not touch those listeners)
//   domain ext.    1 DescribeDomainExtensions per HTTPS listener whose extensions we manage
// Tags come with the find answer (both Describe calls return them), so no ListTagResources.
import type { BackendServer, Listener, LoadBalancer, ServiceCloudPort, VServerGroup } from '../cloudport.js';
import { appliesTo } from '../model/listener-fields.js';
import { isOwnedBy, TAG_DEFAULT_NAME } from '../model/naming.js';
import type {
  BackendModel,
  ListenerModel,
  ListenerProtocol,
  ListenerSettingName,
  LoadBalancerAttributes,
  RemoteLoadBalancer,
  ServiceIdentity,
  VGroupModel,
} from '../types.js';

/** What to look for and how much of it to read. */
export interface ObserveTarget {
  identity: ServiceIdentity;
  /** `a` + UID: the ownership tag value and the fallback name. */
  defaultName: string;
  /** The `id` annotation: a user's SLB to reuse. */
  reusedLoadBalancerId?: string;
  /** VServer group ids named by `vgroup-port`; their backends are loaded too. */
  reusedVGroupIds?: readonly string[];
  /** Read listeners (skip for a reused SLB without force-override, and on the cleanup of one). */
  listeners: boolean;
  /** HTTPS ports whose domain extensions we manage (the annotation is set). */
  domainExtensionPorts?: readonly number[];
  /**
   * Fall back to the default name when the tag finds nothing (default true). Only an SLB from a
   * controller that predates the tags can need it, and such a controller always published an
   * ingress; a Service that never had our finalizer nor an ingress cannot have one.
   */
  nameLookup?: boolean;
  /**
   * The SLB's record from the drift pass's batched read, used instead of the find when it is
   * the SLB the find would return (same id, or our ownership tag): it saves one read per SLB.
   */
  known?: LoadBalancer;
}

export interface Observed {
  remote: RemoteLoadBalancer;
  /** The raw find answer (status, address and the like, for events and status). */
  loadBalancer: LoadBalancer;
  foundBy: 'id' | 'tag' | 'name';
}

export class ObserveError extends Error {
  override name = 'ObserveError';
}

/** Finds the SLB (id → ownership tag → default name); `undefined` when there is none. */
export async function findLoadBalancer(
  slb: ServiceCloudPort,
  target: Pick<ObserveTarget, 'defaultName' | 'reusedLoadBalancerId' | 'nameLookup' | 'known'>,
): Promise<{ lb: LoadBalancer; foundBy: Observed['foundBy'] } | undefined> {
  const known = target.known;
  if (known && target.reusedLoadBalancerId && known.LoadBalancerId === target.reusedLoadBalancerId)
    return { lb: known, foundBy: 'id' };
  if (known && !target.reusedLoadBalancerId && tagsOf(known)[TAG_DEFAULT_NAME] === target.defaultName)
    return { lb: known, foundBy: 'tag' };
  if (target.reusedLoadBalancerId) {
    // Any error (including "does not exist") propagates: a Service naming a missing SLB must
    // fail loudly rather than get a fresh SLB it did not ask for.
    const lb = await slb.describeLoadBalancerAttribute(target.reusedLoadBalancerId);
    if (lb.LoadBalancerId !== target.reusedLoadBalancerId) {
      throw new ObserveError(
        `DescribeLoadBalancerAttribute(${target.reusedLoadBalancerId}) answered for ${lb.LoadBalancerId}`,
      );
    }
    return { lb, foundBy: 'id' };
  }
  const byTag = await slb.describeLoadBalancers({
    tags: [{ Key: TAG_DEFAULT_NAME, Value: target.defaultName }],
  });
  if (byTag.length > 1)
    throw new ObserveError(
      `found ${byTag.length} SLBs tagged ${TAG_DEFAULT_NAME}=${target.defaultName}: ${byTag.map((l) => l.LoadBalancerId).join(', ')}`,
    );
  if (byTag[0]) return { lb: byTag[0], foundBy: 'tag' };
  if (target.nameLookup === false) return undefined;
  // An SLB made by a controller that lost its tags (or an old CCM) is still found by its name.
  const byName = await slb.describeLoadBalancers({ loadBalancerName: target.defaultName });
  const exact = byName.filter((l) => l.LoadBalancerName === target.defaultName);
  if (exact.length > 1) throw new ObserveError(`found ${exact.length} SLBs named ${target.defaultName}`);
  return exact[0] ? { lb: exact[0], foundBy: 'name' } : undefined;
}

/** Finds and reads the SLB; `undefined` when there is none to read. */
export async function observe(slb: ServiceCloudPort, target: ObserveTarget): Promise<Observed | undefined> {
  const found = await findLoadBalancer(slb, target);
  if (!found) return undefined;
  const remote = await readLoadBalancer(slb, found.lb, target);
  return { remote, loadBalancer: found.lb, foundBy: found.foundBy };
}

/** Reads the parts of a known SLB that matter to this Service. */
export async function readLoadBalancer(
  slb: ServiceCloudPort,
  lb: LoadBalancer,
  target: ObserveTarget,
): Promise<RemoteLoadBalancer> {
  const id = lb.LoadBalancerId;
  const [vgroups, listeners] = await Promise.all([
    readVGroups(slb, id, target),
    target.listeners ? readListeners(slb, id, target) : Promise.resolve([]),
  ]);
  return { attributes: attributesOf(lb), tags: tagsOf(lb), listeners, vgroups };
}

export function attributesOf(lb: LoadBalancer): LoadBalancerAttributes {
  const a: LoadBalancerAttributes = { loadBalancerId: lb.LoadBalancerId };
  const set = <K extends keyof LoadBalancerAttributes>(
    k: K,
    v: LoadBalancerAttributes[K] | '' | undefined,
  ): void => {
    if (v !== undefined && v !== '') a[k] = v;
  };
  set('name', lb.LoadBalancerName);
  set('addressType', lb.AddressType as LoadBalancerAttributes['addressType']);
  set('networkType', lb.NetworkType as LoadBalancerAttributes['networkType']);
  set('address', lb.Address);
  // An empty version on the cloud side means ipv4, as on ours.
  a.addressIpVersion = (lb.AddressIPVersion || 'ipv4') as LoadBalancerAttributes['addressIpVersion'];
  set('vpcId', lb.VpcId);
  set('vSwitchId', lb.VSwitchId);
  set('masterZoneId', lb.MasterZoneId);
  set('slaveZoneId', lb.SlaveZoneId);
  set('resourceGroupId', lb.ResourceGroupId);
  set(
    'internetChargeType',
    lb.InternetChargeType?.toLowerCase() as LoadBalancerAttributes['internetChargeType'],
  );
  if (typeof lb.Bandwidth === 'number') a.bandwidth = lb.Bandwidth;
  set('instanceChargeType', lb.InstanceChargeType as LoadBalancerAttributes['instanceChargeType']);
  set('loadBalancerSpec', lb.LoadBalancerSpec);
  set('deleteProtection', lb.DeleteProtection as LoadBalancerAttributes['deleteProtection']);
  set(
    'modificationProtectionStatus',
    lb.ModificationProtectionStatus as LoadBalancerAttributes['modificationProtectionStatus'],
  );
  set('modificationProtectionReason', lb.ModificationProtectionReason);
  return a;
}

export function tagsOf(lb: LoadBalancer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of lb.Tags?.Tag ?? []) {
    const k = t.TagKey ?? t.Key;
    if (k) out[k] = t.TagValue ?? t.Value ?? '';
  }
  return out;
}

async function readVGroups(
  slb: ServiceCloudPort,
  loadBalancerId: string,
  target: ObserveTarget,
): Promise<VGroupModel[]> {
  const groups = await slb.vgroups.describe(loadBalancerId);
  const reused = new Set(target.reusedVGroupIds ?? []);
  return Promise.all(
    groups.map(async (g: VServerGroup): Promise<VGroupModel> => {
      const name = g.VServerGroupName ?? '';
      const model: VGroupModel = { name, id: g.VServerGroupId, backends: [] };
      if (reused.has(g.VServerGroupId)) model.reused = true;
      if (model.reused || isOwnedBy(name, target.identity)) {
        const attr = await slb.vgroups.describeAttribute(g.VServerGroupId);
        model.backends = (attr.BackendServers?.BackendServer ?? []).map(backendOf).sort(byServer);
      }
      return model;
    }),
  ).then((all) => all.sort((a, b) => a.name.localeCompare(b.name) || (a.id ?? '').localeCompare(b.id ?? '')));
}

export function backendOf(b: BackendServer): BackendModel {
  const type = (b.Type ?? 'ecs').toLowerCase() === 'eni' ? 'eni' : 'ecs';
  const m: BackendModel = {
    serverId: b.ServerId,
    port: Number(b.Port ?? 0),
    weight: Number(b.Weight ?? 100),
    type,
  };
  // The cloud reports an ECS backend's private IP too; only ENI backends are identified by it.
  if (type === 'eni' && b.ServerIp) m.serverIp = b.ServerIp;
  if (b.Description) m.description = b.Description;
  return m;
}

function byServer(a: BackendModel, b: BackendModel): number {
  return (
    a.serverId.localeCompare(b.serverId) ||
    (a.serverIp ?? '').localeCompare(b.serverIp ?? '') ||
    a.port - b.port
  );
}

const PROTOCOLS: readonly ListenerProtocol[] = ['tcp', 'udp', 'http', 'https'];
const CONFIG_KEY: Record<
  ListenerProtocol,
  'TCPListenerConfig' | 'UDPListenerConfig' | 'HTTPListenerConfig' | 'HTTPSListenerConfig'
> = {
  tcp: 'TCPListenerConfig',
  udp: 'UDPListenerConfig',
  http: 'HTTPListenerConfig',
  https: 'HTTPSListenerConfig',
};

/** Settings the API reports as numbers (sometimes as numeric strings). */
const NUMERIC: ReadonlySet<ListenerSettingName> = new Set<ListenerSettingName>([
  'Bandwidth',
  'HealthCheckConnectPort',
  'HealthyThreshold',
  'UnhealthyThreshold',
  'HealthCheckInterval',
  'HealthCheckConnectTimeout',
  'PersistenceTimeout',
  'EstablishedTimeout',
  'ConnectionDrainTimeout',
  'HealthCheckTimeout',
  'CookieTimeout',
  'IdleTimeout',
  'RequestTimeout',
]);

const SETTING_NAMES: readonly ListenerSettingName[] = [
  'Scheduler',
  'Bandwidth',
  'AclStatus',
  'AclId',
  'AclType',
  'HealthCheckConnectPort',
  'HealthyThreshold',
  'UnhealthyThreshold',
  'HealthCheckInterval',
  'HealthCheckSwitch',
  'HealthCheckType',
  'HealthCheckConnectTimeout',
  'HealthCheckURI',
  'HealthCheckDomain',
  'HealthCheckHttpCode',
  'PersistenceTimeout',
  'EstablishedTimeout',
  'ConnectionDrain',
  'ConnectionDrainTimeout',
  'ProxyProtocolV2Enabled',
  'HealthCheck',
  'HealthCheckMethod',
  'HealthCheckTimeout',
  'StickySession',
  'StickySessionType',
  'CookieTimeout',
  'Cookie',
  'IdleTimeout',
  'RequestTimeout',
  'XForwardedFor_proto',
  'XForwardedFor_SLBPORT',
  'XForwardedFor_ClientSrcPort',
  'ServerCertificateId',
  'TLSCipherPolicy',
  'EnableHttp2',
];

async function readListeners(
  slb: ServiceCloudPort,
  loadBalancerId: string,
  target: ObserveTarget,
): Promise<ListenerModel[]> {
  const raw = await slb.listeners.describe([loadBalancerId]);
  const listeners = raw.map(listenerOf).filter((l): l is ListenerModel => l !== undefined);
  const extPorts = new Set(target.domainExtensionPorts ?? []);
  await Promise.all(
    listeners
      .filter((l) => l.protocol === 'https' && extPorts.has(l.port))
      .map(async (l) => {
        const exts = await slb.describeDomainExtensions(loadBalancerId, l.port);
        l.domainExtensions = exts
          .map((e) => ({
            domain: e.Domain,
            serverCertificateId: e.ServerCertificateId ?? '',
            domainExtensionId: e.DomainExtensionId,
          }))
          .sort((a, b) => a.domain.localeCompare(b.domain));
      }),
  );
  return listeners.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** One DescribeLoadBalancerListeners row as a model listener (`undefined` for protocols we do not manage). */
export function listenerOf(l: Listener): ListenerModel | undefined {
  const protocol = String(l.ListenerProtocol).toLowerCase() as ListenerProtocol;
  if (!PROTOCOLS.includes(protocol)) return undefined;
  const config: Record<string, unknown> = { ...(l[CONFIG_KEY[protocol]] ?? {}) };
  // Top-level fields are the common ones; the protocol block carries the rest.
  for (const k of ['Scheduler', 'Bandwidth', 'AclStatus', 'AclType', 'AclId'] as const)
    if (l[k] !== undefined && l[k] !== '') config[k] ??= l[k];
  const aclIds = (l as { AclIds?: unknown }).AclIds;
  if (Array.isArray(aclIds) && aclIds.length > 0 && config.AclId === undefined)
    config.AclId = aclIds.join(',');
  // L4 listeners report their health-check switch as `HealthCheck` in older answers.
  if (
    (protocol === 'tcp' || protocol === 'udp') &&
    config.HealthCheckSwitch === undefined &&
    config.HealthCheck !== undefined
  )
    config.HealthCheckSwitch = config.HealthCheck;

  const settings: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    if (name !== 'Bandwidth' && !appliesTo(name, protocol)) continue;
    const v = coerce(name, config[name]);
    if (v !== undefined) settings[name] = v;
  }
  const model: ListenerModel = {
    port: Number(l.ListenerPort),
    protocol,
    settings,
  };
  if (l.Description) model.description = l.Description;
  if (l.VServerGroupId) model.vGroupId = l.VServerGroupId;
  if (l.Status) model.status = l.Status;
  if (protocol === 'http') {
    const fwd = config.ListenerForward;
    model.listenerForward = fwd === 'on' ? 'on' : 'off';
    const port = Number(config.ForwardPort ?? 0);
    if (model.listenerForward === 'on' && port > 0) model.forwardPort = port;
  }
  return model;
}

function coerce(name: ListenerSettingName, v: unknown): unknown {
  if (v === undefined || v === null || v === '') return undefined;
  if (NUMERIC.has(name)) {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (name === 'ProxyProtocolV2Enabled') return v === true || v === 'true';
  if (name === 'AclId')
    return scalarText(v)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .sort()
      .join(',');
  return scalarText(v);
}

// Describe answers carry settings as strings, numbers or booleans; anything else is compared as JSON.
function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
