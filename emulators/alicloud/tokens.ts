// ClientToken idempotency: the real API returns the original resource when a create is retried
// with the same token and the same parameters, and refuses a token reused for a different request.
import { ApiError } from './errors.js';
import type { Ctx } from './context.js';

const TOKEN_TTL_MS = 24 * 3600 * 1000;
const IGNORED = new Set([
  'RegionId',
  'Signature',
  'SignatureNonce',
  'Timestamp',
  'AccessKeyId',
  'SecurityToken',
  'SignatureType',
  'Format',
  'SignatureMethod',
  'SignatureVersion',
]);

function fingerprint(ctx: Ctx): string {
  return JSON.stringify(
    Object.keys(ctx.p.raw)
      .filter((k) => !IGNORED.has(k))
      .sort()
      .map((k) => [k, ctx.p.raw[k]]),
  );
}

/** The resource id an earlier identical create made with this token, if it still exists. */
export function replayed(ctx: Ctx, exists: (id: string) => boolean): string | undefined {
  const token = ctx.p.str('ClientToken');
  if (!token) return undefined;
  const key = `${ctx.product}.${ctx.action}:${token}`;
  const rec = ctx.state.clientTokens[key];
  if (!rec || rec.expiresAt < Date.now()) return undefined;
  if (rec.fingerprint !== fingerprint(ctx)) {
    throw new ApiError(
      400,
      'IdempotentParameterMismatch',
      'The request uses the same client token as a previous, but non-identical request.',
    );
  }
  return exists(rec.resourceId) ? rec.resourceId : undefined;
}

export function remember(ctx: Ctx, resourceId: string): void {
  const token = ctx.p.str('ClientToken');
  if (!token) return;
  const now = Date.now();
  for (const [k, r] of Object.entries(ctx.state.clientTokens))
    if (r.expiresAt < now) delete ctx.state.clientTokens[k];
  ctx.state.clientTokens[`${ctx.product}.${ctx.action}:${token}`] = {
    action: ctx.action,
    fingerprint: fingerprint(ctx),
    resourceId,
    expiresAt: now + TOKEN_TTL_MS,
  };
}
