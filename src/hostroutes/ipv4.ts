// IPv4 address and prefix arithmetic. Every destination and gateway that ends up in an `ip -batch`
// line passes through here first, so a malformed Node field can never become a default route
// (the original agent's worst failure) or smuggle extra tokens into a batch line.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
}

// One anchored regex instead of split + per-octet tests: this runs for every route of every
// kernel read (thousands per pass), so it is on the hot path of a single-node change.
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
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `a.b.c.d/len`. Host bits must be zero: a podCIDR with host bits set is a hand edit
 * gone wrong, and guessing the intended network would program a route nobody asked for.
 * A bare address is accepted only when `allowHost` is set (the kernel prints /32 routes that way).
 */
export function parseCidr(text: string, allowHost = false): Cidr | undefined {
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

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.network)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, addr: number): boolean {
  return (addr & maskOf(cidr.prefix)) >>> 0 === cidr.network;
}

/** Two prefixes overlap exactly when one contains the other's network address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.prefix <= b.prefix ? cidrContains(a, b.network) : cidrContains(b, a.network);
}

/** Last address of the prefix, for interval sweeps. */
export function cidrEnd(cidr: Cidr): number {
  return (cidr.network + (2 ** (32 - cidr.prefix) - 1)) >>> 0;
}
