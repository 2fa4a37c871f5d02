// Steady state costs nothing: the hash of the last desired model applied successfully is kept, and
// a resync that builds the same model makes no cloud call at all (the CLB controller's rule; the
// server set is part of the model, so Node churn that changes no server is free too).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../service/model/hash.js';
import type { DesiredNlb } from '../types.js';

export function nlbHash(desired: DesiredNlb, extra?: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ v: 1, nlb: desired, extra: extra ?? null }))
    .digest('hex')
    .slice(0, 40);
}
