// Steady state costs nothing: the controller remembers the hash of the last desired model it
// applied successfully and, when a resync produces the same hash, makes no cloud call at all —
// not even a read. Unlike the official CCM (which re-reads backends on every pass), the backend set
// is part of the model and therefore of the hash, so Node and Endpoint churn that changes no
// backend costs nothing either. Drift someone makes by hand is the periodic drift check's job.
import { createHash } from 'node:crypto';
import type { DesiredLoadBalancer } from '../types.js';

/** JSON with object keys sorted at every level, so equal models hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/**
 * Hash of everything a sync would act on. `publishedIngressIps` is left out: writing the status
 * after a create must not itself look like a change. `extra` lets the caller mix in anything
 * outside the model that should force a full sync (e.g. a controller version).
 */
export function desiredHash(desired: DesiredLoadBalancer, extra?: unknown): string {
  const { publishedIngressIps: _ignored, ...rest } = desired;
  return createHash('sha256')
    .update(canonicalJson({ v: 1, model: rest, extra: extra ?? null }))
    .digest('hex')
    .slice(0, 40);
}

/** True when the last successful sync applied exactly this model: skip every cloud call. */
export function canSkipSync(lastAppliedHash: string | undefined, currentHash: string): boolean {
  return lastAppliedHash !== undefined && lastAppliedHash === currentHash;
}
