// URL → (resource, namespace, name, subresource, watch) for /api/v1/... and /apis/<g>/<v>/...
import { findResource, type ResourceDef } from '../resources.js';

export interface ResourcePath {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated /watch/ path prefix was used. */
  watchPath: boolean;
}

export type ParsedPath =
  | { kind: 'resource'; path: ResourcePath }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'unknown' };

export function parsePath(pathname: string): ParsedPath {
  const seg = pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api') {
    if (seg.length < 2) return { kind: 'unknown' };
    group = '';
    version = seg[1]!;
    rest = seg.slice(2);
  } else if (seg[0] === 'apis') {
    if (seg.length === 2) return { kind: 'group', group: seg[1]! };
    if (seg.length < 3) return { kind: 'unknown' };
    group = seg[1]!;
    version = seg[2]!;
    rest = seg.slice(3);
  } else return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = findResource(group, version, rest[2]!);
    if (inner?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const def = findResource(group, version, rest[0]!);
  if (!def || rest.length > 3) return { kind: 'unknown' };
  return { kind: 'resource', path: { def, namespace, name: rest[1], subresource: rest[2], watchPath } };
}
