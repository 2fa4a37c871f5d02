// The Service controller's view of Alibaba Cloud: exactly the SLB operations and metadata lookups
// it makes, and the adapter onto the src/cloud facades. Every other file of the controller reaches
// the cloud through this interface, so what the controller can do to an account is listed here
// in one screen, and a test or bench can count or fault these calls at one seam.
//
// The record types are the facade's own (the wire shapes of the SLB API); they are re-exported so
// no other file of the controller imports src/cloud.
import type { Cloud } from '../../cloud/index.js';
import { hasCode, isNotFound } from '../../cloud/errors.js';
import type { NetworkInterfaceSet } from '../../cloud/ecs-types.js';
import type { SlbApi } from '../../cloud/slb.js';
import type { SlbListenerApi } from '../../cloud/slb-listeners.js';
import type { SlbVServerGroupApi } from '../../cloud/slb-vgroups.js';
import { MAX_BACKENDS_PER_CALL } from '../../cloud/slb-vgroups.js';

export type {
  BackendServer,
  CreateLoadBalancerInput,
  Listener,
  LoadBalancer,
  VServerGroup,
} from '../../cloud/slb.js';
export type { RpcParams } from '../../cloud/client.js';
export type { NetworkInterfaceSet } from '../../cloud/ecs-types.js';

/** The API's limit on backends per Add/Remove/Set call; the applier splits larger sets. */
export { MAX_BACKENDS_PER_CALL };
/** DescribeLoadBalancers takes at most this many ids per call (comma-separated `LoadBalancerId`). */
export const MAX_IDS_PER_DESCRIBE = 10;
/** DescribeNetworkInterfaces takes PrivateIpAddress.1 … PrivateIpAddress.100: pod IPs are looked up this many per call. */
export const MAX_IPS_PER_ENI_LOOKUP = 100;

type Op<T, K extends keyof T> = T[K];

export interface ServiceCloudPort {
  readonly region: string;
  /** The VPC / vswitch this cluster's instances run in, from instance metadata. */
  metadataVpcId(): Promise<string>;
  metadataVSwitchId(): Promise<string>;

  createLoadBalancer: Op<SlbApi, 'createLoadBalancer'>;
  deleteLoadBalancer: Op<SlbApi, 'deleteLoadBalancer'>;
  describeLoadBalancers: Op<SlbApi, 'describeLoadBalancers'>;
  describeLoadBalancerAttribute: Op<SlbApi, 'describeLoadBalancerAttribute'>;
  setLoadBalancerName: Op<SlbApi, 'setLoadBalancerName'>;
  setDeleteProtection: Op<SlbApi, 'setDeleteProtection'>;
  setModificationProtection: Op<SlbApi, 'setModificationProtection'>;
  modifyLoadBalancerInstanceChargeType: Op<SlbApi, 'modifyLoadBalancerInstanceChargeType'>;
  modifyLoadBalancerInstanceSpec: Op<SlbApi, 'modifyLoadBalancerInstanceSpec'>;
  modifyLoadBalancerInternetSpec: Op<SlbApi, 'modifyLoadBalancerInternetSpec'>;
  tagResources: Op<SlbApi, 'tagResources'>;
  untagResources: Op<SlbApi, 'untagResources'>;
  describeDomainExtensions: Op<SlbApi, 'describeDomainExtensions'>;
  createDomainExtension: Op<SlbApi, 'createDomainExtension'>;
  setDomainExtensionAttribute: Op<SlbApi, 'setDomainExtensionAttribute'>;
  deleteDomainExtension: Op<SlbApi, 'deleteDomainExtension'>;
  listeners: {
    describe: Op<SlbListenerApi, 'describe'>;
    create: Op<SlbListenerApi, 'create'>;
    set: Op<SlbListenerApi, 'set'>;
    start: Op<SlbListenerApi, 'start'>;
    delete: Op<SlbListenerApi, 'delete'>;
  };
  vgroups: {
    describe: Op<SlbVServerGroupApi, 'describe'>;
    describeAttribute: Op<SlbVServerGroupApi, 'describeAttribute'>;
    create: Op<SlbVServerGroupApi, 'create'>;
    addBackends: Op<SlbVServerGroupApi, 'addBackends'>;
    removeBackends: Op<SlbVServerGroupApi, 'removeBackends'>;
    setAttribute: Op<SlbVServerGroupApi, 'setAttribute'>;
    delete: Op<SlbVServerGroupApi, 'delete'>;
  };
  /**
   * ENI backends: the in-use ENIs of `vpcId` holding any of `ips` as a primary or secondary
   * private IP (at most MAX_IPS_PER_ENI_LOOKUP per call).
   */
  networkInterfacesByIp(vpcId: string, ips: readonly string[]): Promise<NetworkInterfaceSet[]>;
  /** ENI backends: the VPC's IPv4 blocks (primary and secondary), for the pod-IP filter. */
  vpcCidrBlocks(vpcId: string): Promise<string[]>;
  /** The API's "no such resource" answer (deleting what is already gone is success). */
  isNotFound(err: unknown): boolean;
  hasCode(err: unknown, ...codes: string[]): boolean;

  /** Free IPs left in a vswitch; `undefined` when unknown (no VPC access, or no such vswitch). */
  vswitchAvailableIps(vswitchId: string): Promise<number | undefined>;
  /** A server certificate's expiry (ms since the epoch); `null` when the id does not exist. */
  serverCertificateExpiry(certificateId: string): Promise<{ expiresAt?: number } | null>;
}

/** The reads ENI backends need (inputs/eni-resolver.ts); the NLB controller uses them too. */
export type EniCloudPort = Pick<ServiceCloudPort, 'networkInterfacesByIp' | 'vpcCidrBlocks'>;

export function eniCloudPort(cloud: Pick<Cloud, 'ecs' | 'vpc'>): EniCloudPort {
  return {
    networkInterfacesByIp: (vpcId, ips) =>
      cloud.ecs.describeNetworkInterfaces({ vpcId, privateIps: [...ips], status: 'InUse' }),
    vpcCidrBlocks: async (vpcId) => {
      const vpc = (await cloud.vpc.describeVpcs({ vpcId })).find((v) => v.VpcId === vpcId);
      if (!vpc) throw new Error(`DescribeVpcs: VPC ${vpcId} not found`);
      return [vpc.CidrBlock ?? '', ...(vpc.SecondaryCidrBlocks?.SecondaryCidrBlock ?? [])].filter(Boolean);
    },
  };
}

/** The port onto the process's cloud handle: each operation is the facade's, bound. */
export function cloudPort(
  cloud: Pick<Cloud, 'slb' | 'metadata' | 'region' | 'ecs' | 'vpc'>,
): ServiceCloudPort {
  const slb = cloud.slb;
  const l = slb.listeners;
  const g = slb.vgroups;
  return {
    region: cloud.region,
    metadataVpcId: () => cloud.metadata.vpcId(),
    metadataVSwitchId: () => cloud.metadata.vswitchId(),
    createLoadBalancer: (...a) => slb.createLoadBalancer(...a),
    deleteLoadBalancer: (...a) => slb.deleteLoadBalancer(...a),
    describeLoadBalancers: (...a) => slb.describeLoadBalancers(...a),
    describeLoadBalancerAttribute: (...a) => slb.describeLoadBalancerAttribute(...a),
    setLoadBalancerName: (...a) => slb.setLoadBalancerName(...a),
    setDeleteProtection: (...a) => slb.setDeleteProtection(...a),
    setModificationProtection: (...a) => slb.setModificationProtection(...a),
    modifyLoadBalancerInstanceChargeType: (...a) => slb.modifyLoadBalancerInstanceChargeType(...a),
    modifyLoadBalancerInstanceSpec: (...a) => slb.modifyLoadBalancerInstanceSpec(...a),
    modifyLoadBalancerInternetSpec: (...a) => slb.modifyLoadBalancerInternetSpec(...a),
    tagResources: (...a) => slb.tagResources(...a),
    untagResources: (...a) => slb.untagResources(...a),
    describeDomainExtensions: (...a) => slb.describeDomainExtensions(...a),
    createDomainExtension: (...a) => slb.createDomainExtension(...a),
    setDomainExtensionAttribute: (...a) => slb.setDomainExtensionAttribute(...a),
    deleteDomainExtension: (...a) => slb.deleteDomainExtension(...a),
    listeners: {
      describe: (...a) => l.describe(...a),
      create: (...a) => l.create(...a),
      set: (...a) => l.set(...a),
      start: (...a) => l.start(...a),
      delete: (...a) => l.delete(...a),
    },
    vgroups: {
      describe: (...a) => g.describe(...a),
      describeAttribute: (...a) => g.describeAttribute(...a),
      create: (...a) => g.create(...a),
      addBackends: (...a) => g.addBackends(...a),
      removeBackends: (...a) => g.removeBackends(...a),
      setAttribute: (...a) => g.setAttribute(...a),
      delete: (...a) => g.delete(...a),
    },
    ...eniCloudPort(cloud),
    isNotFound,
    hasCode,

    async vswitchAvailableIps(vswitchId) {
      if (!cloud.vpc) return undefined;
      const found = await cloud.vpc.describeVSwitches({ vswitchId });
      return found.find((v) => v.VSwitchId === vswitchId)?.AvailableIpAddressCount;
    },
    async serverCertificateExpiry(certificateId) {
      const certs = await slb.describeServerCertificates(certificateId);
      const c = certs.find((x) => x.ServerCertificateId === certificateId);
      if (!c) return null;
      const at = c.ExpireTimeStamp ?? (c.ExpireTime ? Date.parse(c.ExpireTime) : Number.NaN);
      return Number.isFinite(at) ? { expiresAt: at } : {};
    },
  };
}
