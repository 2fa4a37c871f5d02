// Minimal Alibaba Cloud RPC client (HMAC-SHA1 signature version 1.0, POST with all parameters in
// the query) on Node's built-in fetch. The driver bundles this instead of a full SDK so each
// short-lived driver process starts fast; it is loaded only by calls that talk to the cloud.
import { createHmac, randomBytes } from 'node:crypto';
import { CloudApiError } from './types.js';
import { redactSecrets } from '../../util/secrets.js';

export interface RpcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface RpcClientOptions {
  endpoint: string;
  version: string;
  regionId: string;
  credentials: () => Promise<RpcCredentials>;
  timeoutMs?: number;
  /** Attempts for transient failures (network errors, 5xx, throttling). */
  attempts?: number;
}

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function sign(params: Record<string, string>, secret: string, method = 'POST'): string {
  const canonical = Object.keys(params)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
  const toSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign, 'utf8').digest('base64');
}

const TRANSIENT_CODES = /^(Throttling|ServiceUnavailable|InternalError|UnknownError)/;

export class RpcClient {
  constructor(private readonly o: RpcClientOptions) {}

  async call(action: string, params: Record<string, string | undefined>): Promise<Record<string, unknown>> {
    const attempts = this.o.attempts ?? 3;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.once(action, params);
      } catch (err) {
        last = err;
        const transient = !(err instanceof CloudApiError) || err.httpStatus >= 500 || TRANSIENT_CODES.test(err.code);
        if (!transient || i === attempts - 1) break;
        await new Promise((r) => setTimeout(r, 200 * 2 ** i));
      }
    }
    throw last;
  }

  private async once(action: string, extra: Record<string, string | undefined>): Promise<Record<string, unknown>> {
    const cred = await this.o.credentials();
    const params: Record<string, string> = {
      Action: action,
      Version: this.o.version,
      Format: 'JSON',
      AccessKeyId: cred.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: randomBytes(16).toString('hex'),
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      RegionId: this.o.regionId,
    };
    if (cred.securityToken) params.SecurityToken = cred.securityToken;
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) params[k] = v;
    params.Signature = sign(params, cred.accessKeySecret);
    const url = `${this.o.endpoint.replace(/\/$/, '')}/?${new URLSearchParams(params).toString()}`;
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-kube-alicloud-caller': 'alicloud-flexvolume' }, signal: AbortSignal.timeout(this.o.timeoutMs ?? 20_000) });
    } catch (err) {
      throw new Error(redactSecrets(`${action}: request failed: ${(err as Error).message}`), { cause: err });
    }
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new CloudApiError('InvalidResponse', `${action}: HTTP ${res.status} with a non-JSON body`, res.status);
    }
    if (!res.ok || typeof body.Code === 'string') {
      const code = typeof body.Code === 'string' ? body.Code : `HTTP${res.status}`;
      const msg = typeof body.Message === 'string' ? body.Message : '';
      throw new CloudApiError(code, redactSecrets(`${action}: ${code}: ${msg}`), res.status);
    }
    return body;
  }
}
