// Resource ids and addresses. Ids look like the real ones (prefix, region letters, random tail)
// so clients that sanity-check id formats behave as in production.
import { randomBytes } from 'node:crypto';
import { ApiError, invalidParameter } from './errors.js';
import type { CloudState, VSwitch } from './state.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomTail(len: number): string {
  const bytes = randomBytes(len);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}-bp1${randomTail(17)}`;
}

export function requestId(): string {
  const h = randomBytes(16).toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function nowIso(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw invalidParameter('IpAddress', `"${ip}" is not an IPv4 address`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseCidr(cidr: string, param = 'CidrBlock'): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 32) throw invalidParameter(param, `"${cidr}" is not an IPv4 CIDR block`);
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ipToInt(m[1]!) & mask) >>> 0, prefix };
}

export function cidrContains(outer: Cidr, ip: number): boolean {
  const mask = outer.prefix === 0 ? 0 : (0xffffffff << (32 - outer.prefix)) >>> 0;
  return (ip & mask) >>> 0 === outer.base;
}

/** Hands out the next free private address of a vSwitch (skipping the reserved first hosts). */
export function allocatePrivateIp(state: CloudState, vsw: VSwitch): string {
  const c = parseCidr(vsw.CidrBlock);
  const size = 2 ** (32 - c.prefix);
  const used = new Set<string>([
    ...Object.values(state.instances).map((i) => i.PrivateIpAddress),
    ...Object.values(state.networkInterfaces).flatMap((e) => [
      e.PrimaryIpAddress,
      ...(e.SecondaryIpAddresses ?? []),
    ]),
    ...Object.values(state.loadBalancers).map((l) => l.Address),
    ...nlbAddresses(state, 'PrivateIPv4Address'),
  ]);
  for (let tries = 0; tries < size; tries++) {
    const host = Math.max(vsw.NextHost, 1);
    vsw.NextHost = host + 1 >= size - 3 ? 1 : host + 1;
    // The real VPC reserves the first and last three addresses of every vSwitch.
    if (host < 1 || host >= size - 3) continue;
    const ip = intToIp(c.base + host);
    if (!used.has(ip)) return ip;
  }
  throw new ApiError(
    400,
    'VSwitchAvailableIpNotExist',
    `The vSwitch ${vsw.VSwitchId} has no available IP address.`,
  );
}

/**
 * Internet addresses come from 203.0.113.0/24 (TEST-NET-3), then from the benchmarking range
 * 198.18.0.0/15 (RFC 2544) once those 254 are used: neither routes anywhere real, and a bench with
 * a thousand internet SLBs needs more than one /24.
 */
const TEST_NET_3_HOSTS = 254;
const BENCH_RANGE_BASE = ipToInt('198.18.0.0');
const PUBLIC_POOL = TEST_NET_3_HOSTS + 2 ** 17 - 2;

function publicAddress(n: number): string {
  return n <= TEST_NET_3_HOSTS ? `203.0.113.${n}` : intToIp(BENCH_RANGE_BASE + (n - TEST_NET_3_HOSTS));
}

/** Addresses NLB zone mappings hold, so SLB, ECS and NLB never share one. */
function nlbAddresses(state: CloudState, field: 'PrivateIPv4Address' | 'PublicIPv4Address'): string[] {
  return Object.values(state.nlb?.loadBalancers ?? {}).flatMap((lb) =>
    lb.Zones.map((z) => z.Address[field]).filter((ip) => ip !== ''),
  );
}

export function allocatePublicIp(state: CloudState): string {
  const used = new Set(Object.values(state.loadBalancers).map((l) => l.Address));
  for (const ip of nlbAddresses(state, 'PublicIPv4Address')) used.add(ip);
  for (const e of Object.values(state.eips)) used.add(e.IpAddress);
  for (const i of Object.values(state.instances)) used.add(i.PublicIpAddress);
  for (let tries = 0; tries < PUBLIC_POOL; tries++) {
    state.nextPublicHost = (state.nextPublicHost % PUBLIC_POOL) + 1;
    const ip = publicAddress(state.nextPublicHost);
    if (!used.has(ip)) return ip;
  }
  throw invalidParameter('AddressType', 'no internet address is left in the emulated pool');
}

export function macAddress(): string {
  const b = randomBytes(5);
  return ['00', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
}
