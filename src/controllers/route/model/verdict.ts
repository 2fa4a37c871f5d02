// What a pass means for each Node: its NetworkUnavailable condition and the Events to record.
// Pure; the controller writes the results.
import type { TableOutcome } from '../apply/index.js';
import type { RouteConflict, RoutePlan } from '../diff.js';
import type { RouteModel } from './index.js';
import {
  QUOTA_HINT,
  RouteConditionReasons as R,
  RouteEvents as E,
  type RouteConditionReason,
  type RouteEventReason,
} from '../events.js';

export interface NetworkCondition {
  /** 'False' = the network is available (route in place). */
  status: 'True' | 'False';
  reason: RouteConditionReason;
  message: string;
}

export interface NodeEvent {
  nodeName: string;
  type: 'Normal' | 'Warning';
  reason: RouteEventReason;
  message: string;
  /** Identical keys across passes are the same news; the controller records them once. */
  key: string;
}

export interface Verdicts {
  conditions: Map<string, NetworkCondition>;
  events: NodeEvent[];
}

export interface TableResult {
  plan: RoutePlan;
  outcome: TableOutcome;
}

function describeConflict(tableId: string, c: RouteConflict): string {
  const what = `${c.remote.cidr} → ${c.remote.nextHopType} ${c.remote.nextHopId}`;
  return c.kind === 'same-cidr'
    ? `route table ${tableId} already has ${what}, which this cluster did not create, for pod CIDR ${c.cidr}; it is left alone: delete it or give the Node another pod CIDR`
    : `route table ${tableId} has a more specific route ${what} inside pod CIDR ${c.cidr}, which this cluster did not create; it takes part of the Node's pod traffic and is left alone`;
}

export function computeVerdicts(
  model: Pick<RouteModel, 'desired' | 'unroutable'>,
  results: readonly TableResult[],
): Verdicts {
  const conditions = new Map<string, NetworkCondition>();
  const events: NodeEvent[] = [];

  for (const u of model.unroutable) {
    // No pod CIDR yet is the normal state of a joining Node (or a CNI that does its own routing):
    // leave the condition to whoever owns it.
    if (u.reason === 'NoPodCIDR') continue;
    conditions.set(u.nodeName, { status: 'True', reason: u.reason, message: u.message });
  }

  for (const want of model.desired) {
    const problems: Array<{ rank: number; reason: RouteConditionReason; message: string }> = [];
    let available = 0;
    for (const { plan, outcome } of results) {
      const t = plan.tableId;
      for (const c of plan.conflicts.filter((c) => c.nodeName === want.nodeName)) {
        const message = describeConflict(t, c);
        problems.push({ rank: 0, reason: R.RouteConflict, message });
        events.push({
          nodeName: want.nodeName,
          type: 'Warning',
          reason: E.RouteConflict,
          message,
          key: `conflict:${t}:${c.remote.cidr}>${c.remote.nextHopId}`,
        });
      }
      const failure = outcome.failed.get(want.cidr);
      if (outcome.quota.has(want.cidr)) {
        const message = `route table ${t} is full: no room for ${want.cidr} → ${want.instanceId}; ${QUOTA_HINT}`;
        problems.push({ rank: 1, reason: R.RouteQuotaExceeded, message });
        events.push({
          nodeName: want.nodeName,
          type: 'Warning',
          reason: E.RouteQuotaExceeded,
          message,
          key: `quota:${t}`,
        });
      } else if (failure) {
        const message = `creating route ${want.cidr} → ${want.instanceId} in ${t} failed: ${failure.code}: ${failure.message}`;
        problems.push({ rank: 2, reason: R.NoRouteCreated, message });
        events.push({
          nodeName: want.nodeName,
          type: 'Warning',
          reason: E.CreateRouteFailed,
          message,
          key: `failed:${t}:${failure.code}`,
        });
      } else if (outcome.available.has(want.cidr)) {
        available++;
        if (plan.creates.some((c) => c.cidr === want.cidr)) {
          events.push({
            nodeName: want.nodeName,
            type: 'Normal',
            reason: E.CreatedRoute,
            message: `created route ${want.cidr} → ${want.instanceId} in ${t}`,
            key: `created:${t}:${want.cidr}>${want.instanceId}`,
          });
        }
      } else if (!plan.conflicts.some((c) => c.nodeName === want.nodeName && c.kind === 'same-cidr')) {
        problems.push({
          rank: 3,
          reason: R.RoutePending,
          message: `route ${want.cidr} → ${want.instanceId} in ${t} is not Available yet`,
        });
      }
    }
    problems.sort((a, b) => a.rank - b.rank);
    const worst = problems[0];
    if (worst)
      conditions.set(want.nodeName, { status: 'True', reason: worst.reason, message: worst.message });
    else if (available === results.length && results.length > 0) {
      conditions.set(want.nodeName, {
        status: 'False',
        reason: R.RouteCreated,
        message: 'RouteController created a route',
      });
    }
  }
  return { conditions, events };
}
