// Retry schedule: exponential with full jitter (random in [0, cap]) so many controllers hit by
// the same throttling do not retry in lockstep, bounded by attempts and an overall deadline.
import type { Random } from './timing.js';

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
export function backoffDelay(policy: RetryPolicy, retry: number, random: Random, throttled = false): number {
  const base = throttled ? policy.baseDelayMs * 4 : policy.baseDelayMs;
  const cap = Math.min(policy.maxDelayMs, base * 2 ** Math.max(0, retry - 1));
  // Never zero: a floor of a tenth of the cap keeps an unlucky draw from hammering the API.
  return Math.round(cap * (0.1 + 0.9 * random()));
}
