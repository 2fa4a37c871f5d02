// SLB listeners (TCP/UDP/HTTP/HTTPS): create, set, describe, start/stop, delete. Settings are
// passed with their catalog wire names so the service controller's model maps 1:1 onto the API.
import type { RpcClient, RpcParams } from './client.js';
import { collectByToken } from './pagination.js';
import { indexed } from './params.js';
import type { Listener } from './slb-types.js';

export type ListenerProtocol = 'tcp' | 'udp' | 'http' | 'https';

const ACTION_PROTOCOL: Record<ListenerProtocol, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  http: 'HTTP',
  https: 'HTTPS',
};

/** Common listener settings by wire name; protocol-specific ones go in `extra`. */
export interface ListenerSettings {
  ListenerPort: number;
  BackendServerPort?: number;
  VServerGroupId?: string;
  Bandwidth?: number;
  Scheduler?: string;
  Description?: string;
  AclId?: string;
  AclStatus?: 'on' | 'off';
  AclType?: 'white' | 'black';
  HealthCheck?: 'on' | 'off';
  HealthCheckSwitch?: 'on' | 'off';
  HealthCheckType?: string;
  HealthCheckURI?: string;
  HealthCheckDomain?: string;
  HealthCheckConnectPort?: number;
  HealthCheckConnectTimeout?: number;
  HealthCheckTimeout?: number;
  HealthCheckInterval?: number;
  HealthyThreshold?: number;
  UnhealthyThreshold?: number;
  HealthCheckHttpCode?: string;
  HealthCheckMethod?: string;
  PersistenceTimeout?: number;
  EstablishedTimeout?: number;
  ConnectionDrain?: 'on' | 'off';
  ConnectionDrainTimeout?: number;
  ProxyProtocolV2Enabled?: boolean;
  StickySession?: 'on' | 'off';
  StickySessionType?: 'insert' | 'server';
  Cookie?: string;
  CookieTimeout?: number;
  XForwardedFor?: 'on' | 'off';
  ServerCertificateId?: string;
  CACertificateId?: string;
  ListenerForward?: 'on' | 'off';
  ForwardPort?: number;
  IdleTimeout?: number;
  RequestTimeout?: number;
  TLSCipherPolicy?: string;
  EnableHttp2?: 'on' | 'off';
  /** Any other catalog parameter (e.g. `XForwardedFor_proto`, lower-case `healthCheckInterval`). */
  extra?: RpcParams;
}

function settingsParams(s: ListenerSettings): RpcParams {
  const { extra, ...rest } = s;
  return { ...(rest as RpcParams), ...(extra ?? {}) };
}

/** Fixed at create: the Set*ListenerAttribute actions do not accept these (per the catalog). */
const CREATE_ONLY = ['BackendServerPort', 'ListenerForward', 'ForwardPort', 'HealthCheckHttpVersion'];

function createParams(protocol: ListenerProtocol, s: ListenerSettings): RpcParams {
  const params = settingsParams(s);
  // The L4 create actions spell this one in lower camel case; the set actions do not.
  if ((protocol === 'tcp' || protocol === 'udp') && params.HealthCheckInterval !== undefined) {
    params.healthCheckInterval ??= params.HealthCheckInterval;
    delete params.HealthCheckInterval;
  }
  return params;
}

function setParams(s: ListenerSettings): RpcParams {
  const params = settingsParams(s);
  for (const k of CREATE_ONLY) delete params[k];
  if (params.healthCheckInterval !== undefined) {
    params.HealthCheckInterval ??= params.healthCheckInterval;
    delete params.healthCheckInterval;
  }
  // Set* only switches to a VServer group when told to with VServerGroup=on.
  if (params.VServerGroupId !== undefined) params.VServerGroup ??= 'on';
  return params;
}

export class SlbListenerApi {
  constructor(private readonly rpc: RpcClient) {}

  async create(
    loadBalancerId: string,
    protocol: ListenerProtocol,
    settings: ListenerSettings,
  ): Promise<void> {
    await this.rpc.write(`CreateLoadBalancer${ACTION_PROTOCOL[protocol]}Listener`, {
      LoadBalancerId: loadBalancerId,
      ...createParams(protocol, settings),
    });
  }

  /** Update a listener; create-only settings in `settings` are ignored (the API cannot change them). */
  async set(loadBalancerId: string, protocol: ListenerProtocol, settings: ListenerSettings): Promise<void> {
    await this.rpc.write(`SetLoadBalancer${ACTION_PROTOCOL[protocol]}ListenerAttribute`, {
      LoadBalancerId: loadBalancerId,
      ...setParams(settings),
    });
  }

  /** One listener's full attribute set (protocol-specific response). */
  describeAttribute<T extends object = Record<string, unknown>>(
    loadBalancerId: string,
    protocol: ListenerProtocol,
    listenerPort: number,
  ): Promise<T> {
    return this.rpc.read<T>(`DescribeLoadBalancer${ACTION_PROTOCOL[protocol]}ListenerAttribute`, {
      LoadBalancerId: loadBalancerId,
      ListenerPort: listenerPort,
    });
  }

  /** All listeners of the given LBs, across NextToken pages (MaxResults 50 as the CCM uses). */
  describe(
    loadBalancerIds: readonly string[],
    filter: { protocol?: ListenerProtocol; listenerPort?: number; description?: string } = {},
  ): Promise<Listener[]> {
    return collectByToken(async (token) => {
      const res = await this.rpc.read<{ RequestId: string; NextToken?: string; Listeners?: Listener[] }>(
        'DescribeLoadBalancerListeners',
        {
          ...indexed('LoadBalancerId', loadBalancerIds),
          ListenerProtocol: filter.protocol,
          ListenerPort: filter.listenerPort,
          Description: filter.description,
          MaxResults: 50,
          NextToken: token,
        },
      );
      return { items: res.Listeners ?? [], nextToken: res.NextToken };
    });
  }

  async start(loadBalancerId: string, listenerPort: number, protocol?: ListenerProtocol): Promise<void> {
    await this.rpc.write('StartLoadBalancerListener', {
      LoadBalancerId: loadBalancerId,
      ListenerPort: listenerPort,
      ListenerProtocol: protocol,
    });
  }

  async stop(loadBalancerId: string, listenerPort: number, protocol?: ListenerProtocol): Promise<void> {
    await this.rpc.write('StopLoadBalancerListener', {
      LoadBalancerId: loadBalancerId,
      ListenerPort: listenerPort,
      ListenerProtocol: protocol,
    });
  }

  async delete(loadBalancerId: string, listenerPort: number, protocol?: ListenerProtocol): Promise<void> {
    await this.rpc.write('DeleteLoadBalancerListener', {
      LoadBalancerId: loadBalancerId,
      ListenerPort: listenerPort,
      ListenerProtocol: protocol,
    });
  }
}
