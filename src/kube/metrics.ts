// Get-or-create for prom-client metrics: several queues/controllers share one Registry and
// register the same metric family with different label values.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return (
    existing<Counter<L>>(registry, name) ?? new Counter<L>({ name, help, labelNames, registers: [registry] })
  );
}

export function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Gauge<L> {
  return (
    existing<Gauge<L>>(registry, name) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] })
  );
}

export function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets?: number[],
): Histogram<L> {
  return (
    existing<Histogram<L>>(registry, name) ??
    new Histogram<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      buckets: buckets ?? [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300],
    })
  );
}
