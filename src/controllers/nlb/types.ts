// The NLB model shared by both sides of the NLB Service controller: `model/` builds the desired
// side from the cluster, `inputs.ts` reads the remote side into the very same shape, and `diff/`
// compares them. As in the CLB controller, `undefined` on the desired side means "the user did
// not ask: leave the cloud value alone" (the official CCM updates a field only when it is set).

export type NlbAddressType = 'Internet' | 'Intranet';
export type NlbIpVersion = 'ipv4' | 'DualStack';
export type NlbListenerProtocol = 'TCP' | 'UDP' | 'TCPSSL';
export type ServerGroupType = 'Instance' | 'Ip';
export type ServerType = 'Ecs' | 'Eni' | 'Ip';
export type ModificationProtection = 'ConsoleProtection' | 'NonProtection';
export type TrafficMode = 'Cluster' | 'Local' | 'ENI';

export interface ZoneMapping {
  zoneId: string;
  vSwitchId: string;
  /** A fixed private IPv4 in that vswitch. */
  ipv4Addr?: string;
  /** An EIP allocation id (internet NLBs). */
  allocationId?: string;
}

/** NLB instance attributes, named after the NLB API parameters (camel-cased). */
export interface NlbAttributes {
  loadBalancerId?: string;
  name?: string;
  addressType?: NlbAddressType;
  addressIpVersion?: NlbIpVersion;
  ipv6AddressType?: NlbAddressType;
  vpcId?: string;
  zoneMappings?: ZoneMapping[];
  resourceGroupId?: string;
  /** Sorted; `[]` means "none" and differs from `undefined` ("not managed"). */
  securityGroupIds?: string[];
  /** `''` detaches (the annotation present but empty). */
  bandwidthPackageId?: string;
  crossZoneEnabled?: boolean;
  deletionProtection?: boolean;
  modificationProtection?: ModificationProtection;
  /** Remote only. */
  dnsName?: string;
  status?: string;
}

export interface ProxyProtocolV2 {
  privateLinkEpIdEnabled?: boolean;
  privateLinkEpsIdEnabled?: boolean;
  vpcIdEnabled?: boolean;
}

/** Listener settings the user may set; each is compared only when desired (sticky update rule). */
export interface NlbListenerSettings {
  idleTimeout?: number;
  securityPolicyId?: string;
  certificateIds?: string[];
  caCertificateIds?: string[];
  caEnabled?: boolean;
  proxyProtocolEnabled?: boolean;
  proxyProtocolV2?: ProxyProtocolV2;
  alpnEnabled?: boolean;
  alpnPolicy?: string;
  cps?: number;
  additionalCertificateIds?: string[];
}

export interface NlbListener {
  protocol: NlbListenerProtocol;
  /** 0 for a port-range listener. */
  port: number;
  startPort?: number;
  endPort?: number;
  /** Ownership key `k8s.<port>.<proto>.<svc>.<ns>.<cluster>`; anything else is a user's listener. */
  description: string;
  /** The server group it forwards to, by name (desired) and id (remote, or a reused group). */
  serverGroupName?: string;
  serverGroupId?: string;
  /** Remote only. */
  listenerId?: string;
  status?: string;
  settings: NlbListenerSettings;
}

export interface HealthCheck {
  enabled: boolean;
  type?: 'tcp' | 'http';
  connectPort?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  connectTimeout?: number;
  interval?: number;
  domain?: string;
  url?: string;
  httpCodes?: string[];
  method?: 'GET' | 'HEAD';
}

export interface NlbServer {
  serverId: string;
  serverIp?: string;
  serverType: ServerType;
  port: number;
  weight: number;
  /** The server group name for servers we own; anything else marks a user's server. */
  description?: string;
}

export interface ServerGroupSettings {
  scheduler?: string;
  connectionDrainEnabled?: boolean;
  connectionDrainTimeout?: number;
  preserveClientIpEnabled?: boolean;
  healthCheck?: HealthCheck;
}

export interface NlbServerGroup {
  name: string;
  id?: string;
  type: ServerGroupType;
  protocol: NlbListenerProtocol;
  /** Port-range listeners forward to an any-port group. */
  anyPortEnabled?: boolean;
  /** Named by the user through `vgroup-port`: we change its servers, never its settings nor delete it. */
  reused?: boolean;
  tags?: Record<string, string>;
  settings: ServerGroupSettings;
  servers: NlbServer[];
}

/** One side of the comparison: the NLB as far as this Service is concerned. */
export interface NlbModel {
  attributes: NlbAttributes;
  tags: Record<string, string>;
  listeners: NlbListener[];
  serverGroups: NlbServerGroup[];
}

export interface ServiceIdentity {
  namespace: string;
  name: string;
  uid: string;
  clusterId: string;
}

export interface SkippedServer {
  servicePort: number;
  ip?: string;
  reason: string;
}

export interface DesiredNlb extends NlbModel {
  identity: ServiceIdentity;
  /** `a` + UID without dashes (32 chars): the ownership tag value and the default name. */
  defaultName: string;
  /** Tags sent only at create: the ownership markers. */
  ownershipTags: Record<string, string>;
  /** Sent only by CreateLoadBalancer (zone mappings etc. are compared afterwards only if set). */
  reusedLoadBalancerId?: string;
  forceOverrideListeners: boolean;
  preserveOnDelete: boolean;
  trafficMode: TrafficMode;
  ignoreWeightUpdate: boolean;
  skipped: SkippedServer[];
  portsWithoutServers: number[];
}

export interface AnnotationError {
  key: string;
  value: string;
  reason: string;
}

export interface ValidationErrors {
  kind: 'ValidationErrors';
  errors: AnnotationError[];
}

export function isValidationErrors(v: unknown): v is ValidationErrors {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'ValidationErrors';
}

/** What the planner may touch, built from the desired model or, for cleanup, from the Service alone. */
export interface Ownership {
  identity: ServiceIdentity;
  defaultName: string;
  reusedLoadBalancerId?: string;
  forceOverrideListeners: boolean;
  preserveOnDelete: boolean;
}
