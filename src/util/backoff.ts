// Per-key exponential backoff (client-go's ItemExponentialFailureRateLimiter): the n-th
// consecutive failure of a key waits base·2^(n-1), capped. Forget() resets the key on success.
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
