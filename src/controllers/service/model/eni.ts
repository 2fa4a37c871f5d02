// ENI backends (docs/service-load-balancers.md § "ENI backends"). Pure: which pod IPs a Service's
// backends need ENI ids for, and the VPC filter the official CCM applies to the ones no ENI holds.
// The lookup itself (batched, cached) is inputs/eni-resolver.ts; the builder (backends.ts) places
// the backends once the controller hands it the pod IP → ENI map.
import { parseServiceAnnotations } from '../annotations/parse.js';
import { cidrContainsAddress, parseCidrMasked, parseIPv4, type Ipv4Cidr } from '../../../util/ipv4.js';
import { candidateNodes, endpointsForPort, VIRTUAL_KUBELET } from './backends.js';
import type { NodeLike, ServiceInputs } from '../inputs/objects.js';

/** True when the Service's backends are pod IPs on ENIs (`backend-type: eni` or cloud-config `serviceBackendType: eni`). */
export function usesEniBackends(inputs: Pick<ServiceInputs, 'service' | 'config'>): boolean {
  const parsed = parseServiceAnnotations(inputs.service.metadata?.annotations);
  const annotated = parsed.ok ? parsed.config.backendType : undefined;
  return (annotated ?? inputs.config.serviceBackendType ?? 'ecs') === 'eni';
}

/**
 * The pod IPs that become ENI backends: every selected endpoint in ENI mode, else only the pods
 * on virtual-kubelet (ECI) nodes that are candidates, as the builder decides. Only IPv4 addresses:
 * the lookup is by PrivateIpAddress (IPv6 ENI backends stay unresolved and are reported skipped).
 * An invalid annotation set yields nothing: the builder refuses the Service anyway.
 */
export function eniLookupIps(inputs: ServiceInputs): string[] {
  return eniPlan(inputs).ips;
}

/** Per node list (the controller's snapshot): every Service sync asks, and the list is the cluster's. */
const virtualMemo = new WeakMap<readonly NodeLike[], readonly NodeLike[]>();

function virtualNodes(nodes: readonly NodeLike[]): readonly NodeLike[] {
  let vk = virtualMemo.get(nodes);
  if (!vk) {
    vk = nodes.filter((n) => n.metadata?.labels?.[VIRTUAL_KUBELET.key] === VIRTUAL_KUBELET.value);
    virtualMemo.set(nodes, vk);
  }
  return vk;
}

/** What decides which pod IPs are ENI backends: the parsed annotations of either controller. */
export interface EniRules {
  /** Every endpoint is an ENI backend (`backend-type: eni`). */
  eniMode: boolean;
  family: 'IPv4' | 'IPv6';
  backendLabel?: Record<string, string>;
  removeUnscheduled: boolean;
}

/** `eniLookupIps` and whether the Service is in ENI mode, from one parse of its annotations. */
export function eniPlan(inputs: ServiceInputs): { eniMode: boolean; ips: string[] } {
  const parsed = parseServiceAnnotations(inputs.service.metadata?.annotations);
  if (!parsed.ok) return { eniMode: false, ips: [] };
  const c = parsed.config;
  return eniPlanWith(inputs, {
    eniMode: (c.backendType ?? inputs.config.serviceBackendType ?? 'ecs') === 'eni',
    family: c.backendIpVersion === 'ipv6' ? 'IPv6' : 'IPv4',
    ...(c.backendLabel ? { backendLabel: c.backendLabel } : {}),
    removeUnscheduled: c.removeUnscheduledBackend === 'on',
  });
}

/** The pod IPs that become ENI backends under `rules` (shared by the CLB and NLB controllers). */
export function eniPlanWith(
  inputs: Pick<ServiceInputs, 'service' | 'nodes' | 'endpointSlices'>,
  rules: EniRules,
): { eniMode: boolean; ips: string[] } {
  const { eniMode, family } = rules;
  let virtual = new Set<string>();
  if (!eniMode) {
    // Most clusters have no virtual node: one scan per node list, and the candidate rules for those only.
    const vk = virtualNodes(inputs.nodes);
    if (vk.length === 0) return { eniMode, ips: [] };
    const { candidates } = candidateNodes(vk, {
      ...(rules.backendLabel ? { backendLabel: rules.backendLabel } : {}),
      removeUnscheduled: rules.removeUnscheduled,
    });
    virtual = new Set(candidates.map((n) => n.name));
    if (virtual.size === 0) return { eniMode, ips: [] };
  }
  const out = new Set<string>();
  for (const port of inputs.service.spec?.ports ?? []) {
    for (const ep of endpointsForPort(inputs.endpointSlices, port, family).endpoints) {
      if (parseIPv4(ep.ip) === undefined) continue;
      if (eniMode || (ep.nodeName !== undefined && virtual.has(ep.nodeName))) out.add(ep.ip);
    }
  }
  return { eniMode, ips: [...out].sort() };
}

/** Parsed VPC blocks; unparsable text is dropped (the official CCM logs and skips it too). */
export function parseVpcCidrs(blocks: readonly string[]): Ipv4Cidr[] {
  return blocks.flatMap((b) => {
    const c = parseCidrMasked(b);
    return c ? [c] : [];
  });
}

/**
 * Of the pod IPs no ENI holds, which lie inside the VPC (a real backend we failed to find: the
 * official CCM marks it invalid, warns and retries) and which outside (a pod on another network,
 * e.g. an edge node: skipped with a Normal event, never retried).
 */
export function splitByVpc(
  ips: readonly string[],
  cidrs: readonly Ipv4Cidr[],
): { inside: string[]; outside: string[] } {
  const inside: string[] = [];
  const outside: string[] = [];
  for (const ip of ips) {
    const addr = parseIPv4(ip);
    if (addr !== undefined && cidrs.some((c) => cidrContainsAddress(c, addr))) inside.push(ip);
    else outside.push(ip);
  }
  return { inside, outside };
}
