// A simplified strategic merge patch. Real SMP reads patch strategies from Go struct tags; here the
// merge keys of the built-in list fields are a table keyed by field name, which covers what
// `kubectl apply/patch` and controllers send for the kinds this project touches.
import { isPlainObject } from '../types.js';

type Obj = Record<string, unknown>;

/** Lists of objects merged element-wise by this key; every other list is replaced wholesale. */
const MERGE_KEYS: Record<string, string | ((items: unknown[]) => string)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  addresses: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  // Container ports merge by containerPort, Service ports by port.
  ports: (items) => (items.some((i) => isPlainObject(i) && 'containerPort' in i) ? 'containerPort' : 'port'),
};

/** Primitive lists with the `merge` strategy: patch values are unioned in. */
const MERGE_PRIMITIVE = new Set(['finalizers']);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  const k = MERGE_KEYS[field];
  return typeof k === 'function' ? k(items) : k;
}

function mergeList(
  field: string,
  original: unknown,
  patch: unknown[],
  deleteFromPrimitive: unknown[] | undefined,
): unknown[] {
  const orig: unknown[] = Array.isArray(original) ? original : [];
  if (patch.some((p) => isPlainObject(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p['$patch'] === 'replace'));
  }
  if (MERGE_PRIMITIVE.has(field)) {
    const out = orig.filter((v) => !deleteFromPrimitive?.includes(v));
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const key = mergeKeyFor(field, [...orig, ...patch]);
  if (!key || !patch.every(isPlainObject)) return structuredClone(patch);
  const out: unknown[] = orig.map((o) => structuredClone(o));
  for (const p of patch as Obj[]) {
    const idx = out.findIndex((o) => isPlainObject(o) && o[key] === p[key]);
    if (p['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], p);
    else out.push(strategicMerge({}, p));
  }
  return out;
}

export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return strategicMerge({}, rest);
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: Obj = isPlainObject(original) ? { ...original } : {};
  const retain = Array.isArray(patch['$retainKeys']) ? (patch['$retainKeys'] as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v, patch[`$deleteFromPrimitiveList/${k}`] as unknown[] | undefined);
    } else if (isPlainObject(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(k);
    if (m && !(m[1]! in patch) && Array.isArray(out[m[1]!]) && Array.isArray(v)) {
      out[m[1]!] = (out[m[1]!] as unknown[]).filter((x) => !v.includes(x));
    }
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}
