// Event recorder with client-go's correlation rules, so a controller that fails the same way
// every retry produces one Event with a rising count instead of thousands of objects:
//   - identical (object, type, reason, message) → PATCH count/lastTimestamp of the existing Event;
//   - more than 10 distinct messages for one (object, type, reason) within 10 minutes → they
//     are combined under one "(combined from similar events)" Event;
//   - per-object token bucket (burst 25, one token per 5 minutes) drops the rest.
// Messages pass through redactSecrets() and are truncated to the apiserver's 1 KiB limit.
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../util/log.js';
import { silentLogger } from '../util/log.js';
import { redactSecrets } from '../util/secrets.js';
import { realClock, type Clock } from '../util/clock.js';
import { isNotFound } from './errors.js';
import { microTime } from './lease.js';
import { RequestLimiter } from './limiter.js';
import { Resources } from './resources.js';
import type { KubeClient } from './rest.js';
import type { KubeObject } from './types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

/** A recorder that drops everything; for tests and dry paths. */
export const nullRecorder: EventRecorder = { event: () => {} };

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

export interface RecorderOptions {
  client: KubeClient;
  component: string;
  host?: string;
  clock?: Clock;
  logger?: Logger;
  spamBurst?: number;
  spamRefillMs?: number;
  similarThreshold?: number;
  similarWindowMs?: number;
  /** Event writes in flight at once (default 4); Events are advisory and must not crowd out reconcile writes. */
  maxConcurrentWrites?: number;
  /** Writes waiting beyond this are dropped and counted, as client-go's 1000-entry broadcaster queue does. */
  maxPendingWrites?: number;
}

const MAX_MESSAGE = 1024;

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly recorded = new LRUCache<string, Recorded>({ max: 4096 });
  private readonly similar = new LRUCache<string, { since: number; messages: Set<string> }>({ max: 4096 });
  private readonly buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 4096 });
  private readonly chains = new Map<string, Promise<void>>();
  private readonly writes: RequestLimiter;
  private pending = 0;
  /** Counters for tests/metrics. */
  readonly stats = { created: 0, patched: 0, dropped: 0, failed: 0 };

  constructor(private readonly o: RecorderOptions) {
    this.clock = o.clock ?? realClock;
    this.logger = (o.logger ?? silentLogger).child({ recorder: o.component });
    this.writes = new RequestLimiter(o.maxConcurrentWrites ?? 4);
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ref = referenceOf(obj);
    const refKey = [ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid].join('|');
    if (!this.takeToken(refKey)) {
      this.stats.dropped++;
      return;
    }
    let text = truncate(redactSecrets(message));
    const groupKey = `${refKey}|${type}|${reason}`;
    if (this.isSimilarFlood(groupKey, text)) text = '(combined from similar events): ' + text;
    const key = text.startsWith('(combined') ? `${groupKey}|*` : `${groupKey}|${text}`;
    // A burst (5000 Nodes routed in one pass) must not queue unbounded writes and their memory.
    if (this.pending >= (this.o.maxPendingWrites ?? 1000)) {
      this.stats.dropped++;
      return;
    }
    this.pending++;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.writes.run(() => this.write(key, ref, type, reason, text)))
      .catch((err: unknown) => {
        this.stats.failed++;
        this.logger.warn({ err: redactSecrets(String(err)), reason }, 'could not write event');
      });
    this.chains.set(key, next);
    void next.finally(() => {
      this.pending--;
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Resolves when every queued write finished (used at shutdown and by tests). */
  async flush(): Promise<void> {
    for (let i = 0; i < 10 && this.chains.size; i++) await Promise.allSettled([...this.chains.values()]);
  }

  private async write(
    key: string,
    ref: ObjectReference,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = microTime(this.clock.now()).replace(/\.\d+Z$/, 'Z');
    const seen = this.recorded.get(key);
    if (seen) {
      try {
        await this.o.client.patch(
          Resources.events,
          seen.namespace,
          seen.name,
          { count: seen.count + 1, lastTimestamp: now, message },
          'application/merge-patch+json',
        );
        seen.count++;
        this.stats.patched++;
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.recorded.delete(key); // the Event expired (TTL); start a new one
      }
    }
    const namespace = ref.namespace || 'default';
    const ev: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name ?? 'unknown'}.${eventSuffix(this.clock.now())}`, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.o.component, ...(this.o.host ? { host: this.o.host } : {}) },
      reportingComponent: this.o.component,
      reportingInstance: this.o.host ?? '',
    };
    const created = await this.o.client.create(Resources.events, namespace, ev);
    this.recorded.set(key, {
      name: created.metadata?.name ?? ev.metadata!.name!,
      namespace,
      count: 1,
      firstTimestamp: now,
    });
    this.stats.created++;
  }

  private takeToken(refKey: string): boolean {
    const burst = this.o.spamBurst ?? 25;
    const refill = this.o.spamRefillMs ?? 300_000;
    const now = this.clock.now();
    const b = this.buckets.get(refKey) ?? { tokens: burst, at: now };
    const earned = Math.floor((now - b.at) / refill);
    if (earned > 0) {
      b.tokens = Math.min(burst, b.tokens + earned);
      b.at += earned * refill;
    }
    if (b.tokens >= burst) b.at = now;
    if (b.tokens <= 0) {
      this.buckets.set(refKey, b);
      return false;
    }
    b.tokens--;
    this.buckets.set(refKey, b);
    return true;
  }

  private isSimilarFlood(groupKey: string, message: string): boolean {
    const threshold = this.o.similarThreshold ?? 10;
    const window = this.o.similarWindowMs ?? 600_000;
    const now = this.clock.now();
    let s = this.similar.get(groupKey);
    if (!s || now - s.since > window) {
      s = { since: now, messages: new Set() };
      this.similar.set(groupKey, s);
    }
    s.messages.add(message);
    return s.messages.size > threshold;
  }
}

export function referenceOf(obj: KubeObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
  for (const k of Object.keys(ref) as Array<keyof ObjectReference>) if (ref[k] === undefined) delete ref[k];
  return ref;
}

function truncate(s: string): string {
  return s.length <= MAX_MESSAGE ? s : s.slice(0, MAX_MESSAGE - 3) + '...';
}

let eventSeq = 0;

/**
 * client-go names events `<object>.<hex nanotime>`, unique because its clock has nanoseconds.
 * Ours has milliseconds, so events written in the same millisecond (a burst, or a manual test
 * clock) need a per-process sequence to stay distinct — a clash is a 409 and a lost Event; the
 * random part keeps two processes apart.
 */
function eventSuffix(nowMs: number): string {
  eventSeq = (eventSeq + 1) % 0x10000;
  return (
    (BigInt(nowMs) * 1_000_000n).toString(16) +
    randomBytes(2).toString('hex') +
    eventSeq.toString(16).padStart(4, '0')
  );
}
