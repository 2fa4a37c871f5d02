// The Nlb 2022-04-30 action table. Writes honour ClientToken the way the service does: the same
// token with the same parameters answers what the first request answered (the same instance,
// the same JobId) without doing the work twice; the same token with other parameters is refused.
import { ApiError } from '../errors.js';
import type { Ctx, Handler, HandlerTable, ResponseBody } from '../context.js';
import { nlbListenerHandlers } from './listeners.js';
import { nlbLoadBalancerHandlers } from './loadbalancers.js';
import { nlbMiscHandlers } from './misc.js';
import { nlbServerGroupHandlers } from './servergroups.js';

export { emptyNlbState, DEFAULT_NLB_CONFIG, type NlbState, type NlbConfig } from './types.js';
export { settleNlb } from './jobs.js';
export { verifyAcs3, isAcs3 } from './acs3.js';

const TOKEN_TTL_MS = 24 * 3600 * 1000;
const READS = /^(Get|List|Describe)/;
const UNSIGNED = new Set([
  'ClientToken',
  'Signature',
  'SignatureNonce',
  'Timestamp',
  'AccessKeyId',
  'SecurityToken',
  'SignatureType',
  'SignatureMethod',
  'SignatureVersion',
  'Format',
  'Action',
  'Version',
]);

function fingerprint(ctx: Ctx): string {
  const keys = Object.keys(ctx.p.raw)
    .filter((k) => !UNSIGNED.has(k))
    .sort();
  return JSON.stringify(keys.map((k) => [k, ctx.p.raw[k]]));
}

function idempotent(action: string, handler: Handler): Handler {
  if (READS.test(action)) return handler;
  return async (ctx: Ctx): Promise<ResponseBody> => {
    const token = ctx.p.str('ClientToken');
    if (!token) return handler(ctx);
    const tokens = ctx.state.nlb.tokens;
    const key = `${action}:${token}`;
    const now = Date.now();
    const prev = tokens[key];
    const fp = fingerprint(ctx);
    if (prev && prev.expiresAt > now) {
      if (prev.fingerprint !== fp)
        throw new ApiError(
          400,
          'IdempotentParameterMismatch',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      const lbId = prev.body.LoadbalancerId;
      // A replayed create answers with its instance only while that instance exists.
      if (typeof lbId !== 'string' || ctx.state.nlb.loadBalancers[lbId]) return prev.body;
    }
    const body = await handler(ctx);
    for (const [k, t] of Object.entries(tokens)) if (t.expiresAt <= now) delete tokens[k];
    tokens[key] = { fingerprint: fp, body, expiresAt: now + TOKEN_TTL_MS };
    return body;
  };
}

const ALL: HandlerTable = {
  ...nlbLoadBalancerHandlers,
  ...nlbListenerHandlers,
  ...nlbServerGroupHandlers,
  ...nlbMiscHandlers,
};

export const nlbHandlers: HandlerTable = Object.fromEntries(
  Object.entries(ALL).map(([action, h]) => [action, idempotent(action, h)]),
);
