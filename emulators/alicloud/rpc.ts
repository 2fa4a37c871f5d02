// One RPC request, in the gateway's order: parse → route by Version → authenticate → action
// and parameter checks → injected faults → handler → catalog-shaped JSON. Every outcome is
// recorded in the call log. Requests signed with ACS3-HMAC-SHA256 (Tea SDKs, e.g. the CCM's Nlb
// client) name their action and version in x-acs-* headers; classic v1 ones in parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody } from './errors.js';
import { conform, PRODUCTS, type ActionSpec, type Product } from './catalog.js';
import { redactParams } from './calls.js';
import type { EmulatorCore } from './emulator.js';
import { HANDLERS } from './handlers.js';
import { ecsVpcAction } from './ecs/vpc-actions.js';
import { requestId } from './ids.js';
import { Params } from './params.js';
import { isAcs3, verifyAcs3 } from './nlb/acs3.js';

const HOSTS: Record<Product, string> = {
  Ecs: 'ecs.aliyuncs.com',
  Vpc: 'vpc.aliyuncs.com',
  Slb: 'slb.aliyuncs.com',
  Nlb: 'nlb.aliyuncs.com',
};
const READ_ONLY = /^(Describe|List|Get)/;

/** What ACS3 verification needs beyond the parsed parameters. */
export interface RawRequest {
  query: URLSearchParams;
  body: Buffer;
}

function headerText(headers: IncomingMessage['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface RpcOutcome {
  status: number;
  body: unknown;
  /** Destroy the socket instead of answering. */
  drop: boolean;
}

function productOf(core: EmulatorCore, params: Record<string, string>): Product {
  const version = params.Version;
  if (!version)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "Version" that is mandatory for processing this request is not supplied.',
    );
  const product = core.catalog.productForVersion(version);
  if (!product)
    throw new ApiError(400, 'InvalidVersion', `Specified parameter Version "${version}" is not valid.`);
  return product;
}

/** The catalog's action, or one of the VPC actions the ECS version still serves. */
function specOf(core: EmulatorCore, product: Product, action: string): ActionSpec | undefined {
  // The ECS-era VPC actions keep their own parameters and shapes (ecs/vpc-actions.ts), although
  // the refreshed catalog lists today's ECS versions of them too.
  return (product === 'Ecs' ? ecsVpcAction(action)?.spec : undefined) ?? core.catalog.action(product, action);
}

/** Reject parameters the action does not have, and map keys to the catalog's spelling. */
function canonicalParams(
  core: EmulatorCore,
  product: Product,
  action: string,
  params: Record<string, string>,
): Record<string, string> {
  const spec = specOf(core, product, action);
  if (!spec)
    throw new ApiError(
      404,
      'InvalidAction.NotFound',
      `Specified api "${action}" is not found, please check your url and method.`,
    );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (core.catalog.commonParameters.has(k)) {
      out[k] = v;
      continue;
    }
    const c = spec.canonicalKey(k);
    if (!c)
      throw new ApiError(
        400,
        'InvalidParameter',
        `The parameter "${k}" is not recognized by ${product}.${action}.`,
      );
    out[c] = v;
  }
  return out;
}

export async function handleRpc(
  core: EmulatorCore,
  method: string,
  params: Record<string, string>,
  headers: IncomingMessage['headers'],
  raw: RawRequest = { query: new URLSearchParams(), body: Buffer.alloc(0) },
): Promise<RpcOutcome> {
  const rid = requestId();
  const caller = (headers['x-kube-alicloud-caller'] as string | undefined) ?? headers['user-agent'];
  let product: Product | undefined;
  const acs3 = isAcs3(headers);
  const action = (acs3 ? headerText(headers, 'x-acs-action') : params.Action) ?? '';
  const record = (status: number, code: string) =>
    core.callLog.add({
      product: product ?? 'Unknown',
      action,
      code,
      status,
      time: new Date().toISOString(),
      requestId: rid,
      params: redactParams(params),
      ...(caller ? { caller } : {}),
    });
  try {
    const skew = core.state.config.timestampSkewMs;
    if (acs3) {
      product = productOf(core, { Version: headerText(headers, 'x-acs-version') ?? '' });
      verifyAcs3(core.credentials, { method, query: raw.query, headers, body: raw.body }, skew);
    } else {
      product = productOf(core, params);
      core.credentials.verify(method, params, skew);
    }
    if (!action)
      throw new ApiError(
        400,
        'MissingParameter',
        'The input parameter "Action" that is mandatory for processing this request is not supplied.',
      );
    const canonical = canonicalParams(core, product, action, params);
    const handler =
      HANDLERS[product][action] ?? (product === 'Ecs' ? ecsVpcAction(action)?.handler : undefined);
    if (!handler)
      throw new ApiError(
        404,
        'InvalidAction.NotFound',
        `Specified api "${action}" is not supported by the emulator.`,
      );

    const latency = core.faults.latency(product, action);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const fault = core.faults.before(product, action);
    if (fault.kind === 'drop') {
      record(0, 'ConnectionDropped');
      return { status: 0, body: undefined, drop: true };
    }
    if (fault.kind === 'throttle')
      throw new ApiError(400, 'Throttling.User', 'Request was denied due to user flow control.');
    if (fault.kind === 'error') throw new ApiError(fault.status, fault.code, fault.message);

    const result = await handler({
      state: core.state,
      p: new Params(canonical),
      product,
      action,
      region: params.RegionId || core.state.regionId,
      rt: core,
    });
    if (!READ_ONLY.test(action)) core.persist();
    const spec = specOf(core, product, action)!;
    const body = { ...(conform(result, spec.response) as Record<string, unknown>), RequestId: rid };
    if (core.faults.loseResponse(product, action)) {
      record(0, 'ResponseLost');
      return { status: 0, body: undefined, drop: true };
    }
    record(200, 'Success');
    return { status: 200, body, drop: false };
  } catch (err) {
    const e =
      err instanceof ApiError
        ? err
        : new ApiError(500, 'InternalError', 'The request processing has failed due to some unknown error.');
    if (!(err instanceof ApiError)) core.log.error({ err: String(err), action }, 'handler crashed');
    record(e.status, e.code);
    return { status: e.status, body: errorBody(e, rid, HOSTS[product ?? PRODUCTS[0]!]), drop: false };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
