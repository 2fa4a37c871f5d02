// Nlb listeners: TCP/UDP/TCPSSL on a port or a port range, forwarding to one server group.
// ProxyProtocolV2Config travels as JSON text (a Tea "shrink" parameter), not flattened.
import type { RpcParams } from './client.js';
import { isNotFound } from './errors.js';
import { nlbTags, type NlbCall } from './nlb-call.js';
import { toListener, type RawListener } from './nlb-records.js';
import type { NlbListener, NlbListenerInput, NlbListenerUpdate } from './nlb-types.js';
import { indexed } from './params.js';

function settings(input: NlbListenerUpdate): RpcParams {
  return {
    ServerGroupId: input.ServerGroupId,
    ListenerDescription: input.ListenerDescription,
    IdleTimeout: input.IdleTimeout,
    Cps: input.Cps,
    Mss: input.Mss,
    ProxyProtocolEnabled: input.ProxyProtocolEnabled,
    ProxyProtocolV2Config: input.ProxyProtocolV2Config
      ? JSON.stringify(input.ProxyProtocolV2Config)
      : undefined,
    SecSensorEnabled: input.SecSensorEnabled,
    SecurityPolicyId: input.SecurityPolicyId,
    ...indexed('CertificateIds', input.CertificateIds),
    ...indexed('CaCertificateIds', input.CaCertificateIds),
    CaEnabled: input.CaEnabled,
    AlpnEnabled: input.AlpnEnabled,
    AlpnPolicy: input.AlpnPolicy,
  };
}

export async function listListeners(call: NlbCall, loadBalancerIds: string[]): Promise<NlbListener[]> {
  // No ids would mean "every listener in the region": never what a per-Service caller wants.
  if (loadBalancerIds.length === 0) return [];
  const raw = await call.listByIds<RawListener>(
    'ListListeners',
    'Listeners',
    'LoadBalancerIds',
    loadBalancerIds,
    {},
  );
  return raw.map(toListener);
}

export async function getListener(call: NlbCall, listenerId: string): Promise<NlbListener | undefined> {
  try {
    return toListener(await call.rpc.read<RawListener>('GetListenerAttribute', { ListenerId: listenerId }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function createListener(
  call: NlbCall,
  loadBalancerId: string,
  input: NlbListenerInput,
): Promise<string | undefined> {
  const res = await call.job('CreateListener', {
    LoadBalancerId: loadBalancerId,
    ListenerProtocol: input.ListenerProtocol,
    ListenerPort: input.ListenerPort,
    StartPort: input.StartPort,
    EndPort: input.EndPort,
    ...settings(input),
    ...nlbTags(input.Tags),
  });
  return typeof res?.ListenerId === 'string' ? res.ListenerId : undefined;
}

export async function updateListener(
  call: NlbCall,
  listenerId: string,
  input: NlbListenerUpdate,
): Promise<void> {
  await call.job('UpdateListenerAttribute', { ListenerId: listenerId, ...settings(input) });
}
