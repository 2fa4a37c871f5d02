// Reads one Service's NLB from the cloud into the model type the desired side uses, so diff/
// compares like with like. Call budget per full read (steady state makes none: see the hash):
//   find        1 (GetLoadBalancerAttribute by id for a reused NLB, else ListLoadBalancers by tag)
//   listeners   1 ListListeners (only when there is an NLB)
//   groups      1 ListServerGroups by our tags + 1 for reused ids, + 1 ListServerGroupServers each
import type { NlbCloudPort, NlbRecord } from './cloudport.js';
import { TAG_CLUSTER_ID, TAG_DO_NOT_DELETE } from './model/naming.js';
import type { NlbModel, Ownership } from './types.js';

export class ObserveError extends Error {
  override name = 'ObserveError';
}

export interface ObserveTarget {
  ownership: Ownership;
  /** Server groups named by `vgroup-port`. */
  reusedServerGroupIds?: readonly string[];
}

export async function findNlb(cloud: NlbCloudPort, o: Ownership): Promise<NlbRecord | undefined> {
  if (o.reusedLoadBalancerId) {
    const lb = await cloud.getLoadBalancer(o.reusedLoadBalancerId);
    if (!lb)
      throw new ObserveError(`NLB ${o.reusedLoadBalancerId} named by the id annotation does not exist`);
    return lb;
  }
  const found = await cloud.findLoadBalancers({ [TAG_DO_NOT_DELETE]: o.defaultName });
  if (found.length > 1)
    throw new ObserveError(
      `${found.length} NLBs carry ${TAG_DO_NOT_DELETE}=${o.defaultName} (${found.map((f) => f.attributes.loadBalancerId).join(', ')}); remove the tag from the extra ones by hand`,
    );
  return found[0];
}

/** The whole remote side; `undefined` NLB means "none yet" (our orphan groups are still returned). */
export async function observeNlb(cloud: NlbCloudPort, t: ObserveTarget): Promise<NlbModel | undefined> {
  const o = t.ownership;
  const lb = await findNlb(cloud, o);
  const [listeners, owned, reused] = await Promise.all([
    lb?.attributes.loadBalancerId ? cloud.listListeners(lb.attributes.loadBalancerId) : Promise.resolve([]),
    cloud.findServerGroups({ [TAG_DO_NOT_DELETE]: o.defaultName, [TAG_CLUSTER_ID]: o.identity.clusterId }),
    cloud.getServerGroups(t.reusedServerGroupIds ?? []),
  ]);
  const reusedIds = new Set(reused.map((g) => g.id));
  const serverGroups = [
    ...owned.filter((g) => !reusedIds.has(g.id)),
    ...reused.map((g) => ({ ...g, reused: true })),
  ];
  if (!lb && serverGroups.length === 0) return undefined;
  return {
    attributes: lb?.attributes ?? {},
    tags: lb?.tags ?? {},
    listeners,
    serverGroups,
  };
}
