// ACS3-HMAC-SHA256, the header signature the Tea/darabonba SDKs use by default and the one the
// official CCM sends to Nlb (data/alicloud-api/SIGNATURE.md section 7.3). Written from that
// description and checked against its captured vectors (test/cloud/acs3.test.ts).
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Input {
  method: string;
  /** The Host header exactly as sent (host[:port]); it is signed. */
  host: string;
  action: string;
  version: string;
  /** Query parameters (unencoded); signed in canonical form. */
  query: Readonly<Record<string, string>>;
  /** The exact body bytes ('' when there is none). */
  body: string;
  /** Set when there is a body. */
  contentType?: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** UTC `YYYY-MM-DDThh:mm:ssZ`. */
  date: string;
  /** 32 lowercase hex characters, new per attempt. */
  nonce: string;
}

/** RFC 3986 over UTF-8: only A–Z a–z 0–9 - _ . ~ stay literal; space is %20, `*` is %2A. */
export function acs3Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Form encoding as Go's url.Values.Encode writes it (what the real client sends): keys sorted,
 * space as `+`, `*` as %2A, `~` literal. The signature covers the bytes, so they must match.
 */
export function formEncode(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort(byteOrder)
    .map((k) => `${formEscape(k)}=${formEscape(params[k] ?? '')}`)
    .join('&');
}

function formEscape(s: string): string {
  return acs3Encode(s).replace(/%20/g, '+');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function canonicalQueryString(query: Readonly<Record<string, string>>): string {
  // Names are not encoded: Nlb parameter names hold only letters, digits and dots.
  return Object.keys(query)
    .sort(byteOrder)
    .map((k) => `${k}=${acs3Encode(query[k] ?? '')}`)
    .join('&');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** `2026-12-02T10:06:31Z`: seconds precision, as the SDK sends it. */
export function acs3Date(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The signed headers (lower-case names), without Authorization. */
export function acs3Headers(input: Acs3Input): Record<string, string> {
  const h: Record<string, string> = {
    host: input.host,
    'x-acs-action': input.action,
    'x-acs-version': input.version,
    'x-acs-date': input.date,
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': sha256Hex(input.body),
    'x-acs-credentials-provider': input.securityToken ? 'static_sts' : 'static_ak',
  };
  if (input.contentType) h['content-type'] = input.contentType;
  if (input.securityToken) {
    h['x-acs-accesskey-id'] = input.accessKeyId;
    h['x-acs-security-token'] = input.securityToken;
  }
  return h;
}

export interface CanonicalParts {
  canonicalRequest: string;
  signedHeaders: string;
}

/** Canonical request over whatever headers are given (host, content-type and x-acs-* are signed). */
export function canonicalRequest(
  method: string,
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>>,
  hashedPayload: string,
): CanonicalParts {
  const signed = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .filter(([k]) => k === 'host' || k === 'content-type' || k.startsWith('x-acs-'))
    .sort((a, b) => byteOrder(a[0], b[0]));
  const canonicalHeaders = signed.map(([k, v]) => `${k}:${v}\n`).join('');
  const signedHeaders = signed.map(([k]) => k).join(';');
  return {
    canonicalRequest: [
      method.toUpperCase(),
      '/',
      canonicalQueryString(query),
      canonicalHeaders,
      signedHeaders,
      hashedPayload,
    ].join('\n'),
    signedHeaders,
  };
}

export function acs3Signature(canonical: string, secret: string): string {
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
  // Unlike the v1 signer, the key is the secret alone (no trailing `&`).
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

/** Every header the request needs, Authorization included. */
export function signAcs3(input: Acs3Input): Record<string, string> {
  const headers = acs3Headers(input);
  const { canonicalRequest: canon, signedHeaders } = canonicalRequest(
    input.method,
    input.query,
    headers,
    headers['x-acs-content-sha256']!,
  );
  const signature = acs3Signature(canon, input.accessKeySecret);
  return {
    ...headers,
    authorization: `${ACS3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`,
  };
}
