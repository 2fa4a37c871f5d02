// SLB VServer groups and their backends. BackendServers travels as JSON text.
import type { RpcClient } from './client.js';
import { jsonList, tagParams, type Tag } from './params.js';
import type { BackendServer, VServerGroup, VServerGroupAttribute } from './slb-types.js';

/** The API accepts at most 20 backends per Add/Remove/Modify call. */
export const MAX_BACKENDS_PER_CALL = 20;

export class SlbVServerGroupApi {
  constructor(private readonly rpc: RpcClient) {}

  /** Returns the new group id, or undefined in dry-run mode. */
  async create(
    loadBalancerId: string,
    name: string,
    backends: readonly BackendServer[] = [],
    tags?: Tag[],
  ): Promise<string | undefined> {
    const res = await this.rpc.write<{ RequestId: string; VServerGroupId: string }>('CreateVServerGroup', {
      LoadBalancerId: loadBalancerId,
      VServerGroupName: name,
      BackendServers: jsonList(backends),
      ...tagParams(tags),
    });
    return res?.VServerGroupId;
  }

  async delete(vServerGroupId: string): Promise<void> {
    await this.rpc.write('DeleteVServerGroup', { VServerGroupId: vServerGroupId });
  }

  async describe(loadBalancerId: string, opts: { includeListener?: boolean } = {}): Promise<VServerGroup[]> {
    const res = await this.rpc.read<{ RequestId: string; VServerGroups?: { VServerGroup?: VServerGroup[] } }>(
      'DescribeVServerGroups',
      {
        LoadBalancerId: loadBalancerId,
        IncludeListener: opts.includeListener,
      },
    );
    return res.VServerGroups?.VServerGroup ?? [];
  }

  describeAttribute(vServerGroupId: string): Promise<VServerGroupAttribute> {
    return this.rpc.read<VServerGroupAttribute>('DescribeVServerGroupAttribute', {
      VServerGroupId: vServerGroupId,
    });
  }

  /** Rename and/or update weights of existing backends. */
  async setAttribute(
    vServerGroupId: string,
    attrs: { name?: string; backends?: readonly BackendServer[] },
  ): Promise<void> {
    await this.rpc.write('SetVServerGroupAttribute', {
      VServerGroupId: vServerGroupId,
      VServerGroupName: attrs.name,
      BackendServers: jsonList(attrs.backends),
    });
  }

  async addBackends(vServerGroupId: string, backends: readonly BackendServer[]): Promise<void> {
    for (let i = 0; i < backends.length; i += MAX_BACKENDS_PER_CALL) {
      await this.rpc.write('AddVServerGroupBackendServers', {
        VServerGroupId: vServerGroupId,
        BackendServers: JSON.stringify(backends.slice(i, i + MAX_BACKENDS_PER_CALL)),
      });
    }
  }

  async removeBackends(vServerGroupId: string, backends: readonly BackendServer[]): Promise<void> {
    for (let i = 0; i < backends.length; i += MAX_BACKENDS_PER_CALL) {
      await this.rpc.write('RemoveVServerGroupBackendServers', {
        VServerGroupId: vServerGroupId,
        BackendServers: JSON.stringify(backends.slice(i, i + MAX_BACKENDS_PER_CALL)),
      });
    }
  }

  /** Replace `oldBackends[i]` with `newBackends[i]` (pairwise, same length). */
  async modifyBackends(
    vServerGroupId: string,
    oldBackends: readonly BackendServer[],
    newBackends: readonly BackendServer[],
  ): Promise<void> {
    if (oldBackends.length !== newBackends.length)
      throw new Error('modifyBackends: old and new lists must have the same length');
    for (let i = 0; i < oldBackends.length; i += MAX_BACKENDS_PER_CALL) {
      await this.rpc.write('ModifyVServerGroupBackendServers', {
        VServerGroupId: vServerGroupId,
        OldBackendServers: JSON.stringify(oldBackends.slice(i, i + MAX_BACKENDS_PER_CALL)),
        NewBackendServers: JSON.stringify(newBackends.slice(i, i + MAX_BACKENDS_PER_CALL)),
      });
    }
  }
}
