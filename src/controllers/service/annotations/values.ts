// Value validators for annotation strings. Each takes the raw string and yields the typed value,
// or a zod issue whose message says what is allowed — that message reaches the user verbatim in a
// Warning Event, so it must name the rule, not the parser.
import { z } from 'zod';

/** A validator: raw annotation string → typed value. */
export type ValueSchema<T> = z.ZodType<T, string>;

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** One of a fixed set; `caseInsensitive` accepts any case and normalizes to the listed spelling. */
export function oneOf<const T extends string>(
  values: readonly T[],
  opts: { caseInsensitive?: boolean } = {},
): ValueSchema<T> {
  return z.string().transform((raw, ctx): T => {
    const v = raw.trim();
    const hit = values.find((x) => (opts.caseInsensitive ? x.toLowerCase() === v.toLowerCase() : x === v));
    if (hit === undefined) return fail(ctx, `must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
    return hit;
  });
}

export const onOff = oneOf(['on', 'off'] as const);

/** Base-10 integer in [min, max]; `extra` lists additional single allowed values (e.g. -520). */
export function intIn(min: number, max: number, extra: readonly number[] = []): ValueSchema<number> {
  return z.string().transform((raw, ctx): number => {
    const v = raw.trim();
    const rule = `an integer from ${min} to ${max}${extra.length ? ` (or ${extra.join(', ')})` : ''}`;
    if (!/^-?\d{1,10}$/.test(v)) return fail(ctx, `must be ${rule}`);
    const n = Number(v);
    if (extra.includes(n)) return n;
    if (n < min || n > max) return fail(ctx, `must be ${rule}`);
    return n;
  });
}

export function matching(re: RegExp, what: string): ValueSchema<string> {
  return z.string().transform((raw, ctx): string => {
    const v = raw.trim();
    if (!re.test(v)) return fail(ctx, `must be ${what}`);
    return v;
  });
}

/** `true`/`on` → true, `false`/`off` → false (the CCM's own examples use both spellings). */
export const bool: ValueSchema<boolean> = z.string().transform((raw, ctx): boolean => {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === 'on') return true;
  if (v === 'false' || v === 'off') return false;
  return fail(ctx, 'must be "true" or "false" ("on"/"off" also accepted)');
});

/**
 * Exactly `"true"` turns the option on and `"false"` off. The official CCM compares with the
 * literal "true" and treats every other value as off; a value that is neither (`on`, `yes`,
 * `True`) is refused here, so a user never believes an option is on when it is not.
 */
export const exactTrue: ValueSchema<boolean> = z.string().transform((raw, ctx): boolean => {
  const v = raw.trim();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fail(
    ctx,
    'must be "true" or "false" (only the exact value "true" turns it on, as in the official CCM)',
  );
});

/**
 * Presence flag: any non-empty value means yes, even "false" (the official CCM tests the value
 * for non-empty only). Empty values never reach a schema: the parser treats them as absent.
 */
export const presence: ValueSchema<true> = z.string().transform((): true => true);

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const PORT_RE = /^\d{1,5}$/;
function portOf(s: string): number | undefined {
  if (!PORT_RE.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export interface ProtocolPort {
  protocol: 'tcp' | 'udp' | 'http' | 'https';
  port: number;
}

/** `https:443,http:80`: protocol per Service port; a port may appear once. */
export const protocolPortList: ValueSchema<ProtocolPort[]> = z
  .string()
  .transform((raw, ctx): ProtocolPort[] => {
    const out: ProtocolPort[] = [];
    const rule =
      'a comma-separated list of protocol:port with protocol tcp, udp, http or https (e.g. "https:443,http:80")';
    const entries = splitList(raw);
    if (entries.length === 0) return fail(ctx, `must be ${rule}`);
    for (const entry of entries) {
      const parts = entry.split(':');
      const protocol = parts[0]?.trim().toLowerCase();
      const port = parts.length === 2 ? portOf(parts[1]!.trim()) : undefined;
      if (
        parts.length !== 2 ||
        port === undefined ||
        !['tcp', 'udp', 'http', 'https'].includes(protocol ?? '')
      ) {
        return fail(ctx, `entry "${entry}" is invalid; must be ${rule}`);
      }
      if (out.some((p) => p.port === port))
        return fail(ctx, `port ${port} is listed twice; each port takes one protocol`);
      out.push({ protocol: protocol as ProtocolPort['protocol'], port });
    }
    return out;
  });

/** `80:443,8080:8443`: HTTP listener port → HTTPS listener port it redirects to. */
export const forwardPortList: ValueSchema<Array<{ from: number; to: number }>> = z
  .string()
  .transform((raw, ctx): Array<{ from: number; to: number }> => {
    const out: Array<{ from: number; to: number }> = [];
    const rule = 'a comma-separated list of httpPort:httpsPort (e.g. "80:443")';
    const entries = splitList(raw);
    if (entries.length === 0) return fail(ctx, `must be ${rule}`);
    for (const entry of entries) {
      const parts = entry.split(':');
      const from = parts.length === 2 ? portOf(parts[0]!.trim()) : undefined;
      const to = parts.length === 2 ? portOf(parts[1]!.trim()) : undefined;
      if (from === undefined || to === undefined)
        return fail(ctx, `entry "${entry}" is invalid; must be ${rule}`);
      if (from === to) return fail(ctx, `entry "${entry}" forwards a port to itself`);
      if (out.some((f) => f.from === from)) return fail(ctx, `port ${from} is listed twice`);
      out.push({ from, to });
    }
    return out;
  });

const VGROUP_ID_RE = /^rsp-[a-z0-9]+$/i;
/** `rsp-xxx:80,rsp-yyy:443`: reuse the user's vserver group for the Service port. */
export const vgroupPortList: ValueSchema<Array<{ vGroupId: string; port: number }>> = z
  .string()
  .transform((raw, ctx): Array<{ vGroupId: string; port: number }> => {
    const out: Array<{ vGroupId: string; port: number }> = [];
    const rule = 'a comma-separated list of vServerGroupId:servicePort (e.g. "rsp-2ze1abc:80")';
    const entries = splitList(raw);
    if (entries.length === 0) return fail(ctx, `must be ${rule}`);
    for (const entry of entries) {
      const parts = entry.split(':');
      const id = parts[0]?.trim() ?? '';
      const port = parts.length === 2 ? portOf(parts[1]!.trim()) : undefined;
      if (parts.length !== 2 || port === undefined || !VGROUP_ID_RE.test(id)) {
        return fail(ctx, `entry "${entry}" is invalid; must be ${rule}`);
      }
      if (out.some((v) => v.port === port)) return fail(ctx, `port ${port} is listed twice`);
      out.push({ vGroupId: id, port });
    }
    return out;
  });

const DOMAIN_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
const CERT_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const certId = matching(CERT_RE, 'an SLB server certificate id (letters, digits, "_", "-", ".")');

/** `a.example.com:certId,b.example.com:certId` — HTTPS SNI extensions. */
export const domainExtensionList: ValueSchema<Array<{ domain: string; certId: string }>> = z
  .string()
  .transform((raw, ctx): Array<{ domain: string; certId: string }> => {
    const out: Array<{ domain: string; certId: string }> = [];
    const rule = 'a comma-separated list of domain:certificateId (e.g. "www.example.com:123_abc")';
    for (const entry of splitList(raw)) {
      const parts = entry.split(':').map((s) => s.trim());
      if (parts.length !== 2 || !DOMAIN_RE.test(parts[0]!) || !CERT_RE.test(parts[1]!)) {
        return fail(ctx, `entry "${entry}" is invalid; must be ${rule}`);
      }
      if (out.some((d) => d.domain === parts[0])) return fail(ctx, `domain ${parts[0]} is listed twice`);
      out.push({ domain: parts[0]!, certId: parts[1]! });
    }
    return out;
  });

const LABEL_KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** `k1=v1,k2=v2`: a node must carry every pair. */
export const labelSelector: ValueSchema<Record<string, string>> = z
  .string()
  .transform((raw, ctx): Record<string, string> => {
    const out: Record<string, string> = {};
    const entries = splitList(raw);
    const rule = 'a comma-separated list of label=value pairs (e.g. "pool=edge,zone=b")';
    if (entries.length === 0) return fail(ctx, `must be ${rule}`);
    for (const entry of entries) {
      const eq = entry.indexOf('=');
      const k = eq > 0 ? entry.slice(0, eq).trim() : '';
      const v = eq > 0 ? entry.slice(eq + 1).trim() : '';
      if (eq <= 0 || !LABEL_KEY_RE.test(k) || !LABEL_VALUE_RE.test(v))
        return fail(ctx, `entry "${entry}" is invalid; must be ${rule}`);
      out[k] = v;
    }
    return out;
  });

/**
 * `k1=v1,k2=,k3`: extra SLB tags. Lenient like the CCM (a bare key means an empty value, the last
 * duplicate wins) but keys/values are checked against the SLB tag rules so a typo fails here
 * instead of half-way through an apply.
 */
export const tagList: ValueSchema<Record<string, string>> = z
  .string()
  .transform((raw, ctx): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const entry of splitList(raw)) {
      const eq = entry.indexOf('=');
      const k = (eq >= 0 ? entry.slice(0, eq) : entry).trim();
      const v = eq >= 0 ? entry.slice(eq + 1).trim() : '';
      if (k.length === 0) continue;
      if (k.length > 128 || /^(aliyun|acs:)/i.test(k) || /^https?:\/\//i.test(k)) {
        return fail(
          ctx,
          `tag key "${k}" is invalid; keys are 1-128 characters and may not start with "aliyun", "acs:", "http://" or "https://"`,
        );
      }
      if (v.length > 128 || /^https?:\/\//i.test(v)) {
        return fail(
          ctx,
          `tag value for "${k}" is invalid; values are at most 128 characters and may not start with "http://" or "https://"`,
        );
      }
      out[k] = v;
    }
    if (Object.keys(out).length > 20) return fail(ctx, 'at most 20 tags are allowed');
    return out;
  });

const ACL_ID_RE = /^acl-[a-z0-9]+$/i;
/** One or more ACL ids, comma-separated; order does not matter. */
export const aclIdList: ValueSchema<string[]> = z.string().transform((raw, ctx): string[] => {
  const ids = splitList(raw);
  if (ids.length === 0 || ids.some((id) => !ACL_ID_RE.test(id))) {
    return fail(ctx, 'must be one or more ACL ids separated by commas (e.g. "acl-2ze1abc,acl-2ze2def")');
  }
  return [...new Set(ids)].sort();
});

const HTTP_CODES = ['http_2xx', 'http_3xx', 'http_4xx', 'http_5xx'] as const;
/** `http_2xx,http_3xx`: normalized to the API's comma-joined, de-duplicated form. */
export const httpCodeList: ValueSchema<string> = z.string().transform((raw, ctx): string => {
  const codes = splitList(raw.toLowerCase());
  if (codes.length === 0 || codes.some((c) => !(HTTP_CODES as readonly string[]).includes(c))) {
    return fail(ctx, `must be a comma-separated list of ${HTTP_CODES.join(', ')}`);
  }
  return HTTP_CODES.filter((c) => codes.includes(c)).join(',');
});

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const ipv4 = matching(IPV4_RE, 'an IPv4 address (e.g. "192.168.0.10")');

export const dnsName = matching(
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i,
  'a DNS name (e.g. "app.example.com")',
);

export const healthCheckDomain = z.string().transform((raw, ctx): string => {
  const v = raw.trim();
  if (v === '$_ip' || DOMAIN_RE.test(v) || /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v)) return v;
  return fail(ctx, 'must be a domain name (letters, digits, "-", ".") or "$_ip"');
}) as ValueSchema<string>;
