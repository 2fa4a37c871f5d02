// One pass: desired routes (pure) → read kernel → plan (pure) → one batch → report. Full passes
// cover every Node; event passes cover only the changed ones when that is provably equivalent.
// Owns no timers; the loop decides when to call it.
import type { Logger } from '../util/log.js';
import {
  computeDesired,
  type DesiredOptions,
  type DesiredRoute,
  type DesiredState,
  type Rejection,
} from './desired.js';
import {
  planRoutes,
  type Conflict,
  type DiffOptions,
  type KernelState,
  type Plan,
  type RouteOp,
} from './diff.js';
import {
  diffNodes,
  type DesiredUpdate,
  type FactsLookup,
  MAX_INCREMENTAL_CHANGES,
  sameFacts,
  updateDesired,
} from './incremental.js';
import { afterApplying, applyInPlace, sameRoutes, withDestinations } from './kernel-snapshot.js';
import type { KernelRoute } from './kernel-routes.js';
import type { RouteTable } from './ip.js';
import type { HostroutesMetrics } from './metrics.js';
import type { Ipv4Cidr as Cidr } from '../util/ipv4.js';
import type { NodeFacts } from './node-facts.js';

export interface ReconcilerConfig extends DesiredOptions {
  readonly clusterCIDRs: readonly Cidr[];
  readonly nodeName: string;
  readonly protocol: number;
  readonly table: string;
}

export interface SyncReport {
  /** `incremental`: only the changed Nodes' destinations were planned, re-read and applied. */
  readonly mode: 'full' | 'incremental';
  readonly desired: number;
  /** Owned routes in the kernel before the batch. */
  readonly presentBefore: number;
  readonly applied: readonly RouteOp[];
  readonly failed: readonly { op: RouteOp; error: string }[];
  readonly rejected: readonly Rejection[];
  readonly conflicts: readonly Conflict[];
  readonly durationMs: number;
  /** Where the time went: model, kernel reads, diff, batch (ms). */
  readonly phases: {
    readonly desiredMs: number;
    readonly readMs: number;
    readonly planMs: number;
    readonly applyMs: number;
  };
}

/** The Nodes changed since the previous pass, as the node source counts them. */
export interface NodeChanges extends FactsLookup {
  readonly names: ReadonlySet<string>;
}

/** What the last fully successful pass decided, kept so the next event can change just a part. */
interface Memo {
  readonly facts: ReadonlyMap<string, NodeFacts>;
  readonly desired: DesiredState;
  readonly accepted: ReadonlyMap<string, { gateway: string; node: string }>;
  /** Rejections and conflicts the plan (not the model) produced; each names its destination. */
  readonly planRejected: readonly Rejection[];
  readonly conflicts: readonly Conflict[];
}

/** Above this many changes in one pass, routes are logged as one summary line (see logApplied). */
const PER_ROUTE_LOG_LIMIT = 20;

export class Reconciler {
  /** Last reported problem per destination, so a persisting problem is logged once, not every pass. */
  private readonly reported = new Map<string, string>();
  /** Kernel state as it should be after the last fully successful pass. */
  private snapshot: KernelState | undefined;
  private memo: Memo | undefined;

  constructor(
    private readonly config: ReconcilerConfig,
    private readonly kernel: RouteTable,
    private readonly metrics: HostroutesMetrics,
    private readonly log: Logger,
  ) {
    // (safety) Without a bound, any Node's podCIDR would become a route; see options.ts.
    if (!config.clusterCIDRs || config.clusterCIDRs.length === 0)
      throw new Error('hostroutes needs at least one IPv4 cluster CIDR');
  }

  /**
   * `fresh: false` marks an event-driven pass: it may reuse the kernel snapshot and decisions of
   * the previous pass and, when the change stays with the changed Nodes, plan and re-read only
   * their destinations. That is what keeps a single Node change fast with thousands of routes.
   * Other passes read the whole table and recompute everything, so they still catch drift; any
   * failure drops the snapshot.
   */
  async sync(nodes: readonly NodeFacts[], opts: { fresh?: boolean } = {}): Promise<SyncReport> {
    const started = performance.now();
    const snapshot = opts.fresh === false ? this.snapshot : undefined;
    const memo = opts.fresh === false ? this.memo : undefined;
    this.snapshot = undefined;
    this.memo = undefined;
    if (snapshot && memo) {
      const delta = diffNodes(memo.facts, nodes);
      const update =
        delta && updateDesired(memo.desired, memo.facts, delta, this.config.nodeName, this.config);
      if (delta && update) return this.syncTouched(started, delta.facts, update, memo, snapshot);
    }
    return this.syncAll(started, nodes, snapshot);
  }

  /**
   * An event pass told which Nodes changed since the previous pass, so one Node change costs work
   * in proportion to the change rather than to the cluster: at 5000 Nodes, re-diffing every Node
   * and copying the route and decision maps was most of a change's CPU and nearly all of its
   * garbage (bench/hostroutes.ts, CPU profile). The previous pass's memo and snapshot are updated
   * in place; they are dropped first, so a failure or an undefined answer leaves nothing stale.
   * Undefined when only a full computation can decide (no previous pass, this node changed, an
   * overlap, a large burst): the caller then runs `sync` with every Node.
   */
  async syncChanged(changes: NodeChanges): Promise<SyncReport | undefined> {
    const started = performance.now();
    const { snapshot, memo } = this;
    this.snapshot = undefined;
    this.memo = undefined;
    if (!snapshot || !memo || !(memo.facts instanceof Map) || changes.names.size > MAX_INCREMENTAL_CHANGES)
      return undefined;
    const facts = memo.facts as Map<string, NodeFacts>;
    const before = new Map<string, NodeFacts>();
    const changed = new Set<string>();
    for (const name of changes.names) {
      const old = facts.get(name);
      const now = changes.get(name);
      if (old === now || (old && now && sameFacts(old, now))) continue;
      changed.add(name);
      if (old) before.set(name, old);
      if (now) facts.set(name, now);
      else facts.delete(name);
    }
    const update = updateDesired(
      memo.desired,
      before,
      { changed, facts },
      this.config.nodeName,
      this.config,
      'in-place',
    );
    if (!update) return undefined;
    return this.syncTouched(started, facts, update, memo, snapshot, 'in-place');
  }

  private async syncAll(
    started: number,
    nodes: readonly NodeFacts[],
    snapshot: KernelState | undefined,
  ): Promise<SyncReport> {
    const desired = computeDesired(nodes, this.config.nodeName, this.config);
    const { routes } = desired;
    const t1 = performance.now();
    let readMs = 0;
    let planMs = 0;
    const state = snapshot ?? (await this.readAll());
    const t2 = performance.now();
    readMs += t2 - t1;
    let plan = planRoutes(routes, state, this.diffOptions());
    planMs += performance.now() - t2;
    let current = state;
    if (snapshot && plan.ops.some((o) => o.kind === 'replace')) {
      // `replace` overwrites whatever holds the key, whatever its protocol. The snapshot cannot
      // know about a route someone added since the last read, so re-read exactly the
      // destinations about to be replaced and plan again before touching them.
      const t3 = performance.now();
      const dsts = new Set(plan.ops.flatMap((o) => (o.kind === 'replace' ? [o.dst] : [])));
      const fresh = await this.readExact(dsts);
      const t4 = performance.now();
      readMs += t4 - t3;
      // Usually nothing changed behind our back; only then is a second full plan worth its cost.
      if (
        !sameRoutes(
          fresh,
          state.table.filter((r) => dsts.has(r.dst)),
        )
      ) {
        current = withDestinations(state, dsts, fresh);
        plan = planRoutes(routes, current, this.diffOptions());
        planMs += performance.now() - t4;
      }
    }
    const t5 = performance.now();
    const { applied, failed } = await this.apply(plan.ops, plan.lines);
    const finished = performance.now();
    const rejected = [...desired.rejected, ...plan.rejected];
    if (failed.length === 0) {
      this.snapshot = afterApplying(current, applied, this.config.protocol);
      this.memo = {
        facts: new Map(nodes.map((n) => [n.name, n])),
        desired,
        accepted: plan.accepted,
        planRejected: plan.rejected,
        conflicts: plan.conflicts,
      };
    }
    const durationMs = finished - started;
    this.record(plan.accepted.size, plan.owned, applied, failed, rejected, plan.conflicts, durationMs);
    const phases = { desiredMs: t1 - started, readMs, planMs, applyMs: finished - t5 };
    return {
      mode: 'full',
      desired: plan.accepted.size,
      presentBefore: plan.owned,
      applied,
      failed,
      rejected,
      conflicts: plan.conflicts,
      durationMs,
      phases,
    };
  }

  /**
   * Plans only the touched destinations. They are always re-read first (one `ip` process), so the
   * plan for them rests on the kernel's current state, never on the snapshot: a foreign route
   * added since the last full read is seen before anything replaces over it.
   */
  private async syncTouched(
    started: number,
    facts: ReadonlyMap<string, NodeFacts>,
    update: DesiredUpdate,
    memo: Memo,
    snapshot: KernelState,
    reuse: 'copy' | 'in-place' = 'copy',
  ): Promise<SyncReport> {
    const t1 = performance.now();
    const { touched } = update;
    const wanted = new Map<string, DesiredRoute>();
    for (const dst of touched) {
      const route = update.state.routes.get(dst);
      if (route) wanted.set(dst, route);
    }
    const known = snapshot.table.filter((r) => touched.has(r.dst));
    const held = new Set(known.map((r) => r.dst));
    // A re-read dumps the whole table (iproute2 filters by destination in user space), which is
    // most of a single change's cost at thousands of routes. Only a `replace` over a destination
    // that already holds something needs it: an empty one is written with `route add`, which
    // the kernel refuses if anything appeared there since the last read (the failure then leads
    // to a full pass), and a `route del` names our protocol, gateway and metric, so it can only
    // ever remove our own route.
    const reread = new Set([...wanted.keys()].filter((dst) => held.has(dst)));
    const fresh = await this.readExact(reread);
    const table = [...known.filter((r) => !reread.has(r.dst)), ...fresh];
    let state = withDestinations(snapshot, reread, fresh);
    const t2 = performance.now();
    let plan: Pick<Plan, 'ops' | 'lines' | 'accepted' | 'rejected' | 'conflicts'> = planRoutes(
      wanted,
      { table, main: state.main, local: state.local },
      this.diffOptions(),
    );
    const lines = plan.lines.map((line, i) => {
      const op = plan.ops[i];
      return op?.kind === 'replace' && !held.has(op.dst)
        ? line.replace(/^route replace /, 'route add ')
        : line;
    });
    const t3 = performance.now();
    let { applied, failed } = await this.apply(plan.ops, lines);
    // Something took an empty destination since the last read: read it and plan it again, so
    // this pass reports the conflict (or repairs the route) like a pass that had re-read first.
    const clashed = new Set(
      failed.flatMap((f) =>
        f.op.kind === 'replace' && !held.has(f.op.dst) && /File exists/i.test(f.error) ? [f.op.dst] : [],
      ),
    );
    if (clashed.size > 0) {
      const again = await this.readExact(clashed);
      state = withDestinations(state, clashed, again);
      const retry = planRoutes(
        new Map([...wanted].filter(([dst]) => clashed.has(dst))),
        { table: again, main: state.main, local: state.local },
        this.diffOptions(),
      );
      const second = await this.apply(retry.ops, retry.lines);
      const others = <T extends { dst?: string }>(xs: readonly T[]) =>
        xs.filter((x) => x.dst === undefined || !clashed.has(x.dst));
      applied = [...applied, ...second.applied];
      failed = [...failed.filter((f) => !clashed.has(f.op.dst)), ...second.failed];
      plan = {
        ops: [...plan.ops, ...retry.ops],
        lines: [...lines, ...retry.lines],
        accepted: new Map([...[...plan.accepted].filter(([dst]) => !clashed.has(dst)), ...retry.accepted]),
        rejected: [...others(plan.rejected), ...retry.rejected],
        conflicts: [...others(plan.conflicts), ...retry.conflicts],
      };
    }
    const finished = performance.now();

    const accepted =
      reuse === 'in-place' && memo.accepted instanceof Map
        ? (memo.accepted as Map<string, { gateway: string; node: string }>)
        : new Map(memo.accepted);
    for (const dst of touched) accepted.delete(dst);
    for (const [dst, want] of plan.accepted) accepted.set(dst, want);
    const untouched = (x: { dst?: string }) => x.dst === undefined || !touched.has(x.dst);
    const planRejected = [...memo.planRejected.filter(untouched), ...plan.rejected];
    const conflicts = [...memo.conflicts.filter(untouched), ...plan.conflicts];
    const proto = String(this.config.protocol);
    const presentBefore = state.table.reduce((n, r) => (r.protocol === proto ? n + 1 : n), 0);
    if (failed.length === 0) {
      // The snapshot is ours alone once dropped by sync/syncChanged; a re-read already copied it.
      this.snapshot =
        reuse === 'in-place'
          ? applyInPlace(state, applied, this.config.protocol)
          : afterApplying(state, applied, this.config.protocol);
      this.memo = { facts, desired: update.state, accepted, planRejected, conflicts };
    }
    const rejected = [...update.state.rejected, ...planRejected];
    const durationMs = finished - started;
    this.record(accepted.size, presentBefore, applied, failed, rejected, conflicts, durationMs);
    const phases = { desiredMs: t1 - started, readMs: t2 - t1, planMs: t3 - t2, applyMs: finished - t3 };
    return {
      mode: 'incremental',
      desired: accepted.size,
      presentBefore,
      applied,
      failed,
      rejected,
      conflicts,
      durationMs,
      phases,
    };
  }

  private diffOptions(): DiffOptions {
    return { protocol: this.config.protocol, table: this.config.table };
  }

  private async readAll(): Promise<KernelState> {
    try {
      return await this.kernel.read(this.config.table);
    } catch (err) {
      this.metrics.syncErrors.inc({ kind: 'read' });
      throw err;
    }
  }

  private async readExact(dsts: ReadonlySet<string>): Promise<KernelRoute[]> {
    if (dsts.size === 0) return [];
    try {
      return await this.kernel.readExact(this.config.table, [...dsts]);
    } catch (err) {
      this.metrics.syncErrors.inc({ kind: 'read' });
      throw err;
    }
  }

  private async apply(
    ops: readonly RouteOp[],
    lines: readonly string[],
  ): Promise<{ applied: RouteOp[]; failed: { op: RouteOp; error: string }[] }> {
    const result = await this.kernel.applyBatch(lines).catch((err: unknown) => {
      this.metrics.syncErrors.inc({ kind: 'batch' });
      throw err;
    });
    const failedSet = new Set(result.failedLines);
    const failed = ops.flatMap((op, i) =>
      failedSet.has(i + 1) ? [{ op, error: result.errors.get(i + 1) ?? 'unknown' }] : [],
    );
    const applied = ops.filter((_, i) => !failedSet.has(i + 1));
    return { applied, failed };
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
    m.routesPresent.set(
      presentBefore - removed + applied.filter((o) => o.kind === 'replace' && !o.rewrites).length,
    );
    m.routeOps.inc({ op: 'replace' }, added);
    m.routeOps.inc({ op: 'delete' }, removed);
    if (failed.length > 0) m.syncErrors.inc({ kind: 'route' }, failed.length);
    m.skippedNodes.reset();
    for (const r of rejected) m.skippedNodes.inc({ reason: r.reason });
    m.foreignConflicts.set(conflicts.length);
    m.syncDuration.observe(durationMs / 1000);
    m.lastSyncDuration.set(durationMs / 1000);
    if (failed.length === 0) m.lastSuccess.set(Date.now() / 1000);

    this.logApplied(applied, added, removed);
    for (const f of failed)
      this.log.error(
        { event: 'route-failed', dst: f.op.dst, op: f.op.kind, error: f.error },
        'ip rejected a route change',
      );

    const seen = new Set<string>();
    for (const r of rejected) {
      const key = `${r.node}|${r.dst ?? ''}`;
      seen.add(key);
      if (this.reported.get(key) === r.reason) continue;
      this.reported.set(key, r.reason);
      this.log.warn(
        { event: 'route-skipped', node: r.node, dst: r.dst, reason: r.reason, detail: r.detail },
        `skipping ${r.dst ?? 'node'} of ${r.node}: ${r.reason}`,
      );
    }
    for (const c of conflicts) {
      const key = `${c.node}|${c.dst}`;
      seen.add(key);
      const sig = `foreign:${c.protocol}:${c.gateway ?? c.dev ?? ''}:${c.metric}`;
      if (this.reported.get(key) === sig) continue;
      this.reported.set(key, sig);
      this.log.warn(
        {
          event: 'foreign-route',
          dst: c.dst,
          node: c.node,
          protocol: c.protocol,
          gateway: c.gateway,
          dev: c.dev,
          metric: c.metric,
        },
        `${c.dst} is held by a route of protocol ${c.protocol}; leaving it untouched`,
      );
    }
    for (const key of [...this.reported.keys()]) if (!seen.has(key)) this.reported.delete(key);
  }

  /**
   * One line per change while changes are few (a Node joined, left, moved); a cold start or a
   * re-list programs thousands, and a line per route there was most of the agent's CPU for the
   * whole sync (CPU profile at 5000 Nodes): those get one summary line, and the per-route lines
   * at debug level.
   */
  private logApplied(applied: readonly RouteOp[], added: number, removed: number): void {
    const each = applied.length <= PER_ROUTE_LOG_LIMIT || this.log.isLevelEnabled('debug');
    const level = applied.length <= PER_ROUTE_LOG_LIMIT ? 'info' : 'debug';
    if (each)
      for (const op of applied) {
        if (op.kind === 'replace')
          this.log[level](
            { event: 'route-set', dst: op.dst, gateway: op.gateway, node: op.node },
            'route programmed',
          );
        else
          this.log[level](
            { event: 'route-removed', dst: op.dst, gateway: op.gateway, why: op.why },
            'owned route removed',
          );
      }
    if (applied.length > PER_ROUTE_LOG_LIMIT)
      this.log.info(
        { event: 'routes-applied', set: added, removed, first: applied.slice(0, 5).map((o) => o.dst) },
        `${added} routes programmed, ${removed} removed`,
      );
  }
}
