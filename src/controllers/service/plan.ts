// The Plan: an ordered list of typed cloud actions that `apply.ts` executes and `--dry-run`
// prints. Actions carry everything the call needs except the SLB id of a load balancer that a
// preceding CreateLoadBalancer makes (then `Plan.loadBalancerId` is undefined and the applier
// uses the id the create returned). `stage` groups actions that may run concurrently: every
// action of stage N must finish before stage N+1 starts (see the ordering rule in diff/changes.ts).
import type {
  BackendModel,
  ListenerModel,
  ListenerProtocol,
  ListenerSettings,
  LoadBalancerAttributes,
  ModificationProtection,
  OnOff,
} from './types.js';

/** A vgroup by name; `id` is absent only for a group created earlier in the same plan. */
export interface VGroupRef {
  name: string;
  id?: string;
}

export type PlanAction =
  | {
      kind: 'CreateLoadBalancer';
      stage: number;
      attributes: LoadBalancerAttributes;
      tags: Record<string, string>;
      /** Vswitches to try once, in order, if the create fails with VSwitchAvailableIpNotExist. */
      vSwitchAlternatives?: string[];
    }
  | { kind: 'SetLoadBalancerName'; stage: number; name: string }
  | { kind: 'SetLoadBalancerDeleteProtection'; stage: number; deleteProtection: OnOff }
  | {
      kind: 'SetLoadBalancerModificationProtection';
      stage: number;
      status: ModificationProtection;
      reason?: string;
    }
  | {
      kind: 'ModifyLoadBalancerInstanceChargeType';
      stage: number;
      instanceChargeType: 'PayBySpec' | 'PayByCLCU';
      loadBalancerSpec?: string;
    }
  | { kind: 'ModifyLoadBalancerInstanceSpec'; stage: number; loadBalancerSpec: string }
  | {
      kind: 'ModifyLoadBalancerInternetSpec';
      stage: number;
      internetChargeType: 'paybytraffic' | 'paybybandwidth';
      bandwidth?: number;
    }
  | { kind: 'TagResources'; stage: number; tags: Record<string, string> }
  | { kind: 'UntagResources'; stage: number; keys: string[] }
  | { kind: 'CreateVServerGroup'; stage: number; vgroup: VGroupRef }
  | { kind: 'AddVServerGroupBackends'; stage: number; vgroup: VGroupRef; backends: BackendModel[] }
  | { kind: 'RemoveVServerGroupBackends'; stage: number; vgroup: VGroupRef; backends: BackendModel[] }
  | { kind: 'SetVServerGroupBackends'; stage: number; vgroup: VGroupRef; backends: BackendModel[] }
  | { kind: 'DeleteVServerGroup'; stage: number; vgroup: Required<VGroupRef> }
  | { kind: 'DeleteListener'; stage: number; port: number; protocol: ListenerProtocol; reason: string }
  | { kind: 'CreateListener'; stage: number; listener: ListenerModel; vgroup: VGroupRef }
  | {
      kind: 'SetListenerAttribute';
      stage: number;
      port: number;
      protocol: ListenerProtocol;
      /** Always sent so the listener keeps pointing at our group. */
      vgroup: VGroupRef;
      description?: string;
      changes: ListenerSettings;
      /** The certificate being replaced when `changes` switches an HTTPS certificate (checked first). */
      previousCertificateId?: string;
    }
  | { kind: 'StartListener'; stage: number; port: number; protocol: ListenerProtocol }
  | {
      kind: 'CreateDomainExtension';
      stage: number;
      port: number;
      domain: string;
      serverCertificateId: string;
    }
  | {
      kind: 'SetDomainExtensionAttribute';
      stage: number;
      port: number;
      domainExtensionId: string;
      serverCertificateId: string;
    }
  | { kind: 'DeleteDomainExtension'; stage: number; port: number; domainExtensionId: string }
  | { kind: 'DeleteLoadBalancer'; stage: number };

export type PlanActionKind = PlanAction['kind'];

/** A change the planner refuses to make; the sync fails with this text and nothing is applied. */
export interface PlanConflict {
  reason: string;
  /**
   * `ownership`: the object belongs to another Service (its `k8s/…` key names someone else), so
   * no annotation of this Service can ever make the change; reported as LoadBalancerConflict.
   */
  kind?: 'ownership';
}

export interface Plan {
  /** Known SLB id; undefined when the plan starts with CreateLoadBalancer. */
  loadBalancerId?: string;
  actions: PlanAction[];
  conflicts: PlanConflict[];
}

/** Stages in execution order; see the ordering rule in diff/changes.ts. */
export const STAGE = {
  createLoadBalancer: 0,
  loadBalancerAttributes: 1,
  vgroups: 1,
  deleteForwardingListeners: 2,
  deleteListeners: 3,
  updateListeners: 4,
  createListeners: 4,
  startListeners: 5,
  createForwardingListeners: 5,
  startForwardingListeners: 6,
  domainExtensions: 6,
  cleanupVGroups: 7,
  disableDeleteProtection: 8,
  deleteLoadBalancer: 9,
} as const;

export function isEmptyPlan(plan: Plan): boolean {
  return plan.actions.length === 0 && plan.conflicts.length === 0;
}
