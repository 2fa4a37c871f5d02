// Which nodes/pods back each Service port, and with what weight (docs/design/service.md § "Backends"). Pure.
import { parseProviderId } from '../../providerid.js';
import type { EndpointSliceLike, NodeLike, ServicePortLike } from '../inputs/objects.js';
import type { BackendModel, SkippedBackend, TrafficMode } from '../types.js';

/** Labels whose mere presence keeps a node out of every load balancer. */
export const EXCLUDE_LABELS = [
  'node.kubernetes.io/exclude-from-external-load-balancers',
  'alpha.service-controller.kubernetes.io/exclude-balancer',
  'service.beta.kubernetes.io/exclude-node',
  'service.alibabacloud.com/exclude-node',
] as const;
export const MASTER_LABELS = ['node-role.kubernetes.io/master'] as const;
export const VIRTUAL_KUBELET = { key: 'type', value: 'virtual-kubelet' } as const;
const AUTOSCALER_TAINT = 'ToBeDeletedByClusterAutoscaler';

export interface CandidateRules {
  backendLabel?: Record<string, string>;
  removeUnscheduled: boolean;
}

export interface CandidateNode {
  name: string;
  instanceId?: string;
  virtual: boolean;
}

/** Why a node is not a backend, or `undefined` if it is a candidate. */
export function nodeExclusion(node: NodeLike, rules: CandidateRules): string | undefined {
  const labels = node.metadata?.labels ?? {};
  if (rules.backendLabel) {
    for (const [k, v] of Object.entries(rules.backendLabel))
      if (labels[k] !== v) return `lacks label ${k}=${v}`;
  }
  for (const l of MASTER_LABELS) if (l in labels) return `master node (${l})`;
  if (node.spec?.taints?.some((t) => t.key === AUTOSCALER_TAINT))
    return 'being removed by the cluster autoscaler';
  if (rules.removeUnscheduled && node.spec?.unschedulable)
    return 'unschedulable and remove-unscheduled-backend is on';
  for (const l of EXCLUDE_LABELS) if (l in labels) return `excluded by label ${l}`;
  if (node.spec?.providerID?.startsWith('ack-hybrid://')) return 'hybrid node outside the VPC';
  if (labels[VIRTUAL_KUBELET.key] === VIRTUAL_KUBELET.value) return undefined;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'True') return 'not Ready';
  return undefined;
}

export interface Candidates {
  readonly candidates: readonly CandidateNode[];
  readonly unparsable: readonly string[];
}

/**
 * Results by node list and rule set. Every Service sync and drift check asks this of the whole
 * cluster; at 15,000 Nodes × 5000 Services recomputing it per ask kept the manager's CPU busy
 * for minutes and starved its Lease renewals. The controllers pass the informer's snapshot, one
 * frozen array per cache state, so a Node change makes a new key and the old entries are collected.
 */
const memo = new WeakMap<readonly NodeLike[], Map<string, Candidates>>();

/** Nodes that may back a Service under `rules`, sorted by name; the result is shared: do not mutate it. */
export function candidateNodes(nodes: readonly NodeLike[], rules: CandidateRules): Candidates {
  const key = JSON.stringify([rules.backendLabel ?? null, rules.removeUnscheduled]);
  let byRules = memo.get(nodes);
  if (!byRules) memo.set(nodes, (byRules = new Map<string, Candidates>()));
  let hit = byRules.get(key);
  if (!hit) byRules.set(key, (hit = computeCandidates(nodes, rules)));
  return hit;
}

function computeCandidates(nodes: readonly NodeLike[], rules: CandidateRules): Candidates {
  const candidates: CandidateNode[] = [];
  const unparsable: string[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (!name || nodeExclusion(node, rules) !== undefined) continue;
    const virtual = node.metadata?.labels?.[VIRTUAL_KUBELET.key] === VIRTUAL_KUBELET.value;
    const ref = parseProviderId(node.spec?.providerID);
    // A node without a usable providerID cannot be a backend. The CCM fails the whole Service
    // here; we skip the node and report it, so one half-initialised node cannot take every LB down.
    if (!ref && !virtual) {
      unparsable.push(name);
      continue;
    }
    candidates.push({ name, instanceId: ref?.instanceId, virtual });
  }
  candidates.sort((a, b) => a.name.localeCompare(b.name));
  return { candidates, unparsable };
}

export interface PortEndpoint {
  ip: string;
  nodeName?: string;
}

/** Ready, non-terminating endpoints of one Service port, de-duplicated by IP (docs/design/service.md § "Backends"). */
export function endpointsForPort(
  slices: readonly EndpointSliceLike[],
  port: ServicePortLike,
  family: 'IPv4' | 'IPv6',
): {
  endpoints: PortEndpoint[];
  targetPort?: number;
} {
  const byIp = new Map<string, PortEndpoint>();
  let targetPort: number | undefined = typeof port.targetPort === 'number' ? port.targetPort : undefined;
  for (const slice of slices) {
    if (slice.addressType !== family) continue;
    // A named targetPort resolves through the slice port carrying the Service port's name.
    let slicePort: number | undefined;
    if (typeof port.targetPort === 'number') slicePort = port.targetPort;
    else slicePort = slice.ports?.find((p) => (p.name ?? '') === (port.name ?? ''))?.port;
    if (slicePort === undefined) continue;
    targetPort ??= slicePort;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.terminating === true) continue;
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses ?? []) if (!byIp.has(ip)) byIp.set(ip, { ip, nodeName: ep.nodeName });
    }
  }
  const endpoints = [...byIp.values()].sort((a, b) => a.ip.localeCompare(b.ip));
  return { endpoints, targetPort };
}

export interface BackendBuild {
  backends: BackendModel[];
  skipped: SkippedBackend[];
}

export interface BackendParams {
  mode: TrafficMode;
  servicePort: ServicePortLike;
  vGroupName: string;
  candidates: readonly CandidateNode[];
  endpoints: readonly PortEndpoint[];
  targetPort?: number;
  defaultWeight: number;
  /** `weight` annotation (reused LB + vgroup-port only): total weight spread over backends. */
  percentWeight?: number;
  eniByIp?: Record<string, string>;
  /** The SLB's backend quota per group (200 by default); more candidates are cut to this many. */
  maxBackends?: number;
  /** Seeds the ranking that picks which backends stay under the quota (the Service UID). */
  rankSeed?: string;
}

/** The default SLB quota of backend servers per VServer group. */
export const DEFAULT_MAX_BACKENDS = 200;

/** Backends of one vgroup, sorted so the model is deterministic (stable hash, stable golden files). */
export function buildBackends(p: BackendParams): BackendBuild {
  const skipped: SkippedBackend[] = [];
  const port = p.servicePort.port;
  const nodePort = p.servicePort.nodePort ?? 0;
  const byNode = new Map(p.candidates.map((c) => [c.name, c]));
  const eni: Array<{ ip: string }> = [];
  const ecsCounts = new Map<string, number>();

  if (p.mode === 'ENI') {
    for (const ep of p.endpoints) eni.push({ ip: ep.ip });
  } else {
    if (p.mode === 'Cluster')
      for (const c of p.candidates) if (!c.virtual && c.instanceId) ecsCounts.set(c.instanceId, 0);
    for (const ep of p.endpoints) {
      const node = ep.nodeName ? byNode.get(ep.nodeName) : undefined;
      if (!node) {
        // Endpoints on excluded or unknown nodes are not reachable through this SLB's backends.
        if (p.mode === 'Local')
          skipped.push({
            servicePort: port,
            ip: ep.ip,
            nodeName: ep.nodeName,
            reason: 'pod is not on a candidate node',
          });
        continue;
      }
      if (node.virtual) eni.push({ ip: ep.ip });
      else if (p.mode === 'Local' && node.instanceId)
        ecsCounts.set(node.instanceId, (ecsCounts.get(node.instanceId) ?? 0) + 1);
    }
  }

  const backends: BackendModel[] = [];
  // n counts backends before de-duplication, as the percent algorithm does (docs/design/service.md § "Backends").
  const n =
    p.mode === 'Local'
      ? [...ecsCounts.values()].reduce((a, b) => a + b, 0) + eni.length
      : ecsCounts.size + eni.length;
  for (const [instanceId, pods] of ecsCounts) {
    backends.push({
      serverId: instanceId,
      port: nodePort,
      weight: ecsWeight(p, pods, n),
      type: 'ecs',
      description: p.vGroupName,
    });
  }
  for (const e of eni) {
    const eniId = p.eniByIp?.[e.ip];
    if (!eniId) {
      skipped.push({ servicePort: port, ip: e.ip, reason: 'no ENI found for the pod IP' });
      continue;
    }
    backends.push({
      serverId: eniId,
      serverIp: e.ip,
      port: p.targetPort ?? 0,
      weight: eniWeight(p, n),
      type: 'eni',
      description: p.vGroupName,
    });
  }
  const kept = capToQuota(backends, p, skipped);
  kept.sort(
    (a, b) => a.serverId.localeCompare(b.serverId) || (a.serverIp ?? '').localeCompare(b.serverIp ?? ''),
  );
  return { backends: kept, skipped };
}

/**
 * More backends than the group may hold would fail every sync half-way (the cloud refuses the
 * add past its quota) and never converge. Keep a deterministic subset instead: ranked by a hash
 * seeded with the Service, so different Services spread over different nodes, and a node joining
 * or leaving displaces at most one backend.
 */
function capToQuota(backends: BackendModel[], p: BackendParams, skipped: SkippedBackend[]): BackendModel[] {
  const max = p.maxBackends ?? DEFAULT_MAX_BACKENDS;
  if (backends.length <= max) return backends;
  const seed = p.rankSeed ?? p.vGroupName;
  const ranked = backends
    .map((b) => ({ b, rank: fnv1a(`${seed}/${b.serverId}/${b.serverIp ?? ''}`) }))
    .sort((x, y) => x.rank - y.rank || x.b.serverId.localeCompare(y.b.serverId));
  for (const { b } of ranked.slice(max)) {
    skipped.push({
      servicePort: p.servicePort.port,
      ...(b.serverIp ? { ip: b.serverIp } : {}),
      reason: `${b.serverId}: over the SLB quota of ${max} backends per VServer group`,
    });
  }
  return ranked.slice(0, max).map((x) => x.b);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function ecsWeight(p: BackendParams, podsOnNode: number, n: number): number {
  if (p.percentWeight !== undefined) {
    if (p.percentWeight === 0 || n === 0) return 0;
    const share =
      p.mode === 'Local' ? Math.floor((p.percentWeight * podsOnNode) / n) : Math.floor(p.percentWeight / n);
    return Math.max(1, share);
  }
  // SLB weights stop at 100; past that, more pods on a node cannot earn it more traffic.
  return p.mode === 'Local' ? Math.min(100, podsOnNode) : p.defaultWeight;
}

function eniWeight(p: BackendParams, n: number): number {
  if (p.percentWeight !== undefined) {
    if (p.percentWeight === 0 || n === 0) return 0;
    const share = Math.floor(p.percentWeight / n);
    return p.mode === 'Local' ? share : Math.max(1, share);
  }
  return p.mode === 'Local' ? 1 : p.defaultWeight;
}
