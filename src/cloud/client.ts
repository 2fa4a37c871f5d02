// The signed RPC caller for one product. Everything the product sends to Alibaba Cloud goes
// through RpcClient.read/write, which add RegionId, the caller identity and (for creates) a
// ClientToken, wait for the per-product rate limiter, sign (HMAC-SHA1 via pop-core, or ACS3 for
// Tea-style products such as Nlb), retry transient failures with jittered backoff under an
// overall deadline, and record metrics.
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import PopCore from '@alicloud/pop-core';
import type { Logger } from '../util/log.js';
import { redactValue } from '../util/secrets.js';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from '../util/backoff.js';
import { Acs3Transport } from './acs3-transport.js';
import type { CredentialProvider } from './credentials.js';
import { CloudError, isThrottlingCode, toCloudError, type ProductName } from './errors.js';
import { PRODUCTS } from './endpoints.js';
import type { CloudMetrics } from './metrics.js';
import { CLIENT_TOKEN_ACTIONS, isMutating, isUnsafeToRepeat } from './mutating.js';
import { TokenBucket } from './ratelimit.js';
import { realSleep, systemClock, type Clock, type Random, type Sleep } from './timing.js';
import { KUBE_ALICLOUD_VERSION } from './version.js';

export type ParamValue = string | number | boolean | undefined;
/** Flat wire parameters (`Tag.1.Key`, `InstanceIds` as JSON text…); undefined values are dropped. */
export type RpcParams = Record<string, ParamValue>;

export interface RpcClientOptions {
  product: ProductName;
  endpoint: string;
  region: string;
  credentials: CredentialProvider;
  metrics: CloudMetrics;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Calls per second for this product; 0 disables the limiter. */
  qps?: number;
  burst?: number;
  /**
   * Calls per second for each action on its own (the cloud throttles per API); 0 disables it.
   * Evenly spaced (no burst) so a sliding one-second window on the server never sees more.
   */
  actionQps?: number;
  /** Who is calling (e.g. `alicloud-controller-manager/node-1`); audited by the emulator. */
  callerIdentity?: string;
  dryRun?: boolean;
  /** Per-attempt socket timeout. */
  timeoutMs?: number;
  /**
   * `acs3`: sign ACS3-HMAC-SHA256 headers as the Tea SDKs do (Nlb); `inQuery` then says which
   * parameters travel in the query (the rest go in the form body). Default: pop-core's v1.
   */
  signing?: { kind: 'v1' } | { kind: 'acs3'; inQuery: (action: string, key: string) => boolean };
  clock?: Clock;
  sleep?: Sleep;
  random?: Random;
}

export interface CallOptions {
  timeoutMs?: number;
  /** Reuse a token across separate logical calls (rarely needed; one is generated per call). */
  clientToken?: string;
  retry?: Partial<RetryPolicy>;
}

/** The part of pop-core's RPCClient we use; its bundled typings omit credentialsProvider and verbose. */
interface PopCoreResponseEntry {
  response: { statusCode: number } | null;
}
interface PopCoreClient {
  request(
    action: string,
    params: Record<string, string>,
    opts: Record<string, unknown>,
  ): Promise<[Record<string, unknown>, PopCoreResponseEntry]>;
}
type PopCoreCtor = new (config: Record<string, unknown>, verbose: boolean) => PopCoreClient;

const HIDDEN_PARAMS = new Set([
  'AccessKeyId',
  'AccessKeySecret',
  'SecurityToken',
  'Signature',
  'Password',
  'KeyPairName',
]);

export function redactParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = HIDDEN_PARAMS.has(k) ? '***' : v;
  return redactValue(out);
}

function toWire(params: RpcParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : String(v);
  }
  return out;
}

export class RpcClient {
  readonly product: ProductName;
  readonly endpoint: string;
  readonly region: string;
  private readonly pop: PopCoreClient;
  private readonly agent: HttpAgent;
  private readonly limiter: TokenBucket;
  private readonly actionLimiters = new Map<string, TokenBucket>();
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: Random;
  private readonly headers: Record<string, string>;
  private readonly acs3: Acs3Transport | undefined;

  constructor(private readonly opts: RpcClientOptions) {
    this.product = opts.product;
    this.endpoint = opts.endpoint;
    this.region = opts.region;
    this.clock = opts.clock ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.policy = { ...DEFAULT_RETRY, ...stripUndefined(opts.retry ?? {}) };
    this.limiter = new TokenBucket({
      qps: opts.qps ?? 0,
      ...(opts.burst ? { burst: opts.burst } : {}),
      clock: this.clock,
      sleep: this.sleep,
    });
    // Our own keep-alive agent so close() can release sockets (pop-core's would linger).
    this.agent = opts.endpoint.startsWith('https:')
      ? new HttpsAgent({ keepAlive: true })
      : new HttpAgent({ keepAlive: true });
    const identity = opts.callerIdentity ?? 'kube-alicloud';
    const version = PRODUCTS[opts.product].version;
    this.headers = {
      'user-agent': `kube-alicloud/${KUBE_ALICLOUD_VERSION} (${identity})`,
      'x-kube-alicloud-caller': identity,
      'x-acs-version': version,
    };
    const signing = opts.signing;
    this.acs3 =
      signing?.kind === 'acs3'
        ? new Acs3Transport({
            product: opts.product,
            endpoint: opts.endpoint,
            version,
            credentials: opts.credentials,
            agent: this.agent,
            clock: this.clock,
            headers: {
              'user-agent': this.headers['user-agent']!,
              'x-kube-alicloud-caller': identity,
            },
            inQuery: signing.inQuery,
          })
        : undefined;
    const Ctor = PopCore as unknown as PopCoreCtor;
    // credentialsProvider is asked before every request, so rotated STS credentials are used
    // as soon as the provider refreshes them, without rebuilding the client.
    this.pop = new Ctor(
      { endpoint: opts.endpoint, apiVersion: version, credentialsProvider: opts.credentials },
      true,
    );
  }

  /** A call that does not change the cloud. */
  async read<T>(action: string, params: RpcParams = {}, callOpts: CallOptions = {}): Promise<T> {
    if (isMutating(action)) throw new Error(`${this.product}.${action} changes the cloud; use write()`);
    return this.call<T>(action, params, callOpts);
  }

  /** A call that changes the cloud; resolves undefined in dry-run mode, where nothing is sent. */
  async write<T>(action: string, params: RpcParams = {}, callOpts: CallOptions = {}): Promise<T | undefined> {
    if (this.opts.dryRun) {
      const wire = this.prepare(action, params, callOpts);
      this.opts.logger.info(
        { product: this.product, action, params: redactParams(wire), dryRun: true },
        'dry-run: cloud change not sent',
      );
      return undefined;
    }
    return this.call<T>(action, params, callOpts);
  }

  close(): void {
    this.agent.destroy();
  }

  private prepare(action: string, params: RpcParams, callOpts: CallOptions): Record<string, string> {
    const wire = toWire(params);
    // Tea-style products take the region from the endpoint host; most of their actions have no
    // RegionId at all, so it is sent only where a caller passes it.
    if (!this.acs3) wire.RegionId ??= this.region;
    const tokenAction = CLIENT_TOKEN_ACTIONS.has(`${this.product}.${action}`) && isMutating(action);
    if (tokenAction && wire.ClientToken === undefined) {
      // One token per logical call, reused by every retry: the API returns the first result.
      wire.ClientToken = callOpts.clientToken ?? randomUUID();
    }
    return wire;
  }

  private async call<T>(action: string, params: RpcParams, callOpts: CallOptions): Promise<T> {
    const wire = this.prepare(action, params, callOpts);
    const policy = { ...this.policy, ...stripUndefined(callOpts.retry ?? {}) };
    const labels = { product: this.product, action };
    // Time queued behind our own rate limiters is not the cloud failing: the retry deadline
    // starts when the first attempt may go, so a large burst of work is paced, not failed.
    await this.pace(action);
    const deadline = this.clock.now() + policy.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) await this.pace(action);
      const t0 = process.hrtime.bigint();
      let err: CloudError;
      try {
        const body = await this.attempt(
          action,
          wire,
          callOpts.timeoutMs ?? this.opts.timeoutMs ?? 10_000,
          deadline,
        );
        this.opts.metrics.calls.inc({ ...labels, code: 'Success' });
        this.opts.logger.debug({ ...labels, attempt, requestId: body.RequestId }, 'cloud call succeeded');
        return body as T;
      } catch (e) {
        err = toCloudError(e, this.product, action);
      } finally {
        this.opts.metrics.latency.observe(labels, Number(process.hrtime.bigint() - t0) / 1e9);
      }
      this.opts.metrics.calls.inc({ ...labels, code: err.code });
      this.opts.metrics.errors.inc({ ...labels, code: err.code });
      const delay = backoffDelay(policy, attempt, this.random, isThrottlingCode(err.code));
      const mayHaveApplied = err.httpStatus === undefined && err.code !== 'ECONNREFUSED';
      const unsafe = mayHaveApplied && isUnsafeToRepeat(this.product, action);
      if (!err.retryable || unsafe || attempt >= policy.maxAttempts || this.clock.now() + delay > deadline) {
        this.opts.logger.debug(
          { ...labels, attempt, code: err.code, requestId: err.requestId, err: err.message },
          'cloud call failed',
        );
        throw err;
      }
      this.opts.metrics.retries.inc({ ...labels, code: err.code });
      this.opts.logger.warn(
        { ...labels, attempt, code: err.code, requestId: err.requestId, delayMs: delay },
        'cloud call failed; retrying',
      );
      await this.sleep(delay);
    }
  }

  private async pace(action: string): Promise<void> {
    const qps = this.opts.actionQps ?? 0;
    if (qps > 0) {
      let bucket = this.actionLimiters.get(action);
      if (!bucket) {
        bucket = new TokenBucket({ qps, burst: 1, clock: this.clock, sleep: this.sleep });
        this.actionLimiters.set(action, bucket);
      }
      await bucket.take();
    }
    await this.limiter.take();
  }

  private async attempt(
    action: string,
    wire: Record<string, string>,
    timeoutMs: number,
    deadline: number,
  ): Promise<Record<string, unknown>> {
    const remaining = deadline - this.clock.now();
    const timeout = Math.max(1000, Math.min(timeoutMs, remaining));
    if (this.acs3) return this.acs3.send(action, wire, timeout);
    const [body, entry] = await this.pop.request(
      action,
      { ...wire },
      {
        method: 'POST',
        formatAction: false,
        formatParams: false,
        timeout,
        agent: this.agent,
        headers: { ...this.headers, 'x-acs-action': action },
      },
    );
    const status = entry.response?.statusCode ?? 200;
    // pop-core only looks at a body Code; an error status with a Code-less body is still an error.
    if (status >= 400) {
      throw new CloudError({
        code: `HTTP${status}`,
        message: `unexpected HTTP status ${status}`,
        action,
        product: this.product,
        httpStatus: status,
        retryable: status >= 500,
        ...(typeof body.RequestId === 'string' ? { requestId: body.RequestId } : {}),
      });
    }
    return body;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
