// Parsing of `ip -4 -N -j route show …` output. `-N` makes iproute2 print protocols and scopes as
// numbers, so ownership is a plain comparison whatever names /etc/iproute2/rt_protos(.d) defines.
import { type Ipv4Cidr as Cidr, formatCidr, parseCidr, parseIPv4 } from '../util/ipv4.js';

export interface KernelRoute {
  /** Canonical `a.b.c.d/len`, or `default`. */
  readonly dst: string;
  /** `default` is 0.0.0.0/0. */
  readonly cidr: Cidr;
  readonly gateway?: string;
  readonly dev?: string;
  /** Numeric protocol as text (`"2"` kernel, `"4"` static, `"200"` …); names tolerated. */
  readonly protocol: string;
  readonly metric: number;
  /** `unicast` when iproute2 omits it; `local`, `blackhole`, `unreachable` … otherwise. */
  readonly type: string;
}

export class RouteParseError extends Error {
  override name = 'RouteParseError';
}

export function parseRouteJson(text: string): KernelRoute[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch (err) {
    throw new RouteParseError(`ip -json output is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new RouteParseError('ip -json output is not an array');
  const out: KernelRoute[] = [];
  for (const entry of raw) {
    const route = toRoute(entry);
    if (route) out.push(route);
  }
  return out;
}

function toRoute(entry: unknown): KernelRoute | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  const dstText = typeof e.dst === 'string' ? e.dst : undefined;
  if (!dstText) return undefined;
  let dst = 'default';
  let cidr: Cidr = { network: 0, prefix: 0 };
  if (dstText !== 'default') {
    const parsed = parseCidr(dstText, true);
    // IPv6 or something we cannot represent: not ours to reason about.
    if (!parsed) return undefined;
    cidr = parsed;
    dst = formatCidr(parsed);
  }
  const gateway = typeof e.gateway === 'string' && parseIPv4(e.gateway) !== undefined ? e.gateway : undefined;
  // iproute2 leaves `protocol` out for boot (3), the default of a hand-made `ip route add`.
  // (Listings filtered with `proto N` omit it too; this module is only fed unfiltered ones.)
  const protocol =
    e.protocol === undefined
      ? '3'
      : typeof e.protocol === 'string' || typeof e.protocol === 'number'
        ? String(e.protocol)
        : JSON.stringify(e.protocol);
  const metric = typeof e.metric === 'number' ? e.metric : 0;
  const type = typeof e.type === 'string' ? e.type : 'unicast';
  return {
    dst,
    cidr,
    ...(gateway ? { gateway } : {}),
    ...(typeof e.dev === 'string' ? { dev: e.dev } : {}),
    protocol,
    metric,
    type,
  };
}
