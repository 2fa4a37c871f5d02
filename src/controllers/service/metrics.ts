// What the Service controller shows on the manager's /metrics: sync outcomes by path (so "a
// resync cost nothing" is visible as skips with no cloud calls) and how much work is pending
// (so operators, the end-to-end tests and the bench can tell when it has caught up).
import { Gauge, type Registry } from 'prom-client';
import { counter } from '../../kube/metrics.js';
import type { ServiceController, SyncReport } from './controller.js';

export const SYNC_METRIC = 'kube_alicloud_service_syncs_total';
export const PENDING_METRIC = 'kube_alicloud_service_pending';

export function instrumentServiceController(controller: ServiceController, registry: Registry): void {
  const syncs = counter(registry, SYNC_METRIC, 'Service syncs by path (skip = unchanged, no cloud call).', [
    'path',
  ]);
  for (const path of ['skip', 'sync', 'cleanup', 'ignored', 'invalid'] as const) syncs.inc({ path }, 0);
  const previous = controller.onSync;
  controller.onSync = (r: SyncReport) => {
    syncs.inc({ path: r.path });
    previous?.(r);
  };
  if (!registry.getSingleMetric(PENDING_METRIC)) {
    new Gauge({
      name: PENDING_METRIC,
      help: 'Service keys queued or being reconciled.',
      registers: [registry],
      collect() {
        this.set(controller.pending());
      },
    });
  }
}
