// Waiting for an outcome the controllers produce asynchronously: bounded, with the last error
// in the message so a failed demo says what it was waiting for and what it saw instead.
import { eventually } from '../../test/helpers/eventually.js';

/**
 * Aborted on Ctrl-C so that whatever step is running stops at its next wait or command instead of
 * creating things while the cleanup removes them. One per process: the demo runs once.
 */
export const stopDemo = new AbortController();

/** Throws once the demo was interrupted; called before every command a step runs. */
export function checkpoint(): void {
  stopDemo.signal.throwIfAborted();
}

/** The demo's waits: abandoned on Ctrl-C, and a failing probe is retried and quoted on timeout. */
export function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  return eventually(probe, what, {
    timeoutMs,
    intervalMs: everyMs,
    signal: stopDemo.signal,
    retryErrors: true,
  });
}
