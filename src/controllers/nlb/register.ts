// The NLB controller's entry: the manager's registry calls `nlbController`, which composes the
// controller from the process's shared parts. It shares the Service controller's cluster settings
// (cluster id, VPC, resource group, backend type, reuse grants): one cloud-config serves both.
import type { NlbApi } from '../../cloud/nlb-types.js';
import { WorkQueue } from '../../kube/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { parseReuseGrants } from '../service/annotations/reuse-grant.js';
import { eniCloudPort } from '../service/cloudport.js';
import type { ClusterConfig } from '../service/inputs/objects.js';
import { nlbCloudPort } from './cloudport.js';
import { NlbController } from './controller.js';
import { instrumentNlbController } from './metrics.js';
import { DEFAULT_CLUSTER_ID } from './model/naming.js';

export { NlbController } from './controller.js';
export { NlbEvents } from './events.js';

export function nlbController(ctx: ControllerContext): Controller {
  const { cluster, service } = ctx.config;
  const api: NlbApi = ctx.cloud.nlb;
  const config: ClusterConfig = {
    clusterId: cluster.clusterId || DEFAULT_CLUSTER_ID,
    region: cluster.region,
    vpcId: cluster.vpcId ?? '',
    ...(service.resourceGroupId ? { resourceGroupId: service.resourceGroupId } : {}),
    ...(service.serviceBackendType ? { serviceBackendType: service.serviceBackendType } : {}),
    ...(service.featureGates ? { featureGates: service.featureGates } : {}),
    ...(service.reusableLoadBalancers?.length
      ? { reusableLoadBalancers: parseReuseGrants(service.reusableLoadBalancers) }
      : {}),
  };
  const controller = new NlbController({
    client: ctx.kube,
    informers: ctx.informers,
    cloud: nlbCloudPort(api),
    eniCloud: eniCloudPort(ctx.cloud),
    recorder: ctx.recorder,
    config,
    logger: ctx.logger,
    workers: service.workers,
    dryRun: cluster.dryRun,
    queue: new WorkQueue({ name: 'nlb', registry: ctx.registry }),
    registry: ctx.registry,
    driftCheckPeriodMs: service.driftCheckPeriodMs,
  });
  instrumentNlbController(controller, ctx.registry);
  return {
    name: 'nlb',
    run: async (signal) => {
      // NLBs and their server groups live in a VPC; on ECS the metadata service knows which.
      if (!config.vpcId) config.vpcId = await ctx.cloud.metadata.vpcId().catch(() => '');
      if (!config.vpcId)
        ctx.logger.warn({}, 'VPC id unknown (no --vpc-id, metadata unreachable): NLBs cannot be created');
      await controller.start(signal);
    },
  };
}
