// Field coercion shared by the per-product state merges: admin bodies arrive as loose JSON in the
// Describe* shapes, so every value is normalised before it reaches the typed state.
import { ApiError } from '../errors.js';
import type { Tag } from '../state.js';
import { wireText } from '../../text.js';

export type Obj = Record<string, unknown>;

export function list(v: unknown): Obj[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v as Obj[];
  if (typeof v === 'object') {
    const inner = Object.values(v as Obj);
    if (inner.length === 1 && Array.isArray(inner[0])) return inner[0] as Obj[];
    return [v as Obj];
  }
  throw new ApiError(400, 'InvalidParameter', 'state lists must be arrays or {Name:[…]} objects');
}

export const str = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'object' ? undefined : wireText(v);
export const num = (v: unknown): number | undefined =>
  v === undefined || v === null || v === '' ? undefined : Number(v);
export const bool = (v: unknown): boolean | undefined =>
  v === undefined || v === null ? undefined : v === true || v === 'true';

/** First address of `{IpAddress:[…]}`, a bare array, or a string. */
export function ip(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return str(v[0]);
  if (v && typeof v === 'object') {
    const o = v as Obj;
    if ('IpAddress' in o) return ip(o.IpAddress);
  }
  return undefined;
}

export function tags(v: unknown): Tag[] | undefined {
  if (v === undefined) return undefined;
  return list(v).map((t) => ({
    Key: wireText(t.TagKey ?? t.Key ?? ''),
    Value: wireText(t.TagValue ?? t.Value ?? ''),
  }));
}

export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
