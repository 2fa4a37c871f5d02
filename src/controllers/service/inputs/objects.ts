// Everything the model builder reads, gathered by the controller before building (cloud and
// apiserver lookups happen first, so `model/` stays pure and its tests are plain objects).
// The Kubernetes shapes are structural subsets: a V1Service / V1Node / V1EndpointSlice from
// @kubernetes/client-node fits them without conversion.
import type { ReuseGrant } from '../annotations/reuse-grant.js';

export interface ServicePortLike {
  name?: string;
  protocol?: string;
  port: number;
  nodePort?: number;
  targetPort?: number | string;
}

export interface ServiceLike {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: Date | string;
  };
  spec?: {
    type?: string;
    ports?: ServicePortLike[];
    externalTrafficPolicy?: string;
    loadBalancerClass?: string;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { providerID?: string; unschedulable?: boolean; taints?: Array<{ key: string; effect?: string }> };
  status?: {
    conditions?: Array<{ type: string; status: string }>;
    /** Read by NLB "Ip" server groups, which register a node by its InternalIP. */
    addresses?: Array<{ type: string; address: string }>;
  };
}

export interface EndpointLike {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

/** The parts of a Pod the readiness-gate step reads (only Pods behind not-ready endpoints are read). */
export interface PodLike {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  spec?: { readinessGates?: Array<{ conditionType: string }> };
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
  };
}

export interface EndpointSliceLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  addressType: string;
  endpoints: EndpointLike[];
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

/** Cluster-wide settings (cloud-config + metadata), resolved once at start-up. */
export interface ClusterConfig {
  /** Ownership tag value and key suffix; the CCM's default is the literal `clusterid`. */
  clusterId: string;
  region: string;
  vpcId: string;
  /** Default vswitch for intranet SLBs when no `vswitch-id` annotation is given. */
  vswitchId?: string;
  zone?: string;
  resourceGroupId?: string;
  /** cloud-config `serviceBackendType`: `eni` registers pod IPs by default. */
  serviceBackendType?: 'ecs' | 'eni';
  /** cloud-config `disablePublicSLB`: refuse internet SLBs. */
  disablePublicSlb?: boolean;
  /** The account's SLB quota of backends per VServer group (default 200). */
  maxBackendsPerGroup?: number;
  /** cloud-config `reusableLoadBalancers`: hand-made SLBs the operator opened to reuse (see annotations/reuse-grant.ts). */
  reusableLoadBalancers?: readonly ReuseGrant[];
  /** Every vswitch cloud-config lists (`vswitchId` is one of them): the choice and the fallbacks when one is full. */
  vswitchIds?: readonly string[];
  /** cloud-config `featureGates`; see annotations/gates.ts for the ones the Service controller reads. */
  featureGates?: Readonly<Record<string, boolean>>;
}

/** What the controller learnt about an SLB named by the `id` annotation before building. */
export interface ReusedLoadBalancerInfo {
  loadBalancerId: string;
  tags: Record<string, string>;
  address?: string;
  /** vserver groups present on it, for `vgroup-port` checks. */
  vgroups: Array<{ id: string; name: string }>;
}

export interface ServiceInputs {
  service: ServiceLike;
  /** All Nodes (the builder applies the candidate rules itself). */
  nodes: readonly NodeLike[];
  /** The Service's EndpointSlices (label `kubernetes.io/service-name`). */
  endpointSlices: EndpointSliceLike[];
  config: ClusterConfig;
  reusedLoadBalancer?: ReusedLoadBalancerInfo;
  /** Pod IP → ENI id, resolved by the controller for ENI backends (`backend-type: eni`). */
  eniByIp?: Record<string, string>;
  /** Additional-tag keys set by an earlier successful sync (only these may be untagged). */
  previouslyManagedTagKeys?: string[];
}
