// Exponential backoff, the one schedule for the product: the n-th consecutive failure waits
// base·2^(n-1), capped. Two users: the work queue's per-key backoff (client-go's
// ItemExponentialFailureRateLimiter, Forget() resets a key on success), and the cloud client's
// retries, which draw a random delay under that cap (full jitter) so many controllers hit by the
// same throttling do not retry in lockstep.
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

export class ExponentialBackoff<K = string> {
  readonly baseMs: number;
  readonly maxMs: number;
  private failures = new Map<K, number>();

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 5;
    this.maxMs = opts.maxMs ?? 300_000;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs))
      throw new Error('backoff: need 0 < baseMs <= maxMs');
  }

  /** Records one more failure and returns how long to wait before the retry. */
  next(key: K): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return delayFor(n, this.baseMs, this.maxMs);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}

export function delayFor(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  // 2^exp overflows to Infinity long before it matters; clamp the exponent first.
  const exp = Math.min(failures - 1, 62);
  return Math.min(maxMs, baseMs * 2 ** exp);
}

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Give up when the next attempt would start later than this after the first. */
  deadlineMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  deadlineMs: 60_000,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
};

/** Delay before retry number `retry` (1 = first retry). Throttling starts from a larger base. */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  throttled = false,
): number {
  const base = throttled ? policy.baseDelayMs * 4 : policy.baseDelayMs;
  const cap = delayFor(Math.max(1, retry), base, policy.maxDelayMs);
  // Never zero: a floor of a tenth of the cap keeps an unlucky draw from hammering the API.
  return Math.round(cap * (0.1 + 0.9 * random()));
}
