// Write helpers that never clobber someone else's change: status via merge patch on the status
// subresource, finalizers via JSON patch guarded by a resourceVersion test (retried on a fresh
// read), and "modifier" updates re-applied to a fresh read inside conflict retry.
import { realClock, sleep, type Clock } from '../util/clock.js';
import { isConflict, isInvalid, isNotFound } from './errors.js';
import type { ResourceRef } from './resources.js';
import { ContentType, type KubeClient } from './rest.js';
import type { KubeObject } from './types.js';

export interface RetryOptions {
  steps?: number;
  delayMs?: number;
  clock?: Clock;
  /** Which errors are worth another attempt; default: 409 Conflict. */
  retriable?: (err: unknown) => boolean;
}

/** client-go's retry.RetryOnConflict: up to `steps` attempts, short jittered pauses between. */
export async function retryOnConflict<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const steps = opts.steps ?? 5;
  const retriable = opts.retriable ?? isConflict;
  const clock = opts.clock ?? realClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= steps || !retriable(err)) throw err;
      await sleep(clock, (opts.delayMs ?? 10) * (1 + Math.random() * 0.1));
    }
  }
}

/** Merge-patches `.status` (only the given fields) through the status subresource. */
export function patchStatus<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  status: unknown,
): Promise<T> {
  return client.patch<T>(ref, namespace, name, { status }, ContentType.merge, 'status');
}

/** A failed `test` op comes back as 422 (as from kube-apiserver): treat it like a conflict. */
const staleWrite = (err: unknown): boolean => isConflict(err) || isInvalid(err);

type JsonPatchOp = { op: string; path: string; value?: unknown };

/**
 * JSON-patches `obj` with the ops `opsFor` computes from it (undefined = nothing to do). The ops
 * carry their own `test`s; when one fails or the write conflicts, the object is re-read and the
 * ops recomputed from the fresh copy.
 */
async function patchFromFreshRead<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  obj: T,
  opsFor: (current: T) => JsonPatchOp[] | undefined,
): Promise<T> {
  let current: T = obj;
  return retryOnConflict(
    async () => {
      const ops = opsFor(current);
      if (!ops) return current;
      const namespace = current.metadata?.namespace;
      const name = current.metadata?.name ?? '';
      try {
        return await client.patch<T>(ref, namespace, name, ops, ContentType.jsonPatch);
      } catch (err) {
        if (staleWrite(err)) current = await client.get<T>(ref, namespace, name);
        throw err;
      }
    },
    { retriable: staleWrite },
  );
}

/**
 * Adds `finalizer` unless present. `obj` is the caller's (possibly cached) copy; on a stale
 * resourceVersion the object is re-read and the patch recomputed. Returns the updated object.
 */
export function addFinalizer<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  obj: T,
  finalizer: string,
): Promise<T> {
  return patchFromFreshRead(client, ref, obj, (current) => {
    const list = current.metadata?.finalizers ?? [];
    if (list.includes(finalizer)) return undefined;
    return [
      { op: 'test', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
      list.length
        ? { op: 'add', path: '/metadata/finalizers/-', value: finalizer }
        : { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  });
}

/** Removes `finalizer` if present; a missing object counts as done (returns undefined). */
export async function removeFinalizer<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  obj: T,
  finalizer: string,
): Promise<T | undefined> {
  try {
    return await patchFromFreshRead(client, ref, obj, (current) => {
      const i = (current.metadata?.finalizers ?? []).indexOf(finalizer);
      if (i < 0) return undefined;
      return [
        { op: 'test', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
        { op: 'test', path: `/metadata/finalizers/${i}`, value: finalizer },
        { op: 'remove', path: `/metadata/finalizers/${i}` },
      ];
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Mutates the object in place and reports whether anything changed. */
export type Modifier<T> = (obj: T) => boolean;

/**
 * Reads a fresh copy, applies every modifier, and PUTs it (optionally to a subresource) only
 * when something changed — all inside conflict retry, so the modifiers see the latest state.
 */
export async function applyModifiers<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  modifiers: ReadonlyArray<Modifier<T>>,
  subresource?: 'status',
): Promise<{ object: T; changed: boolean }> {
  return retryOnConflict(async () => {
    const fresh = await client.get<T>(ref, namespace, name);
    let changed = false;
    for (const m of modifiers) changed = m(fresh) || changed;
    if (!changed) return { object: fresh, changed };
    return { object: await client.update<T>(ref, fresh, subresource), changed };
  });
}
