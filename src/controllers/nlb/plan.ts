// The NLB Plan: an ordered list of typed cloud actions that `apply.ts` executes and `--dry-run`
// logs. An action names a server group by name and, once it exists, by id; a group created
// earlier in the same plan gets its id from the applier. Actions run strictly in order: NLB
// writes are asynchronous jobs on the cloud side and the facade resolves each only when its job
// finished, so ordering here is what keeps a listener from pointing at a group not yet made.
import type {
  NlbAddressType,
  NlbAttributes,
  NlbListener,
  NlbListenerSettings,
  NlbServer,
  NlbServerGroup,
  ServerGroupSettings,
  ZoneMapping,
  ModificationProtection,
} from './types.js';

export interface ServerGroupRef {
  name: string;
  id?: string;
}

export type NlbAction =
  | { kind: 'CreateLoadBalancer'; attributes: NlbAttributes; tags: Record<string, string> }
  | { kind: 'UpdateLoadBalancerAttribute'; changes: Pick<NlbAttributes, 'name' | 'crossZoneEnabled'> }
  | { kind: 'UpdateLoadBalancerAddressType'; addressType: NlbAddressType }
  | { kind: 'UpdateLoadBalancerZones'; zoneMappings: ZoneMapping[] }
  | { kind: 'JoinSecurityGroups'; securityGroupIds: string[] }
  | { kind: 'LeaveSecurityGroups'; securityGroupIds: string[] }
  | { kind: 'AttachBandwidthPackage'; bandwidthPackageId: string }
  | { kind: 'DetachBandwidthPackage'; bandwidthPackageId: string }
  | {
      kind: 'UpdateLoadBalancerProtection';
      deletionProtection?: boolean;
      modificationProtection?: ModificationProtection;
    }
  | { kind: 'TagLoadBalancer'; tags: Record<string, string> }
  | { kind: 'UntagLoadBalancer'; keys: string[] }
  | { kind: 'CreateServerGroup'; group: NlbServerGroup; tags: Record<string, string> }
  | { kind: 'UpdateServerGroup'; group: Required<ServerGroupRef>; changes: ServerGroupSettings }
  | { kind: 'AddServers'; group: ServerGroupRef; servers: NlbServer[] }
  | { kind: 'UpdateServers'; group: Required<ServerGroupRef>; servers: NlbServer[] }
  | { kind: 'RemoveServers'; group: Required<ServerGroupRef>; servers: NlbServer[] }
  | { kind: 'DeleteListener'; listenerId: string; description: string; reason: string }
  | { kind: 'CreateListener'; listener: NlbListener; group: ServerGroupRef }
  | {
      kind: 'UpdateListener';
      listenerId: string;
      description: string;
      /** Set when the listener must forward to another group (or a group created in this plan). */
      group?: ServerGroupRef;
      newDescription?: string;
      changes: NlbListenerSettings;
    }
  | { kind: 'StartListener'; listenerId: string; description: string }
  | { kind: 'DeleteServerGroup'; group: Required<ServerGroupRef> }
  | { kind: 'DeleteLoadBalancer' };

export type NlbActionKind = NlbAction['kind'];

export interface NlbPlan {
  /** Absent when the plan creates the NLB (the applier uses the id the create returns). */
  loadBalancerId?: string;
  actions: NlbAction[];
  /** Differences the planner refuses to act on (immutable fields, a user's listener on our port…). */
  conflicts: string[];
}

export function isEmptyPlan(p: NlbPlan): boolean {
  return p.actions.length === 0;
}

/** One line per action for the log, events and dry-run (ids and names only: no secrets live here). */
export function describeAction(a: NlbAction): string {
  switch (a.kind) {
    case 'CreateLoadBalancer':
      return `create NLB ${a.attributes.name ?? ''} (${a.attributes.addressType ?? ''})`;
    case 'CreateServerGroup':
      return `create server group ${a.group.name} with ${a.group.servers.length} servers`;
    case 'UpdateServerGroup':
    case 'DeleteServerGroup':
      return `${a.kind} ${a.group.id}`;
    case 'AddServers':
    case 'UpdateServers':
    case 'RemoveServers':
      return `${a.kind} ${a.servers.length} on ${a.group.id ?? a.group.name}`;
    case 'CreateListener':
      return `create listener ${a.listener.description}`;
    case 'UpdateListener':
    case 'StartListener':
      return `${a.kind} ${a.description}`;
    case 'DeleteListener':
      return `delete listener ${a.description} (${a.reason})`;
    default:
      return a.kind;
  }
}
