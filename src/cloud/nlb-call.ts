// What the NLB facade's parts share: the signed client, the job waiter, and the two call shapes
// Nlb has (a listing walked by NextToken, and a write that is done only when its job is).
import type { RpcClient, RpcParams } from './client.js';
import { NlbJobWaiter } from './nlb-jobs.js';
import { NLB_IDS_PER_CALL } from './nlb-types.js';
import { collectByToken } from './pagination.js';
import { indexed, indexedStructs, type Tag } from './params.js';
import { chunk } from '../util/chunk.js';

/** Page size for every Nlb listing (the API's maximum). */
export const NLB_PAGE_SIZE = 100;

export class NlbCall {
  constructor(
    readonly rpc: RpcClient,
    readonly jobs: NlbJobWaiter,
  ) {}

  /** An asynchronous write: resolves once its job Succeeded (or at once in dry-run). */
  async job(action: string, params: RpcParams): Promise<Record<string, unknown> | undefined> {
    const res = await this.rpc.write<Record<string, unknown>>(action, params);
    if (res === undefined) return undefined;
    await this.jobs.job(action, typeof res.JobId === 'string' ? res.JobId : '');
    return res;
  }

  /** A synchronous write. */
  async write(action: string, params: RpcParams): Promise<void> {
    await this.rpc.write(action, params);
  }

  /** Every item of a NextToken listing; `field` is the list's name in the answer. */
  list<T>(action: string, field: string, params: RpcParams): Promise<T[]> {
    return collectByToken<T>(async (token) => {
      const res = await this.rpc.read<Record<string, unknown>>(action, {
        ...params,
        MaxResults: NLB_PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      });
      const items = res[field];
      const next = typeof res.NextToken === 'string' ? res.NextToken : undefined;
      return { items: Array.isArray(items) ? (items as T[]) : [], nextToken: next };
    });
  }

  /**
   * A listing filtered by an id list, in batches the API takes (`Name.N` up to NLB_IDS_PER_CALL).
   * An empty id list means "no filter" only when `all` is true; otherwise nothing is asked.
   */
  async listByIds<T>(
    action: string,
    field: string,
    idParam: string,
    ids: readonly string[] | undefined,
    params: RpcParams,
  ): Promise<T[]> {
    if (ids === undefined) return this.list<T>(action, field, params);
    const out: T[] = [];
    for (const batch of chunk([...new Set(ids)], NLB_IDS_PER_CALL))
      out.push(...(await this.list<T>(action, field, { ...params, ...indexed(idParam, batch) })));
    return out;
  }
}

/** `Tag.N.Key`/`Tag.N.Value`. */
export function nlbTags(tags: readonly Tag[] | undefined, prefix = 'Tag'): RpcParams {
  return indexedStructs(
    prefix,
    tags?.map((t) => ({ Key: t.Key, Value: t.Value })),
  );
}

/** `Prefix.Member=value` for an object's set members; lists inside become `Prefix.Member.N`. */
export function nlbStruct(
  prefix: string,
  value: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>> | undefined,
): RpcParams {
  const out: RpcParams = {};
  for (const [k, v] of Object.entries(value ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) Object.assign(out, indexed(`${prefix}.${k}`, v as readonly string[]));
    else out[`${prefix}.${k}`] = v as string | number | boolean;
  }
  return out;
}
