// Node changes as pure modifiers: built once from one cloud lookup, then re-applied to a fresh
// read of the Node on every conflict retry (so a kubelet heartbeat between our read and our
// write costs a retry, never a lost update or a clobbered field).
import { ANNOTATION_PROVIDED_NODE_IP, TAINT_UNINITIALIZED } from '../../../kube/labels.js';
import { Labels, NODEPOOL_TAG } from '../types.js';
import type { CloudInstance } from './instance.js';
import type { Node, NodeAddress, Taint } from '../types.js';

export interface Modifier {
  /** For logs: what this change is about. */
  what: string;
  apply(node: Node): void;
}

export function setProviderId(value: string): Modifier {
  return {
    what: 'providerID',
    apply(node) {
      node.spec ??= {};
      // Never overwrite one the kubelet set: it is the authority on who the machine is.
      if (!node.spec.providerID) node.spec.providerID = value;
    },
  };
}

export function setLabels(labels: Record<string, string>): Modifier {
  return {
    what: 'labels',
    apply(node) {
      node.metadata ??= {};
      // Added or overwritten, never removed: labels someone else set stay.
      node.metadata.labels = { ...(node.metadata.labels ?? {}), ...labels };
    },
  };
}

export function setAddresses(addresses: NodeAddress[]): Modifier {
  return {
    what: 'addresses',
    apply(node) {
      node.status ??= {};
      node.status.addresses = addresses.map((a) => ({ ...a }));
    },
  };
}

export function removeTaint(key: string): Modifier {
  return {
    what: `-taint ${key}`,
    apply(node) {
      const taints = node.spec?.taints;
      if (!taints?.some((t) => t.key === key)) return;
      node.spec!.taints = taints.filter((t) => t.key !== key);
    },
  };
}

export function addTaint(taint: Taint, now: () => Date = () => new Date()): Modifier {
  return {
    what: `+taint ${taint.key}`,
    apply(node) {
      node.spec ??= {};
      const taints = node.spec.taints ?? [];
      if (taints.some((t) => t.key === taint.key && t.effect === taint.effect)) return;
      node.spec.taints = [
        ...taints,
        {
          ...taint,
          timeAdded: now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        },
      ];
    },
  };
}

const NETWORK_UNAVAILABLE = 'NetworkUnavailable';

/**
 * NetworkUnavailable=True until the route controller has the Node's route in place (it then
 * writes False/RouteCreated), so pods are not scheduled onto a Node their peers cannot reach yet.
 * A condition already False is left alone: the route was there before the Node was initialised.
 */
export function markNetworkUnavailable(now: () => Date = () => new Date()): Modifier {
  return {
    what: 'NetworkUnavailable',
    apply(node) {
      const conditions = node.status?.conditions ?? [];
      const have = conditions.find((c) => c.type === NETWORK_UNAVAILABLE);
      // True already: the route controller got there first, with a more specific reason.
      if (have?.status === 'False' || have?.status === 'True') return;
      const at = now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      node.status ??= {};
      node.status.conditions = [
        ...conditions.filter((c) => c.type !== NETWORK_UNAVAILABLE),
        {
          type: NETWORK_UNAVAILABLE,
          status: 'True',
          reason: 'NoRouteCreated',
          message: 'Node created without a route',
          lastHeartbeatTime: at,
          lastTransitionTime: at,
        },
      ];
    },
  };
}

export function hasTaint(node: Node, key: string): boolean {
  return node.spec?.taints?.some((t) => t.key === key) ?? false;
}

/**
 * A Node whose kubelet ran without --cloud-provider=external (kube-aliyun clusters): no
 * uninitialized taint and no providerID. The node controller adopts it — providerID, addresses,
 * labels — because routes and SLB backends are keyed by providerID. A Node with any providerID
 * (even a non-ECS one) is never adopted: the kubelet said who it is.
 */
export function needsAdoption(node: Node): boolean {
  return !node.spec?.providerID && !hasTaint(node, TAINT_UNINITIALIZED);
}

/** The labels an instance implies: topology, instance type (GA and beta spellings) and billing facts. */
export function labelsFor(inst: CloudInstance): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => {
    if (v && isLabelValue(v)) out[k] = v;
  };
  set(Labels.region, inst.region);
  set(Labels.betaRegion, inst.region);
  set(Labels.zone, inst.zone);
  set(Labels.betaZone, inst.zone);
  set(Labels.instanceType, inst.instanceType);
  set(Labels.betaInstanceType, inst.instanceType);
  set(Labels.chargeType, inst.chargeType);
  set(Labels.spotStrategy, inst.spotStrategy);
  set(Labels.nodepoolId, inst.tags[NODEPOOL_TAG]);
  return out;
}

/** A value the apiserver accepts as a label value; anything else is skipped rather than failing the whole write. */
function isLabelValue(v: string): boolean {
  return v.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v);
}

export type AddressResult = { addresses: NodeAddress[] } | { error: string };

/**
 * Cloud addresses: InternalIP (VPC private IPs, then classic inner IPs), ExternalIP (public IPs,
 * then the EIP), Hostname (the kubelet's own report when it gave one, else the ECS HostName).
 * With the kubelet's --node-ip (annotation provided-node-ip) that IP must belong to the instance
 * and becomes the only address of its type, first, so components that pick "the" InternalIP
 * agree with the kubelet.
 */
export function addressesFor(node: Node, inst: CloudInstance): AddressResult {
  const out: NodeAddress[] = [];
  const add = (type: string, address: string | undefined) => {
    if (address && !out.some((a) => a.type === type && a.address === address)) out.push({ type, address });
  };
  for (const ip of inst.privateIps) add('InternalIP', ip);
  for (const ip of inst.innerIps) add('InternalIP', ip);
  for (const ip of inst.publicIps) add('ExternalIP', ip);
  add('ExternalIP', inst.eip);
  const kubeletHostnames = (node.status?.addresses ?? [])
    .filter((a) => a.type === 'Hostname')
    .map((a) => a.address);
  if (kubeletHostnames.length > 0) for (const h of kubeletHostnames) add('Hostname', h);
  else add('Hostname', inst.hostName?.toLowerCase());

  const provided = node.metadata?.annotations?.[ANNOTATION_PROVIDED_NODE_IP];
  if (!provided) return { addresses: out };
  const hit = out.find((a) => a.address === provided && a.type !== 'Hostname');
  if (!hit)
    return {
      error: `the kubelet's --node-ip ${provided} is not an address of instance ${inst.id} (${
        out
          .filter((a) => a.type !== 'Hostname')
          .map((a) => a.address)
          .join(', ') || 'none'
      })`,
    };
  return { addresses: [hit, ...out.filter((a) => a.type !== hit.type)] };
}

/** Whether applying `mods` to `node` would change anything (checked on the cache before any write). */
export function wouldChange(node: Node, mods: readonly Modifier[]): boolean {
  const before = JSON.stringify(comparable(node));
  const after = structuredClone(node);
  for (const m of mods) m.apply(after);
  return JSON.stringify(comparable(after)) !== before;
}

/** The parts modifiers touch, for change detection. */
export function comparable(node: Node): unknown {
  return {
    labels: sortKeys(node.metadata?.labels ?? {}),
    providerID: node.spec?.providerID ?? '',
    taints: (node.spec?.taints ?? []).map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`),
    addresses: node.status?.addresses ?? [],
    networkUnavailable: networkCondition(node),
  };
}

function networkCondition(node: Node): string {
  const c = node.status?.conditions?.find((x) => x.type === NETWORK_UNAVAILABLE);
  return c ? `${c.status}/${c.reason ?? ''}` : '';
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
