// Streaming watches: replay from the watch cache (or synthetic ADDED for "" / "0"), then live
// changes filtered by namespace and selectors, with bookmarks, timeouts and 410 as an in-stream
// ERROR event — the way the real apiserver behaves, which client-go and client-node depend on.
import type { ServerResponse } from 'node:http';
import { gone } from '../errors.js';
import { toView } from '../meta.js';
import type { Registry } from '../registry.js';
import { resourceKey, storageKey, type ResourceDef } from '../resources.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import type { Change } from '../store.js';
import type { KubeObject, WatchEventType } from '../types.js';
import { toTable, type IncludeObject } from './table.js';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  table?: IncludeObject;
  /** Answer with 410 regardless of resourceVersion (the forceGone fault). */
  forceGone: boolean;
}

export interface WatchOptions {
  bookmarkIntervalMs: number;
  /** A watcher this far behind (bytes buffered) is cut off rather than buffered without bound. */
  maxBufferedBytes: number;
}

/** Open watches, so the dropWatches fault and shutdown can end them. */
export class WatchHub {
  private readonly open = new Set<() => void>();

  add(stop: () => void): () => void {
    this.open.add(stop);
    return () => this.open.delete(stop);
  }

  dropAll(): void {
    for (const stop of [...this.open]) stop();
  }

  get count(): number {
    return this.open.size;
  }
}

export function serveWatch(
  reg: Registry,
  hub: WatchHub,
  req: WatchRequest,
  res: ServerResponse,
  opts: WatchOptions,
): void {
  const { def } = req;
  const labels = parseLabelSelector(req.labelSelector);
  const fields = parseFieldSelector(req.fieldSelector);
  const ns = def.namespaced ? req.namespace : undefined;
  const matches = (o: KubeObject | undefined): boolean =>
    !!o && (!ns || o.metadata.namespace === ns) && labels(toView(def, o)) && fields(toView(def, o));
  const viewKey = resourceKey(def);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  const write = (line: string): void => {
    if (res.writableEnded || res.destroyed) return;
    res.write(line);
    if (res.writableLength > opts.maxBufferedBytes) stop();
  };
  const eventLine = (type: WatchEventType, object: unknown): string =>
    JSON.stringify({ type, object }) + '\n';
  const send = (type: WatchEventType, o: KubeObject, change?: Change): void => {
    const view = toView(def, o);
    if (req.table) {
      write(eventLine(type, toTable(def, [view], {}, req.table)));
      return;
    }
    if (!change) {
      write(eventLine(type, view));
      return;
    }
    change.lines ??= new Map();
    const k = `${viewKey}|${type}`;
    let line = change.lines.get(k);
    if (line === undefined) {
      line = eventLine(type, view);
      change.lines.set(k, line);
    }
    write(line);
  };
  const deliver = (c: Change): void => {
    const now = matches(c.object);
    const before = c.type !== 'ADDED' && matches(c.prev);
    if (c.type === 'DELETED') {
      if (before || now) send('DELETED', c.object, c);
    } else if (now && (before || c.type === 'ADDED')) send(c.type, c.object, c);
    else if (now) send('ADDED', c.object, c);
    else if (before) send('DELETED', c.object, c);
  };

  let lastRv = reg.store.resourceVersion;
  let timeout: NodeJS.Timeout | undefined;
  let bookmark: NodeJS.Timeout | undefined;
  let unsubscribe = (): void => {};
  let unregister = (): void => {};
  let stopped = false;
  function stop(): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    unregister();
    clearTimeout(timeout);
    clearTimeout(bookmark);
    if (!res.writableEnded) res.end();
  }
  res.on('close', stop);

  const rvParam = req.resourceVersion ?? '';
  const fail410 = (rv: string): void => {
    const status = gone(`too old resource version: ${rv} (${reg.store.resourceVersion})`).toStatus();
    write(eventLine('ERROR', { ...status, reason: 'Expired' }));
    stop();
  };
  if (req.forceGone) return fail410(rvParam || '0');

  if (rvParam === '' || rvParam === '0') {
    const { items } = reg.list(def, ns, {
      labelSelector: req.labelSelector,
      fieldSelector: req.fieldSelector,
    });
    for (const o of items) send('ADDED', o);
  } else {
    const from = Number(rvParam);
    if (!Number.isInteger(from) || from < 0) {
      write(
        eventLine('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `invalid resource version: ${rvParam}`,
          reason: 'BadRequest',
          code: 400,
        }),
      );
      stop();
      return;
    }
    const changes = reg.store.changesSince(storageKey(def), from);
    if (!changes) return fail410(rvParam);
    for (const c of changes) deliver(c);
  }
  unsubscribe = reg.store.subscribe(storageKey(def), (c) => {
    lastRv = c.rv;
    deliver(c);
  });
  unregister = hub.add(stop);
  if (req.allowBookmarks) {
    const tick = (): void => {
      if (stopped) return;
      lastRv = Math.max(lastRv, reg.store.resourceVersion);
      write(
        eventLine('BOOKMARK', {
          kind: def.kind,
          apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
          metadata: { resourceVersion: String(lastRv) },
        }),
      );
      bookmark = setTimeout(tick, opts.bookmarkIntervalMs).unref();
    };
    bookmark = setTimeout(tick, opts.bookmarkIntervalMs).unref();
  }
  if (req.timeoutSeconds && req.timeoutSeconds > 0)
    timeout = setTimeout(stop, req.timeoutSeconds * 1000).unref();
}
