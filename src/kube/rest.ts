// A small Kubernetes REST client over node:http(s): JSON in/out, Status bodies turned into
// KubeApiError, and a streaming watch. Deliberately generic (paths + ResourceRef) so informers,
// leader election and event recording share one transport with one auth story. Authentication
// and TLS come from @kubernetes/client-node on every request (src/kube/auth.ts); plain-http
// servers (`--master=http://…`) are ours to carry, which client-node's own agents refuse.
import { TokenBucket } from '../cloud/ratelimit.js';
import { realSleep, systemClock } from '../cloud/timing.js';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { ClientNodeAuth } from './auth.js';
import { clientNodeFor, type KubeConfig } from './config.js';
import { KubeApiError, type StatusBody } from './errors.js';
import { RequestLimiter } from './limiter.js';
import { collectionPath, objectPath, type ResourceRef } from './resources.js';
import type { KubeObject, ObjectList, WatchEvent } from './types.js';

export type QueryValue = string | number | boolean | undefined;
export type Query = Record<string, QueryValue>;

export const ContentType = {
  json: 'application/json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  jsonPatch: 'application/json-patch+json',
} as const;
export type PatchType = (typeof ContentType)[Exclude<keyof typeof ContentType, 'json'>];

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Whole-request timeout; watches pass 0 (none) and rely on server timeouts + abort. */
  timeoutMs?: number;
}

export interface KubeClientOptions {
  userAgent?: string;
  timeoutMs?: number;
  /** Requests in flight at once (watches not counted: they are long-lived and few). Default 32. */
  maxInFlight?: number;
  /** Sustained requests per second, watch starts included (client-go's QPS); unset = unlimited. */
  qps?: number;
  /** Requests allowed back to back after idling (client-go's Burst). */
  burst?: number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  signal?: AbortSignal;
}

export class KubeClient {
  private readonly base: URL;
  private readonly auth: ClientNodeAuth;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly limiter: RequestLimiter;
  private readonly bucket?: TokenBucket;

  constructor(
    readonly config: KubeConfig,
    opts: KubeClientOptions = {},
  ) {
    this.base = new URL(config.server);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.userAgent = opts.userAgent ?? 'kube-alicloud';
    this.limiter = new RequestLimiter(opts.maxInFlight ?? 32);
    if (opts.qps !== undefined && opts.qps > 0)
      this.bucket = new TokenBucket({
        qps: opts.qps,
        burst: opts.burst,
        clock: systemClock,
        sleep: realSleep,
      });
    this.auth = new ClientNodeAuth(clientNodeFor(config), this.base.protocol === 'https:');
  }

  close(): void {
    this.auth.close();
  }

  /** Bounded by `maxInFlight`: a burst queues here instead of opening a socket per request. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    await this.bucket?.take();
    const text = await this.limiter.run(
      async () => {
        const res = await this.send(method, path, opts);
        const body = await readBody(res);
        if ((res.statusCode ?? 0) >= 400) throw errorFrom(res.statusCode ?? 0, body, method, path);
        return body;
      },
      opts.signal,
      () => new KubeApiError(0, 'Aborted', `${method} ${path}: aborted`),
    );
    return (text ? JSON.parse(text) : {}) as T;
  }

  // --- typed conveniences -------------------------------------------------------------------

  get<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request<T>('GET', objectPath(ref, namespace, name), { signal });
  }

  /** One page per request, following `continue` until done: a full consistent listing. */
  async list<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const query: Query = {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit ?? 500,
        continue: cont,
      };
      const list = await this.request<ObjectList<T>>('GET', collectionPath(ref, namespace), {
        query,
        signal: opts.signal,
      });
      items.push(...(list.items ?? []));
      rv = list.metadata?.resourceVersion;
      cont = list.metadata?.continue || undefined;
      if (!cont) break;
    }
    return { metadata: { resourceVersion: rv }, items };
  }

  create<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request<T>('POST', collectionPath(ref, namespace), { body: obj, signal });
  }

  /** PUT with the object's resourceVersion: 409 when someone else wrote first. */
  update<T extends KubeObject>(
    ref: ResourceRef,
    obj: T,
    subresource?: string,
    signal?: AbortSignal,
  ): Promise<T> {
    const name = obj.metadata?.name ?? '';
    return this.request<T>('PUT', objectPath(ref, obj.metadata?.namespace, name, subresource), {
      body: obj,
      signal,
    });
  }

  patch<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    subresource?: string,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request<T>('PATCH', objectPath(ref, namespace, name, subresource), {
      body: patch,
      contentType: type,
      signal,
    });
  }

  delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return this.request<unknown>('DELETE', objectPath(ref, namespace, name), { body, signal });
  }

  /**
   * Streams watch events until the server ends the stream (resolves) or the request fails
   * (rejects with KubeApiError). An in-stream `ERROR` event is delivered to `onEvent`; the
   * caller decides (410 → re-list).
   */
  async watch<T extends KubeObject>(
    path: string,
    query: Query,
    onEvent: (ev: WatchEvent<T>) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.bucket?.take();
    const res = await this.send('GET', path, { query: { ...query, watch: 'true' }, signal, timeoutMs: 0 });
    if ((res.statusCode ?? 0) >= 400)
      throw errorFrom(res.statusCode ?? 0, await readBody(res), 'WATCH', path);
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        res.destroy();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lines.on('line', (line) => {
        if (!line.trim()) return;
        let ev: WatchEvent<T>;
        try {
          ev = JSON.parse(line) as WatchEvent<T>;
        } catch {
          return; // a torn line at disconnect; the re-watch from the last RV covers it
        }
        onEvent(ev);
      });
      res.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new KubeApiError(0, 'StreamError', `watch ${path}: ${err.message}`));
      });
      lines.on('close', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<IncomingMessage> {
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const auth = await this.auth.forRequest();
    const headers: Record<string, string> = {
      ...auth.headers,
      Accept: 'application/json',
      'User-Agent': this.userAgent,
    };
    if (payload) {
      headers['Content-Type'] = opts.contentType ?? ContentType.json;
      headers['Content-Length'] = String(payload.length);
    }
    const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new KubeApiError(0, 'Aborted', `${method} ${path}: aborted`));
      const req = doRequest(url, { method, headers, agent: auth.agent, signal: opts.signal }, resolve);
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
      }
      req.on('error', (err) =>
        reject(
          new KubeApiError(
            0,
            opts.signal?.aborted ? 'Aborted' : 'ConnectionError',
            `${method} ${path}: ${err.message}`,
          ),
        ),
      );
      req.end(payload);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(new KubeApiError(0, 'StreamError', err.message)));
  });
}

function errorFrom(status: number, text: string, method: string, path: string): KubeApiError {
  let body: StatusBody | undefined;
  try {
    body = JSON.parse(text) as StatusBody;
  } catch {
    body = undefined;
  }
  const reason =
    body?.reason ??
    (status === 404 ? 'NotFound' : status === 409 ? 'Conflict' : status === 410 ? 'Expired' : 'Unknown');
  const message = body?.message ?? (text.slice(0, 200) || `HTTP ${status}`);
  return new KubeApiError(status, reason, `${method} ${path}: ${status} ${message}`, body);
}
