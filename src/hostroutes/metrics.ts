// Prometheus metrics of one agent. A private registry per agent keeps tests (several agents in
// one process) and the default process metrics from colliding.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
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
