// The one way tests, chaos runs and the demo wait for something the controllers, informers or
// emulators do asynchronously. Always bounded, so a regression fails with what was awaited
// instead of hanging until mocha's timeout. chaos/ and scripts/demo/ import it from here too:
// they drive the same processes the tests do, and nothing under src/ may depend on it.
import { inspect } from 'node:util';

export interface EventuallyOptions {
  /** Checks at most this many times, `intervalMs` apart (the default bound). */
  tries?: number;
  /** Pause between checks. */
  intervalMs?: number;
  /** A wall-clock bound instead of `tries`, for waits whose checks take long themselves. */
  timeoutMs?: number;
  /** Stops waiting (throwing its reason) when aborted, e.g. the demo's Ctrl-C. */
  signal?: AbortSignal;
  /** Keeps polling when the check throws, quoting the last error on timeout; otherwise it propagates. */
  retryErrors?: boolean;
}

interface Polled<T> {
  value: T | undefined;
  done: boolean;
  checks: number;
  lastError: string;
}

async function poll<T>(
  read: () => T | Promise<T>,
  done: (v: T) => boolean,
  options: EventuallyOptions,
): Promise<Polled<T>> {
  const { tries = 200, intervalMs = 25, timeoutMs, signal, retryErrors = false } = options;
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  let value: T | undefined;
  let lastError = '';
  for (let checks = 1; ; checks++) {
    signal?.throwIfAborted();
    try {
      value = await read();
      if (done(value)) return { value, done: true, checks, lastError };
    } catch (err) {
      if (!retryErrors) throw err;
      lastError = err instanceof Error ? err.message : inspect(err);
    }
    const spent = deadline === undefined ? checks >= tries : Date.now() >= deadline;
    if (spent) return { value, done: false, checks, lastError };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Polls `check` until it returns something other than `undefined` or `false`, and returns that.
 * Throws `timed out … waiting for <what>` once the bound is spent.
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  options: EventuallyOptions = {},
): Promise<T> {
  const r = await poll(check, (v) => v !== undefined && v !== false, options);
  if (r.done) return r.value as T;
  const bound = options.timeoutMs === undefined ? `${r.checks} checks` : `${options.timeoutMs / 1000} s`;
  const last = r.lastError ? ` (last error: ${r.lastError})` : '';
  throw new Error(`timed out after ${bound} waiting for ${what}${last}`);
}

/**
 * Polls `read` until `ok` accepts its value, and returns the last value read either way: the
 * caller's own assertion then reports what the system settled on, which says more than a timeout.
 */
export async function settled<T>(
  read: () => T | Promise<T>,
  ok: (v: T) => boolean,
  options: Omit<EventuallyOptions, 'retryErrors'> = {},
): Promise<T> {
  return (await poll(read, ok, options)).value as T;
}
