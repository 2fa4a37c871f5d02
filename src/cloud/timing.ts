// Time is injected everywhere retries, rate limits and credential refresh are decided, so
// tests can drive those decisions without real waiting.

import { realClock, type Clock as TimerClock } from '../util/clock.js';

/** The cloud client only reads time; any util Clock (real or manual) will do. */
export type Clock = Pick<TimerClock, 'now'>;

export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = realClock;

export const realSleep: Sleep = (ms) =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/** Uniform [0,1) source; injectable so jitter is reproducible in tests. */
export type Random = () => number;
