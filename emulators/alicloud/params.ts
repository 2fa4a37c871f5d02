// Typed access to an RPC request's flat string parameters. Lists arrive as `Name.1`, `Name.2`…,
// structs as `Name.Field`, and some actions take JSON text (e.g. InstanceIds, BackendServers).
import { invalidParameter, missingParameter } from './errors.js';

export interface Tag {
  Key: string;
  Value: string;
}

export class Params {
  constructor(readonly raw: Readonly<Record<string, string>>) {}

  str(name: string): string | undefined {
    const v = this.raw[name];
    return v === undefined || v === '' ? undefined : v;
  }

  req(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw missingParameter(name);
    return v;
  }

  int(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidParameter(name, `must be an integer, got "${v}"`);
    return Number(v);
  }

  reqInt(name: string): number {
    const v = this.int(name);
    if (v === undefined) throw missingParameter(name);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'on') return true;
    if (v === 'false' || v === 'off') return false;
    throw invalidParameter(name, `must be a boolean, got "${v}"`);
  }

  /** `Name.1`, `Name.2`, … in index order (gaps allowed, as clients may skip empty entries). */
  list(prefix: string): string[] {
    return this.indexed(prefix, '').map(([, v]) => v);
  }

  /** `Name.N.Field` groups, one record per index N. */
  structs(prefix: string): Record<string, string>[] {
    const byIndex = new Map<number, Record<string, string>>();
    const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
    for (const [k, v] of Object.entries(this.raw)) {
      const m = re.exec(k);
      if (!m) continue;
      const idx = Number(m[1]);
      const rec = byIndex.get(idx) ?? {};
      rec[m[2]!] = v;
      byIndex.set(idx, rec);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  }

  /** Tags sent as `Tag.N.Key`/`Tag.N.Value`. */
  tags(prefix = 'Tag'): Tag[] {
    return this.structs(prefix)
      .filter((t) => t.Key !== undefined && t.Key !== '')
      .map((t) => ({ Key: t.Key!, Value: t.Value ?? '' }));
  }

  /** A parameter carrying JSON text, e.g. `InstanceIds='["i-1","i-2"]'`. */
  json<T = unknown>(name: string): T | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw invalidParameter(name, 'is not valid JSON');
    }
  }

  jsonStringArray(name: string): string[] | undefined {
    const v = this.json<unknown>(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw invalidParameter(name, 'must be a JSON array of strings');
    return v as string[];
  }

  private indexed(prefix: string, suffix: string): [number, string][] {
    const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)${suffix}$`);
    const out: [number, string][] = [];
    for (const [k, v] of Object.entries(this.raw)) {
      const m = re.exec(k);
      if (m) out.push([Number(m[1]), v]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}

export interface Page<T> {
  items: T[];
  pageNumber: number;
  pageSize: number;
  totalCount: number;
}

/** PageNumber/PageSize paging with the real API's bounds (size 1..max, default 10). */
export function pageOf<T>(
  all: T[],
  p: Params,
  opts: { max?: number; def?: number; sizeParam?: string; numberParam?: string } = {},
): Page<T> {
  const max = opts.max ?? 100;
  const pageNumber = p.int(opts.numberParam ?? 'PageNumber') ?? 1;
  const pageSize = p.int(opts.sizeParam ?? 'PageSize') ?? opts.def ?? 10;
  if (pageNumber < 1) throw invalidParameter('PageNumber', 'must be at least 1');
  if (pageSize < 1 || pageSize > max) throw invalidParameter('PageSize', `must be between 1 and ${max}`);
  const start = (pageNumber - 1) * pageSize;
  return { items: all.slice(start, start + pageSize), pageNumber, pageSize, totalCount: all.length };
}

export interface TokenPage<T> {
  items: T[];
  nextToken: string;
  maxResults: number;
}

/** NextToken/MaxResults paging. Tokens are opaque to clients; here they encode the next offset. */
export function tokenPageOf<T>(
  all: T[],
  p: Params,
  opts: { max?: number; def?: number; sizeParam?: string } = {},
): TokenPage<T> {
  const sizeParam = opts.sizeParam ?? 'MaxResults';
  const max = opts.max ?? 100;
  const maxResults = p.int(sizeParam) ?? opts.def ?? 10;
  if (maxResults < 1 || maxResults > max) throw invalidParameter(sizeParam, `must be between 1 and ${max}`);
  const token = p.str('NextToken');
  let start = 0;
  if (token !== undefined) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) throw invalidParameter('NextToken');
    start = Number(decoded[1]);
  }
  const items = all.slice(start, start + maxResults);
  const next =
    start + maxResults < all.length ? Buffer.from(`o${start + maxResults}`).toString('base64url') : '';
  return { items, nextToken: next, maxResults };
}
