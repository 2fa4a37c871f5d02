// NLB (Nlb 2022-04-30) records and the facade's contract. Records keep the API's field names
// (data/alicloud-api/catalog.json products.Nlb) so a reader can hold them against the API docs;
// inputs are the request fields a controller sets, flattened onto the wire by nlb.ts.
import type { Tag } from './params.js';

export type NlbAddressType = 'Internet' | 'Intranet';
export type NlbListenerProtocol = 'TCP' | 'UDP' | 'TCPSSL';
/** `Provisioning` right after create, `Configuring` while a job holds the instance. */
export type NlbLoadBalancerStatus = 'Provisioning' | 'Active' | 'Configuring' | 'Inactive' | (string & {});

export interface NlbLoadBalancerAddress {
  AllocationId?: string;
  EniId?: string;
  Ipv4LocalAddresses?: string[];
  Ipv6Address?: string;
  Ipv6LocalAddresses?: string[];
  PrivateIPv4Address?: string;
  PublicIPv4Address?: string;
}

export interface NlbZoneMappingRecord {
  ZoneId: string;
  VSwitchId: string;
  Status?: string;
  LoadBalancerAddresses?: NlbLoadBalancerAddress[];
}

export interface NlbLoadBalancer {
  LoadBalancerId: string;
  LoadBalancerName?: string;
  LoadBalancerStatus?: NlbLoadBalancerStatus;
  LoadBalancerBusinessStatus?: string;
  LoadBalancerType?: string;
  AddressType?: NlbAddressType | (string & {});
  AddressIpVersion?: string;
  Ipv6AddressType?: string;
  BandwidthPackageId?: string;
  CrossZoneEnabled?: boolean;
  Cps?: number;
  DNSName?: string;
  VpcId?: string;
  RegionId?: string;
  ResourceGroupId?: string;
  CreateTime?: string;
  SecurityGroupIds?: string[];
  ZoneMappings?: NlbZoneMappingRecord[];
  DeletionProtectionConfig?: { Enabled?: boolean; EnabledTime?: string; Reason?: string };
  ModificationProtectionConfig?: { Status?: string; Reason?: string; EnabledTime?: string };
  OperationLocks?: { LockReason?: string; LockType?: string }[];
  /** Normalised from the API's `Key`/`Value` (list) or `TagKey`/`TagValue` (get) spellings. */
  Tags: Tag[];
}

export interface NlbProxyProtocolV2Config {
  Ppv2VpcIdEnabled?: boolean;
  Ppv2PrivateLinkEpIdEnabled?: boolean;
  Ppv2PrivateLinkEpsIdEnabled?: boolean;
}

export interface NlbListener {
  ListenerId: string;
  LoadBalancerId: string;
  ListenerProtocol: NlbListenerProtocol | (string & {});
  /** 0 for a port-range listener (StartPort..EndPort). */
  ListenerPort: number;
  StartPort?: number;
  EndPort?: number;
  ListenerStatus?: 'Running' | 'Stopped' | 'Configuring' | (string & {});
  ListenerDescription?: string;
  ServerGroupId?: string;
  IdleTimeout?: number;
  Cps?: number;
  Mss?: number;
  ProxyProtocolEnabled?: boolean;
  ProxyProtocolV2Config?: NlbProxyProtocolV2Config;
  SecSensorEnabled?: boolean;
  SecurityPolicyId?: string;
  CertificateIds?: string[];
  CaCertificateIds?: string[];
  CaEnabled?: boolean;
  AlpnEnabled?: boolean;
  AlpnPolicy?: string;
  Tags: Tag[];
}

export interface NlbHealthCheckConfig {
  HealthCheckEnabled?: boolean;
  /** `TCP` | `HTTP` | `UDP`. */
  HealthCheckType?: string;
  HealthCheckConnectPort?: number;
  HealthCheckConnectTimeout?: number;
  HealthCheckInterval?: number;
  HealthyThreshold?: number;
  UnhealthyThreshold?: number;
  HealthCheckDomain?: string;
  HealthCheckUrl?: string;
  HealthCheckHttpCode?: string[];
  HttpCheckMethod?: string;
  HealthCheckExp?: string;
  HealthCheckReq?: string;
  HealthCheckHttpVersion?: string;
}

export type NlbServerGroupType = 'Instance' | 'Ip';

export interface NlbServerGroup {
  ServerGroupId: string;
  ServerGroupName?: string;
  ServerGroupType?: NlbServerGroupType | (string & {});
  ServerGroupStatus?: 'Creating' | 'Available' | 'Configuring' | (string & {});
  Protocol?: string;
  Scheduler?: string;
  VpcId?: string;
  AddressIPVersion?: string;
  AnyPortEnabled?: boolean;
  ConnectionDrainEnabled?: boolean;
  ConnectionDrainTimeout?: number;
  PreserveClientIpEnabled?: boolean;
  HealthCheck?: NlbHealthCheckConfig;
  RelatedLoadBalancerIds?: string[];
  ServerCount?: number;
  ResourceGroupId?: string;
  Tags: Tag[];
}

/** `Ecs` | `Eni` | `Eci` on Instance groups; `Ip` on Ip groups. */
export type NlbServerType = 'Ecs' | 'Eni' | 'Eci' | 'Ip' | (string & {});

export interface NlbServer {
  ServerId: string;
  ServerType: NlbServerType;
  /** Required for Ip servers and Eni/Eci backends addressed by IP. */
  ServerIp?: string;
  Port: number;
  Weight?: number;
  Description?: string;
  /** Read-only fields returned by ListServerGroupServers. */
  Status?: string;
  ZoneId?: string;
  ServerGroupId?: string;
}

/** Identifies a server for removal (Weight/Description are ignored). */
export type NlbServerKey = Pick<NlbServer, 'ServerId' | 'ServerType' | 'Port' | 'ServerIp'>;

export interface NlbZoneMappingInput {
  ZoneId: string;
  VSwitchId: string;
  /** EIP allocation id for an Internet NLB (otherwise an address is assigned). */
  AllocationId?: string;
  PrivateIPv4Address?: string;
}

export interface CreateNlbLoadBalancerInput {
  LoadBalancerName: string;
  AddressType: NlbAddressType;
  VpcId: string;
  ZoneMappings: NlbZoneMappingInput[];
  /** `ipv4` (default) or `DualStack`. */
  AddressIpVersion?: string;
  BandwidthPackageId?: string;
  ResourceGroupId?: string;
  DeletionProtection?: { Enabled: boolean; Reason?: string };
  ModificationProtection?: { Status: 'ConsoleProtection' | 'NonProtection'; Reason?: string };
  Tags?: Tag[];
  /**
   * Idempotency token: the same token returns the same instance. Pass a stable one per
   * Service (the CCM caches one per LB name) so a create retried after a lost answer does not
   * leave a second NLB behind.
   */
  ClientToken?: string;
}

export interface NlbLoadBalancerFilter {
  LoadBalancerIds?: string[];
  LoadBalancerNames?: string[];
  VpcIds?: string[];
  /** All tags must match. */
  Tags?: Tag[];
  AddressType?: NlbAddressType;
}

export interface UpdateNlbLoadBalancerInput {
  LoadBalancerName?: string;
  CrossZoneEnabled?: boolean;
  Cps?: number;
}

export interface NlbProtectionInput {
  DeletionProtectionEnabled?: boolean;
  DeletionProtectionReason?: string;
  ModificationProtectionStatus?: 'ConsoleProtection' | 'NonProtection';
  ModificationProtectionReason?: string;
}

export interface NlbListenerInput {
  ListenerProtocol: NlbListenerProtocol;
  /** Use 0 with StartPort/EndPort for a port range. */
  ListenerPort: number;
  StartPort?: number;
  EndPort?: number;
  ServerGroupId: string;
  ListenerDescription?: string;
  IdleTimeout?: number;
  Cps?: number;
  Mss?: number;
  ProxyProtocolEnabled?: boolean;
  ProxyProtocolV2Config?: NlbProxyProtocolV2Config;
  SecSensorEnabled?: boolean;
  /** TCPSSL only. */
  SecurityPolicyId?: string;
  CertificateIds?: string[];
  CaCertificateIds?: string[];
  CaEnabled?: boolean;
  AlpnEnabled?: boolean;
  AlpnPolicy?: string;
  Tags?: Tag[];
}

/** What UpdateListenerAttribute may change (protocol and ports are fixed at create). */
export type NlbListenerUpdate = Partial<
  Omit<NlbListenerInput, 'ListenerProtocol' | 'ListenerPort' | 'StartPort' | 'EndPort' | 'Tags'>
>;

export interface NlbServerGroupInput {
  ServerGroupName: string;
  VpcId: string;
  ServerGroupType?: NlbServerGroupType;
  /** `TCP` | `UDP` | `TCPSSL`. */
  Protocol?: string;
  /** `Wrr` | `rr` | `sch` | `tch` | `qch`. */
  Scheduler?: string;
  AddressIPVersion?: string;
  AnyPortEnabled?: boolean;
  ConnectionDrainEnabled?: boolean;
  ConnectionDrainTimeout?: number;
  PreserveClientIpEnabled?: boolean;
  HealthCheckConfig?: NlbHealthCheckConfig;
  ResourceGroupId?: string;
  Tags?: Tag[];
}

export type NlbServerGroupUpdate = Partial<
  Pick<
    NlbServerGroupInput,
    | 'ServerGroupName'
    | 'Scheduler'
    | 'ConnectionDrainEnabled'
    | 'ConnectionDrainTimeout'
    | 'PreserveClientIpEnabled'
    | 'HealthCheckConfig'
  >
>;

export interface NlbServerGroupFilter {
  ServerGroupIds?: string[];
  ServerGroupNames?: string[];
  VpcId?: string;
  Tags?: Tag[];
}

export type NlbTaggableType = 'loadbalancer' | 'listener' | 'servergroup' | 'securitypolicy';

export interface NlbTagResource {
  ResourceId: string;
  ResourceType: string;
  TagKey: string;
  TagValue: string;
}

export interface NlbListenerCertificate {
  CertificateId: string;
  CertificateType?: string;
  IsDefault?: boolean;
  Status?: string;
}

export type NlbJobStatus = 'Processing' | 'Succeeded' | 'Failed' | (string & {});

/**
 * The NLB facade. Every method that maps to an asynchronous action (the API answers with a
 * JobId) resolves only after GetJobStatus reports `Succeeded`; a `Failed` job rejects with
 * NlbJobError and a job still running at the deadline with NlbJobTimeoutError (src/cloud/nlb-jobs.ts).
 * createLoadBalancer resolves once the instance has left `Provisioning`.
 * In dry-run mode writes send nothing and resolve undefined / void.
 */
export interface NlbApi {
  // Load balancers
  listLoadBalancers(filter?: NlbLoadBalancerFilter): Promise<NlbLoadBalancer[]>;
  getLoadBalancer(loadBalancerId: string): Promise<NlbLoadBalancer | undefined>;
  createLoadBalancer(input: CreateNlbLoadBalancerInput): Promise<string | undefined>;
  deleteLoadBalancer(loadBalancerId: string): Promise<void>;
  updateLoadBalancer(loadBalancerId: string, input: UpdateNlbLoadBalancerInput): Promise<void>;
  updateAddressType(
    loadBalancerId: string,
    addressType: NlbAddressType,
    zoneMappings?: NlbZoneMappingInput[],
  ): Promise<void>;
  updateZones(loadBalancerId: string, zoneMappings: NlbZoneMappingInput[]): Promise<void>;
  updateProtection(loadBalancerId: string, input: NlbProtectionInput): Promise<void>;
  setIpv6Internet(loadBalancerId: string, enabled: boolean): Promise<void>;
  attachBandwidthPackage(loadBalancerId: string, bandwidthPackageId: string): Promise<void>;
  detachBandwidthPackage(loadBalancerId: string, bandwidthPackageId: string): Promise<void>;
  joinSecurityGroups(loadBalancerId: string, securityGroupIds: string[]): Promise<void>;
  leaveSecurityGroups(loadBalancerId: string, securityGroupIds: string[]): Promise<void>;

  // Listeners
  listListeners(loadBalancerIds: string[]): Promise<NlbListener[]>;
  getListener(listenerId: string): Promise<NlbListener | undefined>;
  createListener(loadBalancerId: string, input: NlbListenerInput): Promise<string | undefined>;
  updateListener(listenerId: string, input: NlbListenerUpdate): Promise<void>;
  deleteListener(listenerId: string): Promise<void>;
  startListener(listenerId: string): Promise<void>;
  stopListener(listenerId: string): Promise<void>;
  listListenerCertificates(listenerId: string): Promise<NlbListenerCertificate[]>;
  associateCertificates(listenerId: string, certificateIds: string[]): Promise<void>;
  disassociateCertificates(listenerId: string, certificateIds: string[]): Promise<void>;

  // Server groups and servers
  listServerGroups(filter?: NlbServerGroupFilter): Promise<NlbServerGroup[]>;
  createServerGroup(input: NlbServerGroupInput): Promise<string | undefined>;
  updateServerGroup(serverGroupId: string, input: NlbServerGroupUpdate): Promise<void>;
  deleteServerGroup(serverGroupId: string): Promise<void>;
  listServers(serverGroupId: string): Promise<NlbServer[]>;
  /** Sent in chunks of NLB_SERVERS_PER_CALL, one job each, in order. */
  addServers(serverGroupId: string, servers: NlbServer[]): Promise<void>;
  removeServers(serverGroupId: string, servers: NlbServerKey[]): Promise<void>;
  updateServers(serverGroupId: string, servers: NlbServer[]): Promise<void>;

  // Tags (on any NLB resource type)
  listTagResources(resourceType: NlbTaggableType, resourceIds: string[]): Promise<NlbTagResource[]>;
  tagResources(resourceType: NlbTaggableType, resourceIds: string[], tags: Tag[]): Promise<void>;
  untagResources(resourceType: NlbTaggableType, resourceIds: string[], tagKeys: string[]): Promise<void>;

  // Zones
  describeZones(): Promise<{ ZoneId: string; LocalName?: string }[]>;
}

/** Servers per Add/Remove/UpdateServerGroupServersAttribute call: the CCM's sg-batch-size cap (1-40). */
export const NLB_SERVERS_PER_CALL = 40;
/** Ids per batched read (LoadBalancerIds.N, ServerGroupIds.N, ListenerIds.N …). */
export const NLB_IDS_PER_CALL = 20;
