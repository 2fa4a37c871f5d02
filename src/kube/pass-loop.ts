// The "level-based pass" loop shared by the route and node controllers (and meant for the
// hostroutes agent): a pass looks at everything, so events only say "look again soon". A burst of
// events is gathered for a short window into one pass; a periodic pass repairs drift made behind
// our back; a failed or incomplete pass is retried on a doubling delay; passes never overlap; and
// no pass runs before `ready()` (an empty cache before the first list would read as "everything
// was deleted"). Imports only the clock, so a lean agent can carry it.
import { realClock, sleep, type Clock } from '../util/clock.js';

/** Why a pass runs: its first run, a change, the period elapsed, or a retry after a failed pass. */
export type PassTrigger = 'start' | 'event' | 'periodic' | 'retry';

/** 'retry' when the pass left work undone and should run again before the next period. */
export type PassResult = 'done' | 'retry';

export interface PassOutcome {
  trigger: PassTrigger;
  /** 'error' when the pass threw (then `error` holds what it threw); retried like 'retry'. */
  result: PassResult | 'error';
  error?: unknown;
  seconds: number;
}

export interface PassLoopOptions {
  /** How long to gather a burst of changes after the first one, before the pass. */
  aggregationMs: number;
  /** A pass runs at least this often, counted from the end of the previous one. */
  periodMs: number;
  /** Retry delay after a failed pass, doubling per consecutive failure up to the max. */
  retryMinMs: number;
  /** Never later than the next periodic pass anyway; capped at `periodMs`. */
  retryMaxMs: number;
  /** No pass until this is true (checked every `readyPollMs`). Default: always ready. */
  ready?: () => boolean;
  readyPollMs?: number;
  /** 'period' waits one period before the first pass (a purely periodic check). Default 'now'. */
  firstPass?: 'now' | 'period';
  clock?: Clock;
  /** Told after every pass (metrics, logs, readiness). */
  onPass?: (outcome: PassOutcome) => void;
}

export type Pass = (trigger: PassTrigger, signal: AbortSignal) => Promise<PassResult>;

export class PassLoop {
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly pass: Pass,
    private readonly o: PassLoopOptions,
  ) {
    if (
      !(o.periodMs > 0) ||
      !(o.retryMinMs > 0) ||
      !(o.retryMaxMs >= o.retryMinMs) ||
      !(o.aggregationMs >= 0)
    )
      throw new Error('pass loop: need periodMs > 0, 0 < retryMinMs <= retryMaxMs and aggregationMs >= 0');
    this.clock = o.clock ?? realClock;
  }

  /** Something relevant changed: a pass follows after the aggregation window (coalesced). */
  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** Runs passes until `signal` aborts; resolves once the pass in flight (if any) has finished. */
  async run(signal: AbortSignal): Promise<void> {
    const ready = this.o.ready ?? (() => true);
    const retryMax = Math.min(this.o.retryMaxMs, this.o.periodMs);
    let retryDelay = this.o.retryMinMs;
    let retryAt = Infinity;
    let nextPeriodic = this.clock.now() + this.o.periodMs;
    let trigger: PassTrigger = 'start';
    let due = this.o.firstPass !== 'period';

    while (!signal.aborted) {
      if ((due || this.dirty) && ready()) {
        due = false;
        this.dirty = false;
        const started = this.clock.now();
        let outcome: PassOutcome;
        try {
          outcome = { trigger, result: await this.pass(trigger, signal), seconds: 0 };
        } catch (error) {
          if (signal.aborted) break;
          outcome = { trigger, result: 'error', error, seconds: 0 };
        }
        outcome.seconds = (this.clock.now() - started) / 1000;
        if (outcome.result === 'done') {
          retryDelay = this.o.retryMinMs;
          retryAt = Infinity;
        } else {
          retryAt = this.clock.now() + retryDelay;
          retryDelay = Math.min(retryDelay * 2, retryMax);
        }
        nextPeriodic = this.clock.now() + this.o.periodMs;
        this.o.onPass?.(outcome);
      }
      // Not ready yet: look again shortly rather than spinning on the flag.
      const poll = ready() ? Infinity : this.clock.now() + (this.o.readyPollMs ?? 100);
      const until = Math.min(retryAt, nextPeriodic, poll);
      const woke = await this.waitForWork(Math.max(0, until - this.clock.now()), ready, signal);
      if (signal.aborted) break;
      if (woke === 'event') {
        trigger = 'event';
        // Let the rest of a burst (1000 Nodes joining) arrive before the pass.
        if (this.o.aggregationMs > 0) await sleep(this.clock, this.o.aggregationMs, signal);
        continue;
      }
      const now = this.clock.now();
      if (now >= retryAt) trigger = 'retry';
      else if (now >= nextPeriodic) trigger = 'periodic';
      else continue; // the readiness poll: nothing is due yet
      due = true;
    }
  }

  private waitForWork(ms: number, ready: () => boolean, signal: AbortSignal): Promise<'event' | 'timer'> {
    // Aborted while the pass ran: the abort event has fired already and would never wake us.
    if (signal.aborted) return Promise.resolve('timer');
    // A change that arrived during the pass: gather and run again (once the cache allows).
    if (this.dirty && ready()) return Promise.resolve('event');
    return new Promise((resolve) => {
      const done = (why: 'event' | 'timer') => {
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(why);
      };
      const onAbort = () => done('timer');
      const timer = this.clock.setTimer(Math.min(ms, 2 ** 31 - 1), () => done('timer'));
      this.wake = () => done('event');
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
