// Node controller metrics: outcomes of initialisation and of periodic sync, so "nodes stuck
// tainted" and "sync failing" are visible without reading logs.
import type { Registry } from 'prom-client';
import { counter, histogram } from '../../kube/metrics.js';

export type InitOutcome =
  'initialized' | 'adopted' | 'not_found' | 'lookup_failed' | 'blocked' | 'write_failed' | 'gone';
export type SyncOutcome =
  'updated' | 'unchanged' | 'deleted' | 'kept_missing' | 'lookup_failed' | 'write_failed' | 'delete_failed';

export interface NodeMetrics {
  init(outcome: InitOutcome): void;
  sync(outcome: SyncOutcome, n?: number): void;
  passSeconds(s: number): void;
}

export function nodeMetrics(registry: Registry | undefined): NodeMetrics {
  if (!registry) return { init: () => {}, sync: () => {}, passSeconds: () => {} };
  const init = counter(
    registry,
    'kube_alicloud_node_init_total',
    'Node initialisation attempts by outcome.',
    ['outcome'],
  );
  const sync = counter(
    registry,
    'kube_alicloud_node_sync_total',
    'Per-Node results of the periodic cloud sync.',
    ['outcome'],
  );
  const pass = histogram(
    registry,
    'kube_alicloud_node_sync_pass_seconds',
    'Duration of one periodic node sync pass.',
    [],
  );
  return {
    init: (o) => init.inc({ outcome: o }),
    sync: (o, n = 1) => {
      if (n > 0) sync.inc({ outcome: o }, n);
    },
    passSeconds: (s) => pass.observe(s),
  };
}
