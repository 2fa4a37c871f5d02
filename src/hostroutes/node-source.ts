// Node facts kept current by a list/watch of its own: the agent needs three fields per Node, so
// each Node is reduced to them as soon as it is parsed and nothing else is kept (a full Node,
// with its images and conditions, is kilobytes; thousands of them were most of the agent's heap).
// The list is paged; the watch asks for bookmarks so a reconnect resumes where it left off;
// 410 Gone (the apiserver forgot that point) means re-list. Only changes that alter a Node's
// facts reach the loop, so the status heartbeats every kubelet sends cause no `ip` invocation.
import type { Logger } from '../util/log.js';
import type { KubeEndpoint } from './kube-endpoint.js';
import { getJson, getLines, KubeGetError } from './kube-get.js';
import { factsKey, nodeFacts, type NodeFacts, type NodeObject } from './node-facts.js';
import type { NodeChanges } from './reconciler.js';

export interface NodeSourceOptions {
  readonly endpoint: KubeEndpoint;
  readonly log: Logger;
  /** Called after a relevant change; the loop decides when to act. */
  readonly onChange: () => void;
  /** A list or watch request failed (the source retries by itself). */
  readonly onError?: (err: Error) => void;
  /** Nodes per list page; bounds the memory a re-list needs on top of the facts. */
  readonly pageSize?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

interface Entry {
  readonly facts: NodeFacts;
  readonly key: string;
}

interface WatchEvent {
  type?: string;
  object?: NodeObject & { code?: number; message?: string };
}

class Gone extends Error {}

const NODES = '/api/v1/nodes';

export class NodeSource {
  private facts = new Map<string, Entry>();
  private synced = false;
  private readonly syncWaiters = new Set<() => void>();
  /** Nodes whose facts changed since the last takeChanges(); `all` after a (re-)list. */
  private pending = new Set<string>();
  private pendingAll = true;

  constructor(private readonly options: NodeSourceOptions) {}

  list(): NodeFacts[] {
    return [...this.facts.values()].map((e) => e.facts);
  }

  /**
   * The Nodes changed since the previous call, for a pass that handles just those; undefined
   * when a list replaced everything since (then only a pass over `list()` is complete).
   */
  takeChanges(): NodeChanges | undefined {
    const names = this.pending;
    const all = this.pendingAll;
    this.pending = new Set();
    this.pendingAll = false;
    if (all) return undefined;
    return { names, get: (name) => this.facts.get(name)?.facts };
  }

  /** Runs until the signal aborts; failures are retried with backoff, never thrown. */
  async run(signal: AbortSignal): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        resourceVersion ??= await this.relist(signal);
        resourceVersion = await this.watch(resourceVersion, signal);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof Gone || (err instanceof KubeGetError && err.code === 410)) {
          resourceVersion = undefined;
          continue;
        }
        failures += 1;
        const error = err instanceof Error ? err : new Error(String(err));
        this.options.onError?.(error);
        this.options.log.warn(
          { event: 'nodes-retry', err: error.message, failures },
          'node list/watch failed',
        );
        const min = this.options.retryMinMs ?? 500;
        const max = this.options.retryMaxMs ?? 30_000;
        await sleep(Math.min(max, min * 2 ** Math.min(failures - 1, 10)), signal);
      }
    }
    for (const w of this.syncWaiters) w();
  }

  /** Resolves true once a complete list has been seen, false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        this.syncWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(this.synced);
      };
      this.syncWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** A full, paged list; replaces the facts and returns the list's resourceVersion. */
  private async relist(signal: AbortSignal): Promise<string> {
    const next = new Map<string, Entry>();
    const limit = this.options.pageSize ?? 500;
    let token: string | undefined;
    let resourceVersion: string;
    do {
      const query = `?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const page = (await getJson(this.options.endpoint, NODES + query, signal)) as {
        metadata?: { resourceVersion?: string; continue?: string };
        items?: NodeObject[];
      };
      for (const node of page.items ?? []) {
        const facts = nodeFacts(node);
        if (facts) next.set(facts.name, { facts, key: factsKey(facts) });
      }
      resourceVersion = page.metadata?.resourceVersion ?? '';
      token = page.metadata?.continue || undefined;
    } while (token);
    let changed = next.size !== this.facts.size;
    for (const [name, entry] of next) {
      const old = this.facts.get(name);
      // Keeping the old object for unchanged facts lets the reconciler settle them by identity.
      if (old?.key === entry.key) next.set(name, old);
      else changed = true;
    }
    this.facts = next;
    this.pendingAll = true;
    this.pending.clear();
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w();
    }
    if (changed) this.options.onChange();
    return resourceVersion;
  }

  /** Applies watch events until the server ends the stream; returns the last resourceVersion. */
  private async watch(from: string, signal: AbortSignal): Promise<string> {
    let resourceVersion = from;
    // Spread reconnects of thousands of agents: a random 5–10 minute server-side timeout.
    const timeout = 300 + Math.floor(Math.random() * 300);
    const path = `${NODES}?watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(from)}&timeoutSeconds=${timeout}`;
    await getLines(this.options.endpoint, path, signal, (value) => {
      const event = value as WatchEvent;
      const object = event.object;
      if (event.type === 'ERROR') {
        if (object?.code === 410) throw new Gone(object.message ?? 'Gone');
        throw new KubeGetError(object?.code ?? 0, `watch: ${object?.message ?? 'error event'}`);
      }
      const rv = object?.metadata?.resourceVersion;
      if (rv) resourceVersion = rv;
      if (!object || event.type === 'BOOKMARK') return;
      if (event.type === 'DELETED') this.remove(object);
      else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.upsert(object);
    });
    return resourceVersion;
  }

  private upsert(node: NodeObject): void {
    const facts = nodeFacts(node);
    if (!facts) return;
    const key = factsKey(facts);
    if (this.facts.get(facts.name)?.key === key) return;
    this.facts.set(facts.name, { facts, key });
    this.pending.add(facts.name);
    this.options.onChange();
  }

  private remove(node: NodeObject): void {
    const name = node.metadata?.name;
    if (name && this.facts.delete(name)) {
      this.pending.add(name);
      this.options.onChange();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
