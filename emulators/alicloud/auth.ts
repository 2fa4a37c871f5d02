// Request authentication as the RPC gateway does it: known AccessKey, valid STS token, fresh
// Timestamp, unused SignatureNonce, and an HMAC-SHA1 signature over the exact parameters. The
// key, clock and nonce checks are shared with ACS3 verification (nlb/acs3.ts).
import { ApiError } from './errors.js';
import { computeSignature, signatureMatches, stringToSign } from './signature.js';
import { registerSecret } from '../secrets.js';

interface StsCredential {
  secret: string;
  token: string;
  expiration: number;
}

const NONCE_WINDOW_MS = 15 * 60 * 1000;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

export class Credentials {
  private readonly keys = new Map<string, string>();
  private readonly sts = new Map<string, StsCredential>();
  private readonly nonces = new Map<string, number>();

  addAccessKey(id: string, secret: string): void {
    registerSecret(secret);
    this.keys.set(id, secret);
  }

  addSts(id: string, secret: string, token: string, expiration: Date): void {
    registerSecret(secret);
    registerSecret(token);
    this.sts.set(id, { secret, token, expiration: expiration.getTime() });
  }

  /** Throws the gateway's error for the first check the request fails. */
  verify(method: string, params: Record<string, string>, skewMs: number, now = Date.now()): void {
    for (const name of ['AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp'] as const) {
      if (params[name] === undefined || params[name] === '') {
        throw new ApiError(400, `Missing${name}`, `${name} is mandatory for this action.`);
      }
    }
    if ((params.SignatureMethod ?? 'HMAC-SHA1') !== 'HMAC-SHA1') {
      throw new ApiError(
        400,
        'InvalidSignatureMethod',
        `The specified signature method "${params.SignatureMethod}" is not supported.`,
      );
    }
    if ((params.SignatureVersion ?? '1.0') !== '1.0') {
      throw new ApiError(
        400,
        'InvalidSignatureVersion.NotSupport',
        `The specified signature version "${params.SignatureVersion}" is not supported.`,
      );
    }
    this.checkTimestamp(params.Timestamp!, skewMs, now);
    const id = params.AccessKeyId!;
    const secret = this.secretFor(id, params.SecurityToken, now);
    const expected = computeSignature(method, params, secret);
    if (!signatureMatches(expected, params.Signature!)) {
      throw new ApiError(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(method, params)}`,
      );
    }

    this.useNonce(id, params.SignatureNonce!, now);
  }

  /** Timestamp (v1) or x-acs-date (ACS3): well formed and within the allowed skew. */
  checkTimestamp(ts: string, skewMs: number, now: number): void {
    if (!TIMESTAMP_RE.test(ts) || !Number.isFinite(Date.parse(ts)))
      throw new ApiError(
        400,
        'InvalidTimeStamp.Format',
        `Specified time stamp or date value is not well formatted: "${ts}".`,
      );
    if (Math.abs(now - Date.parse(ts)) > skewMs)
      throw new ApiError(
        400,
        'InvalidTimeStamp.Expired',
        `Specified time stamp or date value is expired (server time ${new Date(now).toISOString()}).`,
      );
  }

  /** The signing secret of a static key, or of an STS key whose token matches and is current. */
  secretFor(id: string, token: string | undefined, now: number): string {
    let secret = this.keys.get(id);
    const sts = this.sts.get(id);
    if (secret === undefined && sts) {
      if (token === undefined || token === '')
        throw new ApiError(
          400,
          'InvalidSecurityToken.MismatchWithAccessKey',
          'The SecurityToken is missing for a temporary AccessKey.',
        );
      if (token !== sts.token)
        throw new ApiError(
          400,
          'InvalidSecurityToken.MismatchWithAccessKey',
          'The specified SecurityToken does not match the AccessKey.',
        );
      if (sts.expiration <= now)
        throw new ApiError(400, 'InvalidSecurityToken.Expired', 'The specified SecurityToken is expired.');
      secret = sts.secret;
    }
    if (secret === undefined)
      throw new ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    return secret;
  }

  /** A nonce is good once per AccessKey (replay protection). */
  useNonce(id: string, nonce: string, now: number): void {
    this.pruneNonces(now);
    const nonceKey = `${id}:${nonce}`;
    if (this.nonces.has(nonceKey))
      throw new ApiError(400, 'SignatureNonceUsed', 'The request signature nonce has been used.');
    this.nonces.set(nonceKey, now);
  }

  private pruneNonces(now: number): void {
    if (this.nonces.size < 10_000) return;
    for (const [k, t] of this.nonces) if (t < now - NONCE_WINDOW_MS) this.nonces.delete(k);
  }
}
