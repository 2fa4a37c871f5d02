// Desired state: which route entry every Node should have. Pure — the controller gathers Nodes
// and the node → instance map first, so this needs no cloud and no apiserver to test.
import { cidrContains, formatCidr, parseCidrMasked, type Ipv4Cidr } from '../../../util/ipv4.js';
import { parseProviderId } from '../../providerid.js';
import { nodeExcludedBy } from '../../excludednode.js';

/** The subset of a V1Node the model reads; a V1Node fits it structurally. */
export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { podCIDR?: string; podCIDRs?: string[]; providerID?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/**
 * Why a Node gets no new route right now, as the official CCM decides it (needSyncRoute):
 * excluded, kubelet silent (Ready Unknown — NotReady still gets routes), or being deleted.
 * The route such a Node already has is kept: these are states a Node comes back from, and
 * the route of a Node that really goes is removed when the Node object is gone.
 */
export function routeSkipReason(node: NodeLike): string | undefined {
  const excluded = nodeExcludedBy(node);
  if (excluded) return `excluded by ${excluded}`;
  if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown'))
    return 'Ready is Unknown (the kubelet stopped reporting)';
  if (node.metadata?.deletionTimestamp) return 'being deleted';
  return undefined;
}

/** One `podCIDR → instance` entry, wanted in every managed route table. */
export interface DesiredRoute {
  nodeName: string;
  cidr: string;
  instanceId: string;
}

/** Why a Node that exists gets no route; each becomes a NetworkUnavailable reason. */
export type UnroutableReason =
  'NoPodCIDR' | 'InvalidPodCIDR' | 'PodCIDROutsideClusterCIDR' | 'NoInstance' | 'DuplicatePodCIDR';

export interface Unroutable {
  nodeName: string;
  reason: UnroutableReason;
  message: string;
}

export interface RouteModel {
  desired: DesiredRoute[];
  /** Nodes that exist but cannot have a route now; their old routes are left in place. */
  unroutable: Unroutable[];
  /** Nodes left alone on purpose (routeSkipReason): no new route, no condition, old route kept. */
  skipped: Array<{ nodeName: string; why: string }>;
  /** Instances behind current Nodes. Not an ownership test: only the marker makes a route ours. */
  clusterInstances: ReadonlySet<string>;
  /** Every current Node name, routable or not. */
  nodeNames: ReadonlySet<string>;
}

export interface ModelInput {
  nodes: readonly NodeLike[];
  clusterCidrs: readonly Ipv4Cidr[];
  /**
   * Instance ids found by other means (e.g. an ECS lookup by private IP) for Nodes whose
   * providerID is unset; providerID wins when both exist.
   */
  instanceByNode?: ReadonlyMap<string, string>;
}

/** First IPv4 pod CIDR: `spec.podCIDRs` (dual-stack aware) before the legacy `spec.podCIDR`. */
export function podCidrOf(node: NodeLike): { cidr?: Ipv4Cidr; raw?: string } {
  const candidates = [...(node.spec?.podCIDRs ?? []), ...(node.spec?.podCIDR ? [node.spec.podCIDR] : [])];
  if (candidates.length === 0) return {};
  for (const raw of candidates) {
    const cidr = parseCidrMasked(raw);
    if (cidr) return { cidr, raw };
  }
  // Only IPv6 or garbage: report the first text so the Node's condition names it.
  const raw = candidates[0];
  return raw !== undefined && raw.includes(':') ? {} : { raw };
}

export function parseClusterCidrs(text: string): Ipv4Cidr[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.includes(':'))
    .map((s) => {
      const cidr = parseCidrMasked(s);
      if (!cidr) throw new Error(`--cluster-cidr: "${s}" is not an IPv4 CIDR`);
      return cidr;
    });
}

export function buildModel(input: ModelInput): RouteModel {
  const desired: DesiredRoute[] = [];
  const unroutable: Unroutable[] = [];
  const skipped: RouteModel['skipped'] = [];
  const clusterInstances = new Set<string>();
  const nodeNames = new Set<string>();
  const byCidr = new Map<string, DesiredRoute>();

  // Sorted so that the tie-break for duplicate pod CIDRs does not depend on informer order.
  const nodes = [...input.nodes]
    .filter((n) => n.metadata?.name)
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));

  for (const node of nodes) {
    const nodeName = node.metadata!.name!;
    nodeNames.add(nodeName);
    const instanceId =
      parseProviderId(node.spec?.providerID)?.instanceId ?? input.instanceByNode?.get(nodeName);
    if (instanceId) clusterInstances.add(instanceId);
    const why = routeSkipReason(node);
    if (why) {
      skipped.push({ nodeName, why });
      continue;
    }

    const pod = podCidrOf(node);
    const fail = (reason: UnroutableReason, message: string) =>
      unroutable.push({ nodeName, reason, message });
    if (!pod.cidr && pod.raw === undefined) {
      fail('NoPodCIDR', 'Node has no IPv4 pod CIDR yet');
      continue;
    }
    if (!pod.cidr) {
      fail('InvalidPodCIDR', `pod CIDR "${pod.raw}" is not an IPv4 CIDR`);
      continue;
    }
    const cidrText = formatCidr(pod.cidr);
    // A route outside --cluster-cidr could never be cleaned up again (those routes are never
    // touched), so it is refused instead of created.
    if (!input.clusterCidrs.some((c) => cidrContains(c, pod.cidr!))) {
      fail('PodCIDROutsideClusterCIDR', `pod CIDR ${cidrText} is outside --cluster-cidr`);
      continue;
    }
    if (!instanceId) {
      fail('NoInstance', 'Node has no ECS instance (spec.providerID unset or not an ECS instance)');
      continue;
    }
    const taken = byCidr.get(cidrText);
    if (taken) {
      fail('DuplicatePodCIDR', `pod CIDR ${cidrText} is already routed to Node ${taken.nodeName}`);
      continue;
    }
    const route = { nodeName, cidr: cidrText, instanceId };
    byCidr.set(cidrText, route);
    desired.push(route);
  }
  return { desired, unroutable, skipped, clusterInstances, nodeNames };
}
