// Desired state of one Service's SLB, built purely from ServiceInputs (docs/design/service.md § "Model").
// All lookups (reused SLB, ENI ids) happen before; this file only decides. Every problem found is
// returned together as ValidationErrors so one Warning Event can list them all.
import { ANNOTATIONS } from '../annotations/table.js';
import { serviceGates } from '../annotations/gates.js';
import { parseServiceAnnotations, type ConfigSources, type ServiceLbConfig } from '../annotations/parse.js';
import { buildBackends, candidateNodes, endpointsForPort } from './backends.js';
import type { ServiceInputs, ServicePortLike } from '../inputs/objects.js';
import { settingsFor } from './listener-fields.js';
import { checkCombinations } from './checks.js';
import { defaultLoadBalancerName, listenerDescription, ownershipTags, vGroupName } from './naming.js';
import type {
  AnnotationError,
  DesiredLoadBalancer,
  InternetChargeType,
  ListenerModel,
  ListenerProtocol,
  LoadBalancerAttributes,
  ServiceIdentity,
  SkippedBackend,
  TrafficMode,
  ValidationErrors,
  VGroupModel,
} from '../types.js';

function invalid(errors: AnnotationError[]): ValidationErrors {
  return { kind: 'ValidationErrors', errors };
}

export function buildDesiredModel(inputs: ServiceInputs): DesiredLoadBalancer | ValidationErrors {
  const svc = inputs.service;
  const parsed = parseServiceAnnotations(svc.metadata?.annotations);
  if (!parsed.ok) return invalid(parsed.errors);
  const c = parsed.config;
  const { namespace, name, uid } = svc.metadata ?? {};
  if (!namespace || !name || !uid) {
    return invalid([
      {
        key: 'metadata',
        value: `${namespace ?? ''}/${name ?? ''}`,
        reason: 'Service must have a namespace, a name and a uid',
      },
    ]);
  }
  const identity: ServiceIdentity = { namespace, name, uid, clusterId: inputs.config.clusterId };
  const errors = checkCombinations(inputs, c, parsed.sources);

  const mode = trafficMode(inputs, c);
  const ports = svc.spec?.ports ?? [];
  const listeners: ListenerModel[] = [];
  const vgroups: VGroupModel[] = [];
  const skipped: SkippedBackend[] = [];
  const portsWithoutBackends: number[] = [];
  const { candidates, unparsable } = candidateNodes(inputs.nodes, {
    backendLabel: c.backendLabel,
    removeUnscheduled: c.removeUnscheduledBackend === 'on',
  });
  for (const n of unparsable)
    skipped.push({ servicePort: 0, nodeName: n, reason: 'node has no usable spec.providerID' });

  for (const port of ports) {
    const protocol = listenerProtocol(port, c, parsed.sources, errors);
    if (!protocol) continue;
    const groupKey = mode === 'ENI' ? String(port.targetPort ?? port.port) : String(port.nodePort ?? 0);
    if (mode !== 'ENI' && !port.nodePort) {
      errors.push({
        key: 'spec.ports',
        value: String(port.port),
        reason: 'the port has no nodePort yet; the SLB forwards to node ports',
      });
      continue;
    }
    const reusedGroup = c.loadBalancerId ? c.vgroupPort?.find((v) => v.port === port.port) : undefined;
    const groupName = vGroupName(groupKey, identity);
    let group = vgroups.find((g) => g.name === groupName && (g.id ?? '') === (reusedGroup?.vGroupId ?? ''));
    if (!group) {
      const eps = endpointsForPort(inputs.endpointSlices, port, backendFamily(inputs, c));
      const built = buildBackends({
        mode,
        servicePort: port,
        vGroupName: groupName,
        candidates,
        endpoints: eps.endpoints,
        targetPort: eps.targetPort,
        defaultWeight: c.defaultWeight ?? 100,
        percentWeight: reusedGroup ? c.weight : undefined,
        eniByIp: inputs.eniByIp,
        ...(inputs.config.maxBackendsPerGroup ? { maxBackends: inputs.config.maxBackendsPerGroup } : {}),
        rankSeed: uid,
      });
      skipped.push(...built.skipped);
      if (built.backends.length === 0) portsWithoutBackends.push(port.port);
      group = { name: groupName, servicePort: port.port, backends: built.backends };
      if (reusedGroup) {
        group.id = reusedGroup.vGroupId;
        group.reused = true;
      }
      vgroups.push(group);
    }
    listeners.push(buildListener(port.port, protocol, c, identity, group));
  }
  if (errors.length > 0) return invalid(errors);

  const attributes = enforcedAttributes(c, parsed.sources);
  if (c.loadBalancerId) attributes.loadBalancerId = c.loadBalancerId;
  const defaults = createDefaults(inputs, c, uid);
  const alternatives = vSwitchAlternatives(inputs, c, defaults.vSwitchId);
  return {
    identity,
    defaultName: defaultLoadBalancerName(uid),
    attributes,
    createDefaults: defaults,
    ...(alternatives.length > 0 ? { vSwitchAlternatives: alternatives } : {}),
    tags: c.additionalResourceTags ?? {},
    ownershipTags: ownershipTags(identity),
    previouslyManagedTagKeys: [...(inputs.previouslyManagedTagKeys ?? [])].sort(),
    ...(c.loadBalancerId ? { reusedLoadBalancerId: c.loadBalancerId } : {}),
    forceOverrideListeners: c.forceOverrideListeners === true,
    preserveOnDelete: c.preserveOnDelete === true,
    trafficMode: mode,
    ignoreWeightUpdate: c.ignoreWeightUpdate === 'on',
    publishedIngressIps: (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
    ...(c.externalIpType ? { externalIpType: c.externalIpType } : {}),
    ...(c.hostname ? { hostname: c.hostname } : {}),
    listeners: listeners.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
    vgroups: vgroups.sort((a, b) => a.name.localeCompare(b.name)),
    skippedBackends: skipped,
    portsWithoutBackends,
  };
}

/**
 * IPv6 endpoints only for `backend-ip-version: ipv6` on an `ip-version: ipv6` SLB with the
 * IPv6DualStack gate on (the official CCM's rule): otherwise the annotation is ignored, so an
 * IPv4 SLB keeps its IPv4 backends instead of losing them all.
 */
export function backendFamily(inputs: ServiceInputs, c: ServiceLbConfig): 'IPv4' | 'IPv6' {
  const gates = serviceGates(inputs.config.featureGates);
  const ipv6 =
    c.backendIpVersion === 'ipv6' && gates.IPv6DualStack && gates.EndpointSlice && c.ipVersion === 'ipv6';
  return ipv6 ? 'IPv6' : 'IPv4';
}

function trafficMode(inputs: ServiceInputs, c: ServiceLbConfig): TrafficMode {
  const backendType = c.backendType ?? inputs.config.serviceBackendType ?? 'ecs';
  if (backendType === 'eni') return 'ENI';
  return inputs.service.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
}

function listenerProtocol(
  port: ServicePortLike,
  c: ServiceLbConfig,
  src: ConfigSources,
  errors: AnnotationError[],
): ListenerProtocol | undefined {
  const portProtocol = (port.protocol ?? 'TCP').toLowerCase();
  const chosen = c.protocolPort?.find((p) => p.port === port.port)?.protocol;
  if (!chosen) {
    if (portProtocol === 'tcp' || portProtocol === 'udp') return portProtocol;
    errors.push({
      key: 'spec.ports',
      value: `${port.port}/${port.protocol}`,
      reason: 'SLB listeners support TCP and UDP Service ports only',
    });
    return undefined;
  }
  // HTTP(S) and TCP listeners carry TCP traffic; UDP Service ports can only be UDP listeners.
  if ((chosen === 'udp') !== (portProtocol === 'udp')) {
    errors.push({
      key: src.protocolPort?.key ?? ANNOTATIONS.protocolPort.canonical,
      value: src.protocolPort?.value ?? '',
      reason: `protocol "${chosen}" does not fit the ${port.protocol ?? 'TCP'} Service port ${port.port}`,
    });
    return undefined;
  }
  return chosen;
}

function buildListener(
  port: number,
  protocol: ListenerProtocol,
  c: ServiceLbConfig,
  id: ServiceIdentity,
  group: VGroupModel,
): ListenerModel {
  const l: ListenerModel = {
    port,
    protocol,
    description: listenerDescription(port, id),
    vGroupName: group.name,
    settings: settingsFor(protocol, c),
  };
  if (group.id) l.vGroupId = group.id;
  if (protocol === 'http') {
    const fwd = c.forwardPort?.find((f) => f.from === port);
    l.listenerForward = fwd ? 'on' : 'off';
    if (fwd) l.forwardPort = fwd.to;
  }
  if (protocol === 'https' && c.domainExtensions) {
    l.domainExtensions = c.domainExtensions.map((d) => ({ domain: d.domain, serverCertificateId: d.certId }));
  }
  return l;
}

/**
 * The official CCM sends `bandwidth` without a charge type (the API then bills by traffic, with
 * the bandwidth as the peak) and compares it only under `charge-type: paybybandwidth`. The 2017
 * and kube-aliyun spellings meant pay-by-bandwidth when only the bandwidth was given, and keep
 * meaning it, so Services written for them are billed as before.
 */
function internetChargeType(c: ServiceLbConfig, src: ConfigSources): InternetChargeType | undefined {
  if (c.chargeType) return c.chargeType;
  const key = src.bandwidth?.key;
  const current = ANNOTATIONS.bandwidth.keys.slice(0, 2);
  return c.bandwidth !== undefined && key !== undefined && !current.includes(key)
    ? 'paybybandwidth'
    : undefined;
}

/** Attributes compared on every sync: only what the user asked for (sticky "update when set"). */
function enforcedAttributes(c: ServiceLbConfig, src: ConfigSources): LoadBalancerAttributes {
  const a: LoadBalancerAttributes = {};
  if (c.name) a.name = c.name;
  if (c.addressType) a.addressType = c.addressType;
  if (c.networkType) a.networkType = c.networkType;
  if (c.address) a.address = c.address;
  // An empty ip-version on either side means ipv4, so it is always comparable.
  a.addressIpVersion = c.ipVersion ?? 'ipv4';
  if (c.masterZoneId) a.masterZoneId = c.masterZoneId;
  if (c.slaveZoneId) a.slaveZoneId = c.slaveZoneId;
  if (c.resourceGroupId) a.resourceGroupId = c.resourceGroupId;
  const chargeType = internetChargeType(c, src);
  if (chargeType) a.internetChargeType = chargeType;
  if (c.bandwidth !== undefined && chargeType === 'paybybandwidth') a.bandwidth = c.bandwidth;
  const instanceChargeType = c.instanceChargeType ?? (c.spec ? 'PayBySpec' : undefined);
  if (instanceChargeType) a.instanceChargeType = instanceChargeType;
  if (c.spec) a.loadBalancerSpec = c.spec;
  if (c.deleteProtection) a.deleteProtection = c.deleteProtection;
  if (c.modificationProtection) a.modificationProtectionStatus = c.modificationProtection;
  return a;
}

/** Values CreateLoadBalancer sends when the user did not choose (docs/design/service.md § "Model"). */
function createDefaults(inputs: ServiceInputs, c: ServiceLbConfig, uid: string): LoadBalancerAttributes {
  const d: LoadBalancerAttributes = {
    name: defaultLoadBalancerName(uid),
    addressType: c.addressType ?? 'internet',
    deleteProtection: 'on',
    modificationProtectionStatus: 'ConsoleProtection',
    modificationProtectionReason: 'managed.by.ack',
    instanceChargeType: 'PayByCLCU',
  };
  if (c.spec || c.instanceChargeType === 'PayBySpec') {
    d.instanceChargeType = 'PayBySpec';
    d.loadBalancerSpec = 'slb.s1.small';
  }
  if (inputs.config.resourceGroupId) d.resourceGroupId = inputs.config.resourceGroupId;
  // Sent at create whatever the charge type (compared afterwards only when paying by bandwidth).
  if (c.bandwidth !== undefined) d.bandwidth = c.bandwidth;
  const intranet = (c.addressType ?? 'internet') === 'intranet';
  if (intranet && c.networkType !== 'classic') {
    d.vpcId = inputs.config.vpcId;
    const vsw = c.vswitchId ?? chooseVSwitch(inputs.config, uid);
    if (vsw) d.vSwitchId = vsw;
  }
  return d;
}

/**
 * Without a `vswitch-id` annotation the official CCM picks a random configured vswitch; we pick
 * one by the Service UID, which spreads Services over the vswitches the same way but keeps the
 * model (and its hash, and a dry-run) the same on every pass.
 */
function chooseVSwitch(config: ServiceInputs['config'], uid: string): string | undefined {
  const all = config.vswitchIds ?? [];
  if (all.length === 0) return config.vswitchId;
  return all[fnv1a(uid) % all.length];
}

/** The other configured vswitches, tried in order when the chosen one has no free IP (apply.ts). */
function vSwitchAlternatives(
  inputs: ServiceInputs,
  c: ServiceLbConfig,
  chosen: string | undefined,
): string[] {
  if (c.vswitchId || (c.addressType ?? 'internet') !== 'intranet' || c.networkType === 'classic') return [];
  return (inputs.config.vswitchIds ?? []).filter((v) => v !== chosen);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
