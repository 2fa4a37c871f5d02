// The lookups a sync makes before the pure model can place backends (docs/service-load-balancers.md
// § "ENI backends", § "Readiness gates"), in this order:
//   1. Pods behind not-ready endpoints (readiness gates): an endpoint whose Pod declares this
//      Service's gate and has ready containers counts as a backend (inputs/pods.ts);
//   2. pod IP → ENI id for the IPs that become ENI backends (inputs/eni-resolver.ts);
//   3. for IPs that turned out invalid, their Pods too (their gate condition goes False).
// `peekBackends` is the same view from what is already known, without a call (the drift pass).
import { eniPlan } from '../model/eni.js';
import {
  admitGatedEndpoints,
  podKey,
  podsBehindNotReadyEndpoints,
  readinessGateType,
  type PodRef,
} from '../model/readiness.js';
import type { EniResolver } from './eni-resolver.js';
import type { EndpointSliceLike, PodLike, ServiceInputs } from './objects.js';
import type { PodReader } from './pods.js';

export interface BackendLookups {
  /** The slices with admitted (gated, containers-ready) endpoints counted as ready. */
  slices: EndpointSliceLike[];
  /** Set whenever some backend is an ENI (else the builder has no ENI to place). */
  eniByIp?: Record<string, string>;
  /** IPs that must be ENI backends. */
  eniIps: Set<string>;
  invalid: string[];
  outsideVpc: string[];
  /** Pods read, by `namespace/name`. */
  pods: Map<string, PodLike>;
  admitted: Set<string>;
  waiting: Set<string>;
  gateType: string;
  cloudCalls: number;
  podReads: number;
}

export interface LookupDeps {
  eni: EniResolver;
  pods: PodReader;
}

/** Which pod IPs must be ENI backends: the CLB rules by default, the NLB controller passes its own. */
export type EniPlanner = (inputs: ServiceInputs) => { eniMode: boolean; ips: string[] };

export async function lookUpBackends(
  base: ServiceInputs,
  deps: LookupDeps,
  planEni: EniPlanner = eniPlan,
): Promise<BackendLookups> {
  const namespace = base.service.metadata?.namespace ?? '';
  const gateType = readinessGateType(base.service.metadata?.name ?? '');
  const read = await deps.pods.read(podsBehindNotReadyEndpoints(base.endpointSlices, namespace), gateType);
  const slices = admitGatedEndpoints(base.endpointSlices, namespace, read.admitted);
  const { eniMode, ips: eniIps } = planEni({ ...base, endpointSlices: slices });
  const out: BackendLookups = {
    slices,
    eniIps: new Set(eniIps),
    invalid: [],
    outsideVpc: [],
    pods: read.pods,
    admitted: read.admitted,
    waiting: read.waiting,
    gateType,
    cloudCalls: 0,
    podReads: read.reads,
  };
  if (eniIps.length === 0 && !eniMode) return out;
  const res = await deps.eni.resolve(eniIps, uidByIp(slices));
  out.eniByIp = res.eniByIp;
  out.invalid = res.invalid;
  out.outsideVpc = res.outsideVpc;
  out.cloudCalls = res.calls;
  // Ready endpoints with an invalid IP: their Pods' gate goes False, so read those Pods too.
  const invalid = new Set(res.invalid);
  const more = podsOfIps(slices, namespace, invalid).filter((r) => !out.pods.has(podKey(r)));
  if (more.length > 0) {
    const again = await deps.pods.read(more, gateType);
    for (const [k, p] of again.pods) out.pods.set(k, p);
    out.podReads += again.reads;
  }
  return out;
}

/** The model's inputs with what the lookups found. */
export function withLookups(base: ServiceInputs, l: BackendLookups): ServiceInputs {
  return { ...base, endpointSlices: l.slices, ...(l.eniByIp ? { eniByIp: l.eniByIp } : {}) };
}

/** The same view from the caches alone (no call): the last sync's admitted Pods and known ENIs. */
export function peekBackends(
  base: ServiceInputs,
  eni: EniResolver,
  admitted: ReadonlySet<string> | undefined,
  planEni: EniPlanner = eniPlan,
): ServiceInputs {
  const namespace = base.service.metadata?.namespace ?? '';
  const slices = admitGatedEndpoints(base.endpointSlices, namespace, admitted ?? new Set());
  const { eniMode, ips } = planEni({ ...base, endpointSlices: slices });
  if (ips.length === 0 && !eniMode) return { ...base, endpointSlices: slices };
  return { ...base, endpointSlices: slices, eniByIp: eni.peek(ips, uidByIp(slices)) };
}

/** Pod uid per endpoint IP, so the ENI cache tells a recycled IP from the pod it was found for. */
export function uidByIp(slices: readonly EndpointSliceLike[]): (ip: string) => string | undefined {
  const m = new Map<string, string>();
  for (const s of slices)
    for (const ep of s.endpoints ?? [])
      if (ep.targetRef?.uid) for (const ip of ep.addresses ?? []) m.set(ip, ep.targetRef.uid);
  return (ip) => m.get(ip);
}

function podsOfIps(
  slices: readonly EndpointSliceLike[],
  namespace: string,
  ips: ReadonlySet<string>,
): PodRef[] {
  if (ips.size === 0) return [];
  const out = new Map<string, PodRef>();
  for (const s of slices)
    for (const ep of s.endpoints ?? []) {
      const t = ep.targetRef;
      if (t?.kind !== 'Pod' || !t.name || (t.namespace ?? namespace) !== namespace) continue;
      if (!(ep.addresses ?? []).some((ip) => ips.has(ip))) continue;
      const ref: PodRef = { namespace, name: t.name, ...(t.uid ? { uid: t.uid } : {}) };
      out.set(podKey(ref), ref);
    }
  return [...out.values()];
}
