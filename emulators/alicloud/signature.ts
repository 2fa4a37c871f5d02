// Alibaba Cloud RPC signature (HMAC-SHA1, "SignatureVersion 1.0"). The emulator must reproduce
// the real service's string-to-sign byte for byte, so that any correct client (ours, pop-core,
// the Go SDK) is accepted and any tampering is rejected.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding over UTF-8 bytes: only A–Z a–z 0–9 - _ . ~ stay literal. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Canonical query: every parameter except Signature, sorted by name in byte order. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

export function stringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

export function computeSignature(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** Constant-time comparison so response timing does not leak how much of a signature matched. */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
