// The load-balancer model shared by both sides of the Service controller: `model/build.ts` builds the
// desired side from the cluster, `inputs/observe.ts` reads the remote side from SLB into the very same
// shape, and `diff/` compares the two. Keeping one type means a field can only be compared if
// both sides can express it, and a dry-run can print either side as plain JSON.
//
// Convention for optional fields: on the desired side `undefined` means "the user did not ask,
// leave the cloud value alone" (the official CCM's sticky "update when set" rule); on the remote
// side it means "the cloud did not report it".

export type AddressType = 'internet' | 'intranet';
export type NetworkType = 'classic' | 'vpc';
export type InternetChargeType = 'paybytraffic' | 'paybybandwidth';
export type InstanceChargeType = 'PayBySpec' | 'PayByCLCU';
export type IpVersion = 'ipv4' | 'ipv6';
export type OnOff = 'on' | 'off';
export type ModificationProtection = 'ConsoleProtection' | 'NonProtection';
export type ListenerProtocol = 'tcp' | 'udp' | 'http' | 'https';
export type TrafficMode = 'Cluster' | 'Local' | 'ENI';
export type BackendType = 'ecs' | 'eni';

/** Load-balancer attributes, named after the SLB API parameters they map to (camel-cased). */
export interface LoadBalancerAttributes {
  loadBalancerId?: string;
  name?: string;
  addressType?: AddressType;
  /** Not an API parameter on create; reported by DescribeLoadBalancerAttribute. */
  networkType?: NetworkType;
  /** The VIP: desired only when the `ip` annotation asks for one. */
  address?: string;
  addressIpVersion?: IpVersion;
  vpcId?: string;
  vSwitchId?: string;
  masterZoneId?: string;
  slaveZoneId?: string;
  resourceGroupId?: string;
  internetChargeType?: InternetChargeType;
  /** Mbps; only meaningful with `paybybandwidth` on an internet LB. */
  bandwidth?: number;
  instanceChargeType?: InstanceChargeType;
  loadBalancerSpec?: string;
  deleteProtection?: OnOff;
  modificationProtectionStatus?: ModificationProtection;
  modificationProtectionReason?: string;
}

/**
 * Listener settings keyed by their exact SLB API parameter names, so `apply.ts` can send a
 * `changes` object as-is. Which ones a protocol accepts is decided in `model/listener-fields.ts`.
 */
export interface ListenerSettings {
  Scheduler?: string;
  Bandwidth?: number;
  AclStatus?: OnOff;
  /** Comma-joined ACL ids as sent; compared as an unordered set. */
  AclId?: string;
  AclType?: 'white' | 'black';
  HealthCheckConnectPort?: number;
  HealthyThreshold?: number;
  UnhealthyThreshold?: number;
  HealthCheckInterval?: number;
  /** L4 only. */
  HealthCheckSwitch?: OnOff;
  /** TCP only. */
  HealthCheckType?: 'tcp' | 'http';
  HealthCheckConnectTimeout?: number;
  HealthCheckURI?: string;
  HealthCheckDomain?: string;
  HealthCheckHttpCode?: string;
  PersistenceTimeout?: number;
  EstablishedTimeout?: number;
  ConnectionDrain?: OnOff;
  ConnectionDrainTimeout?: number;
  ProxyProtocolV2Enabled?: boolean;
  /** L7 only. */
  HealthCheck?: OnOff;
  HealthCheckMethod?: 'head' | 'get';
  HealthCheckTimeout?: number;
  StickySession?: OnOff;
  StickySessionType?: 'insert' | 'server';
  CookieTimeout?: number;
  Cookie?: string;
  IdleTimeout?: number;
  RequestTimeout?: number;
  XForwardedFor_proto?: OnOff;
  XForwardedFor_SLBPORT?: OnOff;
  XForwardedFor_ClientSrcPort?: OnOff;
  /** HTTPS only. */
  ServerCertificateId?: string;
  TLSCipherPolicy?: string;
  EnableHttp2?: OnOff;
}

export type ListenerSettingName = keyof ListenerSettings;

export interface DomainExtension {
  domain: string;
  serverCertificateId: string;
  /** Remote only. */
  domainExtensionId?: string;
}

export interface ListenerModel {
  port: number;
  protocol: ListenerProtocol;
  /** Ownership key `k8s/<port>/<svc>/<ns>/<cluster>`; a foreign one marks a user listener. */
  description?: string;
  /** The vgroup the listener forwards to, by name (desired) and id (remote, or reused vgroup). */
  vGroupName?: string;
  vGroupId?: string;
  /** Remote only: `running`, `stopped`, `starting`, `configuring`. */
  status?: string;
  /** HTTP → HTTPS redirect: when set, this HTTP listener forwards to `forwardPort`. */
  listenerForward?: OnOff;
  forwardPort?: number;
  settings: ListenerSettings;
  /** HTTPS SNI certificates; `undefined` on the desired side means "not managed". */
  domainExtensions?: DomainExtension[];
}

export interface BackendModel {
  serverId: string;
  /** ENI backends: the pod IP. */
  serverIp?: string;
  port: number;
  weight: number;
  type: BackendType;
  /** The vgroup name for backends we own; anything else marks a user backend. */
  description?: string;
}

export interface VGroupModel {
  name: string;
  id?: string;
  /** True when the vgroup was given by the user through `vgroup-port` (never deleted by us). */
  reused?: boolean;
  /** The Service port this group serves (desired side; informational on the remote side). */
  servicePort?: number;
  backends: BackendModel[];
}

/** One side of the comparison: the whole SLB as far as this Service is concerned. */
export interface LoadBalancerModel {
  attributes: LoadBalancerAttributes;
  tags: Record<string, string>;
  listeners: ListenerModel[];
  vgroups: VGroupModel[];
}

/** The remote side: what inputs/observe.ts read back from the cloud. */
export type RemoteLoadBalancer = LoadBalancerModel;

/** Who this Service is, for ownership keys and the ownership checks in diff/. */
export interface ServiceIdentity {
  namespace: string;
  name: string;
  uid: string;
  clusterId: string;
}

/** A backend we would like to register but cannot (e.g. an ENI IP that resolved to nothing). */
export interface SkippedBackend {
  servicePort: number;
  ip?: string;
  nodeName?: string;
  reason: string;
}

/** The desired side plus what the planner and the controller need around it. */
export interface DesiredLoadBalancer extends LoadBalancerModel {
  identity: ServiceIdentity;
  /** `a` + UID without dashes, 32 chars: the find-by-name key and the ownership tag value. */
  defaultName: string;
  /** Values sent only by CreateLoadBalancer and never enforced afterwards (docs/design/service.md § "Model"). */
  createDefaults: LoadBalancerAttributes;
  /** Configured vswitches to try, in order, when the chosen one has no free IP (never with a `vswitch-id` annotation). */
  vSwitchAlternatives?: string[];
  /** Tags sent only at create (ownership tags) plus `tags` (the user's additional tags). */
  ownershipTags: Record<string, string>;
  /** Keys of additional tags we set in an earlier sync; only these may ever be untagged. */
  previouslyManagedTagKeys: string[];
  /** Set when the `id` annotation names a user's SLB: never create, delete or adopt beyond our parts. */
  reusedLoadBalancerId?: string;
  forceOverrideListeners: boolean;
  preserveOnDelete: boolean;
  trafficMode: TrafficMode;
  /** Ignore weight-only backend differences (`ignore-weight-update: on`). */
  ignoreWeightUpdate: boolean;
  /** `status.loadBalancer.ingress` IPs already published: a reused LB must match one (docs/design/service.md § "Reusing a hand-made SLB"). */
  publishedIngressIps: string[];
  externalIpType?: 'eip';
  hostname?: string;
  skippedBackends: SkippedBackend[];
  /** Ports whose vgroup ended up with zero backends (the UnAvailableLoadBalancer event). */
  portsWithoutBackends: number[];
}

export interface AnnotationError {
  /** The exact annotation key the user wrote (or the canonical key when a combination is wrong). */
  key: string;
  value: string;
  /** What is wrong and what is allowed. */
  reason: string;
}

export interface ValidationErrors {
  kind: 'ValidationErrors';
  errors: AnnotationError[];
}

export function isValidationErrors(v: unknown): v is ValidationErrors {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'ValidationErrors';
}

/** What the planner may touch. Built from the desired model (`ownershipOf`) or, for cleanup, from the Service alone. */
export interface Ownership {
  identity: ServiceIdentity;
  /** The `id` annotation: a user's SLB we must never delete or strip of anything not ours. */
  reusedLoadBalancerId?: string;
  forceOverrideListeners: boolean;
  preserveOnDelete: boolean;
}
