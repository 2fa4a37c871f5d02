// The manager's registry entry for the Service controller: maps its config slice and the cluster
// scope onto ServiceSettings and readiness onto the controller's caches.
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
  const { cluster, service } = ctx.config;
  const vswitchId = firstVSwitch(cluster.vswitchId);
  const runnable = createServiceController({
    settings: {
      ...service,
      clusterId: cluster.clusterId,
      ...(cluster.vpcId ? { vpcId: cluster.vpcId } : {}),
      ...(vswitchId ? { vswitchId } : {}),
      dryRun: cluster.dryRun,
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
