// RFC 6902 JSON patch (add/remove/replace/move/copy/test) with RFC 6901 pointers.
import { ApiError } from '../errors.js';
import { isPlainObject } from '../types.js';

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const fail = (msg: string) =>
  new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${msg}`);

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw fail(`invalid JSON pointer ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, tokens: string[]): { parent: Container; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isPlainObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw fail(`path not found: /${tokens.join('/')}`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) throw fail(`path not found: /${tokens.join('/')}`);
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isPlainObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw fail(`path not found: ${path}`);
  }
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw fail(`index out of range: ${path}`);
    return parent.splice(i, 1)[0];
  }
  if (!(key in parent)) throw fail(`unable to remove nonexistent key: ${path}`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length))
      throw fail(`index out of range: ${path}`);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent))
      throw fail(`replace operation does not apply: doc is missing key: ${path}`);
    parent[key] = value;
  }
  return doc;
}

export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw fail('json patch must be an array');
  let out = structuredClone(doc);
  for (const raw of ops as Op[]) {
    switch (raw.op) {
      case 'add':
        out = add(out, raw.path, structuredClone(raw.value), false);
        break;
      case 'replace':
        out = add(out, raw.path, structuredClone(raw.value), true);
        break;
      case 'remove':
        remove(out, raw.path);
        break;
      case 'move': {
        const v = remove(out, raw.from ?? '');
        out = add(out, raw.path, v, false);
        break;
      }
      case 'copy':
        out = add(out, raw.path, structuredClone(getAt(out, raw.from ?? '')), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, raw.path)) !== JSON.stringify(raw.value))
          throw fail(`testing value ${raw.path} failed`);
        break;
      default:
        throw fail(`unexpected kind: ${String(raw.op)}`);
    }
  }
  return out;
}
