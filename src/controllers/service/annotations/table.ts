// THE annotation table: every Service annotation the CLB controller understands, with every
// spelling users have written over the years, its validator, default and documentation.
// `annotations/parse.ts` parses with it and `scripts/gen-annotations-doc.ts` renders docs/annotations.md
// from it, so the docs cannot drift from the code.
//
// Spellings, highest precedence first (the first key *present* wins, even if a lower one differs):
//   1. current  service.beta.kubernetes.io/alibaba-cloud-loadbalancer-<suffix>
//   2. legacy   service.beta.kubernetes.io/alicloud-loadbalancer-<suffix>
//   3. 2017     service.beta.kubernetes.io/alicloud-loadbalancer-<CamelCase>
//   4. kube-aliyun  aliyun.archon.kubeup.com/<suffix>
import {
  aclIdList,
  certId,
  dnsName,
  domainExtensionList,
  exactTrue,
  forwardPortList,
  healthCheckDomain,
  httpCodeList,
  intIn,
  ipv4,
  labelSelector,
  matching,
  onOff,
  oneOf,
  presence,
  protocolPortList,
  tagList,
  vgroupPortList,
  type ValueSchema,
} from './values.js';

export const CURRENT_PREFIX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
export const LEGACY_PREFIX = 'service.beta.kubernetes.io/alicloud-loadbalancer-';
export const KUBE_ALIYUN_PREFIX = 'aliyun.archon.kubeup.com/';

export type AnnotationGroup = 'load balancer' | 'listener' | 'backend' | 'selection';

export interface AnnotationSpec<T> {
  /** The canonical (current-prefix) key; documentation and combination errors use it. */
  canonical: string;
  /** Every accepted key, highest precedence first; includes `canonical`. */
  keys: readonly string[];
  schema: ValueSchema<T>;
  /** Allowed values, for humans. */
  allowed: string;
  /** What happens when the annotation is absent. */
  default: string;
  description: string;
  group: AnnotationGroup;
}

interface SpecInput<T> {
  /** Suffix under the current/legacy prefixes; omit for keys with their own fixed spelling. */
  suffix?: string;
  /** 2017 CamelCase suffix under the legacy prefix. */
  camel?: string;
  /** kube-aliyun suffix under `aliyun.archon.kubeup.com/`. */
  kubeAliyun?: string;
  /** Extra spellings, lowest precedence (e.g. a documented-but-never-read alias). */
  aliases?: readonly string[];
  /** Full key for annotations outside the loadbalancer prefixes. */
  fixedKey?: string;
  schema: ValueSchema<T>;
  allowed: string;
  default?: string;
  description: string;
  group: AnnotationGroup;
}

function spec<T>(s: SpecInput<T>): AnnotationSpec<T> {
  const keys: string[] = [];
  if (s.fixedKey) keys.push(s.fixedKey);
  if (s.suffix) keys.push(CURRENT_PREFIX + s.suffix, LEGACY_PREFIX + s.suffix);
  if (s.camel) keys.push(LEGACY_PREFIX + s.camel);
  if (s.kubeAliyun) keys.push(KUBE_ALIYUN_PREFIX + s.kubeAliyun);
  for (const a of s.aliases ?? []) keys.push(a);
  return {
    canonical: keys[0]!,
    keys,
    schema: s.schema,
    allowed: s.allowed,
    default: s.default ?? 'not sent (the SLB API default applies)',
    description: s.description,
    group: s.group,
  };
}

const ON_OFF = '`on` | `off`';
const LB = 'load balancer' as const;
const L = 'listener' as const;
const B = 'backend' as const;

export const ANNOTATIONS = {
  // ---- which controller handles the Service -------------------------------------------------
  serviceClass: spec({
    fixedKey: 'service.beta.kubernetes.io/class',
    schema: matching(/^.{0,253}$/s, 'at most 253 characters'),
    allowed: 'any string',
    default: 'absent: this controller handles the Service',
    description:
      'When non-empty, another load-balancer implementation owns the Service and this controller ignores it.',
    group: 'selection',
  }),
  tunnelType: spec({
    suffix: 'tunnel-type',
    schema: matching(/^.{0,253}$/s, 'at most 253 characters'),
    allowed: 'any string',
    default: 'absent',
    description:
      'When present (any value), the Service is a tunnel Service handled elsewhere and this controller ignores it.',
    group: 'selection',
  }),
  loadBalancerType: spec({
    suffix: 'type',
    schema: oneOf(['clb', 'nlb'] as const, { caseInsensitive: true }),
    allowed: '`clb` | `nlb`',
    default: '`clb`',
    description:
      'Read only when cloud-config `featureGates` enables `LoadBalancerTypeAnnotation` (off by default, as in the official CCM): then any non-empty value hands the Service to another controller (`nlb`: the NLB controller) and this controller ignores it. With the gate off the annotation is ignored and the Service gets a CLB.',
    group: 'selection',
  }),

  // ---- load balancer attributes ------------------------------------------------------------
  loadBalancerId: spec({
    suffix: 'id',
    schema: matching(/^lb-[a-z0-9]+$/i, 'an SLB instance id (e.g. "lb-2zeabc123")'),
    allowed: 'SLB id `lb-…`',
    default: 'absent: the controller creates and owns an SLB',
    description:
      'Reuse this existing SLB instead of creating one. The SLB is never deleted; only listeners and vserver groups named for this Service are managed, and listeners only with `force-override-listeners`. An SLB created by a cluster (ownership tags) is refused.',
    group: LB,
  }),
  addressType: spec({
    suffix: 'address-type',
    camel: 'AddressType',
    schema: oneOf(['internet', 'intranet'] as const),
    allowed: '`internet` | `intranet`',
    default: '`internet`',
    description: 'Public or VPC-internal address. Immutable after creation.',
    group: LB,
  }),
  name: spec({
    suffix: 'name',
    schema: matching(
      /^[\p{L}\p{N}][\p{L}\p{N}._/-]{0,79}$/u,
      '1-80 characters: letters, digits, ".", "_", "/", "-", starting with a letter or digit',
    ),
    allowed: '1-80 chars',
    default: '`a` + Service UID without dashes, 32 chars',
    description: 'SLB display name. Changed in place when set; removing it does not rename the SLB back.',
    group: LB,
  }),
  resourceGroupId: spec({
    suffix: 'resource-group-id',
    schema: matching(/^rg-[a-z0-9]+$/i, 'a resource group id (e.g. "rg-acfm2abc")'),
    allowed: '`rg-…`',
    default: 'cloud-config `resourceGroupID`',
    description: 'Resource group at creation. Immutable.',
    group: LB,
  }),
  additionalResourceTags: spec({
    suffix: 'additional-resource-tags',
    schema: tagList,
    allowed: '`k1=v1,k2=v2` (a bare `k` means an empty value; at most 20)',
    default: 'none',
    description:
      'Extra tags on the SLB. Only tags this controller set earlier are ever removed; tags added in the console are kept.',
    group: LB,
  }),
  deleteProtection: spec({
    suffix: 'delete-protection',
    schema: onOff,
    allowed: ON_OFF,
    default: '`on` at creation, then not enforced',
    description:
      'SLB delete protection. Enforced when set. Deleting the Service still deletes an SLB the controller created.',
    group: LB,
  }),
  modificationProtection: spec({
    suffix: 'modification-protection',
    schema: oneOf(['ConsoleProtection', 'NonProtection'] as const),
    allowed: '`ConsoleProtection` | `NonProtection`',
    default: '`ConsoleProtection` at creation (reason `managed.by.ack`), then not enforced',
    description: 'Protects the SLB from console edits. Enforced when set.',
    group: LB,
  }),
  vswitchId: spec({
    suffix: 'vswitch-id',
    schema: matching(/^vsw-[a-z0-9]+$/i, 'a vswitch id (e.g. "vsw-2zeabc")'),
    allowed: '`vsw-…`',
    default: 'cloud-config/metadata vswitch (intranet VPC SLBs only)',
    description: 'VSwitch of an intranet SLB, used at creation only; later changes are ignored.',
    group: LB,
  }),
  networkType: spec({
    suffix: 'network-type',
    camel: 'SLBNetworkType',
    aliases: [CURRENT_PREFIX + 'slb-network-type', LEGACY_PREFIX + 'slb-network-type'],
    schema: oneOf(['classic', 'vpc'] as const),
    allowed: '`classic` | `vpc`',
    default: '`vpc` for intranet SLBs',
    description: 'Network of an intranet SLB. Immutable. `classic` creates no vswitch binding.',
    group: LB,
  }),
  chargeType: spec({
    suffix: 'charge-type',
    camel: 'ChargeType',
    kubeAliyun: 'internet-charge-type',
    schema: oneOf(['paybytraffic', 'paybybandwidth'] as const, { caseInsensitive: true }),
    allowed: '`paybytraffic` | `paybybandwidth`',
    default:
      'API default (pay by traffic); `paybybandwidth` when only the 2017 `Bandwidth` or kube-aliyun `bandwidth` spelling is given',
    description: 'Internet billing of an internet SLB. Changed in place; ignored for intranet SLBs.',
    group: LB,
  }),
  bandwidth: spec({
    suffix: 'bandwidth',
    camel: 'Bandwidth',
    kubeAliyun: 'bandwidth',
    schema: intIn(1, 5120),
    allowed: 'integer 1-5120 (Mbps)',
    default: 'API default',
    description:
      'Peak bandwidth of an internet SLB, sent at creation. Changed in place only together with `charge-type: paybybandwidth`.',
    group: LB,
  }),
  region: spec({
    camel: 'Region',
    schema: matching(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a region id (e.g. "cn-hangzhou")'),
    allowed: 'region id',
    default: 'the cluster region',
    description:
      '2017 form. SLBs are always created in the cluster region, so a different region is rejected instead of silently ignored.',
    group: LB,
  }),
  instanceChargeType: spec({
    suffix: 'instance-charge-type',
    schema: oneOf(['PayBySpec', 'PayByCLCU'] as const, { caseInsensitive: true }),
    allowed: '`PayBySpec` | `PayByCLCU`',
    default: '`PayBySpec` when `spec` is set, else `PayByCLCU`',
    description: 'Instance billing mode. Changed in place.',
    group: LB,
  }),
  spec: spec({
    suffix: 'spec',
    schema: matching(/^slb\.s\d\.[a-z0-9.]+$/, 'an SLB spec (e.g. "slb.s1.small", "slb.s2.medium")'),
    allowed: '`slb.s1.small`, `slb.s2.small`, `slb.s2.medium`, `slb.s3.small`, …',
    default: '`slb.s1.small` for PayBySpec',
    description: 'Instance spec for PayBySpec SLBs. Changed in place.',
    group: LB,
  }),
  masterZoneId: spec({
    suffix: 'master-zoneid',
    schema: matching(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a zone id (e.g. "cn-hangzhou-b")'),
    allowed: 'zone id',
    default: 'chosen by the API',
    description: 'Primary zone at creation. Immutable.',
    group: LB,
  }),
  slaveZoneId: spec({
    suffix: 'slave-zoneid',
    schema: matching(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a zone id (e.g. "cn-hangzhou-c")'),
    allowed: 'zone id',
    default: 'chosen by the API',
    description: 'Standby zone at creation. Immutable.',
    group: LB,
  }),
  ipVersion: spec({
    suffix: 'ip-version',
    schema: oneOf(['ipv4', 'ipv6'] as const),
    allowed: '`ipv4` | `ipv6`',
    default: '`ipv4`',
    description: 'Address family of the SLB. Immutable.',
    group: LB,
  }),
  address: spec({
    suffix: 'ip',
    schema: ipv4,
    allowed: 'IPv4 address',
    default: 'allocated by the API',
    description: 'Request a specific VIP (intranet SLBs). Immutable.',
    group: LB,
  }),
  forceOverrideListeners: spec({
    suffix: 'force-override-listeners',
    schema: exactTrue,
    allowed: '`true` | `false` (exactly; other values are refused)',
    default: '`false`',
    description:
      'On a reused SLB, manage listeners on the Service ports (taking over a same-port, same-protocol listener). User listeners on other ports are never deleted.',
    group: LB,
  }),
  preserveOnDelete: spec({
    suffix: 'preserve-lb-on-delete',
    schema: presence,
    allowed: 'any non-empty value (even `false`)',
    default: 'absent: the SLB is deleted with the Service',
    description:
      'Keep the SLB when the Service is deleted: our listeners, vserver groups and ownership tags are removed, the SLB stays. As in the official CCM, any non-empty value preserves; remove the annotation (or set it empty) to delete the SLB with the Service.',
    group: LB,
  }),
  externalIpType: spec({
    suffix: 'external-ip-type',
    schema: oneOf(['eip'] as const),
    allowed: '`eip`',
    default: 'the SLB address',
    description: 'Publish the EIPs bound to the SLB as the ingress IPs.',
    group: LB,
  }),
  hostname: spec({
    suffix: 'hostname',
    schema: dnsName,
    allowed: 'DNS name',
    default: 'none',
    description: 'Publish this hostname instead of the SLB IP in `status.loadBalancer.ingress`.',
    group: LB,
  }),

  // ---- listener attributes, applied to every port ------------------------------------
  protocolPort: spec({
    suffix: 'protocol-port',
    camel: 'ProtocolPort',
    schema: protocolPortList,
    allowed: '`proto:port[,proto:port…]`, proto ∈ `tcp`, `udp`, `http`, `https`',
    default: "each Service port's protocol",
    description:
      "Listener protocol per Service port. Changing a port's protocol deletes and re-creates its listener.",
    group: L,
  }),
  certId: spec({
    suffix: 'cert-id',
    camel: 'CertID',
    schema: certId,
    allowed: 'SLB server certificate id',
    default: 'none (required for HTTPS ports)',
    description: 'Certificate of HTTPS listeners.',
    group: L,
  }),
  tlsCipherPolicy: spec({
    suffix: 'tls-cipher-policy',
    schema: oneOf([
      'tls_cipher_policy_1_0',
      'tls_cipher_policy_1_1',
      'tls_cipher_policy_1_2',
      'tls_cipher_policy_1_2_strict',
      'tls_cipher_policy_1_2_strict_with_1_3',
    ] as const),
    allowed: '`tls_cipher_policy_1_0` | `_1_1` | `_1_2` | `_1_2_strict` | `_1_2_strict_with_1_3`',
    default: 'API default',
    description: 'TLS policy of HTTPS listeners.',
    group: L,
  }),
  http2Enabled: spec({
    suffix: 'http2-enabled',
    schema: onOff,
    allowed: ON_OFF,
    description: 'HTTP/2 on HTTPS listeners.',
    group: L,
  }),
  idleTimeout: spec({
    suffix: 'idle-timeout',
    schema: intIn(1, 60),
    allowed: 'integer 1-60 (s)',
    description: 'Idle connection timeout of HTTP/HTTPS listeners.',
    group: L,
  }),
  requestTimeout: spec({
    suffix: 'request-timeout',
    schema: intIn(1, 180),
    allowed: 'integer 1-180 (s)',
    description: 'Request timeout of HTTP/HTTPS listeners.',
    group: L,
  }),
  establishedTimeout: spec({
    suffix: 'established-timeout',
    schema: intIn(10, 900),
    allowed: 'integer 10-900 (s)',
    description: 'Connection timeout of TCP listeners.',
    group: L,
  }),
  persistenceTimeout: spec({
    suffix: 'persistence-timeout',
    schema: intIn(0, 3600),
    allowed: 'integer 0-3600 (s; 0 disables)',
    description: 'Session persistence of TCP listeners.',
    group: L,
  }),
  scheduler: spec({
    suffix: 'scheduler',
    schema: oneOf(['rr', 'wrr', 'wlc', 'sch', 'tch', 'qch'] as const),
    allowed: '`rr` | `wrr` | `wlc` | `sch` | `tch` | `qch`',
    default: '`rr` at creation',
    description: 'Scheduling algorithm of all listeners.',
    group: L,
  }),
  connectionDrain: spec({
    suffix: 'connection-drain',
    schema: onOff,
    allowed: ON_OFF,
    description: 'Connection draining on TCP/UDP listeners.',
    group: L,
  }),
  connectionDrainTimeout: spec({
    suffix: 'connection-drain-timeout',
    schema: intIn(10, 900),
    allowed: 'integer 10-900 (s)',
    description: 'Drain timeout; used only with `connection-drain: on`.',
    group: L,
  }),
  aclStatus: spec({
    suffix: 'acl-status',
    schema: onOff,
    allowed: ON_OFF,
    default: 'API default (`off`)',
    description: 'Access control on all listeners.',
    group: L,
  }),
  aclId: spec({
    suffix: 'acl-id',
    schema: aclIdList,
    allowed: '`acl-…[,acl-…]`',
    default: 'none',
    description: 'ACL(s) applied when `acl-status: on`.',
    group: L,
  }),
  aclType: spec({
    suffix: 'acl-type',
    schema: oneOf(['white', 'black'] as const),
    allowed: '`white` | `black`',
    default: 'none',
    description: 'ACL mode, used with `acl-status: on`.',
    group: L,
  }),
  forwardPort: spec({
    suffix: 'forward-port',
    schema: forwardPortList,
    allowed: '`httpPort:httpsPort[,…]`',
    default: 'none',
    description:
      'Redirect an HTTP listener to an HTTPS listener of the same Service. Changing it re-creates the HTTP listener.',
    group: L,
  }),
  healthCheckSwitch: spec({
    suffix: 'health-check-switch',
    schema: onOff,
    allowed: ON_OFF,
    default: 'API default (`on`)',
    description: 'Health checks on TCP/UDP listeners.',
    group: L,
  }),
  healthCheckFlag: spec({
    suffix: 'health-check-flag',
    camel: 'HealthCheckFlag',
    schema: onOff,
    allowed: ON_OFF,
    default: '`off` at creation of HTTP/HTTPS listeners',
    description: 'Health checks on HTTP/HTTPS listeners (TCP listeners always check).',
    group: L,
  }),
  healthCheckType: spec({
    suffix: 'health-check-type',
    camel: 'HealthCheckType',
    schema: oneOf(['tcp', 'http'] as const),
    allowed: '`tcp` | `http`',
    default: 'API default (`tcp`)',
    description: 'Health-check method of TCP listeners.',
    group: L,
  }),
  healthCheckUri: spec({
    suffix: 'health-check-uri',
    camel: 'HealthCheckURI',
    schema: matching(
      /^\/[A-Za-z0-9\-/.%?#&=_:~+]{0,79}$/,
      'a path starting with "/" (at most 80 characters)',
    ),
    allowed: 'path, e.g. `/healthz`',
    default: 'none',
    description: 'Health-check path (TCP with `http` checks, HTTP, HTTPS).',
    group: L,
  }),
  healthCheckDomain: spec({
    suffix: 'health-check-domain',
    schema: healthCheckDomain,
    allowed: 'domain or `$_ip`',
    default: 'none',
    description: 'Host header of HTTP health checks.',
    group: L,
  }),
  healthCheckHttpCode: spec({
    suffix: 'health-check-httpcode',
    schema: httpCodeList,
    allowed: '`http_2xx[,http_3xx,http_4xx,http_5xx]`',
    default: 'API default (`http_2xx`)',
    description: 'Status codes counted healthy.',
    group: L,
  }),
  healthCheckMethod: spec({
    suffix: 'health-check-method',
    schema: oneOf(['head', 'get'] as const),
    allowed: '`head` | `get`',
    description: 'HTTP method of L7 health checks.',
    group: L,
  }),
  healthCheckConnectPort: spec({
    suffix: 'health-check-connect-port',
    camel: 'HealthCheckConnectPort',
    schema: intIn(1, 65535, [-520]),
    allowed: 'integer 1-65535, or -520 for the backend port',
    description: 'Port the health check connects to.',
    group: L,
  }),
  healthyThreshold: spec({
    suffix: 'healthy-threshold',
    camel: 'HealthyThreshold',
    kubeAliyun: 'healthy-threshold',
    schema: intIn(2, 10),
    allowed: 'integer 2-10',
    default: 'API default (3)',
    description: 'Successes before a backend is healthy.',
    group: L,
  }),
  unhealthyThreshold: spec({
    suffix: 'unhealthy-threshold',
    camel: 'UnhealthyThreshold',
    kubeAliyun: 'unhealthy-threshold',
    schema: intIn(2, 10),
    allowed: 'integer 2-10',
    default: 'API default (3)',
    description: 'Failures before a backend is unhealthy.',
    group: L,
  }),
  healthCheckInterval: spec({
    suffix: 'health-check-interval',
    camel: 'HealthCheckInterval',
    kubeAliyun: 'health-check-interval',
    schema: intIn(1, 50),
    allowed: 'integer 1-50 (s)',
    default: 'API default (2)',
    description: 'Seconds between health checks.',
    group: L,
  }),
  healthCheckConnectTimeout: spec({
    suffix: 'health-check-connect-timeout',
    camel: 'HealthCheckConnectTimeout',
    kubeAliyun: 'health-check-connect-timeout',
    schema: intIn(1, 300),
    allowed: 'integer 1-300 (s)',
    default: 'API default (5)',
    description: 'Health-check timeout of TCP/UDP listeners.',
    group: L,
  }),
  healthCheckTimeout: spec({
    suffix: 'health-check-timeout',
    camel: 'HealthCheckTimeout',
    schema: intIn(1, 300),
    allowed: 'integer 1-300 (s)',
    default: 'API default (5)',
    description: 'Health-check timeout of HTTP/HTTPS listeners.',
    group: L,
  }),
  stickySession: spec({
    suffix: 'sticky-session',
    schema: onOff,
    allowed: ON_OFF,
    default: '`off` at creation of HTTP/HTTPS listeners',
    description: 'Session stickiness on HTTP/HTTPS listeners.',
    group: L,
  }),
  stickySessionType: spec({
    suffix: 'sticky-session-type',
    schema: oneOf(['insert', 'server'] as const),
    allowed: '`insert` | `server`',
    default: 'none',
    description: 'Cookie handling when `sticky-session: on`.',
    group: L,
  }),
  cookieTimeout: spec({
    suffix: 'cookie-timeout',
    schema: intIn(1, 86400),
    allowed: 'integer 1-86400 (s)',
    default: 'none',
    description: 'Cookie lifetime for `sticky-session-type: insert`.',
    group: L,
  }),
  cookie: spec({
    suffix: 'cookie',
    schema: matching(
      /^[A-Za-z0-9_\-.$]{1,200}$/,
      'a cookie name of 1-200 letters, digits, "_", "-", ".", "$"',
    ),
    allowed: 'cookie name',
    default: 'none',
    description: 'Server cookie for `sticky-session-type: server`.',
    group: L,
  }),
  xForwardedForProto: spec({
    suffix: 'xforwardedfor-proto',
    schema: onOff,
    allowed: ON_OFF,
    description: 'Add `X-Forwarded-Proto` (HTTP/HTTPS).',
    group: L,
  }),
  xForwardedForSlbPort: spec({
    suffix: 'xforwardedfor-slbport',
    schema: onOff,
    allowed: ON_OFF,
    description: 'Add `X-Forwarded-Port` (HTTP/HTTPS).',
    group: L,
  }),
  xForwardedForClientSrcPort: spec({
    suffix: 'xforwardedfor-clientsrcport',
    schema: onOff,
    allowed: ON_OFF,
    description: 'Add `X-Forwarded-Client-srcport` (HTTP/HTTPS).',
    group: L,
  }),
  proxyProtocol: spec({
    suffix: 'proxy-protocol',
    schema: onOff,
    allowed: ON_OFF,
    default: 'not sent',
    description: 'PROXY protocol v2 towards backends (TCP/UDP).',
    group: L,
  }),
  domainExtensions: spec({
    suffix: 'domain-extensions',
    schema: domainExtensionList,
    allowed: '`domain:certId[,…]`',
    default: 'not managed',
    description:
      'Extra SNI certificates of HTTPS listeners. When present (even empty), extensions not listed are removed.',
    group: L,
  }),
  vgroupPort: spec({
    suffix: 'vgroup-port',
    schema: vgroupPortList,
    allowed: '`rsp-…:port[,…]`',
    default: 'none',
    description:
      "With `id`: put this Service port's backends into the user's existing vserver group. Only backends this controller added are ever removed from it.",
    group: L,
  }),

  // ---- backends ----------------------------------------------------------------------------
  backendLabel: spec({
    suffix: 'backend-label',
    schema: labelSelector,
    allowed: '`k1=v1[,k2=v2…]`',
    default: 'all nodes',
    description: 'Only nodes carrying every label pair become backends.',
    group: B,
  }),
  removeUnscheduledBackend: spec({
    suffix: 'remove-unscheduled-backend',
    schema: onOff,
    allowed: ON_OFF,
    default: '`off`',
    description: 'Drop cordoned (unschedulable) nodes from the backends.',
    group: B,
  }),
  weight: spec({
    suffix: 'weight',
    schema: intIn(0, 100),
    allowed: 'integer 0-100',
    default: 'none',
    description:
      'With `id` + `vgroup-port`: total weight this Service takes in a shared vserver group, spread over its backends.',
    group: B,
  }),
  defaultWeight: spec({
    suffix: 'default-weight',
    schema: intIn(0, 100),
    allowed: 'integer 0-100',
    default: '100',
    description: 'Per-backend weight in Cluster/ENI mode (Local mode weighs by pods per node).',
    group: B,
  }),
  ignoreWeightUpdate: spec({
    suffix: 'ignore-weight-update',
    schema: oneOf(['on', 'off'] as const, { caseInsensitive: true }),
    allowed: ON_OFF,
    default: '`off`',
    description:
      'Never update a backend only because its weight differs (lets operators tune weights by hand).',
    group: B,
  }),
  backendIpVersion: spec({
    suffix: 'backend-ip-version',
    schema: oneOf(['ipv4', 'ipv6', 'dualstack'] as const, { caseInsensitive: true }),
    allowed: '`ipv4` | `ipv6` | `dualstack` (NLB only; `ipv4` on a CLB)',
    default: '`ipv4`',
    description:
      'Address family of the endpoints registered as backends. `ipv6` takes effect only on an `ip-version: ipv6` SLB with cloud-config `featureGates` `IPv6DualStack=true` (as in the official CCM); otherwise IPv4 endpoints are used.',
    group: B,
  }),
  backendType: spec({
    fixedKey: 'service.beta.kubernetes.io/backend-type',
    schema: oneOf(['ecs', 'eni'] as const),
    allowed: '`ecs` | `eni`',
    default: 'cloud-config `serviceBackendType`, else `ecs`',
    description: '`eni`: register pod IPs (Terway ENIs) instead of nodes.',
    group: B,
  }),
} as const;

export type AnnotationTable = typeof ANNOTATIONS;
export type AnnotationName = keyof AnnotationTable;
