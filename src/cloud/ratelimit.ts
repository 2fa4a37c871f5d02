// Client-side token bucket per product. Alibaba Cloud throttles per account and API, and a
// controller restarting into a full resync can otherwise burst hundreds of Describe calls.
// Implemented as a reservation schedule (each caller gets the next free slot and sleeps until
// it), so concurrent callers are served in order without a polling loop.
import type { Clock, Sleep } from './timing.js';

export interface RateLimiterOptions {
  /** Sustained calls per second; <= 0 or Infinity disables limiting. */
  qps: number;
  /** Calls allowed back-to-back after idling; defaults to max(1, qps). */
  burst?: number;
  clock: Clock;
  sleep: Sleep;
}

export class TokenBucket {
  private nextSlot = Number.NEGATIVE_INFINITY;
  private readonly interval: number;
  private readonly burst: number;

  constructor(private readonly opts: RateLimiterOptions) {
    this.interval = opts.qps > 0 && Number.isFinite(opts.qps) ? 1000 / opts.qps : 0;
    this.burst = Math.max(1, Math.floor(opts.burst ?? Math.max(1, opts.qps)));
  }

  /** Milliseconds the caller must wait before its call; reserves the slot immediately. */
  reserve(): number {
    if (this.interval === 0) return 0;
    const now = this.opts.clock.now();
    // An idle bucket refills to `burst` tokens: slots older than that horizon are forfeited.
    this.nextSlot = Math.max(this.nextSlot, now - (this.burst - 1) * this.interval);
    const wait = Math.max(0, this.nextSlot - now);
    this.nextSlot += this.interval;
    return wait;
  }

  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.opts.sleep(wait);
  }
}
