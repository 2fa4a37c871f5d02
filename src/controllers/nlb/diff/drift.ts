// What an NLB drift pass may conclude from the cheap read alone (one ListLoadBalancers per
// NLB_IDS_PER_CALL NLBs), and which NLBs it must read in full. Pure; the pass itself is in
// drift-pass.ts, the reasoning in docs/nlb.md § "Drift check". The same rules as the CLB
// controller's (service/diff/drift.ts), whose rotation this reuses unchanged.
//
// The cheap record carries the NLB's attributes and tags, nothing about listeners, server groups
// or servers. So it can see: a deleted NLB, a changed attribute or tag we manage (judged exactly
// as the full diff would), a reused NLB whose tags (its reuse grant) changed, and — through the
// fingerprint — that anything in the record moved since the last pass. A stopped or deleted
// listener or a removed server is found by the rotation, which reads a slice in full every pass.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../service/model/hash.js';
import type { DesiredNlb, NlbAttributes } from '../types.js';
import { attributeDiff } from './attributes.js';
import { ownershipOf, ownershipProblem } from './index.js';

export {
  ROTATION_MIN,
  ROTATION_PASSES,
  rotationSize,
  selectFullReads,
  type DriftCandidate,
} from '../../service/diff/drift.js';

/** What the batched read says about one NLB. */
export interface CheapNlb {
  attributes: NlbAttributes;
  tags: Record<string, string>;
}

/** Why the cheap read alone asks for a full read and repair. */
export type NlbCheapReason =
  /** The Service records no NLB id (never synced, or its label was lost). */
  | 'unknown-nlb'
  /** Asked for by id and absent from the answer: deleted by hand. */
  | 'gone'
  /** The desired model cannot be built from the caches (an annotation broke since). */
  | 'unbuildable'
  /** An attribute or tag the full diff would change or refuse, or the ownership tags are off. */
  | 'attributes'
  /** A reused NLB whose tags changed since the last sync read them: its reuse grant may be gone. */
  | 'reuse-grant'
  /** The record changed since the previous pass, in fields we may not even manage. */
  | 'fingerprint';

export type NlbDeepReason = NlbCheapReason | 'rotation';

/**
 * A short digest of the cheap record. The status is left out: it flips to Configuring during any
 * job (ours included) and back, which says nothing about who changed what.
 */
export function fingerprintOf(record: CheapNlb): string {
  const { status: _status, ...attributes } = record.attributes;
  return createHash('sha256')
    .update(canonicalJson({ a: attributes, t: record.tags }))
    .digest('hex')
    .slice(0, 24);
}

/** True when the full diff would act on, or refuse, this NLB's attributes or tags. */
export function attributesDrifted(desired: DesiredNlb, record: CheapNlb): boolean {
  const remote = { ...record, listeners: [], serverGroups: [] };
  if (ownershipProblem(ownershipOf(desired), remote)) return true;
  const diff = attributeDiff(desired, remote);
  return diff.actions.length > 0 || diff.conflicts.length > 0;
}

export interface CheapFacts {
  /** The NLB id recorded on the Service. */
  lbId?: string;
  /** The batched read's record of `lbId`; `undefined` when asked for and absent. */
  record?: CheapNlb;
  /** The desired model built from the caches; `undefined` when it does not build. */
  desired?: DesiredNlb;
  /** A reused NLB's tags as the last sync read them (the reuse rules ran on these). */
  reusedTags?: Readonly<Record<string, string>>;
  /** The fingerprint of this NLB's record at the previous pass. */
  previousFingerprint?: string;
}

/** The cheap read's verdict on one NLB: a reason to read it in full, or `undefined`. */
export function cheapReason(f: CheapFacts): NlbCheapReason | undefined {
  if (!f.lbId) return 'unknown-nlb';
  if (!f.record) return 'gone';
  if (!f.desired) return 'unbuildable';
  if (f.desired.reusedLoadBalancerId) {
    if (!f.reusedTags || canonicalJson(f.reusedTags) !== canonicalJson(f.record.tags)) return 'reuse-grant';
  } else if (attributesDrifted(f.desired, f.record)) return 'attributes';
  if (f.previousFingerprint !== undefined && f.previousFingerprint !== fingerprintOf(f.record))
    return 'fingerprint';
  return undefined;
}
