// Rate-limited work queue with client-go's guarantees: it holds keys (not objects) so a worker
// always reads the latest cached state; a key queued twice is processed once; a key is never
// handed to two workers at once — re-adding it while it is processing queues it for after done().
import type { Registry } from 'prom-client';
import { ExponentialBackoff, type BackoffOptions } from '../util/backoff.js';
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import { counter, gauge, histogram } from './metrics.js';

export interface WorkQueueOptions {
  /** Metric label; one name per controller queue. */
  name: string;
  clock?: Clock;
  backoff?: BackoffOptions;
  registry?: Registry;
}

interface QueueMetrics {
  depth(n: number): void;
  added(): void;
  retried(): void;
  waited(seconds: number): void;
  worked(seconds: number): void;
}

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly backoff: ExponentialBackoff<string>;
  private readonly metrics: QueueMetrics;
  private queue: string[] = [];
  private dirty = new Set<string>();
  private processing = new Set<string>();
  private addedAt = new Map<string, number>();
  private startedAt = new Map<string, number>();
  private delayed = new Map<string, { at: number; timer: TimerHandle }>();
  private waiters: Array<(key: string | undefined) => void> = [];
  private stopped = false;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.backoff = new ExponentialBackoff<string>(opts.backoff);
    this.metrics = opts.registry ? registryMetrics(opts.registry, opts.name) : noMetrics;
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  /** Keys waiting to be handed out (not counting ones being processed or delayed). */
  len(): number {
    return this.queue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.metrics.added();
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return; // done() re-queues it
    this.push(key);
  }

  /** Adds `key` after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.setTimer(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds after the key's next exponential backoff step. */
  addRateLimited(key: string): void {
    this.metrics.retried();
    this.addAfter(key, this.backoff.next(key));
  }

  /** The key succeeded (or failed terminally): its backoff starts over. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.backoff.retries(key);
  }

  /** Next key to process, or undefined once the queue is shut down. Call done(key) after. */
  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics.worked((this.clock.now() - started) / 1000);
    if (this.dirty.has(key) && !this.stopped) this.push(key);
  }

  /** Stops handing out keys; pending get() calls resolve undefined; delayed adds are dropped. */
  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
    this.metrics.depth(0);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queue.push(key);
      waiter(this.take());
      return;
    }
    this.queue.push(key);
    this.metrics.depth(this.queue.length);
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    const now = this.clock.now();
    this.startedAt.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.waited((now - added) / 1000);
    this.metrics.depth(this.queue.length);
    return key;
  }
}

const noMetrics: QueueMetrics = {
  depth: () => {},
  added: () => {},
  retried: () => {},
  waited: () => {},
  worked: () => {},
};

function registryMetrics(registry: Registry, name: string): QueueMetrics {
  const depth = gauge(registry, 'workqueue_depth', 'Keys waiting in the work queue.', ['name']);
  const adds = counter(registry, 'workqueue_adds_total', 'Keys added to the work queue.', ['name']);
  const retries = counter(registry, 'workqueue_retries_total', 'Rate-limited re-adds after a failure.', [
    'name',
  ]);
  const latency = histogram(
    registry,
    'workqueue_queue_duration_seconds',
    'Time a key waits in the queue before processing.',
    ['name'],
  );
  const work = histogram(registry, 'workqueue_work_duration_seconds', 'Time spent processing one key.', [
    'name',
  ]);
  depth.set({ name }, 0);
  return {
    depth: (n) => depth.set({ name }, n),
    added: () => adds.inc({ name }),
    retried: () => retries.inc({ name }),
    waited: (s) => latency.observe({ name }, s),
    worked: (s) => work.observe({ name }, s),
  };
}
