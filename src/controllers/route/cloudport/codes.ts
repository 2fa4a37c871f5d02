// VPC error codes the route controller branches on, in one place. Codes differ between the
// single-entry and the batch APIs, so each meaning lists every spelling seen.

/** The entry is already gone: a delete of it has succeeded in effect. */
export function isGone(code: string | undefined): boolean {
  return (
    code !== undefined &&
    /^(VPC_ROUTER_ENTRY_NOT_EXIST|VPC_ROUTE_ENTRY_NOT_EXIST|InvalidRouteEntry\.NotFound|InvalidRouteEntryId\.NotFound)$/.test(
      code,
    )
  );
}

/** A route for this destination already exists (ours or not); re-list to find out which. */
export function isDuplicate(code: string | undefined): boolean {
  return (
    code !== undefined &&
    /^(VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE|InvalidCIDRBlock\.Duplicate|RouteEntryConflict\.Duplicated)$/.test(
      code,
    )
  );
}

/** The table holds as many custom entries as it may. */
export function isQuota(code: string | undefined): boolean {
  return code !== undefined && /quota/i.test(code);
}

/**
 * The table is busy with another change (the VPC serialises route changes per table), or the
 * entry is mid-transition. Same request, later.
 */
export function isBusy(code: string | undefined): boolean {
  return (
    code !== undefined &&
    /^(OperationConflict|TaskConflict|IncorrectStatus.*|IncorrectRouteEntryStatus|VPC_ROUTE_ENTRY_STATUS_ERROR|LastTokenProcessing|OperationFailed\.Concurrent.*)$/.test(
      code,
    )
  );
}

export function isThrottled(code: string | undefined): boolean {
  return code !== undefined && /^Throttling/.test(code);
}

/** The code of a cloud error; src/cloud's CloudError carries `.code`, others are duck-typed. */
export function codeOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
