// Adaptive polling: most disk transitions finish within a second, so the first checks come fast
// and the interval then grows, which keeps both latency and API calls low. Every wait is bounded.

export interface PollOptions {
  timeoutMs: number;
  firstMs?: number;
  maxMs?: number;
  factor?: number;
  /** After this much time the cap rises to slowMaxMs: a transition that slow is not ending soon. */
  slowAfterMs?: number;
  slowMaxMs?: number;
}

/** Intervals 100, 150, 225 … capped at maxMs. */
export function* intervals(o: Omit<PollOptions, 'timeoutMs'> = {}): Generator<number, never> {
  let next = o.firstMs ?? 100;
  const max = o.maxMs ?? 2000;
  const factor = o.factor ?? 1.5;
  for (;;) {
    yield Math.min(next, max);
    next = Math.min(next * factor, max);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `check` until it returns a value other than undefined or the deadline passes; returns
 * undefined on timeout. `check` runs at least once and once more at the deadline.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  o: PollOptions,
): Promise<T | undefined> {
  const start = Date.now();
  const deadline = start + o.timeoutMs;
  const gen = intervals(o);
  const slow =
    o.slowAfterMs !== undefined
      ? intervals({ firstMs: o.maxMs ?? 2000, maxMs: o.slowMaxMs ?? 2000, factor: o.factor ?? 1.5 })
      : undefined;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    const now = Date.now();
    const left = deadline - now;
    if (left <= 0) return undefined;
    const step = slow && now - start >= o.slowAfterMs! ? slow.next().value : gen.next().value;
    await sleep(Math.min(step, left));
  }
}
