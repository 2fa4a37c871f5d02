// The create/change/delete storm most scenarios share, with the two audits: after the storm
// (everything live converged, nothing leaked or duplicated) and after deleting everything (no SLB,
// listener, VServer group or disk of ours left; routes only for the Nodes still there).
import { audit, waitConverged, type AuditResult } from './audit.js';
import type { ChaosCluster } from './cluster.js';
import { callFigures } from './faults.js';
import { rng } from './rng.js';
import { Checks, type RunContext } from './scenario.js';
import { totalOps, Workload } from './workload.js';

export interface StormOptions {
  services: number;
  pvcs: number;
  nodeChurn: number;
  /** Spare seats (instances without Node) start at this index. */
  initialNodes: number;
  convergeMs: number;
  /** Called between operations (kill points, faults …). */
  pace?: (i: number) => Promise<void>;
  /** Called while waiting for convergence; a returned string aborts (e.g. "manager crashed"). */
  abort?: () => string | undefined;
  /** Between the two phases (e.g. restart a killed process). */
  beforeConverge?: () => Promise<void>;
}

export interface StormOutcome {
  figures: Record<string, string | number>;
  checks: Checks;
  after: AuditResult;
}

function fmt(r: AuditResult): string {
  return r.problems.slice(0, 8).join('; ') + (r.problems.length > 8 ? `; … (${r.problems.length})` : '');
}

export async function runStorm(c: ChaosCluster, ctx: RunContext, o: StormOptions): Promise<StormOutcome> {
  const checks = new Checks();
  const w = new Workload(c, rng(ctx.seed));
  const spare = c.seats.slice(o.initialNodes);
  const leavers = c.seats.slice(0, o.nodeChurn).map((s) => s.name);
  const t0 = Date.now();
  await w.storm(
    { services: o.services, pvcs: o.pvcs, nodeChurn: o.nodeChurn, spareSeats: spare, leavers },
    async (i) => {
      if (o.pace) await o.pace(i);
      else if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    },
  );
  const stormMs = Date.now() - t0;
  await o.beforeConverge?.();
  const first = await waitConverged(c, o.convergeMs, 250, o.abort);
  ctx.log(
    `    storm: ${totalOps(w.ops)} ops in ${stormMs} ms; converged=${first.converged} after ${first.ms} ms (${first.result.counts.ownedSlbs} SLBs, ${first.result.counts.routes} routes, ${first.result.counts.disks} disks)`,
  );
  if (!first.converged) ctx.log(`    not converged: ${fmt(first.result)}`);
  checks.that(
    first.converged,
    `after the storm not converged within ${o.convergeMs} ms: ${fmt(first.result)}`,
  );
  checks.that(
    first.result.counts.ownedSlbs === w.live.size,
    `${first.result.counts.ownedSlbs} SLBs for ${w.live.size} live Services`,
  );

  const t1 = Date.now();
  const stormDeletes = w.ops.deletes;
  w.deleteAll();
  const second = await waitConverged(c, o.convergeMs, 250, o.abort);
  ctx.log(`    delete all: converged=${second.converged} after ${second.ms} ms`);
  checks.that(
    second.converged,
    `after deleting everything not converged within ${o.convergeMs} ms: ${fmt(second.result)}`,
  );
  const after = audit(c);
  const k = after.counts;
  checks.that(
    k.ownedSlbs === 0 && k.vgroups === 0 && k.listeners === 0 && k.disks === 0,
    `left behind: ${k.ownedSlbs} SLBs, ${k.vgroups} VServer groups, ${k.disks} disks`,
  );
  const calls = callFigures(c.cloud.calls());
  return {
    checks,
    after,
    figures: {
      operations: totalOps(w.ops),
      'services created/changed/deleted': `${w.ops.creates}/${w.ops.changes}/${stormDeletes} (+${w.ops.deletes - stormDeletes} at the end)`,
      'claims created': w.ops.pvcCreates,
      'node joins/leaves': `${w.ops.nodeJoins}/${w.ops.nodeLeaves}`,
      'cloud calls': calls.calls,
      'faults injected': calls.faults,
      'fault mix':
        Object.entries(calls.byFault)
          .map(([k2, v]) => `${k2}=${v}`)
          .join(' ') || 'none',
      'convergence after storm (ms)': first.ms,
      'convergence after delete-all (ms)': Date.now() - t1,
      'duplicates found': first.result.duplicates + second.result.duplicates,
      'leaks found': first.result.leaks.length + after.leaks.length,
    },
  };
}
