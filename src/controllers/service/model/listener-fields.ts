// Which listener settings each protocol accepts (docs/design/service.md § "Listeners"), and the
// defaults sent only when a listener is created. The model keeps only fields the
// protocol takes, so the diff never "changes" a field the API would ignore and report back empty.
import type { ServiceLbConfig } from '../annotations/parse.js';
import type { ListenerProtocol, ListenerSettingName, ListenerSettings } from '../types.js';

const ALL: readonly ListenerProtocol[] = ['tcp', 'udp', 'http', 'https'];
const L4: readonly ListenerProtocol[] = ['tcp', 'udp'];
const L7: readonly ListenerProtocol[] = ['http', 'https'];
const NOT_UDP: readonly ListenerProtocol[] = ['tcp', 'http', 'https'];

/** Setting → (protocols it applies to, how to read it from the parsed annotations). */
const FIELDS: {
  [K in ListenerSettingName]: {
    on: readonly ListenerProtocol[];
    from: (c: ServiceLbConfig) => ListenerSettings[K];
  };
} = {
  Scheduler: { on: ALL, from: (c) => c.scheduler },
  // Listener bandwidth is only ever sent as the create-time default (-1 = shared).
  Bandwidth: { on: [], from: () => undefined },
  AclStatus: { on: ALL, from: (c) => c.aclStatus },
  AclId: { on: ALL, from: (c) => (c.aclStatus === 'on' && c.aclId ? c.aclId.join(',') : undefined) },
  AclType: { on: ALL, from: (c) => (c.aclStatus === 'on' ? c.aclType : undefined) },
  HealthCheckConnectPort: { on: ALL, from: (c) => c.healthCheckConnectPort },
  HealthyThreshold: { on: ALL, from: (c) => c.healthyThreshold },
  UnhealthyThreshold: { on: ALL, from: (c) => c.unhealthyThreshold },
  HealthCheckInterval: { on: ALL, from: (c) => c.healthCheckInterval },
  HealthCheckSwitch: { on: L4, from: (c) => c.healthCheckSwitch },
  HealthCheckType: { on: ['tcp'], from: (c) => c.healthCheckType },
  HealthCheckConnectTimeout: { on: L4, from: (c) => c.healthCheckConnectTimeout },
  HealthCheckURI: { on: NOT_UDP, from: (c) => c.healthCheckUri },
  HealthCheckDomain: { on: NOT_UDP, from: (c) => c.healthCheckDomain },
  HealthCheckHttpCode: { on: NOT_UDP, from: (c) => c.healthCheckHttpCode },
  PersistenceTimeout: { on: ['tcp'], from: (c) => c.persistenceTimeout },
  EstablishedTimeout: { on: ['tcp'], from: (c) => c.establishedTimeout },
  ConnectionDrain: { on: L4, from: (c) => c.connectionDrain },
  ConnectionDrainTimeout: {
    on: L4,
    from: (c) => (c.connectionDrain === 'on' ? c.connectionDrainTimeout : undefined),
  },
  ProxyProtocolV2Enabled: {
    on: L4,
    from: (c) => (c.proxyProtocol === undefined ? undefined : c.proxyProtocol === 'on'),
  },
  HealthCheck: { on: L7, from: (c) => c.healthCheckFlag },
  HealthCheckMethod: { on: L7, from: (c) => c.healthCheckMethod },
  HealthCheckTimeout: { on: L7, from: (c) => c.healthCheckTimeout },
  StickySession: { on: L7, from: (c) => c.stickySession },
  StickySessionType: { on: L7, from: (c) => c.stickySessionType },
  CookieTimeout: { on: L7, from: (c) => c.cookieTimeout },
  Cookie: { on: L7, from: (c) => c.cookie },
  IdleTimeout: { on: L7, from: (c) => c.idleTimeout },
  RequestTimeout: { on: L7, from: (c) => c.requestTimeout },
  XForwardedFor_proto: { on: L7, from: (c) => c.xForwardedForProto },
  XForwardedFor_SLBPORT: { on: L7, from: (c) => c.xForwardedForSlbPort },
  XForwardedFor_ClientSrcPort: { on: L7, from: (c) => c.xForwardedForClientSrcPort },
  // Always enforced for HTTPS, even when absent (then the model carries no cert and the build fails).
  ServerCertificateId: { on: ['https'], from: (c) => c.certId },
  TLSCipherPolicy: { on: ['https'], from: (c) => c.tlsCipherPolicy },
  EnableHttp2: { on: ['https'], from: (c) => c.http2Enabled },
};

export function appliesTo(name: ListenerSettingName, protocol: ListenerProtocol): boolean {
  return FIELDS[name].on.includes(protocol);
}

/** The settings the annotations ask for on a listener of `protocol` (unset ones are omitted). */
export function settingsFor(protocol: ListenerProtocol, config: ServiceLbConfig): ListenerSettings {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(FIELDS) as ListenerSettingName[]) {
    if (!appliesTo(name, protocol)) continue;
    const v = FIELDS[name].from(config);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Defaults sent by Create*Listener only (docs/design/service.md § "Listeners"); later edits by hand are not reverted. */
export function createDefaults(protocol: ListenerProtocol): ListenerSettings {
  const d: ListenerSettings = { Scheduler: 'rr' };
  if (protocol !== 'http') d.Bandwidth = -1;
  if (protocol === 'http' || protocol === 'https') {
    d.HealthCheck = 'off';
    d.StickySession = 'off';
  }
  return d;
}
