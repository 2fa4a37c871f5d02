// One error type for everything the apiserver (or the path to it) says, so callers branch on
// status/reason instead of parsing messages.
import { redactSecrets } from '../util/secrets.js';

export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    retryAfterSeconds?: number;
    causes?: Array<{ field?: string; message?: string; reason?: string }>;
  };
}

export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    /** HTTP status; 0 when the request never got an answer (connection refused, reset, timeout). */
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly body?: StatusBody,
  ) {
    super(redactSecrets(message));
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason !== 'AlreadyExists';
}
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
}
export function isGone(err: unknown): boolean {
  return (
    err instanceof KubeApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone')
  );
}
export function isInvalid(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 422;
}
