// Time is injected everywhere retries, rate limits and credential refresh are decided, so
// tests can drive those decisions without real waiting.

export interface Clock {
  now(): number;
}

export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = { now: () => Date.now() };

export const realSleep: Sleep = (ms) =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/** Uniform [0,1) source; injectable so jitter is reproducible in tests. */
export type Random = () => number;
