// Who may name an existing SLB with the `loadbalancer-id` annotation. Reusing an SLB puts the
// Service's listeners and backends on it, so the operator — not the namespace user — decides
// which hand-made SLBs are open to the cluster, and optionally to which namespaces:
//
//   cloud-config   Global.reusableLoadBalancers: "lb-1, lb-2/team-a, lb-2/team-b"
//                  (`<id>` opens to every namespace, `<id>/<namespace>` to that one only)
//   SLB tag        kube-alicloud.io/reusable/<clusterId> = "*" | "team-a,team-b"
//
// Either source suffices. The tag key is reserved (additional-resource-tags cannot set it), so a
// Service that was allowed onto an SLB cannot widen the grant for others.
import { TAG_REUSE_GRANT_PREFIX } from '../../../cloud/ownership.js';

export interface ReuseGrant {
  loadBalancerId: string;
  /** Absent: every namespace. */
  namespace?: string;
}

/** cloud-config entries (`lb-x` or `lb-x/ns`, already validated by the config parser) → grants. */
export function parseReuseGrants(entries: readonly string[]): ReuseGrant[] {
  return entries.map((e) => {
    const [loadBalancerId, namespace] = e.trim().split('/', 2) as [string, string | undefined];
    return namespace ? { loadBalancerId, namespace } : { loadBalancerId };
  });
}

export function reuseGrantTagKey(clusterId: string): string {
  return `${TAG_REUSE_GRANT_PREFIX}${clusterId}`;
}

/** Whether a tag value (`*` or a comma-separated namespace list) includes `namespace`. */
function tagGrants(value: string | undefined, namespace: string): boolean {
  if (value === undefined) return false;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.includes('*') || names.includes(namespace);
}

export interface ReuseDecision {
  allowed: boolean;
  /** How it was allowed, or what would allow it (for the refusal message). */
  detail: string;
}

export function reuseAllowed(
  loadBalancerId: string,
  namespace: string,
  clusterId: string,
  grants: readonly ReuseGrant[],
  slbTags: Readonly<Record<string, string>> | undefined,
): ReuseDecision {
  const byConfig = grants.find(
    (g) => g.loadBalancerId === loadBalancerId && (g.namespace === undefined || g.namespace === namespace),
  );
  if (byConfig)
    return {
      allowed: true,
      detail: `cloud-config reusableLoadBalancers "${byConfig.namespace ? `${loadBalancerId}/${namespace}` : loadBalancerId}"`,
    };
  const key = reuseGrantTagKey(clusterId);
  if (slbTags && tagGrants(slbTags[key], namespace))
    return { allowed: true, detail: `SLB tag ${key}=${slbTags[key]}` };
  return {
    allowed: false,
    detail:
      `SLB ${loadBalancerId} is not open to namespace "${namespace}" of this cluster; an operator can allow it with ` +
      `cloud-config Global.reusableLoadBalancers "${loadBalancerId}/${namespace}" (or "${loadBalancerId}" for every namespace) ` +
      `or the SLB tag ${key}=${namespace} (or "*")`,
  };
}
