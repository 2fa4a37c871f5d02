// The emulated NLB's records (JSON-serialisable, persisted with the rest of the cloud). Statuses
// that depend on a running job (Configuring) are not stored: they are derived from `locks`, so a
// finished or settled job can never leave a resource stuck.
import type { Tag } from '../params.js';

export interface NlbZoneAddress {
  AllocationId: string;
  EniId: string;
  PrivateIPv4Address: string;
  PublicIPv4Address: string;
  Ipv6Address: string;
}

export interface NlbZone {
  ZoneId: string;
  VSwitchId: string;
  Address: NlbZoneAddress;
}

export interface NlbLoadBalancerRecord {
  LoadBalancerId: string;
  LoadBalancerName: string;
  /** Provisioning until the create delay passed, then Active (Configuring is derived from locks). */
  Provisioned: boolean;
  AddressType: 'Internet' | 'Intranet';
  AddressIpVersion: 'ipv4' | 'DualStack';
  Ipv6AddressType: 'Internet' | 'Intranet';
  VpcId: string;
  Zones: NlbZone[];
  DNSName: string;
  BandwidthPackageId: string;
  SecurityGroupIds: string[];
  CrossZoneEnabled: boolean;
  Cps: number;
  DeletionProtection: { Enabled: boolean; Reason: string; EnabledTime: string };
  ModificationProtection: {
    Status: 'NonProtection' | 'ConsoleProtection';
    Reason: string;
    EnabledTime: string;
  };
  ResourceGroupId: string;
  PayType: string;
  CreateTime: string;
  Tags: Tag[];
}

export interface NlbListenerRecord {
  ListenerId: string;
  LoadBalancerId: string;
  ListenerProtocol: 'TCP' | 'UDP' | 'TCPSSL';
  ListenerPort: number;
  StartPort: number;
  EndPort: number;
  Running: boolean;
  ServerGroupId: string;
  ListenerDescription: string;
  IdleTimeout: number;
  Cps: number;
  Mss: number;
  ProxyProtocolEnabled: boolean;
  ProxyProtocolV2Config: Record<string, boolean>;
  SecSensorEnabled: boolean;
  SecurityPolicyId: string;
  CertificateIds: string[];
  AdditionalCertificateIds: string[];
  CaCertificateIds: string[];
  CaEnabled: boolean;
  AlpnEnabled: boolean;
  AlpnPolicy: string;
  Tags: Tag[];
}

export interface NlbServerRecord {
  ServerId: string;
  ServerType: 'Ecs' | 'Eni' | 'Eci' | 'Ip';
  ServerIp: string;
  Port: number;
  Weight: number;
  Description: string;
  ZoneId: string;
}

export interface NlbServerGroupRecord {
  ServerGroupId: string;
  ServerGroupName: string;
  ServerGroupType: 'Instance' | 'Ip';
  Protocol: 'TCP' | 'UDP' | 'TCPSSL';
  Scheduler: string;
  VpcId: string;
  AddressIPVersion: string;
  AnyPortEnabled: boolean;
  ConnectionDrainEnabled: boolean;
  ConnectionDrainTimeout: number;
  PreserveClientIpEnabled: boolean;
  HealthCheck: Record<string, string | number | boolean | string[]>;
  ResourceGroupId: string;
  Servers: NlbServerRecord[];
  Tags: Tag[];
}

export type NlbJobStatus = 'Processing' | 'Succeeded' | 'Failed';

/** A locked resource: `lb:<id>`, `listener:<id>` or `sg:<id>`. */
export type NlbLockKey = string;

export interface NlbJob {
  Id: string;
  Action: string;
  Status: NlbJobStatus;
  Locks: NlbLockKey[];
  /** Records as they were before the change, restored if the job fails (null: did not exist). */
  Before: Record<NlbLockKey, unknown>;
  /** The job will end Failed (decided by fault injection when it started). */
  WillFail: boolean;
  CreateTime: string;
}

export interface NlbClientToken {
  fingerprint: string;
  body: Record<string, unknown>;
  expiresAt: number;
}

export interface NlbConfig {
  /** Delay before an asynchronous job completes (0 allowed: next tick). */
  jobMs: number;
  /** How long a new instance stays Provisioning. */
  provisionMs: number;
  listenersPerLoadBalancer: number;
  serversPerServerGroup: number;
  serverGroupsPerRegion: number;
  loadBalancersPerRegion: number;
  tagsPerResource: number;
}

export const DEFAULT_NLB_CONFIG: NlbConfig = {
  jobMs: 100,
  provisionMs: 100,
  listenersPerLoadBalancer: 50,
  serversPerServerGroup: 200,
  serverGroupsPerRegion: 100,
  loadBalancersPerRegion: 60,
  tagsPerResource: 20,
};

export interface NlbState {
  config: NlbConfig;
  loadBalancers: Record<string, NlbLoadBalancerRecord>;
  listeners: Record<string, NlbListenerRecord>;
  serverGroups: Record<string, NlbServerGroupRecord>;
  jobs: Record<string, NlbJob>;
  /** Lock key → id of the job holding it. */
  locks: Record<NlbLockKey, string>;
  tokens: Record<string, NlbClientToken>;
}

export function emptyNlbState(): NlbState {
  return {
    config: { ...DEFAULT_NLB_CONFIG },
    loadBalancers: {},
    listeners: {},
    serverGroups: {},
    jobs: {},
    locks: {},
    tokens: {},
  };
}
