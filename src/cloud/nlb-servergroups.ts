// Nlb server groups and their servers. Server changes go in batches of NLB_SERVERS_PER_CALL, one
// job each and one after another: the group is locked while a job runs, so sending the next
// batch before the last finished would only earn Conflict.Lock.
import type { RpcParams } from './client.js';
import { nlbStruct, nlbTags, type NlbCall } from './nlb-call.js';
import { toServerGroup, type RawServerGroup } from './nlb-records.js';
import {
  NLB_SERVERS_PER_CALL,
  type NlbHealthCheckConfig,
  type NlbServer,
  type NlbServerGroup,
  type NlbServerGroupFilter,
  type NlbServerGroupInput,
  type NlbServerGroupUpdate,
  type NlbServerKey,
} from './nlb-types.js';
import { indexed } from './params.js';
import { chunk } from '../util/chunk.js';

function healthCheck(hc: NlbHealthCheckConfig | undefined): RpcParams {
  return nlbStruct('HealthCheckConfig', hc ? { ...hc } : undefined);
}

export async function listServerGroups(
  call: NlbCall,
  filter: NlbServerGroupFilter,
): Promise<NlbServerGroup[]> {
  const raw = await call.listByIds<RawServerGroup>(
    'ListServerGroups',
    'ServerGroups',
    'ServerGroupIds',
    filter.ServerGroupIds,
    {
      ...indexed('ServerGroupNames', filter.ServerGroupNames),
      VpcId: filter.VpcId,
      ...nlbTags(filter.Tags),
    },
  );
  return raw.map(toServerGroup);
}

export async function createServerGroup(
  call: NlbCall,
  input: NlbServerGroupInput,
): Promise<string | undefined> {
  const res = await call.job('CreateServerGroup', {
    ServerGroupName: input.ServerGroupName,
    VpcId: input.VpcId,
    ServerGroupType: input.ServerGroupType,
    Protocol: input.Protocol,
    Scheduler: input.Scheduler,
    AddressIPVersion: input.AddressIPVersion,
    AnyPortEnabled: input.AnyPortEnabled,
    ConnectionDrainEnabled: input.ConnectionDrainEnabled,
    ConnectionDrainTimeout: input.ConnectionDrainTimeout,
    PreserveClientIpEnabled: input.PreserveClientIpEnabled,
    ResourceGroupId: input.ResourceGroupId,
    ...healthCheck(input.HealthCheckConfig),
    ...nlbTags(input.Tags),
  });
  return typeof res?.ServerGroupId === 'string' ? res.ServerGroupId : undefined;
}

export async function updateServerGroup(
  call: NlbCall,
  serverGroupId: string,
  input: NlbServerGroupUpdate,
): Promise<void> {
  await call.job('UpdateServerGroupAttribute', {
    ServerGroupId: serverGroupId,
    ServerGroupName: input.ServerGroupName,
    Scheduler: input.Scheduler,
    ConnectionDrainEnabled: input.ConnectionDrainEnabled,
    ConnectionDrainTimeout: input.ConnectionDrainTimeout,
    PreserveClientIpEnabled: input.PreserveClientIpEnabled,
    ...healthCheck(input.HealthCheckConfig),
  });
}

function serverParams(servers: readonly (NlbServer | NlbServerKey)[], withSettings: boolean): RpcParams {
  const out: RpcParams = {};
  servers.forEach((s, i) => {
    const p = `Servers.${i + 1}`;
    out[`${p}.ServerId`] = s.ServerId;
    out[`${p}.ServerType`] = s.ServerType;
    out[`${p}.Port`] = s.Port;
    out[`${p}.ServerIp`] = s.ServerIp;
    if (withSettings && 'Weight' in s) out[`${p}.Weight`] = s.Weight;
    if (withSettings && 'Description' in s) out[`${p}.Description`] = s.Description;
  });
  return out;
}

export async function serverBatches(
  call: NlbCall,
  action: 'AddServersToServerGroup' | 'RemoveServersFromServerGroup' | 'UpdateServerGroupServersAttribute',
  serverGroupId: string,
  servers: readonly (NlbServer | NlbServerKey)[],
  withSettings: boolean,
): Promise<void> {
  for (const batch of chunk(servers, NLB_SERVERS_PER_CALL))
    await call.job(action, { ServerGroupId: serverGroupId, ...serverParams(batch, withSettings) });
}
