// One pass: desired routes (pure) → read kernel → plan (pure) → one batch → report. Owns no timers;
// the loop decides when to call it.
import type { Logger } from '../util/log.js';
import { computeDesired, type DesiredOptions, type Rejection } from './desired.js';
import { planRoutes, type Conflict, type KernelState, type RouteOp } from './diff.js';
import { parseCidr } from './ipv4.js';
import type { KernelRoute } from './kernel-routes.js';
import type { RouteTable } from './ip.js';
import type { HostroutesMetrics } from './metrics.js';
import type { NodeFacts } from './node-facts.js';

export interface ReconcilerConfig extends DesiredOptions {
  readonly nodeName: string;
  readonly protocol: number;
  readonly table: string;
}

export interface SyncReport {
  readonly desired: number;
  /** Owned routes in the kernel before the batch. */
  readonly presentBefore: number;
  readonly applied: readonly RouteOp[];
  readonly failed: readonly { op: RouteOp; error: string }[];
  readonly rejected: readonly Rejection[];
  readonly conflicts: readonly Conflict[];
  readonly durationMs: number;
  /** Where the time went: model, kernel reads, diff, batch (ms). */
  readonly phases: { readonly desiredMs: number; readonly readMs: number; readonly planMs: number; readonly applyMs: number };
}

export class Reconciler {
  /** Last reported problem per destination, so a persisting problem is logged once, not every pass. */
  private readonly reported = new Map<string, string>();
  /** Kernel state as it should be after the last fully successful pass. */
  private snapshot: KernelState | undefined;

  constructor(
    private readonly config: ReconcilerConfig,
    private readonly kernel: RouteTable,
    private readonly metrics: HostroutesMetrics,
    private readonly log: Logger,
  ) {}

  /**
   * `fresh: false` lets a pass reuse the kernel snapshot left by the previous one (updated with
   * what that pass applied) instead of re-reading thousands of routes: that is what keeps a
   * single Node change fast. Periodic passes read fresh and so still catch drift; any failure
   * drops the snapshot.
   */
  async sync(nodes: readonly NodeFacts[], opts: { fresh?: boolean } = {}): Promise<SyncReport> {
    const started = performance.now();
    const { routes, rejected: early } = computeDesired(nodes, this.config.nodeName, this.config);
    const t1 = performance.now();
    let readMs = 0;
    let planMs = 0;
    let state = opts.fresh === false ? this.snapshot : undefined;
    this.snapshot = undefined;
    if (!state) {
      try {
        state = await this.kernel.read(this.config.table);
      } catch (err) {
        this.metrics.syncErrors.inc({ kind: 'read' });
        throw err;
      }
    }
    const diffOptions = { protocol: this.config.protocol, table: this.config.table };
    const t2 = performance.now();
    readMs += t2 - t1;
    let plan = planRoutes(routes, state, diffOptions);
    planMs += performance.now() - t2;
    if (opts.fresh === false && plan.ops.some((o) => o.kind === 'replace')) {
      // `replace` overwrites whatever holds the key, whatever its protocol. The snapshot cannot
      // know about a route someone added since the last read, so re-read exactly the
      // destinations about to be replaced and plan again before touching them.
      const t3 = performance.now();
      const refreshed = await this.refreshDestinations(state, plan.ops.flatMap((o) => (o.kind === 'replace' ? [o.dst] : [])));
      const t4 = performance.now();
      readMs += t4 - t3;
      // Usually nothing changed behind our back; only then is a second full plan worth its cost.
      if (refreshed) {
        state = refreshed;
        plan = planRoutes(routes, state, diffOptions);
        planMs += performance.now() - t4;
      }
    }
    const t5 = performance.now();
    const result = await this.kernel.applyBatch(plan.lines).catch((err: unknown) => {
      this.metrics.syncErrors.inc({ kind: 'batch' });
      throw err;
    });
    const failedSet = new Set(result.failedLines);
    const failed = plan.ops.flatMap((op, i) => (failedSet.has(i + 1) ? [{ op, error: result.errors.get(i + 1) ?? 'unknown' }] : []));
    const applied = plan.ops.filter((_, i) => !failedSet.has(i + 1));
    const rejected = [...early, ...plan.rejected];
    const finished = performance.now();
    const durationMs = finished - started;
    const phases = { desiredMs: t1 - started, readMs, planMs, applyMs: finished - t5 };

    if (failed.length === 0) this.snapshot = afterApplying(state, applied, this.config.protocol);
    this.record(plan.accepted.size, plan.owned, applied, failed, rejected, plan.conflicts, durationMs);
    return { desired: plan.accepted.size, presentBefore: plan.owned, applied, failed, rejected, conflicts: plan.conflicts, durationMs, phases };
  }

  /** The snapshot with `dsts` re-read from the kernel, or undefined when they are unchanged. */
  private async refreshDestinations(state: KernelState, dsts: readonly string[]): Promise<KernelState | undefined> {
    let fresh: KernelRoute[];
    try {
      fresh = await this.kernel.readExact(this.config.table, dsts);
    } catch (err) {
      this.metrics.syncErrors.inc({ kind: 'read' });
      throw err;
    }
    const touched = new Set(dsts);
    const sig = (rs: readonly KernelRoute[]) => rs.map((r) => `${r.dst}|${r.gateway ?? ''}|${r.protocol}|${r.metric}|${r.type}`).sort().join(',');
    if (sig(fresh) === sig(state.table.filter((r) => touched.has(r.dst)))) return undefined;
    const table = [...state.table.filter((r) => !touched.has(r.dst)), ...fresh];
    return { table, main: state.main === state.table ? table : state.main, local: state.local };
  }

  private record(
    desired: number,
    presentBefore: number,
    applied: readonly RouteOp[],
    failed: readonly { op: RouteOp; error: string }[],
    rejected: readonly Rejection[],
    conflicts: readonly Conflict[],
    durationMs: number,
  ): void {
    const m = this.metrics;
    m.routesDesired.set(desired);
    const added = applied.filter((o) => o.kind === 'replace').length;
    const removed = applied.length - added;
    // Present after the batch: what was there, minus deletes, plus replaces that created a route.
    m.routesPresent.set(presentBefore - removed + applied.filter((o) => o.kind === 'replace' && !o.rewrites).length);
    m.routeOps.inc({ op: 'replace' }, added);
    m.routeOps.inc({ op: 'delete' }, removed);
    if (failed.length > 0) m.syncErrors.inc({ kind: 'route' }, failed.length);
    m.skippedNodes.reset();
    for (const r of rejected) m.skippedNodes.inc({ reason: r.reason });
    m.foreignConflicts.set(conflicts.length);
    m.syncDuration.observe(durationMs / 1000);
    m.lastSyncDuration.set(durationMs / 1000);
    if (failed.length === 0) m.lastSuccess.set(Date.now() / 1000);

    for (const op of applied) {
      if (op.kind === 'replace') this.log.info({ event: 'route-set', dst: op.dst, gateway: op.gateway, node: op.node }, 'route programmed');
      else this.log.info({ event: 'route-removed', dst: op.dst, gateway: op.gateway, why: op.why }, 'owned route removed');
    }
    for (const f of failed) this.log.error({ event: 'route-failed', dst: f.op.dst, op: f.op.kind, error: f.error }, 'ip rejected a route change');

    const seen = new Set<string>();
    for (const r of rejected) {
      const key = `${r.node}|${r.dst ?? ''}`;
      seen.add(key);
      if (this.reported.get(key) === r.reason) continue;
      this.reported.set(key, r.reason);
      this.log.warn({ event: 'route-skipped', node: r.node, dst: r.dst, reason: r.reason, detail: r.detail }, `skipping ${r.dst ?? 'node'} of ${r.node}: ${r.reason}`);
    }
    for (const c of conflicts) {
      const key = `${c.node}|${c.dst}`;
      seen.add(key);
      const sig = `foreign:${c.protocol}:${c.gateway ?? c.dev ?? ''}:${c.metric}`;
      if (this.reported.get(key) === sig) continue;
      this.reported.set(key, sig);
      this.log.warn(
        { event: 'foreign-route', dst: c.dst, node: c.node, protocol: c.protocol, gateway: c.gateway, dev: c.dev, metric: c.metric },
        `${c.dst} is held by a route of protocol ${c.protocol}; leaving it untouched`,
      );
    }
    for (const key of [...this.reported.keys()]) if (!seen.has(key)) this.reported.delete(key);
  }
}

/** The table after `ops` succeeded, derived without asking the kernel. */
function afterApplying(state: KernelState, ops: readonly RouteOp[], protocol: number): KernelState {
  const proto = String(protocol);
  const sameTable = state.main === state.table;
  let table: readonly KernelRoute[] = state.table;
  const deleted = new Set(ops.filter((o) => o.kind === 'delete').map((o) => `${o.dst}|${o.gateway ?? ''}|${o.metric}`));
  const replaced = new Map<string, KernelRoute>();
  for (const op of ops) {
    if (op.kind !== 'replace') continue;
    const cidr = parseCidr(op.dst);
    if (cidr) replaced.set(op.dst, { dst: op.dst, cidr, gateway: op.gateway, protocol: proto, metric: 0, type: 'unicast' });
  }
  if (deleted.size > 0 || replaced.size > 0) {
    const kept = state.table.filter((r) => {
      if (r.protocol !== proto) return true;
      if (deleted.has(`${r.dst}|${r.gateway ?? ''}|${r.metric}`)) return false;
      return !(r.metric === 0 && replaced.has(r.dst));
    });
    table = [...kept, ...replaced.values()];
  }
  return { table, main: sameTable ? table : state.main, local: state.local };
}
