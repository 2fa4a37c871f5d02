// Prometheus metrics of one agent. A private registry per agent keeps tests (several agents in
// one process) and the process metrics from colliding.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface HostroutesMetrics {
  readonly registry: Registry;
  readonly routesDesired: Gauge;
  readonly routesPresent: Gauge;
  readonly skippedNodes: Gauge<'reason'>;
  readonly foreignConflicts: Gauge;
  readonly syncErrors: Counter<'kind'>;
  readonly routeOps: Counter<'op'>;
  readonly syncDuration: Histogram;
  readonly lastSyncDuration: Gauge;
  readonly lastSuccess: Gauge;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): HostroutesMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics) processMetrics(registers);
  return {
    registry,
    routesDesired: new Gauge({
      name: 'hostroutes_routes_desired',
      help: 'Routes this node should have after validation',
      registers,
    }),
    routesPresent: new Gauge({
      name: 'hostroutes_routes_present',
      help: 'Routes with our protocol found in the kernel at the last read',
      registers,
    }),
    skippedNodes: new Gauge({
      name: 'hostroutes_skipped_routes',
      help: 'Pod CIDRs of other nodes not programmed, by reason',
      labelNames: ['reason'],
      registers,
    }),
    foreignConflicts: new Gauge({
      name: 'hostroutes_foreign_conflicts',
      help: 'Desired destinations already held by a route of another protocol',
      registers,
    }),
    syncErrors: new Counter({
      name: 'hostroutes_errors_total',
      help: 'Failures: failed batch lines, kernel reads, watch errors',
      labelNames: ['kind'],
      registers,
    }),
    routeOps: new Counter({
      name: 'hostroutes_route_operations_total',
      help: 'Route changes sent to the kernel',
      labelNames: ['op'],
      registers,
    }),
    syncDuration: new Histogram({
      name: 'hostroutes_sync_duration_seconds',
      help: 'Duration of a read-diff-apply pass (full, or incremental after a Node event)',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
    lastSyncDuration: new Gauge({
      name: 'hostroutes_last_sync_duration_seconds',
      help: 'Duration of the most recent pass',
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'hostroutes_last_success_timestamp_seconds',
      help: 'Unix time of the last pass that applied without failures',
      registers,
    }),
  };
}

/**
 * The process figures an operator watches on a per-node agent, read only when scraped. prom-client's
 * default set was measured (bench/hostroutes.ts, CPU profile at 5000 Nodes) to cost a quarter of
 * the agent's CPU after a Node change: its garbage-collection observer runs a callback on every
 * young-generation collection, and the agent's small semi-space makes those frequent.
 */
function processMetrics(registers: Registry[]): void {
  const started = Date.now() / 1000 - process.uptime();
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds',
    registers,
    collect() {
      this.set(Math.round(started));
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  const cpu = (name: string, help: string, pick: (u: NodeJS.CpuUsage) => number) => {
    let counted = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        // A counter only goes up, as the process's CPU clock does: add what passed since the last scrape.
        const now = pick(process.cpuUsage()) / 1e6;
        if (now > counted) this.inc(now - counted);
        counted = Math.max(counted, now);
      },
    });
  };
  cpu('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds', (u) => u.user);
  cpu('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds', (u) => u.system);
}
