// Validators for the annotation values only NLB has. The shared ones (on/off, integers, tags,
// label selectors) come from the CLB controller's values.ts so both tables speak alike.
import { z } from 'zod';
import type { ValueSchema } from '../../service/annotations/values.js';
import type { NlbListenerProtocol, ZoneMapping } from '../types.js';

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function portOf(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

const ZONE_RE = /^[a-z]{2}-[a-z0-9-]+$/;
const VSW_RE = /^vsw-[a-z0-9]+$/i;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const EIP_RE = /^eip-[a-z0-9]+$/i;

/** `zone:vsw[:ipv4[:eip-allocation]]`, comma-separated; at least one, one vswitch per zone. */
export const zoneMapList: ValueSchema<ZoneMapping[]> = z.string().transform((raw, ctx): ZoneMapping[] => {
  const out: ZoneMapping[] = [];
  const usage =
    'must be "zone:vsw-id[:ipv4[:eip-id]]" entries separated by commas (e.g. "cn-hangzhou-k:vsw-1,cn-hangzhou-j:vsw-2")';
  for (const entry of splitList(raw)) {
    const [zoneId = '', vSwitchId = '', ipv4Addr, allocationId, ...rest] = entry
      .split(':')
      .map((s) => s.trim());
    if (!ZONE_RE.test(zoneId) || !VSW_RE.test(vSwitchId) || rest.length > 0)
      return fail(ctx, `${usage}; got "${entry}"`);
    if (ipv4Addr && !IPV4_RE.test(ipv4Addr))
      return fail(ctx, `"${ipv4Addr}" in "${entry}" is not an IPv4 address`);
    if (allocationId && !EIP_RE.test(allocationId))
      return fail(ctx, `"${allocationId}" in "${entry}" is not an EIP allocation id ("eip-…")`);
    if (out.some((m) => m.zoneId === zoneId)) return fail(ctx, `zone ${zoneId} is listed twice`);
    out.push({
      zoneId,
      vSwitchId,
      ...(ipv4Addr ? { ipv4Addr } : {}),
      ...(allocationId ? { allocationId } : {}),
    });
  }
  if (out.length === 0) return fail(ctx, usage);
  return out.sort((a, b) => a.zoneId.localeCompare(b.zoneId));
});

/** Comma-separated ids with a fixed prefix; sorted and de-duplicated (order carries no meaning). */
export function idList(
  prefix: RegExp,
  example: string,
  opts: { allowEmpty?: boolean } = {},
): ValueSchema<string[]> {
  return z.string().transform((raw, ctx): string[] => {
    const ids = splitList(raw);
    if (ids.length === 0 && opts.allowEmpty) return [];
    if (ids.length === 0 || ids.some((id) => !prefix.test(id)))
      return fail(ctx, `must be one or more ids separated by commas (e.g. "${example}")`);
    return [...new Set(ids)].sort();
  });
}

export interface NlbProtocolPort {
  protocol: NlbListenerProtocol;
  port: number;
}

/** `TCPSSL:443,UDP:53`: the listener protocol per Service port (NLB knows TCP, UDP, TCPSSL). */
export const nlbProtocolPortList: ValueSchema<NlbProtocolPort[]> = z
  .string()
  .transform((raw, ctx): NlbProtocolPort[] => {
    const out: NlbProtocolPort[] = [];
    for (const entry of splitList(raw)) {
      const [p = '', portText = ''] = entry.split(':').map((s) => s.trim());
      const protocol = (['TCP', 'UDP', 'TCPSSL'] as const).find((x) => x === p.toUpperCase());
      const port = portOf(portText);
      if (!protocol || port === undefined || entry.split(':').length !== 2)
        return fail(ctx, `entry "${entry}" must be "<TCP|UDP|TCPSSL>:<port>" (e.g. "tcpssl:443")`);
      if (out.some((x) => x.port === port)) return fail(ctx, `port ${port} is listed twice`);
      out.push({ protocol, port });
    }
    if (out.length === 0) return fail(ctx, 'must list at least one "<protocol>:<port>" entry');
    return out;
  });

/** `1000-2000:80`: Service port 80 becomes a listener over the port range 1000-2000. */
export const portRangeList: ValueSchema<Array<{ start: number; end: number; port: number }>> = z
  .string()
  .transform((raw, ctx) => {
    const out: Array<{ start: number; end: number; port: number }> = [];
    for (const entry of splitList(raw)) {
      const m = /^(\d{1,5})-(\d{1,5}):(\d{1,5})$/.exec(entry.replace(/\s+/g, ''));
      const start = portOf(m?.[1] ?? '');
      const end = portOf(m?.[2] ?? '');
      const port = portOf(m?.[3] ?? '');
      if (start === undefined || end === undefined || port === undefined)
        return fail(ctx, `entry "${entry}" must be "<start>-<end>:<service port>" (e.g. "1000-2000:80")`);
      if (start >= end) return fail(ctx, `entry "${entry}": the start port must be below the end port`);
      if (out.some((x) => x.port === port)) return fail(ctx, `service port ${port} is listed twice`);
      out.push({ start, end, port });
    }
    if (out.length === 0) return fail(ctx, 'must list at least one "<start>-<end>:<port>" entry');
    return out;
  });

/** `sgp-xxx:80`: Service port 80 uses the user's existing server group. */
export const serverGroupPortList: ValueSchema<Array<{ serverGroupId: string; port: number }>> = z
  .string()
  .transform((raw, ctx) => {
    const out: Array<{ serverGroupId: string; port: number }> = [];
    for (const entry of splitList(raw)) {
      const [id = '', portText = ''] = entry.split(':').map((s) => s.trim());
      const port = portOf(portText);
      if (!/^sgp-[a-z0-9]+$/i.test(id) || port === undefined)
        return fail(
          ctx,
          `entry "${entry}" must be "<server group id>:<service port>" (e.g. "sgp-abc123:80")`,
        );
      if (out.some((x) => x.port === port)) return fail(ctx, `port ${port} is listed twice`);
      out.push({ serverGroupId: id, port });
    }
    if (out.length === 0) return fail(ctx, 'must list at least one "<server group id>:<port>" entry');
    return out;
  });

/** A Host header for HTTP health checks, or the NLB's `$SERVER_IP` (the backend's own address). */
export const nlbHealthCheckDomain: ValueSchema<string> = z.string().transform((raw, ctx): string => {
  const v = raw.trim();
  if (v === '$SERVER_IP') return v;
  if (/^(?=.{1,80}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v))
    return v;
  return fail(
    ctx,
    'must be a domain name (letters, digits, "-", ".", at most 80 characters) or "$SERVER_IP"',
  );
});
