// IPv4 address and CIDR arithmetic, the one copy for the whole product. Two parse modes because
// two callers need different answers to "10.0.1.7/24": the route controller compares routes by
// network address, so it masks host bits away (a careless podCIDR and the VPC's entry are the same
// key); hostroutes writes the text into `ip -batch` lines, so it refuses anything not already in
// network form rather than guess which network was meant.

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
}

// One anchored regex instead of split + per-octet tests: hostroutes runs this for every route of
// every kernel read (thousands per pass). Leading zeros are refused (octal in some parsers).
const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Parses a dotted-quad IPv4 address; undefined for anything else (IPv6, leading zeros, junk). */
export function parseIPv4(text: string): number | undefined {
  const m = DOTTED.exec(text);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = Number(m[2]);
  const c = Number(m[3]);
  const d = Number(m[4]);
  if (a > 255 || b > 255 || c > 255 || d > 255) return undefined;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

export function maskOf(prefix: number): number {
  // `>>> 0` keeps the value unsigned; prefix 0 needs its own case because `<< 32` is a no-op in JS.
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Strict: `a.b.c.d/len` with host bits zero, else undefined. A bare address is accepted as /32
 * only when `allowHost` is set (the kernel prints host routes that way).
 */
export function parseCidr(text: string, allowHost = false): Ipv4Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (!allowHost) return undefined;
    const addr = parseIPv4(text);
    return addr === undefined ? undefined : { network: addr, prefix: 32 };
  }
  const addr = parseIPv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (addr === undefined || !/^(3[0-2]|[12]?\d)$/.test(lenText)) return undefined;
  const prefix = Number(lenText);
  if ((addr & ~maskOf(prefix)) >>> 0 !== 0) return undefined;
  return { network: addr, prefix };
}

/** Lenient: surrounding blanks and host bits are tolerated; the result is the network it lies in. */
export function parseCidrMasked(text: string): Ipv4Cidr | undefined {
  const parts = text.trim().split('/');
  if (parts.length !== 2 || !/^\d{1,2}$/.test(parts[1]!)) return undefined;
  const prefix = Number(parts[1]);
  const address = parseIPv4(parts[0]!);
  if (address === undefined || prefix > 32) return undefined;
  return { network: (address & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIPv4(cidr.network)}/${cidr.prefix}`;
}

/** Canonical network-address text, or undefined when `text` is not an IPv4 CIDR (lenient parse). */
export function normalizeCidr(text: string): string | undefined {
  const parsed = parseCidrMasked(text);
  return parsed ? formatCidr(parsed) : undefined;
}

/** True when the address lies inside the range. */
export function cidrContainsAddress(cidr: Ipv4Cidr, addr: number): boolean {
  return (addr & maskOf(cidr.prefix)) >>> 0 === cidr.network;
}

/** True when `inner` lies inside `outer` (equal counts as inside). */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContainsAddress(outer, inner.network);
}

export function cidrEquals(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network === b.network && a.prefix === b.prefix;
}

/** Two ranges share an address exactly when one contains the other's network address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.prefix <= b.prefix ? cidrContainsAddress(a, b.network) : cidrContainsAddress(b, a.network);
}

/** Last address of the range, for interval sweeps. */
export function cidrEnd(cidr: Ipv4Cidr): number {
  return (cidr.network + (2 ** (32 - cidr.prefix) - 1)) >>> 0;
}
