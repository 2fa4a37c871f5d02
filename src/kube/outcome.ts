// Errors classified by what the queue should do next, and the one place that decides it
// (controllers throw; they never touch the queue's retry policy themselves).
import { inspect } from 'node:util';
import { redactSecrets } from '../util/secrets.js';

/** The input is wrong (bad annotation, unsupported spec): retrying cannot help; wait for a spec change. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    /** Which field/annotation is at fault, for the event text. */
    readonly field?: string,
  ) {
    super(redactSecrets(message));
  }
}

/** Not an error so much as "not yet" (e.g. cloud resource still provisioning): retry after a fixed delay. */
export class RetryAfterError extends Error {
  override name = 'RetryAfterError';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(redactSecrets(message));
  }
}

export type Outcome =
  | { kind: 'success' }
  | { kind: 'terminal'; error: Error }
  | { kind: 'retryAfter'; delayMs: number; error: Error }
  | { kind: 'backoff'; error: Error };

export function outcomeOf(err: unknown): Outcome {
  if (err === undefined || err === null) return { kind: 'success' };
  const error =
    err instanceof Error ? err : new Error(redactSecrets(typeof err === 'string' ? err : inspect(err)));
  if (error instanceof ValidationError) return { kind: 'terminal', error };
  if (error instanceof RetryAfterError)
    return { kind: 'retryAfter', delayMs: Math.max(0, error.delayMs), error };
  const cause = (error as { cause?: unknown }).cause;
  // Wrapped errors keep their class's meaning ("failed to X: <ValidationError>").
  if (cause instanceof ValidationError || cause instanceof RetryAfterError) {
    const inner = outcomeOf(cause);
    return inner.kind === 'success' ? { kind: 'backoff', error } : { ...inner, error };
  }
  return { kind: 'backoff', error };
}
