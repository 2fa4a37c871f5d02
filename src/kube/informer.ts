// A list-then-watch cache that owns its own recovery. client-go's reflector semantics:
// a full successful list replaces the cache (diffed into add/update/delete), a watch resumes
// from the last resourceVersion, 410 Gone forces a re-list, and every other failure (apiserver
// restart, dropped connection, 5xx) re-lists after an exponential backoff. A failed list never
// empties the cache — "could not list" must not look like "everything was deleted".
import type { Logger } from '../util/log.js';
import { silentLogger } from '../util/log.js';
import { delayFor } from '../util/backoff.js';
import { realClock, sleep, type Clock } from '../util/clock.js';
import { KubeApiError, isGone } from './errors.js';
import { projectionFor } from './projection.js';
import { apiVersionOf, collectionPath, type ResourceRef } from './resources.js';
import type { KubeClient } from './rest.js';
import { IndexedStore, type IndexFunc } from './store.js';
import { keyOf, type KubeObject, type WatchEvent } from './types.js';
import { errorText } from '../util/errors.js';

export interface EventHandlers<T> {
  add?(obj: T): void;
  /** Also called on every resync with old === new (same resourceVersion). */
  update?(oldObj: T, newObj: T): void;
  /** `obj` is the last state the cache saw. */
  delete?(obj: T): void;
}

export interface InformerOptions {
  client: KubeClient;
  resource: ResourceRef;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver every cached object as an update this often (0 = never). */
  resyncMs?: number;
  clock?: Clock;
  logger?: Logger;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Server-side watch timeout; the watch is simply re-opened when it ends. */
  watchTimeoutSeconds?: number;
  /**
   * Applied to every object before it is cached. Default: the kind's projection (projection.ts),
   * which drops what no controller reads (managedFields, a Node's images, ...).
   */
  transform?: (obj: KubeObject) => void;
}

/** client-go's TransformStripManagedFields: the cache keeps everything else as served. */
export function stripManagedFields(obj: KubeObject): void {
  if (obj.metadata && 'managedFields' in obj.metadata)
    delete (obj.metadata as { managedFields?: unknown }).managedFields;
}

export interface InformerStats {
  lists: number;
  watches: number;
  relistsAfterGone: number;
  failures: number;
}

export class Informer<T extends KubeObject> {
  readonly resource: ResourceRef;
  private readonly store = new IndexedStore<T>();
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private started = false;
  private rv: string | undefined;
  private readonly transform: (obj: KubeObject) => void;
  readonly stats: InformerStats = { lists: 0, watches: 0, relistsAfterGone: 0, failures: 0 };

  constructor(private readonly opts: InformerOptions) {
    this.resource = opts.resource;
    this.clock = opts.clock ?? realClock;
    this.transform = opts.transform ?? projectionFor(opts.resource.kind);
    this.logger = (opts.logger ?? silentLogger).child({ informer: opts.resource.resource });
  }

  /** Subscribes; if the cache is already synced, current objects are replayed as adds. Returns unsubscribe. */
  addHandlers(h: EventHandlers<T>): () => void {
    this.handlers.add(h);
    if (this.synced) for (const obj of this.store.list()) this.call(() => h.add?.(obj));
    return () => this.handlers.delete(h);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (!this.store.hasIndexer(name)) this.store.addIndexer(name, fn);
  }

  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return this.store.list();
  }

  /** `list()` as a frozen array that is the same object until the cache changes (see IndexedStore). */
  snapshot(): readonly T[] {
    return this.store.snapshot();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get lastResourceVersion(): string | undefined {
    return this.rv;
  }

  /** Resolves true once synced, false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** Runs list/watch until the signal aborts. Call once. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer ${this.resource.resource} already running`);
    this.started = true;
    const resync = this.startResync(signal);
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          await this.listAndReplace(signal);
          failures = 0;
          const reason = await this.watchUntilBroken(signal);
          if (reason === 'gone') {
            this.stats.relistsAfterGone++;
            continue; // re-list at once: the server told us exactly what happened
          }
        } catch (err) {
          if (signal.aborted) break;
          failures++;
          this.stats.failures++;
          const delay = delayFor(failures, this.opts.backoffBaseMs ?? 200, this.opts.backoffMaxMs ?? 30_000);
          this.logger.warn(
            { err: describe(err), retryInMs: delay, failures },
            'list/watch failed; cache kept, re-listing after backoff',
          );
          await sleep(this.clock, delay, signal);
        }
      }
    } finally {
      resync?.cancel();
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    this.stats.lists++;
    const list = await this.opts.client.list<T>(this.resource, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      signal,
    });
    if (signal.aborted) return;
    const seen = new Set<string>();
    const apiVersion = apiVersionOf(this.resource);
    for (const obj of list.items) {
      // List items carry no kind/apiVersion on the wire; stamp them so event recorders and
      // owner references built from cached objects are complete.
      obj.apiVersion ??= apiVersion;
      obj.kind ??= this.resource.kind;
      this.transform(obj);
      const key = keyOf(obj);
      seen.add(key);
      const old = this.store.upsert(obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj, old);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.remove(key);
      if (old) this.emit('delete', old);
    }
    this.rv = list.metadata?.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Watches from the last resourceVersion, re-opening after normal server-side ends.
   * Returns 'gone' on 410 (caller re-lists); throws on any other failure (caller backs off).
   */
  private async watchUntilBroken(signal: AbortSignal): Promise<'gone' | 'stopped'> {
    const path = collectionPath(this.resource, this.opts.namespace);
    for (let round = 0; !signal.aborted; round++) {
      const ac = new AbortController();
      const onAbort = () => ac.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      let gone = false;
      let streamError: KubeApiError | undefined;
      let events = 0;
      this.stats.watches++;
      const timeout = this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 120);
      try {
        await this.opts.client.watch<T>(
          path,
          {
            resourceVersion: this.rv,
            allowWatchBookmarks: true,
            timeoutSeconds: timeout,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
          },
          (ev) => {
            if (ac.signal.aborted) return;
            events++;
            const outcome = this.applyEvent(ev);
            if (outcome === 'gone') gone = true;
            if (outcome !== 'ok') {
              if (outcome === 'error') streamError = errorFromEvent(ev);
              ac.abort();
            }
          },
          ac.signal,
        );
      } catch (err) {
        if (isGone(err)) return 'gone';
        throw err;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      if (gone) return 'gone';
      if (streamError) throw streamError;
      // A stream that ends at once with nothing in it means the server is refusing us
      // (e.g. shutting down); treat it as a failure so the loop backs off instead of spinning.
      if (events === 0 && round > 0 && !signal.aborted)
        throw new KubeApiError(0, 'EmptyWatch', 'watch ended without events twice in a row');
      if (events > 0) round = -1;
    }
    return 'stopped';
  }

  private applyEvent(ev: WatchEvent<T>): 'ok' | 'gone' | 'error' {
    const obj = ev.object;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        this.transform(obj);
        const old = this.store.upsert(obj);
        this.rv = obj.metadata?.resourceVersion ?? this.rv;
        if (old) this.emit('update', obj, old);
        else this.emit('add', obj);
        return 'ok';
      }
      case 'DELETED': {
        const old = this.store.remove(keyOf(obj));
        this.rv = obj.metadata?.resourceVersion ?? this.rv;
        this.emit('delete', obj ?? old);
        return 'ok';
      }
      case 'BOOKMARK':
        this.rv = obj.metadata?.resourceVersion ?? this.rv;
        return 'ok';
      case 'ERROR': {
        const code = (obj as unknown as { code?: number }).code;
        return code === 410 ? 'gone' : 'error';
      }
      default:
        return 'ok';
    }
  }

  private startResync(signal: AbortSignal): { cancel(): void } | undefined {
    const every = this.opts.resyncMs ?? 0;
    if (every <= 0) return undefined;
    const tick = (): void => {
      if (signal.aborted) return;
      if (this.synced) for (const obj of this.store.list()) this.emit('update', obj, obj);
      timer = this.clock.setTimer(every, tick);
    };
    let timer = this.clock.setTimer(every, tick);
    return { cancel: () => timer.cancel() };
  }

  private emit(kind: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    for (const h of this.handlers) {
      if (kind === 'add') this.call(() => h.add?.(obj));
      else if (kind === 'update') this.call(() => h.update?.(old ?? obj, obj));
      else this.call(() => h.delete?.(obj));
    }
  }

  /** A throwing handler must not break the cache for every other subscriber. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err: describe(err) }, 'event handler threw');
    }
  }
}

function errorFromEvent(ev: WatchEvent<KubeObject>): KubeApiError {
  const st = ev.object as unknown as { code?: number; reason?: string; message?: string };
  return new KubeApiError(
    st.code ?? 500,
    st.reason ?? 'WatchError',
    `watch error: ${st.message ?? 'unknown'}`,
  );
}

function describe(err: unknown): string {
  return errorText(err);
}
