// Pod backends of an NLB (docs/nlb.md § "ENI backends and readiness gates"). Pure. Which pod IPs a
// Service registers comes from the CLB controller's rules (service/model/eni.ts) with this
// controller's annotations; what differs is the group type: an "Instance" group registers a pod by
// its ENI, so those IPs are looked up; an "Ip" group registers the pod IP itself, so none is.
import type { ClusterConfig, ServiceInputs } from '../../service/inputs/objects.js';
import { eniPlanWith, type EniRules, type GateInputs } from '../../service/model/index.js';
import { parseNlbAnnotations } from '../annotations/index.js';
import type { DesiredNlb } from '../types.js';

interface PodBackendRules extends EniRules {
  groupType: 'Instance' | 'Ip';
}

function rulesOf(inputs: ServiceInputs, config: ClusterConfig): PodBackendRules | undefined {
  const parsed = parseNlbAnnotations(inputs.service.metadata?.annotations);
  if (!parsed.ok) return undefined;
  const c = parsed.config;
  return {
    eniMode: (c.backendType ?? config.serviceBackendType ?? 'ecs') === 'eni',
    family: 'IPv4',
    ...(c.backendLabel ? { backendLabel: c.backendLabel } : {}),
    removeUnscheduled: c.removeUnscheduledBackend === 'on',
    groupType: c.serverGroupType ?? 'Instance',
  };
}

/** The pod IPs whose ENI the lookups must find: none for an "Ip" group or an invalid Service. */
export function nlbEniPlanner(inputs: ServiceInputs): { eniMode: boolean; ips: string[] } {
  const rules = rulesOf(inputs, inputs.config);
  if (!rules || rules.groupType === 'Ip') return { eniMode: false, ips: [] };
  return eniPlanWith(inputs, rules);
}

/** Every pod IP that becomes a server (ENI or IP), for the readiness gates. */
export function nlbPodIps(inputs: ServiceInputs): string[] {
  const rules = rulesOf(inputs, inputs.config);
  return rules ? eniPlanWith(inputs, rules).ips : [];
}

/**
 * The desired NLB as the readiness-gate rules (service/model/readiness.ts) read a load balancer:
 * a server for a pod IP is that pod's backend, any other server (an ECS instance, a node's IP)
 * a node backend.
 */
export function gateView(desired: DesiredNlb, podIps: ReadonlySet<string>): GateInputs['desired'] {
  return {
    trafficMode: desired.trafficMode,
    skippedBackends: desired.skipped,
    vgroups: desired.serverGroups.map((g) => ({
      name: g.name,
      backends: g.servers.map((s) => ({
        serverId: s.serverId,
        ...(s.serverIp ? { serverIp: s.serverIp } : {}),
        port: s.port,
        weight: s.weight,
        type:
          s.serverType === 'Eni' || (s.serverType === 'Ip' && podIps.has(s.serverIp ?? ''))
            ? ('eni' as const)
            : ('ecs' as const),
      })),
    })),
  };
}
