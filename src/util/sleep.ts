// A timer that an AbortSignal can cut short, so shutdown never waits out a poll interval. The
// rejecting form suits loops that should unwind on abort; `sleep` in clock.ts is the same timer
// resolving false instead.
import { realClock, sleep, type Clock } from './clock.js';

export function abortableSleep(ms: number, signal?: AbortSignal, clock: Clock = realClock): Promise<void> {
  return sleep(clock, ms, signal).then((elapsed) => {
    if (!elapsed) throw signal?.reason ?? new Error('aborted');
  });
}
