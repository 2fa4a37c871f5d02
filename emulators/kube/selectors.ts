// Label and field selectors, parsed once per request into predicates.
import { badRequest } from './errors.js';
import { isPlainObject, type KubeObject } from './types.js';
import { wireText } from '../text.js';

type Requirement = (labels: Record<string, string>) => boolean;

/** Split on commas that are not inside an `in (...)` set. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseRequirement(term: string): Requirement {
  let m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  m = /^([^!=\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = /^!\s*(\S+)$/.exec(term);
  if (m) {
    const key = m[1]!;
    return (l) => !(key in l);
  }
  if (/^[A-Za-z0-9./_-]+$/.test(term)) return (l) => term in l;
  throw badRequest(`unable to parse requirement: ${term}`);
}

export function parseLabelSelector(s: string | null | undefined): (o: KubeObject) => boolean {
  if (!s) return () => true;
  const reqs = splitTopLevel(s).map(parseRequirement);
  return (o) => {
    const labels = o.metadata.labels ?? {};
    return reqs.every((r) => r(labels));
  };
}

/** Reads a dotted field path ("spec.nodeName", "involvedObject.kind") as the string the apiserver compares. */
function fieldValue(o: KubeObject, path: string): string {
  let cur: unknown = o;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return '';
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return '';
  return wireText(cur);
}

/**
 * Field selectors: `=`, `==`, `!=` on any dotted path. The real apiserver supports a fixed set per
 * kind; accepting any path is a superset, which keeps every supported selector working.
 */
export function parseFieldSelector(s: string | null | undefined): (o: KubeObject) => boolean {
  if (!s) return () => true;
  const reqs = splitTopLevel(s).map((term) => {
    const m = /^([^!=\s]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector: ${term}`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return op === '!='
      ? (o: KubeObject) => fieldValue(o, path) !== value
      : (o: KubeObject) => fieldValue(o, path) === value;
  });
  return (o) => reqs.every((r) => r(o));
}

/** The exact name a `metadata.name=x` selector pins, so single-object watches skip the scan. */
export function pinnedName(fieldSelector: string | null | undefined): string | undefined {
  if (!fieldSelector) return undefined;
  for (const term of splitTopLevel(fieldSelector)) {
    const m = /^metadata\.name\s*==?\s*(.+)$/.exec(term);
    if (m) return m[1];
  }
  return undefined;
}
