// The route controller loop: Node events mark the state dirty, bursts coalesce into one pass,
// a pass is level-based (all Nodes × every managed table, one paged listing per table), and a
// periodic pass catches changes made behind our back. Passes never overlap.
import { applyPlan, type TableOutcome } from './apply/index.js';
import { PassLoop } from '../../kube/pass-loop.js';
import { errorText } from '../../util/errors.js';
import { codeOf } from './cloudport/codes.js';
import { diffRoutes, type RoutePlan } from './diff.js';
import { RouteTableConfigError, type ResolvedTables } from './inputs.js';
import { buildModel, podCidrOf, routeSkipReason, type NodeLike } from './model/index.js';
import type { RouteCloudPort } from './cloudport/port.js';
import { RouteEvents } from './events.js';
import type { Ipv4Cidr } from '../../util/ipv4.js';
import { computeVerdicts, type NetworkCondition, type NodeEvent } from './model/verdict.js';
import type { Logger } from '../../util/log.js';
import { redactSecrets } from '../../util/secrets.js';

/** A Node as the controller reads it: the model's fields plus the current conditions. */
export interface RouteNode extends NodeLike {
  metadata?: NodeLike['metadata'] & { uid?: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

export interface RouteControllerDeps {
  port: RouteCloudPort;
  /** Node cache; `synced()` must be true before a pass may run (an empty cache would look like "all Nodes deleted"). */
  nodes: { list(): RouteNode[]; synced(): boolean };
  /** Writes the NetworkUnavailable condition of one Node (strategic-merge on status). */
  setCondition(nodeName: string, condition: NetworkCondition, statusChanged: boolean): Promise<void>;
  /** Records an Event on a Node. */
  recordEvent(event: { nodeName: string; type: 'Normal' | 'Warning'; reason: string; message: string }): void;
  logger: Logger;
  resolveTables(): Promise<ResolvedTables>;
  clusterCidrs: readonly Ipv4Cidr[];
  clusterId: string;
  /** Full reconcile period (--route-reconciliation-period). */
  periodMs: number;
  /** How long to gather a burst of Node events before a pass (--node-event-aggregation-wait-seconds). */
  aggregationMs: number;
  /** Pending → Available wait per pass. */
  availableTimeoutMs?: number;
  /** Retry delay bounds after a pass that left work undone. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Told after every pass: 'success', or 'backoff' when it failed or left work to retry (as the work-queue workers label outcomes). */
  onPassOutcome?: (outcome: 'success' | 'backoff', seconds: number) => void;
}

export interface TableReport {
  tableId: string;
  /** Calls the pass's listing of this table took. */
  listCalls: number;
  routesListed: number;
  plan: RoutePlan;
  outcome?: TableOutcome;
  error?: string;
}

export interface PassReport {
  startedAt: number;
  durationMs: number;
  nodes: number;
  tables: TableReport[];
  /** True when something is left to retry sooner than the next period. */
  incomplete: boolean;
}

const NETWORK_UNAVAILABLE = 'NetworkUnavailable';
const CONDITION_WRITERS = 8;

/** Whether a Node change can alter routes; status-only updates (our own condition writes) cannot. */
export function routeRelevantChange(oldNode: RouteNode | undefined, newNode: RouteNode | undefined): boolean {
  if (!oldNode || !newNode) return true;
  // Unlike the official CCM, podCIDRs is compared old-vs-new, so a dual-stack change triggers too.
  return (
    oldNode.metadata?.uid !== newNode.metadata?.uid ||
    oldNode.spec?.providerID !== newNode.spec?.providerID ||
    oldNode.spec?.podCIDR !== newNode.spec?.podCIDR ||
    JSON.stringify(oldNode.spec?.podCIDRs ?? []) !== JSON.stringify(newNode.spec?.podCIDRs ?? []) ||
    // Back from Unknown, exclude-node label removed: the route is wanted now, not in 5 minutes.
    routeSkipReason(oldNode) !== routeSkipReason(newNode)
  );
}

export class RouteController {
  private tables: ResolvedTables | undefined;
  /** Warning keys already recorded per Node, so a standing problem is reported once, not every pass. */
  private reported = new Map<string, Set<string>>();
  private passes = 0;
  private readonly loop: PassLoop;
  lastReport: PassReport | undefined;

  constructor(private readonly deps: RouteControllerDeps) {
    this.loop = new PassLoop(
      async (_trigger, signal) => ((await this.runPass(signal)).incomplete ? 'retry' : 'done'),
      {
        aggregationMs: deps.aggregationMs,
        periodMs: deps.periodMs,
        retryMinMs: deps.retryMinMs ?? 1_000,
        retryMaxMs: Math.max(deps.retryMinMs ?? 1_000, deps.retryMaxMs ?? 300_000),
        ready: () => deps.nodes.synced(),
        onPass: (o) => {
          if (o.result === 'error')
            this.deps.logger.error({ err: redactSecrets(errorText(o.error)) }, 'route pass failed');
          this.deps.onPassOutcome?.(o.result === 'done' ? 'success' : 'backoff', o.seconds);
        },
      },
    );
  }

  /** Node add/update/delete handler: schedule a pass (coalesced). */
  notify(): void {
    this.loop.notify();
  }

  /**
   * Resolves tables, then runs passes until `signal` aborts. Bad configuration is fatal; a cloud
   * error while resolving is not: it would otherwise take the service, node and disk controllers
   * down with the process, and runPass resolves the tables again on its retry.
   */
  async start(signal: AbortSignal): Promise<void> {
    try {
      this.tables = await this.deps.resolveTables();
      this.deps.logger.info(
        {
          vpcId: this.tables.vpcId,
          tables: this.tables.tables.map((t) => t.routeTableId),
          source: this.tables.source,
        },
        'managing routes',
      );
    } catch (err) {
      if (err instanceof RouteTableConfigError || signal.aborted) throw err;
      this.deps.logger.error(
        { err: redactSecrets(String(err)) },
        'cannot read the route tables yet; retrying with backoff',
      );
    }
    await this.loop.run(signal);
  }

  /** One level-based pass over every managed table. Exposed for tests and the bench. */
  async runPass(signal?: AbortSignal): Promise<PassReport> {
    this.tables ??= await this.deps.resolveTables();
    const startedAt = Date.now();
    const passId = ++this.passes;
    const nodes = this.deps.nodes.list();
    const model = buildModel({ nodes, clusterCidrs: this.deps.clusterCidrs });
    const reports: TableReport[] = [];
    let incomplete = false;

    // Tables one after another: changes to one table must not overlap, and the throttle is per
    // action anyway, so parallel tables would only trade one queue for another.
    for (const table of this.tables.tables) {
      const tableId = table.routeTableId;
      let listed;
      try {
        listed = await this.deps.port.listRoutes(tableId);
      } catch (err) {
        const error = `listing route table ${tableId} failed: ${codeOf(err) ?? ''} ${redactSecrets(String(err))}`;
        this.deps.logger.warn({ tableId, err: error }, 'route listing failed');
        reports.push({ tableId, listCalls: 0, routesListed: 0, plan: emptyPlan(tableId), error });
        incomplete = true;
        continue;
      }
      const plan = diffRoutes({
        tableId,
        model,
        remote: listed.routes,
        clusterCidrs: this.deps.clusterCidrs,
        clusterId: this.deps.clusterId,
      });
      const outcome = await applyPlan(this.deps.port, plan, {
        clusterId: this.deps.clusterId,
        signal,
        availableTimeoutMs: this.deps.availableTimeoutMs,
        remote: listed.routes,
        tableSize: listed.routes.length + plan.creates.length,
      });
      for (const d of outcome.deleted)
        this.deps.logger.info(
          { tableId, cidr: d.cidr, nextHop: d.nextHopId, reason: d.reason },
          'deleted route',
        );
      for (const d of outcome.deleteFailed)
        this.deps.logger.warn({ tableId, cidr: d.cidr, code: d.code, msg: d.message }, 'route delete failed');
      if (outcome.failed.size > 0 || outcome.pending.size > 0 || outcome.deleteFailed.length > 0)
        incomplete = true;
      reports.push({ tableId, listCalls: listed.calls, routesListed: listed.routes.length, plan, outcome });
    }

    const ok = reports.filter((r): r is TableReport & { outcome: TableOutcome } => r.outcome !== undefined);
    // A table we could not list says nothing about a Node's route: keep conditions as they are.
    const verdicts = computeVerdicts(model, ok.length === reports.length ? ok : []);
    await this.writeConditions(nodes, verdicts.conditions);
    this.recordEvents(verdicts.events, model.nodeNames);
    for (const r of reports) if (r.error) this.recordPassFailure(r.error, nodes);

    const report: PassReport = {
      startedAt,
      durationMs: Date.now() - startedAt,
      nodes: nodes.length,
      tables: reports,
      incomplete,
    };
    this.lastReport = report;
    this.deps.logger.info(
      {
        pass: passId,
        ms: report.durationMs,
        nodes: nodes.length,
        tables: reports.map((r) => ({
          id: r.tableId,
          listCalls: r.listCalls,
          creates: r.plan.creates.length,
          deletes: r.plan.deletes.length,
          conflicts: r.plan.conflicts.length,
          available: r.outcome?.available.size ?? 0,
        })),
      },
      'route pass done',
    );
    return report;
  }

  private async writeConditions(
    nodes: RouteNode[],
    conditions: Map<string, NetworkCondition>,
  ): Promise<void> {
    const byName = new Map(nodes.map((n) => [n.metadata?.name, n]));
    const writes: Array<() => Promise<void>> = [];
    for (const [name, want] of conditions) {
      const have = byName.get(name)?.status?.conditions?.find((c) => c.type === NETWORK_UNAVAILABLE);
      if (have && have.status === want.status && have.reason === want.reason && have.message === want.message)
        continue;
      writes.push(async () => {
        try {
          await this.deps.setCondition(name, want, have?.status !== want.status);
        } catch (err) {
          // NotFound: the Node left during the pass. Anything else: the next pass writes it again.
          this.deps.logger.warn(
            { node: name, err: redactSecrets(String(err)) },
            'writing NetworkUnavailable failed',
          );
        }
      });
    }
    // A few at a time: 1000 joining Nodes should not take 1000 round trips in a row, nor
    // 1000 parallel requests against the apiserver's rate limits.
    let next = 0;
    const worker = async () => {
      while (next < writes.length) await writes[next++]!();
    };
    await Promise.all(Array.from({ length: Math.min(CONDITION_WRITERS, writes.length) }, worker));
  }

  private recordEvents(events: NodeEvent[], nodeNames: ReadonlySet<string>): void {
    const now = new Map<string, Set<string>>();
    for (const e of events) {
      const keys = now.get(e.nodeName) ?? new Set<string>();
      now.set(e.nodeName, keys);
      keys.add(e.key);
      if (this.reported.get(e.nodeName)?.has(e.key)) continue;
      this.deps.recordEvent(e);
    }
    // Forget problems that went away (so a recurrence is reported) and Nodes that left.
    for (const name of [...this.reported.keys()])
      if (!nodeNames.has(name) || !now.has(name)) this.reported.delete(name);
    for (const [name, keys] of now) this.reported.set(name, keys);
  }

  private recordPassFailure(message: string, nodes: RouteNode[]): void {
    // Reported on one Node with a pod CIDR, so it is visible with `kubectl describe node`, and logged.
    const target = nodes.find((n) => podCidrOf(n).cidr && n.metadata?.name);
    if (target)
      this.deps.recordEvent({
        nodeName: target.metadata!.name!,
        type: 'Warning',
        reason: RouteEvents.SyncRouteFailed,
        message,
      });
  }
}

function emptyPlan(tableId: string): RoutePlan {
  return { tableId, deletes: [], creates: [], conflicts: [], satisfied: [], awaitGone: [] };
}
