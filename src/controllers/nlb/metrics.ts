// What the NLB controller shows on the manager's /metrics: sync outcomes by path (a resync that
// cost nothing shows as a skip) and pending work (so tests and the bench can tell it caught up).
import { Gauge, type Registry } from 'prom-client';
import { counter } from '../../kube/metrics.js';
import type { NlbController, NlbSyncReport } from './controller.js';

export const NLB_SYNC_METRIC = 'kube_alicloud_nlb_syncs_total';
export const NLB_PENDING_METRIC = 'kube_alicloud_nlb_pending';

export function instrumentNlbController(controller: NlbController, registry: Registry): void {
  const syncs = counter(
    registry,
    NLB_SYNC_METRIC,
    'NLB Service syncs by path (skip = unchanged, no cloud call).',
    ['path'],
  );
  for (const path of ['skip', 'sync', 'cleanup', 'ignored', 'invalid'] as const) syncs.inc({ path }, 0);
  const previous = controller.onSync;
  controller.onSync = (r: NlbSyncReport) => {
    syncs.inc({ path: r.path });
    previous?.(r);
  };
  if (!registry.getSingleMetric(NLB_PENDING_METRIC)) {
    new Gauge({
      name: NLB_PENDING_METRIC,
      help: 'NLB Service keys queued or being reconciled.',
      registers: [registry],
      collect() {
        this.set(controller.pending());
      },
    });
  }
}
