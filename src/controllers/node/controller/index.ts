// The node controller's loops. Initialisation: informer events put tainted Nodes — and untainted
// ones without providerID, which are adopted — on a work queue (per-key backoff), a batch worker
// waits for a burst to gather and handles the whole batch with one cloud lookup. Sync: every
// --node-monitor-period, all initialised Nodes are compared with the cloud (addresses, labels,
// shutdown taint, deletion of gone instances), and Nodes still waiting for adoption are queued again.
import type { Registry } from 'prom-client';
import { PassLoop } from '../../../kube/pass-loop.js';
import { sleep, realClock } from '../../../util/clock.js';
import { errorText } from '../../../util/errors.js';
import type { EventRecorder } from '../../../kube/events.js';
import type { Informer } from '../../../kube/informer.js';
import { WorkQueue } from '../../../kube/workqueue.js';
import type { Logger } from '../../../util/log.js';
import { redactSecrets } from '../../../util/secrets.js';
import type { NodeWriter } from '../kubeport.js';
import type { NodeCloudPort } from '../cloudport.js';
import { TAINT_UNINITIALIZED } from '../../../kube/labels.js';
import type { NodeNameType } from '../types.js';
import { initNodes } from './init.js';
import { nodeMetrics, type NodeMetrics } from '../metrics.js';
import { hasTaint, needsAdoption } from '../plan/modifiers.js';
import { syncNodes, type SyncReport } from './sync.js';
import type { Node } from '../types.js';

export interface NodeControllerOptions {
  port: NodeCloudPort;
  informer: Informer<Node>;
  writer: NodeWriter;
  recorder: EventRecorder;
  logger: Logger;
  registry?: Registry;
  nameType: NodeNameType;
  skipDisableSourceDestCheck: boolean;
  /** The route controller runs in this manager (--controllers has route, --configure-cloud-routes). */
  routesConfigured?: boolean;
  /** --node-monitor-period: periodic cloud sync interval. */
  monitorPeriodMs: number;
  /** --node-event-aggregation-wait-seconds: how long a burst of joining Nodes gathers before one lookup. */
  aggregationMs: number;
  /** --node-reconcile-batch-size. */
  batchSize: number;
  /** Ready heartbeat older than this counts as "kubelet stopped reporting". */
  heartbeatGraceMs: number;
  /** Retry backoff for Nodes that could not be initialised. */
  initBackoff?: { baseMs: number; maxMs: number };
}

export class NodeController {
  readonly name = 'node';
  private readonly queue: WorkQueue;
  private readonly metrics: NodeMetrics;
  /** Untainted Nodes already warned that no instance matches (see InitDeps.warnedUnmatched). */
  private readonly warnedUnmatched = new Set<string>();
  lastSync: SyncReport | undefined;

  constructor(private readonly o: NodeControllerOptions) {
    this.queue = new WorkQueue({
      name: 'node',
      backoff: o.initBackoff ?? { baseMs: 1_000, maxMs: 300_000 },
      ...(o.registry ? { registry: o.registry } : {}),
    });
    this.metrics = nodeMetrics(o.registry);
  }

  async run(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.o.informer.addHandlers({
      add: (n) => this.enqueueIfNeeded(n),
      update: (old, n) => this.enqueueIfNeeded(n, old),
    });
    const stop = () => this.queue.shutdown();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.all([this.initLoop(signal), this.syncLoop(signal)]);
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', stop);
      this.queue.shutdown();
    }
  }

  /** One sync pass over the cached Nodes (exposed for tests and the bench). */
  async syncOnce(): Promise<SyncReport> {
    const started = Date.now();
    const report = await syncNodes(this.o.informer.list(), { ...this.o, metrics: this.metrics });
    this.metrics.passSeconds((Date.now() - started) / 1000);
    this.lastSync = report;
    // A pass that found nothing to do is logged at debug: at steady state the log must not grow
    // with cluster size or with time (the report stays on the metrics and in lastSync).
    const acted =
      report.updated + report.deleted + report.keptMissing + report.lookupFailed + report.writeFailed > 0;
    this.o.logger[acted ? 'info' : 'debug']({ ...report, ms: Date.now() - started }, 'node sync pass done');
    return report;
  }

  /**
   * Tainted Nodes on every event (initialisation is what they wait for). Nodes to adopt on add,
   * when they become candidates, or when their addresses (what private-IP/hostname matching
   * reads) change — not on every kubelet heartbeat, which would turn an unmatched Node into a
   * cloud lookup every few seconds; the sync loop looks at them again each period.
   */
  private enqueueIfNeeded(n: Node, old?: Node): void {
    const name = n.metadata?.name;
    if (!name) return;
    if (hasTaint(n, TAINT_UNINITIALIZED)) return this.queue.add(name);
    if (!needsAdoption(n)) return;
    if (
      !old ||
      !needsAdoption(old) ||
      JSON.stringify(old.status?.addresses ?? []) !== JSON.stringify(n.status?.addresses ?? [])
    )
      this.queue.add(name);
  }

  /** Queues every Node still waiting for adoption, and forgets warnings about Nodes that are gone or adopted. */
  private requeueAdoptions(): void {
    const waiting = new Set<string>();
    for (const n of this.o.informer.list()) {
      if (!n.metadata?.name || !needsAdoption(n)) continue;
      waiting.add(n.metadata.uid ?? n.metadata.name);
      this.queue.add(n.metadata.name);
    }
    for (const id of this.warnedUnmatched) if (!waiting.has(id)) this.warnedUnmatched.delete(id);
  }

  private async initLoop(signal: AbortSignal): Promise<void> {
    const batchSize = Math.max(1, this.o.batchSize);
    while (!signal.aborted) {
      const first = await this.queue.get();
      if (first === undefined) return;
      const keys = [first];
      // Let the rest of a burst arrive, then take what is queued (up to the batch size).
      if (this.o.aggregationMs > 0) await sleep(realClock, this.o.aggregationMs, signal);
      while (keys.length < batchSize && this.queue.len() > 0) {
        const k = await this.queue.get();
        if (k === undefined) break;
        keys.push(k);
      }
      let failed: Map<string, Error>;
      try {
        const nodes = keys.map((k) => this.o.informer.get(k)).filter((n): n is Node => n !== undefined);
        failed = await initNodes(nodes, {
          ...this.o,
          metrics: this.metrics,
          warnedUnmatched: this.warnedUnmatched,
        });
      } catch (err) {
        this.o.logger.error({ err: redactSecrets(errorText(err)) }, 'node initialisation batch failed');
        failed = new Map(keys.map((k) => [k, err instanceof Error ? err : new Error(errorText(err))]));
      }
      for (const k of keys) {
        const err = failed.get(k);
        if (err && !signal.aborted) {
          this.o.logger.info(
            { node: k, retries: this.queue.numRequeues(k) + 1, err: redactSecrets(err.message) },
            'node not initialised; will retry',
          );
          this.queue.addRateLimited(k);
        } else this.queue.forget(k);
        this.queue.done(k);
      }
    }
  }

  /** The periodic cloud comparison: one pass per --node-monitor-period, never two at once. */
  private async syncLoop(signal: AbortSignal): Promise<void> {
    const loop = new PassLoop(
      async () => {
        // An informer that lost its watch keeps its last cache; syncing from it is still safe
        // because every deletion is confirmed against a fresh read.
        try {
          await this.syncOnce();
        } catch (err) {
          // Not retried sooner: the next period looks at every Node again anyway.
          this.o.logger.error({ err: redactSecrets(errorText(err)) }, 'node sync pass failed');
        }
        this.requeueAdoptions();
        return 'done';
      },
      {
        aggregationMs: 0,
        periodMs: this.o.monitorPeriodMs,
        retryMinMs: this.o.monitorPeriodMs,
        retryMaxMs: this.o.monitorPeriodMs,
        ready: () => this.o.informer.hasSynced(),
        firstPass: 'period',
      },
    );
    await loop.run(signal);
  }
}
