// Pod readiness gates (docs/service-load-balancers.md § "Readiness gates"). Pure.
//
// A Pod that lists `service.readiness.alibabacloud.com/<service name>` in spec.readinessGates is
// NotReady until that condition is True, so its endpoint is not ready and would never become a
// backend. As in the official CCM, such an endpoint is taken as a backend once the Pod's
// containers are ready; after the load balancer holds it, the controller sets the condition True
// (reason ServerRegistered), and the Pod turns Ready. A backend whose ENI cannot be found gets
// False (reason ServerInvalidServer).
import type { EndpointSliceLike, PodLike } from '../inputs/objects.js';
import type { DesiredLoadBalancer } from '../types.js';

export const READINESS_GATE_PREFIX = 'service.readiness.alibabacloud.com';
export const GATE_REGISTERED = {
  status: 'True',
  reason: 'ServerRegistered',
  message: 'The backend has been added to the server group',
} as const;
export const GATE_INVALID = {
  status: 'False',
  reason: 'ServerInvalidServer',
  message: 'The backend failed to add to the server group because of the server is invalid',
} as const;

/** The Pod condition type (and readiness gate) for one Service: per name, as the official CCM spells it. */
export function readinessGateType(serviceName: string): string {
  return `${READINESS_GATE_PREFIX}/${serviceName}`;
}

export interface PodRef {
  namespace: string;
  name: string;
  /** From the endpoint's targetRef; the patch carries it so a recreated Pod is never written. */
  uid?: string;
}

export const podKey = (r: Pick<PodRef, 'namespace' | 'name'>): string => `${r.namespace}/${r.name}`;

/**
 * Pods behind not-ready, non-terminating endpoints of the Service's own namespace: the only Pods a
 * sync reads. A targetRef into another namespace (a hand-written EndpointSlice can say anything)
 * is never followed: one namespace's objects must not make us read or write another's.
 */
export function podsBehindNotReadyEndpoints(
  slices: readonly EndpointSliceLike[],
  namespace: string,
): PodRef[] {
  const out = new Map<string, PodRef>();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.terminating === true || ep.conditions?.ready !== false) continue;
      const ref = ownPod(ep.targetRef, namespace);
      if (ref && !out.has(podKey(ref))) out.set(podKey(ref), ref);
    }
  }
  return [...out.values()].sort((a, b) => podKey(a).localeCompare(podKey(b)));
}

function ownPod(
  t: { kind?: string; name?: string; namespace?: string; uid?: string } | undefined,
  namespace: string,
): PodRef | undefined {
  if (t?.kind !== 'Pod' || !t.name) return undefined;
  if ((t.namespace ?? namespace) !== namespace) return undefined;
  return { namespace, name: t.name, ...(t.uid ? { uid: t.uid } : {}) };
}

export function declaresGate(pod: PodLike, gateType: string): boolean {
  return (pod.spec?.readinessGates ?? []).some((g) => g.conditionType === gateType);
}

/**
 * `admit`: a backend although its endpoint is not ready (gate declared, containers ready).
 * `wait`: may become one soon (gate declared, containers not ready yet, or the Pod not found):
 * the official CCM requeues the Service for it, since no endpoint change will announce it.
 * `ignore`: no gate for this Service, or a different Pod than the endpoint names (uid).
 */
export function gateState(
  pod: PodLike | undefined,
  ref: PodRef,
  gateType: string,
): 'admit' | 'wait' | 'ignore' {
  if (!pod) return 'wait';
  if (ref.uid && pod.metadata?.uid && ref.uid !== pod.metadata.uid) return 'ignore';
  if (!declaresGate(pod, gateType)) return 'ignore';
  const ready = pod.status?.conditions?.find((c) => c.type === 'ContainersReady');
  return ready?.status === 'True' ? 'admit' : 'wait';
}

/** The slices as the builder must see them: endpoints of admitted Pods count as ready. */
export function admitGatedEndpoints(
  slices: readonly EndpointSliceLike[],
  namespace: string,
  admitted: ReadonlySet<string>,
): EndpointSliceLike[] {
  if (admitted.size === 0) return [...slices];
  return slices.map((slice) => {
    let changed = false;
    const endpoints = (slice.endpoints ?? []).map((ep) => {
      if (ep.conditions?.terminating === true || ep.conditions?.ready !== false) return ep;
      const ref = ownPod(ep.targetRef, namespace);
      if (!ref || !admitted.has(podKey(ref))) return ep;
      changed = true;
      return { ...ep, conditions: { ...ep.conditions, ready: true } };
    });
    return changed ? { ...slice, endpoints } : slice;
  });
}

export interface GateUpdate {
  ref: PodRef;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface GateInputs {
  desired: Pick<DesiredLoadBalancer, 'vgroups' | 'skippedBackends' | 'trafficMode'>;
  /** The original (not admitted) slices: pod IPs by targetRef. */
  slices: readonly EndpointSliceLike[];
  namespace: string;
  gateType: string;
  /** The Pods read this sync, by `namespace/name`. */
  pods: ReadonlyMap<string, PodLike>;
  /** Pod IPs that must be ENI backends (ENI mode, or ECI pods). */
  eniIps: ReadonlySet<string>;
  /** Pod IPs inside the VPC that no ENI holds: invalid backends. */
  invalidIps: ReadonlySet<string>;
}

/**
 * The condition writes one sync makes, after its model is on the load balancer: True for each
 * read Pod that declares the gate and whose every IP is registered (its own ENI backend, or for
 * node backends a group that has nodes), False for one whose IP is an invalid ENI backend. A Pod
 * whose condition already says the same is left alone, so a settled Service writes nothing.
 */
export function gateUpdates(g: GateInputs): GateUpdate[] {
  const ipsByPod = new Map<string, { ref: PodRef; ips: Set<string> }>();
  for (const slice of g.slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.terminating === true) continue;
      const ref = ownPod(ep.targetRef, g.namespace);
      if (!ref) continue;
      const entry = ipsByPod.get(podKey(ref)) ?? { ref, ips: new Set<string>() };
      for (const ip of ep.addresses ?? []) entry.ips.add(ip);
      ipsByPod.set(podKey(ref), entry);
    }
  }
  const eniRegistered = new Set<string>();
  let nodeBackends = false;
  for (const group of g.desired.vgroups)
    for (const b of group.backends) {
      if (b.type === 'eni' && b.serverIp) eniRegistered.add(b.serverIp);
      else if (b.type === 'ecs') nodeBackends = true;
    }
  const skipped = new Set(g.desired.skippedBackends.flatMap((s) => (s.ip ? [s.ip] : [])));
  const registered = (ip: string): boolean => {
    if (g.eniIps.has(ip) || g.desired.trafficMode === 'ENI') return eniRegistered.has(ip);
    return nodeBackends && !skipped.has(ip);
  };

  const out: GateUpdate[] = [];
  for (const [key, { ref, ips }] of ipsByPod) {
    const pod = g.pods.get(key);
    if (!pod || gateState(pod, ref, g.gateType) === 'ignore' || ips.size === 0) continue;
    const list = [...ips];
    let want: typeof GATE_REGISTERED | typeof GATE_INVALID | undefined;
    if (list.some((ip) => g.invalidIps.has(ip))) want = GATE_INVALID;
    else if (gateState(pod, ref, g.gateType) === 'admit' && list.every(registered)) want = GATE_REGISTERED;
    if (!want) continue;
    const have = pod.status?.conditions?.find((c) => c.type === g.gateType);
    if (have && have.status === want.status && have.reason === want.reason && have.message === want.message)
      continue;
    const uid = ref.uid ?? pod.metadata?.uid;
    out.push({
      ref: { namespace: ref.namespace, name: ref.name, ...(uid ? { uid } : {}) },
      status: want.status,
      reason: want.reason,
      message: want.message,
    });
  }
  return out.sort((a, b) => podKey(a.ref).localeCompare(podKey(b.ref)));
}
