// SLB response shapes, named and nested as in the API catalog (fields the product reads).

export interface SlbTagSet {
  Tag?: { TagKey?: string; TagValue?: string; Key?: string; Value?: string }[];
}

export interface LoadBalancer {
  LoadBalancerId: string;
  LoadBalancerName?: string;
  LoadBalancerStatus?: string;
  Address?: string;
  AddressType?: 'internet' | 'intranet' | (string & {});
  AddressIPVersion?: string;
  NetworkType?: string;
  VpcId?: string;
  VSwitchId?: string;
  LoadBalancerSpec?: string;
  InternetChargeType?: string;
  InstanceChargeType?: string;
  Bandwidth?: number;
  MasterZoneId?: string;
  SlaveZoneId?: string;
  DeleteProtection?: string;
  ModificationProtectionStatus?: string;
  ModificationProtectionReason?: string;
  ResourceGroupId?: string;
  CreateTime?: string;
  Tags?: SlbTagSet;
}

export interface BackendServer {
  ServerId: string;
  Weight?: number;
  /** `ecs` (default) or `eni`. */
  Type?: string;
  Port?: number;
  Description?: string;
  ServerIp?: string;
}

export interface ListenerPortAndProtocol {
  ListenerPort: number;
  ListenerProtocol: string;
  ListenerForward?: string;
  ForwardPort?: number;
  Description?: string;
}

export interface LoadBalancerAttribute extends LoadBalancer {
  RequestId: string;
  ListenerPorts?: { ListenerPort?: number[] };
  ListenerPortsAndProtocol?: { ListenerPortAndProtocol?: ListenerPortAndProtocol[] };
  BackendServers?: { BackendServer?: BackendServer[] };
}

export interface CreateLoadBalancerResponse {
  RequestId: string;
  LoadBalancerId: string;
  LoadBalancerName?: string;
  Address?: string;
  VpcId?: string;
  VSwitchId?: string;
  NetworkType?: string;
  AddressIPVersion?: string;
}

/** Protocol-specific listener settings, as DescribeLoadBalancerListeners nests them. */
export type ListenerProtocolConfig = Record<string, string | number | boolean | object | undefined>;

export interface Listener {
  LoadBalancerId: string;
  ListenerPort: number;
  ListenerProtocol: 'tcp' | 'udp' | 'http' | 'https' | (string & {});
  Status?: 'running' | 'stopped' | 'starting' | 'configuring' | 'stopping' | (string & {});
  BackendServerPort?: number;
  VServerGroupId?: string;
  Scheduler?: string;
  Bandwidth?: number;
  Description?: string;
  AclId?: string;
  AclStatus?: string;
  AclType?: string;
  TCPListenerConfig?: ListenerProtocolConfig;
  UDPListenerConfig?: ListenerProtocolConfig;
  HTTPListenerConfig?: ListenerProtocolConfig;
  HTTPSListenerConfig?: ListenerProtocolConfig;
}

export interface VServerGroup {
  VServerGroupId: string;
  VServerGroupName?: string;
  ServerCount?: number;
  CreateTime?: string;
  Tags?: SlbTagSet;
}

export interface VServerGroupAttribute {
  RequestId: string;
  VServerGroupId: string;
  VServerGroupName?: string;
  LoadBalancerId?: string;
  BackendServers?: { BackendServer?: BackendServer[] };
}

export interface ServerCertificate {
  ServerCertificateId: string;
  ServerCertificateName?: string;
  Fingerprint?: string;
  CommonName?: string;
  ExpireTime?: string;
  /** Expiry in ms since the epoch (the API reports both forms). */
  ExpireTimeStamp?: number;
  IsAliCloudCertificate?: number;
}

export interface DomainExtension {
  DomainExtensionId: string;
  Domain: string;
  ServerCertificateId?: string;
}

export interface TagResource {
  ResourceId: string;
  ResourceType?: string;
  TagKey: string;
  TagValue: string;
}

export interface SlbTagSetEntry {
  TagKey: string;
  TagValue: string;
  InstanceCount?: number;
}
