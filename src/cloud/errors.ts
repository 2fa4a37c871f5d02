// One error type for everything that goes wrong talking to Alibaba Cloud, built once from
// whatever pop-core or the socket threw. Callers branch on `code` and `retryable`, never on
// message text, and the message is scrubbed because cloud error bodies and socket errors can
// echo request parameters (including credentials) back to us.
import { redactSecrets } from '../util/secrets.js';

export type ProductName = 'Ecs' | 'Vpc' | 'Slb' | 'Nlb';

export interface CloudErrorInit {
  code: string;
  message: string;
  action: string;
  product: ProductName;
  requestId?: string;
  httpStatus?: number;
  retryable: boolean;
  cause?: unknown;
}

export class CloudError extends Error {
  readonly code: string;
  readonly action: string;
  readonly product: ProductName;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;

  constructor(init: CloudErrorInit) {
    const where = `${init.product}.${init.action}`;
    const rid = init.requestId ? ` (RequestId ${init.requestId})` : '';
    super(redactSecrets(`${where} failed: ${init.code}: ${init.message}${rid}`));
    this.name = 'CloudError';
    this.code = init.code;
    this.action = init.action;
    this.product = init.product;
    this.requestId = init.requestId;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable;
    // The original error is kept only for its stack; its message may hold unscrubbed text.
    if (init.cause !== undefined)
      Object.defineProperty(this, 'cause', { value: init.cause, enumerable: false });
  }
}

/** Codes the service uses for "try again later"; everything else 4xx is the caller's fault. */
const RETRYABLE_CODES = new Set([
  'ServiceUnavailable',
  'InternalError',
  'UnknownError',
  'SystemBusy',
  'ServiceBusy',
  'InvalidResponse',
  // Nlb: the resource is held by a running job; it is free again when the job ends.
  'Conflict.Lock',
]);
const RETRYABLE_NET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'RequestTimeout',
]);

export function isThrottlingCode(code: string): boolean {
  return code.startsWith('Throttling') || code === 'Throttled';
}

export function isRetryableCode(code: string, httpStatus?: number): boolean {
  if (isThrottlingCode(code) || RETRYABLE_CODES.has(code) || RETRYABLE_NET.has(code)) return true;
  return httpStatus !== undefined && httpStatus >= 500;
}

interface PopCoreError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  data?: { RequestId?: unknown; Code?: unknown; Message?: unknown };
  entry?: { response?: { statusCode?: unknown } | null };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Classify what pop-core/httpx threw. Three shapes reach us: an API answer carrying `Code`
 * (pop-core attaches the parsed body and HTTP status), a socket/timeout error, or a body that
 * was not JSON at all (a proxy's HTML page), which we treat as a transient server fault.
 */
export function toCloudError(err: unknown, product: ProductName, action: string): CloudError {
  if (err instanceof CloudError) return err;
  const e = (err ?? {}) as PopCoreError;
  const status = e.entry?.response?.statusCode;
  const httpStatus = typeof status === 'number' ? status : undefined;
  const apiCode = str(e.data?.Code);
  if (apiCode) {
    return new CloudError({
      code: apiCode,
      message: str(e.data?.Message) ?? 'no message',
      action,
      product,
      requestId: str(e.data?.RequestId),
      httpStatus,
      retryable: isRetryableCode(apiCode, httpStatus),
      cause: err,
    });
  }
  const name = str(e.name) ?? '';
  const message = str(e.message) ?? String(err);
  const netCode = str(e.code);
  if (name === 'SyntaxError') {
    return new CloudError({
      code: 'InvalidResponse',
      message: 'response body is not JSON',
      action,
      product,
      retryable: true,
      cause: err,
    });
  }
  if (name.includes('RequestTimeout') || /timeout/i.test(message)) {
    return new CloudError({ code: 'RequestTimeout', message, action, product, retryable: true, cause: err });
  }
  if (netCode || /socket hang up/i.test(message)) {
    const code = netCode ?? 'ECONNRESET';
    return new CloudError({ code, message, action, product, retryable: RETRYABLE_NET.has(code), cause: err });
  }
  return new CloudError({ code: 'ClientError', message, action, product, retryable: false, cause: err });
}

/** True for the API's "no such resource" family (e.g. `InvalidLoadBalancerId.NotFound`, `InvalidDiskId.NotFound`). */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof CloudError)) return false;
  return /NotFound|NotExist|NOT_EXIST|not\.exist/i.test(err.code);
}

export function isThrottling(err: unknown): boolean {
  return err instanceof CloudError && isThrottlingCode(err.code);
}

export function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof CloudError && codes.includes(err.code);
}
