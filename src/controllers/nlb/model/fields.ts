// Which annotation sets which NLB field. Only what the user set is desired (the official CCM's
// "update when set" rule); create-time defaults live in `createDefaults`, never compared later.
import type { ClusterConfig } from '../../service/inputs/objects.js';
import type { NlbConfig } from '../annotations/index.js';
import type {
  HealthCheck,
  NlbAttributes,
  NlbListenerProtocol,
  NlbListenerSettings,
  ServerGroupSettings,
} from '../types.js';

const on = (v: 'on' | 'off' | undefined): boolean | undefined => (v === undefined ? undefined : v === 'on');

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function attributesOf(c: NlbConfig, config: ClusterConfig, defaultName: string): NlbAttributes {
  if (c.loadBalancerId) {
    // A reused NLB is the user's: we never change its attributes (docs/nlb.md § "Reusing an NLB").
    return { loadBalancerId: c.loadBalancerId };
  }
  return defined({
    name: c.name ?? defaultName,
    addressType: c.addressType ?? 'Internet',
    addressIpVersion: c.ipVersion,
    ipv6AddressType: c.ipv6AddressType,
    vpcId: config.vpcId || undefined,
    zoneMappings: c.zoneMaps,
    resourceGroupId: c.resourceGroupId ?? config.resourceGroupId,
    securityGroupIds: c.securityGroupIds,
    bandwidthPackageId: c.bandwidthPackageId,
    crossZoneEnabled: on(c.crossZoneEnabled),
    deletionProtection: on(c.deleteProtection),
    modificationProtection: c.modificationProtection,
  });
}

/** Sent by CreateLoadBalancer when the user set nothing: the official CCM's create defaults. */
export const CREATE_DEFAULTS: Pick<NlbAttributes, 'deletionProtection' | 'modificationProtection'> = {
  deletionProtection: true,
  modificationProtection: 'ConsoleProtection',
};

export function listenerSettings(protocol: NlbListenerProtocol, c: NlbConfig): NlbListenerSettings {
  const ssl = protocol === 'TCPSSL';
  const ppv2 = defined({
    privateLinkEpIdEnabled: on(c.ppv2PrivateLinkEpIdEnabled),
    privateLinkEpsIdEnabled: on(c.ppv2PrivateLinkEpsIdEnabled),
    vpcIdEnabled: on(c.ppv2VpcIdEnabled),
  });
  return defined({
    idleTimeout: c.idleTimeout,
    cps: c.cps,
    proxyProtocolEnabled: on(c.proxyProtocol),
    proxyProtocolV2: Object.keys(ppv2).length > 0 ? ppv2 : undefined,
    // TLS settings mean nothing on TCP/UDP listeners; the CCM sends them only for TCPSSL.
    securityPolicyId: ssl ? c.tlsCipherPolicy : undefined,
    certificateIds: ssl ? c.certId : undefined,
    caCertificateIds: ssl ? c.caCertId : undefined,
    caEnabled: ssl ? on(c.caCert) : undefined,
    alpnEnabled: ssl ? on(c.alpn) : undefined,
    alpnPolicy: ssl ? c.alpnPolicy : undefined,
    additionalCertificateIds: ssl ? c.additionalCertIds : undefined,
  });
}

export function serverGroupSettings(c: NlbConfig): ServerGroupSettings {
  let healthCheck: HealthCheck | undefined;
  if (c.healthCheckFlag === 'off') healthCheck = { enabled: false };
  else if (c.healthCheckFlag === 'on')
    healthCheck = defined({
      enabled: true,
      type: c.healthCheckType,
      connectPort: c.healthCheckConnectPort,
      healthyThreshold: c.healthyThreshold,
      unhealthyThreshold: c.unhealthyThreshold,
      connectTimeout: c.healthCheckConnectTimeout,
      interval: c.healthCheckInterval,
      domain: c.healthCheckDomain,
      url: c.healthCheckUri,
      httpCodes: c.healthCheckHttpCode?.split(','),
      method: c.healthCheckMethod,
    });
  return defined({
    scheduler: c.scheduler,
    connectionDrainEnabled: on(c.connectionDrain),
    connectionDrainTimeout: c.connectionDrainTimeout,
    preserveClientIpEnabled: on(c.preserveClientIp),
    healthCheck,
  });
}
