// Carries out an NLB plan through the cloud port: the only writer. Actions run one after another
// (each facade call resolves only when the NLB's job finished); the first failure stops the plan,
// and the retry re-reads the cloud and plans again from what is really there, so a half-applied
// plan is never resumed from stale assumptions.
import { errorText } from '../../util/errors.js';
import type { NlbCloudPort } from './cloudport.js';
import { describeAction, type NlbAction, type NlbPlan, type ServerGroupRef } from './plan.js';

export interface ApplyContext {
  vpcId: string;
  resourceGroupId?: string;
  /** One token per NLB being created, kept across retries (a lost answer must not make a second NLB). */
  clientToken: string;
}

export interface ApplyResult {
  loadBalancerId?: string;
  done: number;
  /** Ids of server groups created by this plan, by name. */
  createdGroups: Map<string, string>;
}

export class ApplyError extends Error {
  override name = 'ApplyError';
  constructor(
    readonly action: NlbAction,
    readonly done: number,
    readonly loadBalancerId: string | undefined,
    cause: unknown,
  ) {
    super(`${describeAction(action)}: ${errorText(cause)}`);
  }
}

export async function applyNlbPlan(
  cloud: NlbCloudPort,
  plan: NlbPlan,
  ctx: ApplyContext,
): Promise<ApplyResult> {
  const result: ApplyResult = {
    ...(plan.loadBalancerId ? { loadBalancerId: plan.loadBalancerId } : {}),
    done: 0,
    createdGroups: new Map(),
  };
  for (const action of plan.actions) {
    try {
      await applyOne(cloud, action, result, ctx);
    } catch (err) {
      throw new ApplyError(action, result.done, result.loadBalancerId, err);
    }
    result.done++;
  }
  return result;
}

function lbOf(r: ApplyResult): string {
  if (!r.loadBalancerId) throw new Error('no NLB id (the create answered none)');
  return r.loadBalancerId;
}

function groupIdOf(r: ApplyResult, g: ServerGroupRef): string {
  const id = g.id ?? r.createdGroups.get(g.name);
  if (!id) throw new Error(`server group ${g.name} has no id (its create answered none)`);
  return id;
}

async function applyOne(cloud: NlbCloudPort, a: NlbAction, r: ApplyResult, ctx: ApplyContext): Promise<void> {
  switch (a.kind) {
    case 'CreateLoadBalancer': {
      const id = await cloud.createLoadBalancer(a.attributes, a.tags, ctx.clientToken);
      if (!id) throw new Error('CreateLoadBalancer answered no id');
      r.loadBalancerId = id;
      return;
    }
    case 'UpdateLoadBalancerAttribute':
      return cloud.updateLoadBalancer(lbOf(r), a.changes);
    case 'UpdateLoadBalancerAddressType':
      return cloud.updateAddressType(lbOf(r), a.addressType);
    case 'UpdateLoadBalancerZones':
      return cloud.updateZones(lbOf(r), a.zoneMappings);
    case 'JoinSecurityGroups':
      return cloud.joinSecurityGroups(lbOf(r), a.securityGroupIds);
    case 'LeaveSecurityGroups':
      return cloud.leaveSecurityGroups(lbOf(r), a.securityGroupIds);
    case 'AttachBandwidthPackage':
      return cloud.attachBandwidthPackage(lbOf(r), a.bandwidthPackageId);
    case 'DetachBandwidthPackage':
      return cloud.detachBandwidthPackage(lbOf(r), a.bandwidthPackageId);
    case 'UpdateLoadBalancerProtection':
      return cloud.updateProtection(lbOf(r), {
        ...(a.deletionProtection !== undefined ? { deletionProtection: a.deletionProtection } : {}),
        ...(a.modificationProtection ? { modificationProtection: a.modificationProtection } : {}),
      });
    case 'TagLoadBalancer':
      return cloud.tagLoadBalancer(lbOf(r), a.tags);
    case 'UntagLoadBalancer':
      return a.keys.length > 0 ? cloud.untagLoadBalancer(lbOf(r), a.keys) : undefined;
    case 'CreateServerGroup': {
      const id = await cloud.createServerGroup(a.group, ctx.vpcId, ctx.resourceGroupId, a.tags);
      if (!id) throw new Error('CreateServerGroup answered no id');
      r.createdGroups.set(a.group.name, id);
      return;
    }
    case 'UpdateServerGroup':
      return cloud.updateServerGroup(a.group.id, a.changes);
    case 'AddServers':
      return cloud.addServers(groupIdOf(r, a.group), a.servers);
    case 'UpdateServers':
      return cloud.updateServers(a.group.id, a.servers);
    case 'RemoveServers':
      return cloud.removeServers(a.group.id, a.servers);
    case 'DeleteListener':
      return ignoreNotFound(cloud, () => cloud.deleteListener(a.listenerId));
    case 'CreateListener': {
      await cloud.createListener(lbOf(r), a.listener, groupIdOf(r, a.group));
      return;
    }
    case 'UpdateListener':
      return cloud.updateListener(a.listenerId, a.changes, {
        ...(a.group ? { serverGroupId: groupIdOf(r, a.group) } : {}),
        ...(a.newDescription ? { description: a.newDescription } : {}),
      });
    case 'StartListener':
      return cloud.startListener(a.listenerId);
    case 'DeleteServerGroup':
      return ignoreNotFound(cloud, () => cloud.deleteServerGroup(a.group.id));
    case 'DeleteLoadBalancer':
      return ignoreNotFound(cloud, () => cloud.deleteLoadBalancer(lbOf(r)));
  }
}

/** Deleting what is already gone is success (a retry after a lost answer). */
async function ignoreNotFound(cloud: NlbCloudPort, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (!cloud.isNotFound(err)) throw err;
  }
}
