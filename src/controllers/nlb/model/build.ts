// Desired state of one Service's NLB, built purely from its inputs. Lookups (the reused NLB's
// tags) happen before; this file only decides, and returns every problem at once so a single
// Warning Event can list them. Backends come from the CLB controller's pure selection
// (service/model/backends.ts) so both controllers pick the same nodes and pods.
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
  if (mode === 'ENI' && groupType !== 'Ip') {
    // Registering ENIs in an Instance group needs a pod-IP → ENI lookup this controller does not
    // make yet; refusing beats creating an NLB whose every backend is skipped.
    errors.push({
      key: NLB_ANNOTATIONS.serverGroupType.canonical,
      value: c.serverGroupType ?? '',
      reason: 'ENI backends need "Ip" (pod IPs are registered directly)',
    });
  }
  if (mode !== 'ENI' && groupType === 'Ip') {
    errors.push({
      key: NLB_ANNOTATIONS.serverGroupType.canonical,
      value: c.serverGroupType ?? '',
      reason: `"Ip" groups register pod IPs: it needs ${NLB_ANNOTATIONS.backendType.canonical}: eni`,
    });
  }
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
    const servers = serversFor(inputs, port, mode, sgName, candidates, c, skipped);
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

function serversFor(
  inputs: NlbInputs,
  port: ServicePortLike,
  mode: TrafficMode,
  sgName: string,
  candidates: ReturnType<typeof candidateNodes>['candidates'],
  c: NlbConfig,
  skipped: SkippedServer[],
): NlbServer[] {
  const weight = c.defaultWeight ?? DEFAULT_WEIGHT;
  const eps = endpointsForPort(inputs.endpointSlices, port, 'IPv4');
  if (mode === 'ENI') {
    const target = eps.targetPort ?? numeric(port.targetPort) ?? port.port;
    return eps.endpoints.map((e) => ({
      serverId: e.ip,
      serverIp: e.ip,
      serverType: 'Ip' as const,
      port: target,
      weight,
      description: sgName,
    }));
  }
  const built = buildBackends({
    mode,
    servicePort: port,
    vGroupName: sgName,
    candidates,
    endpoints: eps.endpoints,
    ...(eps.targetPort !== undefined ? { targetPort: eps.targetPort } : {}),
    defaultWeight: weight,
    rankSeed: inputs.service.metadata?.uid ?? sgName,
  });
  for (const s of built.skipped)
    skipped.push({ servicePort: s.servicePort, ...(s.ip ? { ip: s.ip } : {}), reason: s.reason });
  return built.backends.map((b) => ({
    serverId: b.serverId,
    ...(b.serverIp ? { serverIp: b.serverIp } : {}),
    serverType: b.type === 'eni' ? ('Eni' as const) : ('Ecs' as const),
    port: b.port,
    weight: b.weight,
    description: sgName,
  }));
}
