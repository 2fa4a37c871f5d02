// Errors shaped like the real RPC gateway's: an HTTP status plus a {RequestId, HostId, Code,
// Message} body. Clients branch on Code, so the codes mirror the real service's spelling.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const missingParameter = (name: string): ApiError =>
  new ApiError(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

export const invalidParameter = (name: string, detail = 'is not valid'): ApiError =>
  new ApiError(400, 'InvalidParameter', `The specified parameter "${name}" ${detail}.`);

/** Same wording as the real API ("The specified LoadBalancerId does not exist."), which clients grep for. */
export const notFound = (code: string, what: string, id?: string): ApiError =>
  new ApiError(404, code, `The specified ${what} does not exist.${id ? ` (${id})` : ''}`);

export const conflict = (code: string, message: string): ApiError => new ApiError(400, code, message);

export interface ErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

export function errorBody(err: ApiError, requestId: string, hostId: string): ErrorBody {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: err.code,
    Message: err.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}`,
  };
}
