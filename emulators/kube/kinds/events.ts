// core/v1 and events.k8s.io/v1 Events share one storage (as in the real apiserver), kept in the
// core/v1 shape; these functions convert the events.k8s.io view on the way in and out so an
// event written through either API is visible (and field-selectable) through the other.
import type { KubeObject } from '../types.js';

/** events.k8s.io field ↔ core/v1 field */
const RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(o: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { ...o, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

export function eventsV1ToCore(o: KubeObject): KubeObject {
  return rename(o, RENAMES, 'v1');
}

export function coreToEventsV1(o: KubeObject): KubeObject {
  return rename(
    o,
    RENAMES.map(([a, b]) => [b, a]),
    'events.k8s.io/v1',
  );
}
