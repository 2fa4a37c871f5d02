// The emulated cloud: plain JSON-serialisable records keyed by id, so a test can read and mutate
// it directly and `--state FILE` can persist it. Field names follow the Describe* responses.
import type { Tag } from './params.js';
import type { NlbState } from './nlb/types.js';

export type { Tag };

export interface EmulatorConfig {
  /** Delay of each disk transition (Attaching → In_use, Detaching → Available). */
  diskTransitionMs: number;
  /** Delay of route entry transitions (Pending → Available, Deleting → gone). */
  routeTransitionMs: number;
  /** Custom route entries allowed per route table. */
  routeQuotaPerTable: number;
  /** Allowed clock skew for `Timestamp`, as the real gateway allows 15 minutes. */
  timestampSkewMs: number;
  /** Lifetime of STS credentials issued through instance metadata. */
  stsTtlSeconds: number;
  /** Data disks attachable to one instance (device names /dev/xvdb … ). */
  maxDataDisksPerInstance: number;
}

export interface Region {
  RegionId: string;
  LocalName: string;
}

export interface Zone {
  ZoneId: string;
  LocalName: string;
}

export interface Vpc {
  VpcId: string;
  VpcName: string;
  CidrBlock: string;
  VRouterId: string;
  Description: string;
  IsDefault: boolean;
  CreationTime: string;
  Tags: Tag[];
}

export interface VRouter {
  VRouterId: string;
  VpcId: string;
  VRouterName: string;
  Description: string;
  CreationTime: string;
}

export interface RouteTable {
  RouteTableId: string;
  VRouterId: string;
  VpcId: string;
  RouteTableType: 'System' | 'Custom';
  RouteTableName: string;
  Description: string;
  CreationTime: string;
}

export type RouteEntryStatus = 'Pending' | 'Available' | 'Modifying' | 'Deleting';

export interface RouteEntry {
  RouteEntryId: string;
  RouteTableId: string;
  DestinationCidrBlock: string;
  NextHopType: string;
  NextHopId: string;
  Status: RouteEntryStatus;
  Type: 'System' | 'Custom';
  RouteEntryName: string;
  Description: string;
  GmtModified: string;
}

export interface VSwitch {
  VSwitchId: string;
  VpcId: string;
  ZoneId: string;
  CidrBlock: string;
  VSwitchName: string;
  Description: string;
  RouteTableId: string;
  CreationTime: string;
  /** Next host number handed out inside CidrBlock (emulator bookkeeping). */
  NextHost: number;
}

export interface NetworkInterface {
  NetworkInterfaceId: string;
  NetworkInterfaceName: string;
  InstanceId: string;
  Type: 'Primary' | 'Secondary';
  PrimaryIpAddress: string;
  /** Secondary private IPs (Terway hands them to pods); absent in states saved before they existed. */
  SecondaryIpAddresses?: string[];
  MacAddress: string;
  VSwitchId: string;
  VpcId: string;
  ZoneId: string;
  SourceDestCheck: boolean;
  Status: 'InUse' | 'Available';
  Description: string;
  SecurityGroupIds: string[];
  CreationTime: string;
}

export type InstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped';

export interface Instance {
  InstanceId: string;
  InstanceName: string;
  HostName: string;
  Description: string;
  RegionId: string;
  ZoneId: string;
  InstanceType: string;
  Cpu: number;
  Memory: number;
  ImageId: string;
  OSType: string;
  Status: InstanceStatus;
  VpcId: string;
  VSwitchId: string;
  PrivateIpAddress: string;
  PublicIpAddress: string;
  EipAddress: string;
  EipAllocationId: string;
  SecurityGroupIds: string[];
  Tags: Tag[];
  CreationTime: string;
}

export type DiskStatus = 'Creating' | 'Available' | 'Attaching' | 'In_use' | 'Detaching' | 'ReIniting';

export interface Disk {
  DiskId: string;
  DiskName: string;
  Description: string;
  RegionId: string;
  ZoneId: string;
  Category: string;
  PerformanceLevel: string;
  Size: number;
  Status: DiskStatus;
  Type: 'system' | 'data';
  InstanceId: string;
  Device: string;
  Portable: boolean;
  DeleteWithInstance: boolean;
  Encrypted: boolean;
  SnapshotId: string;
  CreationTime: string;
  AttachedTime: string;
  DetachedTime: string;
  Tags: Tag[];
}

export interface EipAddress {
  AllocationId: string;
  IpAddress: string;
  InstanceId: string;
  InstanceType: string;
  Status: 'Available' | 'InUse';
  Bandwidth: string;
  InternetChargeType: string;
  Name: string;
  AllocationTime: string;
}

export type ListenerProtocol = 'tcp' | 'udp' | 'http' | 'https';

export interface Listener {
  ListenerPort: number;
  ListenerProtocol: ListenerProtocol;
  Status: 'running' | 'stopped';
  /** Every other listener attribute, by its catalog name, as last set by a client. */
  Attributes: Record<string, string | number | boolean>;
}

export interface BackendServer {
  ServerId: string;
  Weight: number;
  Type: string;
  ServerIp: string;
  Port: number;
  Description: string;
}

export interface LoadBalancer {
  LoadBalancerId: string;
  LoadBalancerName: string;
  Address: string;
  AddressType: 'internet' | 'intranet';
  AddressIPVersion: string;
  NetworkType: 'vpc' | 'classic';
  VpcId: string;
  VSwitchId: string;
  MasterZoneId: string;
  SlaveZoneId: string;
  LoadBalancerSpec: string;
  LoadBalancerStatus: 'active' | 'inactive' | 'locked';
  Bandwidth: number;
  InternetChargeType: string;
  PayType: string;
  InstanceChargeType: string;
  DeleteProtection: 'on' | 'off';
  ModificationProtectionStatus: 'NonProtection' | 'ConsoleProtection';
  ModificationProtectionReason: string;
  ResourceGroupId: string;
  CreateTime: string;
  CreateTimeStamp: number;
  Tags: Tag[];
  BackendServers: BackendServer[];
  Listeners: Listener[];
}

export interface VServerGroup {
  VServerGroupId: string;
  VServerGroupName: string;
  LoadBalancerId: string;
  CreateTime: string;
  BackendServers: BackendServer[];
  Tags: Tag[];
}

export interface ServerCertificate {
  ServerCertificateId: string;
  ServerCertificateName: string;
  Fingerprint: string;
  CommonName: string;
  ExpireTime: string;
  ExpireTimeStamp: number;
  CreateTime: string;
  CreateTimeStamp: number;
  Tags: Tag[];
}

export interface DomainExtension {
  DomainExtensionId: string;
  LoadBalancerId: string;
  ListenerPort: number;
  Domain: string;
  ServerCertificateId: string;
}

export interface Acl {
  AclId: string;
  AclName: string;
  AddressIPVersion: string;
  CreateTime: string;
  Entries: { AclEntryIP: string; AclEntryComment: string }[];
  Tags: Tag[];
}

/** What a ClientToken was first used for, so a retried create returns the same resource. */
export interface ClientTokenRecord {
  action: string;
  fingerprint: string;
  resourceId: string;
  expiresAt: number;
}

export interface CloudState {
  config: EmulatorConfig;
  regionId: string;
  regions: Region[];
  zones: Zone[];
  vpcs: Record<string, Vpc>;
  vrouters: Record<string, VRouter>;
  routeTables: Record<string, RouteTable>;
  routeEntries: Record<string, RouteEntry>;
  vswitches: Record<string, VSwitch>;
  instances: Record<string, Instance>;
  networkInterfaces: Record<string, NetworkInterface>;
  disks: Record<string, Disk>;
  eips: Record<string, EipAddress>;
  loadBalancers: Record<string, LoadBalancer>;
  vserverGroups: Record<string, VServerGroup>;
  serverCertificates: Record<string, ServerCertificate>;
  domainExtensions: Record<string, DomainExtension>;
  acls: Record<string, Acl>;
  clientTokens: Record<string, ClientTokenRecord>;
  /** Nlb 2022-04-30: instances, listeners, server groups, jobs and their locks. */
  nlb: NlbState;
  /** Last octet handed out from 203.0.113.0/24 (TEST-NET-3) for internet addresses. */
  nextPublicHost: number;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
  diskTransitionMs: 200,
  routeTransitionMs: 200,
  routeQuotaPerTable: 200,
  timestampSkewMs: 15 * 60 * 1000,
  stsTtlSeconds: 3600,
  maxDataDisksPerInstance: 16,
};
