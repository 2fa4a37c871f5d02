// IPv4 CIDR arithmetic for route decisions. Routes are compared by network address, so
// "10.0.1.7/24" from a careless podCIDR and "10.0.1.0/24" from the VPC must be the same key.

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseAddress(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function maskOf(prefix: number): number {
  // `>>> 0` keeps the value unsigned; prefix 0 needs its own case because `<< 32` is a no-op in JS.
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n" (IPv4 only); returns undefined for IPv6 or malformed text. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const slash = text.trim().split('/');
  if (slash.length !== 2 || !/^\d{1,2}$/.test(slash[1]!)) return undefined;
  const prefix = Number(slash[1]);
  const address = parseAddress(slash[0]!);
  if (address === undefined || prefix > 32) return undefined;
  return { base: (address & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const b = cidr.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${cidr.prefix}`;
}

/** Canonical text (network address form) or undefined when not an IPv4 CIDR. */
export function normalizeCidr(text: string): string | undefined {
  const parsed = parseCidr(text);
  return parsed ? formatCidr(parsed) : undefined;
}

/** True when `inner` lies inside `outer` (equal counts as inside). */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & maskOf(outer.prefix)) >>> 0 === outer.base;
}

export function cidrEquals(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base === b.base && a.prefix === b.prefix;
}

/** True when the two ranges share at least one address. */
export function cidrOverlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}
