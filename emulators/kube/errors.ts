// Errors carry the apiserver's `Status` body so the HTTP layer can send exactly what client-go
// and client-node expect (reason/code/details drive their retry and IsNotFound/IsConflict logic).

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): StatusBody {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** "services" in group "" → `services`; "leases" in coordination.k8s.io → `leases.coordination.k8s.io` */
function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const notFound = (group: string, resource: string, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(group, resource)} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });

export const alreadyExists = (group: string, resource: string, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(group, resource)} "${name}" already exists`, {
    name,
    group,
    kind: resource,
  });

export const conflict = (group: string, resource: string, name: string, why: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`,
    {
      name,
      group,
      kind: resource,
    },
  );

export const invalid = (group: string, kind: string, name: string, causes: StatusCause[]): ApiError =>
  new ApiError(
    422,
    'Invalid',
    `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes.map((c) => `${c.field ? c.field + ': ' : ''}${c.message}`).join(', ')}`,
    { name, group, kind, causes },
  );

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message);

export const methodNotAllowed = (message: string): ApiError => new ApiError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (type: string): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got ${type}`,
  );

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(
    500,
    'InternalError',
    `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
  );
}
