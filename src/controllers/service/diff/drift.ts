// What a drift pass may conclude from the cheap read alone (one DescribeLoadBalancers per ten
// SLBs), and which SLBs it must read in full. Pure; the pass itself is in controller.ts and the
// reasoning in docs/design/service.md § "Drift check".
//
// The cheap record carries the SLB's attributes and tags, nothing about listeners, VServer
// groups or backends. So it can see: a deleted SLB, a changed attribute or tag we manage (compared
// with the desired model, exactly as the full diff would), and — through the fingerprint — that
// anything in the record moved since the last pass (a hint that someone worked on this SLB).
// It cannot see a stopped listener, a changed health check or a removed backend: those are found
// by the rotation, which reads a slice of the SLBs in full on every pass, oldest first.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/hash.js';
import type { DesiredLoadBalancer, RemoteLoadBalancer } from '../types.js';
import { attributeActions, attributeConflicts, tagActions } from './attributes.js';

/** Every SLB is read in full at least once per this many passes (more often when few). */
export const ROTATION_PASSES = 72;
/** ... and at least this many per pass, so small fleets get a full read on every pass. */
export const ROTATION_MIN = 10;

export type CheapRemote = Pick<RemoteLoadBalancer, 'attributes' | 'tags'>;

/** A short digest of the cheap record, to notice that it changed between passes. */
export function fingerprintOf(remote: CheapRemote): string {
  return createHash('sha256')
    .update(canonicalJson({ a: remote.attributes, t: remote.tags }))
    .digest('hex')
    .slice(0, 24);
}

/** True when the full diff would act on (or refuse) the SLB's attributes or tags. */
export function attributesDrifted(desired: DesiredLoadBalancer, remote: CheapRemote): boolean {
  const r: RemoteLoadBalancer = { ...remote, listeners: [], vgroups: [] };
  return (
    attributeConflicts(desired, r).length > 0 ||
    attributeActions(desired, r).length > 0 ||
    tagActions(desired, r).length > 0
  );
}

export type DeepReason = 'unknown-slb' | 'gone' | 'unbuildable' | 'attributes' | 'fingerprint' | 'rotation';

/** One load balancer of a pass; `R` is the controller's own reasons (NLB has its own list). */
export interface DriftCandidate<R extends string = Exclude<DeepReason, 'rotation'>> {
  key: string;
  /** Why the cheap read already asks for a full read; `undefined` when it saw nothing. */
  reason?: R;
  /** When this key's SLB was last read in full (ms); `undefined` = not since start-up. */
  lastFullRead?: number;
}

/** How many SLBs the rotation reads in full on a pass over `n`. */
export function rotationSize(n: number): number {
  return Math.min(n, Math.max(ROTATION_MIN, Math.ceil(n / ROTATION_PASSES)));
}

/**
 * The keys to read in full: every candidate with a reason, plus the rotation's slice of the rest
 * (never read since start-up first, then the longest ago; ties by key, so passes are repeatable).
 */
export function selectFullReads<R extends string = Exclude<DeepReason, 'rotation'>>(
  candidates: readonly DriftCandidate<R>[],
): Map<string, R | 'rotation'> {
  const out = new Map<string, R | 'rotation'>();
  for (const c of candidates) if (c.reason) out.set(c.key, c.reason);
  const rest = candidates
    .filter((c) => !c.reason)
    .sort((a, b) => age(a) - age(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const c of rest.slice(0, rotationSize(candidates.length))) out.set(c.key, 'rotation');
  return out;
}

/** Never read (since start-up) sorts before any time. */
function age(c: { lastFullRead?: number }): number {
  return c.lastFullRead ?? Number.MIN_SAFE_INTEGER;
}
