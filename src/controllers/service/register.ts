// The manager's registry entry for the Service controller: maps the resolved manager config onto
// ServiceSettings and readiness onto the controller's caches.
import type { ControllerContext, Controller } from '../context.js';
import { WorkQueue } from '../../kube/workqueue.js';
import { createServiceController } from './index.js';
import { instrumentServiceController } from './metrics.js';

/** cloud-config `vswitchId` is `vsw-1` or `zone:vsw-1,zone:vsw-2`; intranet SLBs use the first. */
function firstVSwitch(raw: string | undefined): string | undefined {
  const first = raw?.split(',')[0]?.trim();
  if (!first) return undefined;
  return first.includes(':') ? first.slice(first.indexOf(':') + 1) || undefined : first;
}

export function serviceController(ctx: ControllerContext): Controller {
  const c = ctx.config;
  const vswitchId = firstVSwitch(c.cloud.vswitchId);
  const runnable = createServiceController({
    settings: {
      clusterId: c.cloud.clusterId,
      ...(c.cloud.vpcId ? { vpcId: c.cloud.vpcId } : {}),
      ...(vswitchId ? { vswitchId } : {}),
      ...(c.cloud.resourceGroupId ? { resourceGroupId: c.cloud.resourceGroupId } : {}),
      ...(c.cloud.serviceBackendType ? { serviceBackendType: c.cloud.serviceBackendType } : {}),
      disablePublicSlb: c.cloud.disablePublicSlb,
      ...(c.cloud.reusableLoadBalancers?.length
        ? { reusableLoadBalancers: c.cloud.reusableLoadBalancers }
        : {}),
      workers: c.concurrentServiceSyncs,
      maxConcurrentActions: c.maxConcurrentActions,
      driftCheckPeriodMs: c.lbDriftCheckPeriodMs,
      dryRun: c.dryRun,
    },
    cloud: ctx.cloud,
    informers: ctx.informers,
    recorder: ctx.recorder,
    logger: ctx.logger, // already bound to controller=service by the manager
    queue: new WorkQueue({ name: 'service', registry: ctx.registry }),
    registry: ctx.registry,
  });
  instrumentServiceController(runnable.controller, ctx.registry);
  return { name: 'service', run: (signal) => runnable.start(signal) };
}
