// "Has the kubelet stopped reporting?" — the second half of the deletion rule. A Node whose
// kubelet still posts status is running *something*, whatever the cloud says, so it stays.
import type { Node } from '../types.js';

export interface Liveness {
  stopped: boolean;
  why: string;
}

/**
 * Stopped when the Ready condition is Unknown (the node lifecycle controller's verdict after
 * missed heartbeats) or its lastHeartbeatTime is older than `graceMs`. No Ready condition at all
 * is not evidence of anything, so it counts as "still reporting".
 */
export function kubeletLiveness(node: Node, nowMs: number, graceMs: number): Liveness {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return { stopped: false, why: 'no Ready condition' };
  if (ready.status === 'Unknown')
    return { stopped: true, why: `Ready is Unknown${ready.reason ? ` (${ready.reason})` : ''}` };
  const beat = ready.lastHeartbeatTime ? Date.parse(ready.lastHeartbeatTime) : NaN;
  if (Number.isFinite(beat) && nowMs - beat > graceMs) {
    return {
      stopped: true,
      why: `Ready=${ready.status}, last heartbeat ${Math.round((nowMs - beat) / 1000)}s ago`,
    };
  }
  return { stopped: false, why: `Ready=${ready.status}` };
}
