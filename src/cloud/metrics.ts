// Prometheus metrics for every cloud call, labelled by product and action, on a registry the
// manager exposes at /metrics. Re-uses already registered metrics so two clouds sharing one
// registry (tests, or manager + driver in one process) do not collide.
import { Counter, Histogram, Registry, type Metric } from 'prom-client';

export interface CloudMetrics {
  registry: Registry;
  calls: Counter<'product' | 'action' | 'code'>;
  errors: Counter<'product' | 'action' | 'code'>;
  retries: Counter<'product' | 'action' | 'code'>;
  latency: Histogram<'product' | 'action'>;
}

function reuse<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createCloudMetrics(
  registry: Registry = new Registry(),
  prefix = 'alicloud_api',
): CloudMetrics {
  const registers = [registry];
  return {
    registry,
    calls: reuse(
      registry,
      `${prefix}_calls_total`,
      () =>
        new Counter({
          name: `${prefix}_calls_total`,
          help: 'Alibaba Cloud API attempts by outcome code (Success or error code).',
          labelNames: ['product', 'action', 'code'] as const,
          registers,
        }),
    ),
    errors: reuse(
      registry,
      `${prefix}_errors_total`,
      () =>
        new Counter({
          name: `${prefix}_errors_total`,
          help: 'Alibaba Cloud API attempts that failed, by error code.',
          labelNames: ['product', 'action', 'code'] as const,
          registers,
        }),
    ),
    retries: reuse(
      registry,
      `${prefix}_retries_total`,
      () =>
        new Counter({
          name: `${prefix}_retries_total`,
          help: 'Alibaba Cloud API attempts retried, by the code that caused the retry.',
          labelNames: ['product', 'action', 'code'] as const,
          registers,
        }),
    ),
    latency: reuse(
      registry,
      `${prefix}_request_duration_seconds`,
      () =>
        new Histogram({
          name: `${prefix}_request_duration_seconds`,
          help: 'Latency of single Alibaba Cloud API attempts.',
          labelNames: ['product', 'action'] as const,
          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
  };
}
