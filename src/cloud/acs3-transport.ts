// One ACS3-signed attempt (Tea-style products such as Nlb): parameters split between query and
// form body as the real SDK places them, headers signed over the exact bytes, JSON answer or a
// CloudError built from the error body the Tea client reads (SIGNATURE.md 7.2, 7.6).
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { acs3Date, formEncode, newNonce, signAcs3 } from './acs3.js';
import type { CredentialProvider } from './credentials.js';
import { CloudError, isRetryableCode, type ProductName } from './errors.js';
import type { Clock } from './timing.js';

export interface Acs3TransportOptions {
  product: ProductName;
  endpoint: string;
  version: string;
  credentials: CredentialProvider;
  agent: HttpAgent;
  clock: Clock;
  /** Unsigned extra headers (user-agent, caller identity). */
  headers: Record<string, string>;
  /** True when the SDK sends this parameter in the query rather than the form body. */
  inQuery: (action: string, key: string) => boolean;
}

interface RawAnswer {
  status: number;
  text: string;
}

export class Acs3Transport {
  private readonly url: URL;

  constructor(private readonly opts: Acs3TransportOptions) {
    this.url = new URL(opts.endpoint.endsWith('/') ? opts.endpoint : `${opts.endpoint}/`);
  }

  async send(
    action: string,
    wire: Record<string, string>,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    const query: Record<string, string> = {};
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(wire)) (this.opts.inQuery(action, k) ? query : form)[k] = v;
    const body = Object.keys(form).length > 0 ? formEncode(form) : '';
    const creds = await this.opts.credentials.getCredentials();
    const signed = signAcs3({
      method: 'POST',
      host: this.url.host,
      action,
      version: this.opts.version,
      query,
      body,
      ...(body ? { contentType: 'application/x-www-form-urlencoded' } : {}),
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.accessKeySecret,
      ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
      date: acs3Date(this.opts.clock.now()),
      nonce: newNonce(),
    });
    const qs = formEncode(query);
    const path = `${this.url.pathname}${qs ? `?${qs}` : ''}`;
    const answer = await this.post(
      path,
      { ...this.opts.headers, accept: 'application/json', ...signed },
      body,
      timeoutMs,
    );
    return this.decode(action, answer);
  }

  private decode(action: string, answer: RawAnswer): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch (err) {
      // A proxy's HTML page or a torn answer: transient, like pop-core's SyntaxError case.
      throw new CloudError({
        code: answer.status >= 400 ? `HTTP${answer.status}` : 'InvalidResponse',
        message: 'response body is not JSON',
        action,
        product: this.opts.product,
        httpStatus: answer.status,
        retryable: true,
        cause: err,
      });
    }
    const body = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    if (answer.status < 400) return body;
    const pick = (a: string, b: string): string | undefined => {
      const v = body[a] ?? body[b];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const code = pick('Code', 'code') ?? `HTTP${answer.status}`;
    const requestId = pick('RequestId', 'requestId');
    throw new CloudError({
      code,
      message: pick('Message', 'message') ?? `HTTP status ${answer.status}`,
      action,
      product: this.opts.product,
      httpStatus: answer.status,
      retryable: isRetryableCode(code, answer.status),
      ...(requestId ? { requestId } : {}),
    });
  }

  private post(
    path: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<RawAnswer> {
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path,
          agent: this.opts.agent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      // The same name pop-core's timeout carries, so toCloudError classifies both alike.
      req.setTimeout(timeoutMs, () => {
        const err = new Error(`request timeout after ${timeoutMs} ms`);
        err.name = 'RequestTimeoutError';
        req.destroy(err);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
