// Server side of ACS3-HMAC-SHA256 (SIGNATURE.md 7.3), written independently of src/cloud so the
// emulator checks the client instead of agreeing with it. The canonical request is rebuilt from
// what arrived: the raw body bytes, the query as sent and the headers the client says it signed.
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';

const AUTH_RE = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/;
const MUST_SIGN = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

export interface Acs3Parsed {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function isAcs3(headers: IncomingHttpHeaders): boolean {
  return String(headers.authorization ?? '').startsWith('ACS3-HMAC-SHA256');
}

export function parseAcs3(headers: IncomingHttpHeaders): Acs3Parsed {
  const m = AUTH_RE.exec(String(headers.authorization ?? '').trim());
  if (!m)
    throw new ApiError(
      400,
      'IncompleteSignature',
      'The Authorization header is not a valid ACS3-HMAC-SHA256 signature.',
    );
  const signedHeaders = m[2]!.split(';');
  const unsigned = MUST_SIGN.find((h) => !signedHeaders.includes(h));
  if (unsigned) throw new ApiError(400, 'IncompleteSignature', `The header ${unsigned} must be signed.`);
  return { accessKeyId: m[1]!, signedHeaders, signature: m[3]! };
}

function enc(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
}

/** The string the client must have signed, from what arrived. */
export function acs3StringToSign(
  method: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
  body: Buffer,
): string {
  const q = [...query.entries()]
    .sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])))
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join('&');
  const names = [...signedHeaders].sort();
  const canonicalHeaders = names.map((n) => `${n}:${header(headers, n)}\n`).join('');
  const payload = createHash('sha256').update(body).digest('hex');
  const canonical = [method.toUpperCase(), '/', q, canonicalHeaders, names.join(';'), payload].join('\n');
  return `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

export function acs3Sign(stringToSign: string, secret: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

export interface Acs3Request {
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the gateway needs from its key store to verify a request. */
export interface Acs3KeyStore {
  secretFor(accessKeyId: string, securityToken: string | undefined, now: number): string;
  checkTimestamp(ts: string, skewMs: number, now: number): void;
  useNonce(accessKeyId: string, nonce: string, now: number): void;
}

export function verifyAcs3(keys: Acs3KeyStore, req: Acs3Request, skewMs: number, now = Date.now()): void {
  const parsed = parseAcs3(req.headers);
  const nonce = header(req.headers, 'x-acs-signature-nonce');
  if (nonce === '')
    throw new ApiError(400, 'MissingSignatureNonce', 'SignatureNonce is mandatory for this action.');
  keys.checkTimestamp(header(req.headers, 'x-acs-date'), skewMs, now);
  const token = header(req.headers, 'x-acs-security-token');
  const secret = keys.secretFor(parsed.accessKeyId, token === '' ? undefined : token, now);
  const sts = acs3StringToSign(req.method, req.query, req.headers, parsed.signedHeaders, req.body);
  const expected = Buffer.from(acs3Sign(sts, secret));
  const given = Buffer.from(parsed.signature);
  if (expected.length !== given.length || !expected.equals(given))
    throw new ApiError(
      400,
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${sts}`,
    );
  keys.useNonce(parsed.accessKeyId, nonce, now);
}
