// Desired state of one Service's NLB, built purely from its inputs. Lookups (the reused NLB's
// tags) happen before; this file only decides, and returns every problem at once so a single
// Warning Event can list them. Backends come from the CLB controller's pure selection
// (service/model/backends.ts) so both controllers pick the same nodes and pods.
import { parseProviderId } from '../../providerid.js';
import { reuseAllowed } from '../../service/annotations/reuse-grant.js';
import type {
  ClusterConfig,
  EndpointSliceLike,
  NodeLike,
  ServiceLike,
  ServicePortLike,
} from '../../service/inputs/objects.js';
import { buildBackends, candidateNodes, endpointsForPort } from '../../service/model/backends.js';
import { NLB_ANNOTATIONS, parseNlbAnnotations, type NlbConfig } from '../annotations/index.js';
import type {
  AnnotationError,
  DesiredNlb,
  NlbListener,
  NlbListenerProtocol,
  NlbServer,
  NlbServerGroup,
  ServiceIdentity,
  SkippedServer,
  TrafficMode,
  ValidationErrors,
} from '../types.js';
import { listenerSettings, serverGroupSettings, attributesOf } from './fields.js';
import { defaultName, isClusterCreated, listenerKey, ownershipTags, serverGroupName } from './naming.js';

export interface NlbInputs {
  service: ServiceLike;
  nodes: readonly NodeLike[];
  endpointSlices: readonly EndpointSliceLike[];
  config: ClusterConfig;
  /** The tags of the NLB named by the `id` annotation, read before building (reuse checks). */
  reusedTags?: Readonly<Record<string, string>>;
  /** Pod IP → ENI id for pod backends in an Instance group (the controller resolves them first). */
  eniByIp?: Readonly<Record<string, string>>;
}

/** NLB server weights stop at 100, like SLB's. */
const DEFAULT_WEIGHT = 100;

function invalid(errors: AnnotationError[]): ValidationErrors {
  return { kind: 'ValidationErrors', errors };
}

export function buildDesiredNlb(inputs: NlbInputs): DesiredNlb | ValidationErrors {
  const svc = inputs.service;
  const parsed = parseNlbAnnotations(svc.metadata?.annotations);
  if (!parsed.ok) return invalid(parsed.errors);
  const c = parsed.config;
  const { namespace, name, uid } = svc.metadata ?? {};
  if (!namespace || !name || !uid)
    return invalid([
      {
        key: 'metadata',
        value: `${namespace ?? ''}/${name ?? ''}`,
        reason: 'Service must have a namespace, a name and a uid',
      },
    ]);
  const identity: ServiceIdentity = { namespace, name, uid, clusterId: inputs.config.clusterId };
  const errors: AnnotationError[] = [];
  const backendType = c.backendType ?? inputs.config.serviceBackendType ?? 'ecs';
  const mode: TrafficMode =
    backendType === 'eni' ? 'ENI' : svc.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
  const groupType = c.serverGroupType ?? 'Instance';
  const ranges =
    (svc.spec as { loadBalancerSourceRanges?: string[] } | undefined)?.loadBalancerSourceRanges ?? [];
  if (ranges.length > 0) {
    // Silently ignoring an access restriction would expose what the user meant to close.
    errors.push({
      key: 'spec.loadBalancerSourceRanges',
      value: ranges.join(','),
      reason: `is not supported for NLBs yet; restrict access with ${NLB_ANNOTATIONS.securityGroupIds.canonical}`,
    });
  }
  if (c.loadBalancerId) reuseErrors(c, inputs, identity, errors);

  const { candidates, unparsable } = candidateNodes(inputs.nodes, {
    ...(c.backendLabel ? { backendLabel: c.backendLabel } : {}),
    removeUnscheduled: c.removeUnscheduledBackend === 'on',
  });
  const skipped: SkippedServer[] = unparsable.map((n) => ({
    servicePort: 0,
    reason: `node ${n} has no usable spec.providerID`,
  }));
  const listeners: NlbListener[] = [];
  const serverGroups: NlbServerGroup[] = [];
  const portsWithoutServers: number[] = [];
  const sgSettings = serverGroupSettings(c);
  for (const port of svc.spec?.ports ?? []) {
    const protocol = listenerProtocol(port, c, errors);
    if (!protocol) continue;
    if (mode !== 'ENI' && !port.nodePort) {
      errors.push({
        key: 'spec.ports',
        value: String(port.port),
        reason: 'the port has no nodePort yet; the NLB forwards to node ports',
      });
      continue;
    }
    const range = c.listenerPortRange?.find((r) => r.port === port.port);
    const listener: NlbListener = {
      protocol,
      port: range ? 0 : port.port,
      ...(range ? { startPort: range.start, endPort: range.end } : {}),
      description: '',
      settings: listenerSettings(protocol, c),
    };
    listener.description = listenerKey(listener, identity);
    const reusedGroup = c.vgroupPort?.find((v) => v.port === port.port);
    const groupPort = range
      ? `${range.start}_${range.end}`
      : mode === 'ENI'
        ? String(port.targetPort ?? port.port)
        : String(port.nodePort);
    const sgName = serverGroupName(groupPort, protocol, identity);
    listener.serverGroupName = sgName;
    if (reusedGroup) listener.serverGroupId = reusedGroup.serverGroupId;
    listeners.push(listener);
    if (serverGroups.some((g) => g.name === sgName && g.id === reusedGroup?.serverGroupId)) continue;
    const servers = serversFor(inputs, port, mode, groupType, sgName, candidates, c, skipped);
    if (servers.length === 0) portsWithoutServers.push(port.port);
    serverGroups.push({
      name: sgName,
      ...(reusedGroup ? { id: reusedGroup.serverGroupId, reused: true } : {}),
      type: groupType,
      protocol,
      ...(range ? { anyPortEnabled: true } : {}),
      settings:
        range && !sgSettings.healthCheck
          ? { ...sgSettings, healthCheck: { enabled: true, connectPort: numeric(port.targetPort) } }
          : sgSettings,
      servers,
    });
  }
  if (errors.length > 0) return invalid(errors);
  listeners.sort((a, b) => a.description.localeCompare(b.description));
  serverGroups.sort((a, b) => a.name.localeCompare(b.name));
  return {
    identity,
    defaultName: defaultName(uid),
    ownershipTags: ownershipTags(identity),
    attributes: attributesOf(c, inputs.config, defaultName(uid)),
    tags: c.additionalResourceTags ?? {},
    listeners,
    serverGroups,
    ...(c.loadBalancerId ? { reusedLoadBalancerId: c.loadBalancerId } : {}),
    forceOverrideListeners: c.forceOverrideListeners === true,
    preserveOnDelete: c.preserveLbOnDelete === true,
    trafficMode: mode,
    ignoreWeightUpdate: c.ignoreWeightUpdate === 'on',
    skipped,
    portsWithoutServers,
  };
}

function numeric(p: number | string | undefined): number | undefined {
  return typeof p === 'number' ? p : undefined;
}

function listenerProtocol(
  port: ServicePortLike,
  c: NlbConfig,
  errors: AnnotationError[],
): NlbListenerProtocol | undefined {
  const fromAnnotation = c.protocolPort?.find((p) => p.port === port.port)?.protocol;
  if (fromAnnotation) return fromAnnotation;
  const p = (port.protocol ?? 'TCP').toUpperCase();
  if (p === 'TCP' || p === 'UDP') return p;
  errors.push({
    key: 'spec.ports',
    value: `${port.port}/${p}`,
    reason: 'NLB listeners are TCP, UDP or TCPSSL',
  });
  return undefined;
}

/** A reused NLB must be a hand-made one opened to this namespace (the CLB controller's rule). */
function reuseErrors(c: NlbConfig, inputs: NlbInputs, id: ServiceIdentity, errors: AnnotationError[]): void {
  const lbId = c.loadBalancerId!;
  const key = NLB_ANNOTATIONS.loadBalancerId.canonical;
  if (!inputs.reusedTags) return; // not read yet: the controller reads it and builds again
  if (isClusterCreated(inputs.reusedTags)) {
    errors.push({
      key,
      value: lbId,
      reason: 'the NLB was created by a cluster (ownership tags); only hand-made NLBs may be reused',
    });
    return;
  }
  const decision = reuseAllowed(
    lbId,
    id.namespace,
    id.clusterId,
    inputs.config.reusableLoadBalancers ?? [],
    inputs.reusedTags,
  );
  if (!decision.allowed)
    errors.push({ key, value: lbId, reason: decision.detail.replace(/\bSLB\b/g, 'NLB') });
}

/**
 * The servers of one group, as the official CCM places them: nodes are ECS instances at the node
 * port (their InternalIP in an "Ip" group); pods — every endpoint with ENI backends, ECI pods on
 * virtual nodes otherwise — are their ENI at the target port (the pod IP itself in an "Ip" group,
 * where no ENI lookup is needed). The selection is the CLB controller's (service/model/backends.ts).
 */
function serversFor(
  inputs: NlbInputs,
  port: ServicePortLike,
  mode: TrafficMode,
  groupType: 'Instance' | 'Ip',
  sgName: string,
  candidates: ReturnType<typeof candidateNodes>['candidates'],
  c: NlbConfig,
  skipped: SkippedServer[],
): NlbServer[] {
  const eps = endpointsForPort(inputs.endpointSlices, port, 'IPv4');
  // An "Ip" group registers pod IPs as they are: each pod IP stands for its own id.
  const podIds =
    groupType === 'Ip' ? Object.fromEntries(eps.endpoints.map((e) => [e.ip, e.ip])) : inputs.eniByIp;
  const built = buildBackends({
    mode,
    servicePort: port,
    vGroupName: sgName,
    candidates,
    endpoints: eps.endpoints,
    ...(eps.targetPort !== undefined
      ? { targetPort: eps.targetPort }
      : numeric(port.targetPort) !== undefined
        ? { targetPort: numeric(port.targetPort)! }
        : {}),
    defaultWeight: c.defaultWeight ?? DEFAULT_WEIGHT,
    ...(podIds ? { eniByIp: { ...podIds } } : {}),
    rankSeed: inputs.service.metadata?.uid ?? sgName,
  });
  for (const s of built.skipped)
    skipped.push({ servicePort: s.servicePort, ...(s.ip ? { ip: s.ip } : {}), reason: s.reason });
  const nodeIps = groupType === 'Ip' ? internalIpByInstance(inputs.nodes) : undefined;
  const out: NlbServer[] = [];
  for (const b of built.backends) {
    const base = { port: b.port, weight: b.weight, description: sgName };
    if (b.type === 'eni') {
      out.push(
        groupType === 'Ip'
          ? { ...base, serverId: b.serverIp!, serverIp: b.serverIp!, serverType: 'Ip' }
          : { ...base, serverId: b.serverId, serverIp: b.serverIp!, serverType: 'Eni' },
      );
    } else if (nodeIps) {
      const ip = nodeIps.get(b.serverId);
      if (ip) out.push({ ...base, serverId: ip, serverIp: ip, serverType: 'Ip' });
      else
        skipped.push({
          servicePort: port.port,
          reason: `instance ${b.serverId} has no InternalIP to register in an "Ip" server group`,
        });
    } else out.push({ ...base, serverId: b.serverId, serverType: 'Ecs' });
  }
  return out;
}

/** Per node list (the controller's snapshot, unchanged until a Node changes): built once, not per sync. */
const internalIps = new WeakMap<readonly NodeLike[], Map<string, string>>();

/** ECS instance id → the node's first InternalIP (what an "Ip" group registers for a node). */
function internalIpByInstance(nodes: readonly NodeLike[]): Map<string, string> {
  const known = internalIps.get(nodes);
  if (known) return known;
  const out = new Map<string, string>();
  internalIps.set(nodes, out);
  for (const n of nodes) {
    const id = parseProviderId(n.spec?.providerID)?.instanceId;
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (id && ip && !out.has(id)) out.set(id, ip);
  }
  return out;
}
