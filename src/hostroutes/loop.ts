// When to reconcile: after the Node cache has synced (never on an empty cache, which would read as
// "delete everything"), a few ms after a burst of Node changes, on a periodic read-back that repairs
// drift, and on a backoff after failures. At most one pass runs at a time.
import type { Logger } from '../util/log.js';
import type { NodeFacts } from './node-facts.js';
import type { NodeChanges, SyncReport } from './reconciler.js';

export interface LoopOptions {
  /** Quiet time after the last Node change before a pass; coalesces bursts into one batch. */
  readonly debounceMs: number;
  /** Periodic kernel read-back; what catches routes deleted by hand. */
  readonly resyncMs: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export interface SyncPass {
  /** `fresh: false` allows reusing the previous pass's kernel snapshot. */
  sync(nodes: readonly NodeFacts[], opts?: { fresh?: boolean }): Promise<SyncReport>;
  /** An event pass over just the changed Nodes; undefined when only `sync` can decide. */
  syncChanged?(changes: NodeChanges): Promise<SyncReport | undefined>;
}

export class SyncLoop {
  private synced = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private rerun = false;
  private debounce: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Set by the periodic timer, retries and start-up: the next pass must re-read the kernel. */
  private needFresh = true;
  private lastReport: SyncReport | undefined;
  private lastPassEnd = 0;
  private firstCleanPass = false;
  private readonly listeners: ((r: SyncReport | Error) => void)[] = [];

  constructor(
    private readonly pass: SyncPass,
    private readonly nodes: () => readonly NodeFacts[],
    private readonly options: LoopOptions,
    private readonly log: Logger,
    /** The Nodes changed since the last call (undefined: unknown, e.g. after a re-list). */
    private readonly changes?: () => NodeChanges | undefined,
  ) {}

  /** The Node cache holds a complete list: from now on the kernel may be changed. */
  markSynced(): void {
    if (this.synced || this.stopped) return;
    this.synced = true;
    this.periodic = setInterval(() => this.runSoon(0, true), this.options.resyncMs);
    this.periodic.unref();
    this.runSoon(0);
  }

  /** A relevant Node change happened. */
  trigger(): void {
    if (this.synced) this.runSoon(this.options.debounceMs);
  }

  /** Observe pass outcomes (tests, bench, readiness). */
  onPass(listener: (r: SyncReport | Error) => void): void {
    this.listeners.push(listener);
  }

  get ready(): boolean {
    return this.firstCleanPass;
  }

  get report(): SyncReport | undefined {
    return this.lastReport;
  }

  /** Alive unless passes stopped completing for several resync periods after the cache synced. */
  get healthy(): boolean {
    if (!this.synced || this.lastPassEnd === 0) return true;
    return Date.now() - this.lastPassEnd < 3 * this.options.resyncMs + 10_000;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.debounce, this.retry]) if (t) clearTimeout(t);
    if (this.periodic) clearInterval(this.periodic);
    await this.running;
  }

  private runSoon(delayMs: number, fresh = false): void {
    if (this.stopped) return;
    if (fresh) this.needFresh = true;
    if (this.running) {
      this.rerun = true;
      return;
    }
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.start();
    }, delayMs);
  }

  private start(): void {
    if (this.stopped || this.running) return;
    this.rerun = false;
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      this.lastPassEnd = Date.now();
      if (this.rerun) this.runSoon(this.options.debounceMs);
    });
  }

  private async runOnce(): Promise<void> {
    let outcome: SyncReport | Error;
    const fresh = this.needFresh;
    this.needFresh = false;
    try {
      // Taken on every pass, so a full pass also settles the changes it covers.
      const changes = this.changes?.();
      const partial =
        !fresh && changes && this.pass.syncChanged ? await this.pass.syncChanged(changes) : undefined;
      outcome = partial ?? (await this.pass.sync(this.nodes(), { fresh }));
      this.lastReport = outcome;
    } catch (err) {
      outcome = err instanceof Error ? err : new Error(String(err));
      this.log.error({ event: 'sync-failed', err: outcome.message }, 'route sync failed');
    }
    const failed = outcome instanceof Error || outcome.failed.length > 0;
    if (failed) {
      this.needFresh = true;
      this.failures += 1;
      const min = this.options.retryMinMs ?? 1000;
      const max = this.options.retryMaxMs ?? Math.max(min, this.options.resyncMs);
      const delay = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
      if (this.retry) clearTimeout(this.retry);
      this.retry = setTimeout(() => this.runSoon(0, true), delay);
      this.retry.unref();
    } else {
      this.failures = 0;
      this.firstCleanPass = true;
    }
    for (const l of this.listeners) l(outcome);
  }
}
