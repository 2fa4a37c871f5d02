// THE NLB annotation table: every Service annotation the NLB controller understands, with its
// spellings, validator, default and documentation, in the CLB table's style
// (src/controllers/service/annotations/table.ts). `parse.ts` parses with it and
// `scripts/gen-annotations-doc.ts` renders docs/annotations-nlb.md from it.
//
// Spellings, highest precedence first: `service.beta.kubernetes.io/alibaba-cloud-loadbalancer-<suffix>`,
// then `service.beta.kubernetes.io/alicloud-loadbalancer-<suffix>` (the official CCM reads both).
import {
  bool,
  dnsName,
  httpCodeList,
  intIn,
  labelSelector,
  matching,
  onOff,
  oneOf,
  tagList,
  type ValueSchema,
} from '../../service/annotations/values.js';
import { CURRENT_PREFIX, LEGACY_PREFIX } from '../../service/annotations/table.js';
import {
  idList,
  nlbHealthCheckDomain,
  nlbProtocolPortList,
  portRangeList,
  serverGroupPortList,
  zoneMapList,
} from './values.js';

export type NlbAnnotationGroup = 'selection' | 'load balancer' | 'listener' | 'server group';

export interface NlbAnnotationSpec<T> {
  canonical: string;
  keys: readonly string[];
  schema: ValueSchema<T>;
  allowed: string;
  default: string;
  description: string;
  group: NlbAnnotationGroup;
}

interface SpecInput<T> {
  suffix?: string;
  fixedKey?: string;
  schema: ValueSchema<T>;
  allowed: string;
  default?: string;
  description: string;
  group: NlbAnnotationGroup;
}

function spec<T>(s: SpecInput<T>): NlbAnnotationSpec<T> {
  const keys: string[] = [];
  if (s.fixedKey) keys.push(s.fixedKey);
  if (s.suffix) keys.push(CURRENT_PREFIX + s.suffix, LEGACY_PREFIX + s.suffix);
  return {
    canonical: keys[0]!,
    keys,
    schema: s.schema,
    allowed: s.allowed,
    default: s.default ?? 'not sent (the NLB API default applies)',
    description: s.description,
    group: s.group,
  };
}

const ON_OFF = '`on` | `off`';
const LB = 'load balancer' as const;
const L = 'listener' as const;
const SG = 'server group' as const;
const CERT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const NLB_ANNOTATIONS = {
  // ---- selection ---------------------------------------------------------------------------
  loadBalancerType: spec({
    suffix: 'type',
    schema: oneOf(['clb', 'nlb'] as const, { caseInsensitive: true }),
    allowed: '`clb` | `nlb`',
    default: '`clb` (unless `spec.loadBalancerClass` is `alibabacloud.com/nlb`)',
    description:
      '`nlb` selects this controller, like `spec.loadBalancerClass: alibabacloud.com/nlb`, but only with cloud-config `featureGates: LoadBalancerTypeAnnotation=true` (off by default, as in the official CCM).',
    group: 'selection',
  }),

  // ---- load balancer -----------------------------------------------------------------------
  loadBalancerId: spec({
    suffix: 'id',
    schema: matching(/^nlb-[a-z0-9]+$/i, 'an NLB instance id (e.g. "nlb-2zeabc123")'),
    allowed: 'NLB id `nlb-…`',
    default: 'absent: the controller creates and owns an NLB',
    description:
      'Reuse this existing NLB. It is never deleted nor its attributes changed; only listeners and server groups named for this Service are managed, and conflicting listeners only with `force-override-listeners`. An NLB created by a cluster, or one not opened to this namespace by a reuse grant, is refused.',
    group: LB,
  }),
  name: spec({
    suffix: 'name',
    schema: matching(
      /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5._-]{1,127}$/,
      '2-128 characters: letters, digits, ".", "_", "-", starting with a letter',
    ),
    allowed: '2-128 characters',
    default: '`a` + the Service UID without dashes (32 characters)',
    description: 'The NLB instance name.',
    group: LB,
  }),
  addressType: spec({
    suffix: 'address-type',
    schema: oneOf(['Internet', 'Intranet'] as const, { caseInsensitive: true }),
    allowed: '`internet` | `intranet`',
    default: '`internet`',
    description: 'Public or VPC-only IPv4 address. Changing it converts the NLB in place.',
    group: LB,
  }),
  ipVersion: spec({
    suffix: 'ip-version',
    schema: oneOf(['ipv4', 'DualStack'] as const, { caseInsensitive: true }),
    allowed: '`ipv4` | `dualstack`',
    default: '`ipv4`',
    description: 'Address IP version; fixed at create (a change is refused with a Warning Event).',
    group: LB,
  }),
  ipv6AddressType: spec({
    suffix: 'ipv6-address-type',
    schema: oneOf(['Internet', 'Intranet'] as const, { caseInsensitive: true }),
    allowed: '`internet` | `intranet`',
    default: 'the API default (`intranet`)',
    description: 'Public or VPC-only IPv6 address of a dual-stack NLB.',
    group: LB,
  }),
  zoneMaps: spec({
    suffix: 'zone-maps',
    schema: zoneMapList,
    allowed: '`zone:vsw-id[:ipv4[:eip-id]]`, comma-separated',
    default: 'required unless `id` reuses an NLB',
    description: 'The zones and vswitches the NLB serves from (at least two zones in most regions).',
    group: LB,
  }),
  securityGroupIds: spec({
    suffix: 'security-group-ids',
    schema: idList(/^sg-[a-z0-9]+$/i, 'sg-abc,sg-def', { allowEmpty: true }),
    allowed: '`sg-…` ids, comma-separated',
    default: 'absent: security groups are not managed',
    description: 'Security groups joined to the NLB; ones not listed are left. Present but empty leaves all.',
    group: LB,
  }),
  bandwidthPackageId: spec({
    suffix: 'bandwidth-package-id',
    schema: matching(/^cbwp-[a-z0-9]+$/i, 'a shared bandwidth package id (e.g. "cbwp-abc123")'),
    allowed: '`cbwp-…`',
    default: 'none',
    description: 'Shared bandwidth package attached to an internet NLB.',
    group: LB,
  }),
  crossZoneEnabled: spec({
    suffix: 'cross-zone-enabled',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`on`)',
    description: 'Whether each zone forwards to backends in every zone.',
    group: LB,
  }),
  resourceGroupId: spec({
    suffix: 'resource-group-id',
    schema: matching(/^rg-[a-z0-9]+$/i, 'a resource group id (e.g. "rg-abc123")'),
    allowed: '`rg-…`',
    default: 'cloud-config `resourceGroupID`, else the account default',
    description: 'Resource group of the NLB and its server groups; fixed at create.',
    group: LB,
  }),
  additionalResourceTags: spec({
    suffix: 'additional-resource-tags',
    schema: tagList,
    allowed: '`k1=v1,k2=v2` (a bare `k` means an empty value)',
    default: 'none',
    description: 'Extra tags on the NLB. Reserved keys (ownership markers, `aliyun*`, `acs:`) are refused.',
    group: LB,
  }),
  deleteProtection: spec({
    suffix: 'delete-protection',
    schema: onOff,
    allowed: ON_OFF,
    default: '`on` at create',
    description: 'Deletion protection; the controller turns it off itself before it deletes the NLB.',
    group: LB,
  }),
  modificationProtection: spec({
    suffix: 'modification-protection',
    schema: oneOf(['ConsoleProtection', 'NonProtection'] as const, { caseInsensitive: true }),
    allowed: '`ConsoleProtection` | `NonProtection`',
    default: '`ConsoleProtection` at create',
    description: 'Stops changes through the console so the controller stays the only writer.',
    group: LB,
  }),
  preserveLbOnDelete: spec({
    suffix: 'preserve-lb-on-delete',
    schema: bool,
    allowed: '`true` | `false`',
    default: 'absent: the NLB is deleted with the Service',
    description: 'Keep the NLB (our listeners and server groups are still removed, ownership tags dropped).',
    group: LB,
  }),
  forceOverrideListeners: spec({
    suffix: 'force-override-listeners',
    schema: bool,
    allowed: '`true` | `false`',
    default: '`false`',
    description: "With `id`: replace a listener on the same port that is not this Service's.",
    group: LB,
  }),
  hostname: spec({
    suffix: 'hostname',
    schema: dnsName,
    allowed: 'a DNS name',
    default: "the NLB's DNS name",
    description: '`status.loadBalancer.ingress[0].hostname` to publish instead of the NLB DNS name.',
    group: LB,
  }),

  // ---- listeners ---------------------------------------------------------------------------
  protocolPort: spec({
    suffix: 'protocol-port',
    schema: nlbProtocolPortList,
    allowed: '`<TCP|UDP|TCPSSL>:<port>`, comma-separated',
    default: "the Service port's protocol",
    description: 'Listener protocol per Service port; `TCPSSL` terminates TLS and needs `cert-id`.',
    group: L,
  }),
  listenerPortRange: spec({
    suffix: 'listener-port-range',
    schema: portRangeList,
    allowed: '`<start>-<end>:<service port>`, comma-separated',
    default: 'one port per listener',
    description:
      'ENI backends only: the Service port listens on a port range and forwards to an any-port server group.',
    group: L,
  }),
  certId: spec({
    suffix: 'cert-id',
    schema: idList(CERT, '123-cn-hangzhou'),
    allowed: 'certificate id(s), comma-separated',
    default: 'none',
    description: 'Server certificate of `TCPSSL` listeners.',
    group: L,
  }),
  caCertId: spec({
    suffix: 'cacert-id',
    schema: idList(CERT, '456-cn-hangzhou'),
    allowed: 'CA certificate id(s), comma-separated',
    default: 'none',
    description: 'CA certificate for mutual TLS on `TCPSSL` listeners.',
    group: L,
  }),
  caCert: spec({
    suffix: 'cacert',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'Require client certificates (mutual TLS) on `TCPSSL` listeners.',
    group: L,
  }),
  additionalCertIds: spec({
    suffix: 'additional-cert-ids',
    schema: idList(CERT, '789-cn-hangzhou'),
    allowed: 'certificate id(s), comma-separated',
    default: 'none',
    description: 'Extra (SNI) certificates of `TCPSSL` listeners.',
    group: L,
  }),
  tlsCipherPolicy: spec({
    suffix: 'tls-cipher-policy',
    schema: matching(/^[A-Za-z0-9_.-]{1,64}$/, 'a TLS security policy id (e.g. "tls_cipher_policy_1_2")'),
    allowed: 'security policy id',
    default: 'the API default',
    description: 'TLS security policy of `TCPSSL` listeners.',
    group: L,
  }),
  alpn: spec({
    suffix: 'alpn',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'ALPN on `TCPSSL` listeners.',
    group: L,
  }),
  alpnPolicy: spec({
    suffix: 'alpn-policy',
    schema: oneOf(['HTTP1Only', 'HTTP2Only', 'HTTP2Preferred', 'HTTP2Optional'] as const),
    allowed: '`HTTP1Only` | `HTTP2Only` | `HTTP2Preferred` | `HTTP2Optional`',
    default: 'none',
    description: 'ALPN policy of `TCPSSL` listeners (with `alpn: on`).',
    group: L,
  }),
  idleTimeout: spec({
    suffix: 'idle-timeout',
    schema: intIn(1, 900),
    allowed: 'integer 1-900 (seconds)',
    default: 'the API default (900)',
    description: 'Connection idle timeout.',
    group: L,
  }),
  cps: spec({
    suffix: 'cps',
    schema: intIn(0, 1000000),
    allowed: 'integer 0-1000000 (0: unlimited)',
    default: 'the API default (0)',
    description: 'New connections per second the listener accepts.',
    group: L,
  }),
  proxyProtocol: spec({
    suffix: 'proxy-protocol',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'Send the client address to backends in a PROXY protocol v2 header.',
    group: L,
  }),
  ppv2PrivateLinkEpIdEnabled: spec({
    suffix: 'ppv2-pvl-ep-id-enabled',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'With `proxy-protocol: on`: carry the PrivateLink endpoint id.',
    group: L,
  }),
  ppv2PrivateLinkEpsIdEnabled: spec({
    suffix: 'ppv2-pvl-eps-id-enabled',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'With `proxy-protocol: on`: carry the PrivateLink endpoint service id.',
    group: L,
  }),
  ppv2VpcIdEnabled: spec({
    suffix: 'ppv2-pvl-vpc-id-enabled',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'With `proxy-protocol: on`: carry the client VPC id.',
    group: L,
  }),

  // ---- server groups -----------------------------------------------------------------------
  serverGroupType: spec({
    suffix: 'server-group-type',
    schema: oneOf(['Instance', 'Ip'] as const, { caseInsensitive: true }),
    allowed: '`Instance` | `Ip`',
    default: '`Instance`',
    description:
      '`Instance` registers nodes as ECS instances and pods by their ENI; `Ip` registers addresses: pod IPs, and nodes by InternalIP. Fixed at create.',
    group: SG,
  }),
  vgroupPort: spec({
    suffix: 'vgroup-port',
    schema: serverGroupPortList,
    allowed: '`<sgp-id>:<service port>`, comma-separated',
    default: 'none',
    description:
      "With `id`: put this port's backends into the user's server group; only servers we added are ever removed.",
    group: SG,
  }),
  scheduler: spec({
    suffix: 'scheduler',
    // The NLB API's own spellings (mixed case), whatever case the user wrote.
    schema: oneOf(['Wrr', 'rr', 'sch', 'tch', 'qch', 'Wlc'] as const, { caseInsensitive: true }),
    allowed: '`Wrr` | `rr` | `sch` | `tch` | `qch` | `Wlc` (any case)',
    default: 'the API default (`Wrr`)',
    description: 'Scheduling algorithm of the server groups.',
    group: SG,
  }),
  connectionDrain: spec({
    suffix: 'connection-drain',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`off`)',
    description: 'Let connections to a removed backend finish.',
    group: SG,
  }),
  connectionDrainTimeout: spec({
    suffix: 'connection-drain-timeout',
    schema: intIn(0, 900),
    allowed: 'integer 0-900 (seconds)',
    default: 'the API default',
    description: 'How long a removed backend keeps its connections (with `connection-drain: on`).',
    group: SG,
  }),
  preserveClientIp: spec({
    suffix: 'preserve-client-ip',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default',
    description: 'Backends see the client IP as the source address.',
    group: SG,
  }),
  healthCheckFlag: spec({
    suffix: 'health-check-flag',
    schema: onOff,
    allowed: ON_OFF,
    default: 'the API default (`on`)',
    description: 'Health checks of the server groups; the other `health-check-*` keys apply when `on`.',
    group: SG,
  }),
  healthCheckType: spec({
    suffix: 'health-check-type',
    schema: oneOf(['tcp', 'http'] as const, { caseInsensitive: true }),
    allowed: '`tcp` | `http`',
    default: 'the API default (`tcp`)',
    description: 'Health check protocol.',
    group: SG,
  }),
  healthCheckConnectPort: spec({
    suffix: 'health-check-connect-port',
    schema: intIn(0, 65535),
    allowed: 'integer 0-65535 (0: the backend port)',
    default: 'the backend port',
    description: 'Port the health check connects to.',
    group: SG,
  }),
  healthyThreshold: spec({
    suffix: 'healthy-threshold',
    schema: intIn(2, 10),
    allowed: 'integer 2-10',
    default: 'the API default',
    description: 'Successes before a backend counts as healthy.',
    group: SG,
  }),
  unhealthyThreshold: spec({
    suffix: 'unhealthy-threshold',
    schema: intIn(2, 10),
    allowed: 'integer 2-10',
    default: 'the API default',
    description: 'Failures before a backend counts as unhealthy.',
    group: SG,
  }),
  healthCheckConnectTimeout: spec({
    suffix: 'health-check-connect-timeout',
    schema: intIn(1, 300),
    allowed: 'integer 1-300 (seconds)',
    default: 'the API default',
    description: 'Health check response timeout.',
    group: SG,
  }),
  healthCheckInterval: spec({
    suffix: 'health-check-interval',
    schema: intIn(1, 50),
    allowed: 'integer 1-50 (seconds)',
    default: 'the API default',
    description: 'Time between health checks.',
    group: SG,
  }),
  healthCheckDomain: spec({
    suffix: 'health-check-domain',
    schema: nlbHealthCheckDomain,
    allowed: 'a domain name, or `$SERVER_IP`',
    default: 'the backend IP',
    description: 'Host header of HTTP health checks.',
    group: SG,
  }),
  healthCheckUri: spec({
    suffix: 'health-check-uri',
    schema: matching(
      /^\/[A-Za-z0-9\-/.%?#&=_:;~!@$*+,]{0,79}$/,
      'a path starting with "/" (at most 80 characters)',
    ),
    allowed: 'path starting with `/`',
    default: 'none',
    description: 'Path of HTTP health checks.',
    group: SG,
  }),
  healthCheckHttpCode: spec({
    suffix: 'health-check-httpcode',
    schema: httpCodeList,
    allowed: '`http_2xx`, `http_3xx`, `http_4xx`, `http_5xx`, comma-separated',
    default: 'the API default (`http_2xx`)',
    description: 'HTTP status codes that count as healthy.',
    group: SG,
  }),
  healthCheckMethod: spec({
    suffix: 'health-check-method',
    schema: oneOf(['GET', 'HEAD'] as const, { caseInsensitive: true }),
    allowed: '`get` | `head`',
    default: 'the API default (`HEAD`)',
    description: 'Method of HTTP health checks.',
    group: SG,
  }),
  backendLabel: spec({
    suffix: 'backend-label',
    schema: labelSelector,
    allowed: '`k1=v1[,k2=v2…]`',
    default: 'all nodes',
    description: 'Only nodes carrying every label pair become backends.',
    group: SG,
  }),
  removeUnscheduledBackend: spec({
    suffix: 'remove-unscheduled-backend',
    schema: onOff,
    allowed: ON_OFF,
    default: '`off`',
    description: 'Drop cordoned (unschedulable) nodes from the backends.',
    group: SG,
  }),
  defaultWeight: spec({
    suffix: 'default-weight',
    schema: intIn(0, 100),
    allowed: 'integer 0-100',
    default: '100',
    description: 'Per-backend weight in Cluster/ENI mode (Local mode weighs by pods per node).',
    group: SG,
  }),
  ignoreWeightUpdate: spec({
    suffix: 'ignore-weight-update',
    schema: oneOf(['on', 'off'] as const, { caseInsensitive: true }),
    allowed: ON_OFF,
    default: '`off`',
    description: 'Never update a server only because its weight differs.',
    group: SG,
  }),
  backendType: spec({
    fixedKey: 'service.beta.kubernetes.io/backend-type',
    schema: oneOf(['ecs', 'eni'] as const),
    allowed: '`ecs` | `eni`',
    default: 'cloud-config `serviceBackendType`, else `ecs`',
    description: '`eni`: register the pods instead of the nodes (their ENI, or their IP in an `Ip` group).',
    group: SG,
  }),
} as const;

export type NlbAnnotationTable = typeof NLB_ANNOTATIONS;
export type NlbAnnotationName = keyof NlbAnnotationTable;
