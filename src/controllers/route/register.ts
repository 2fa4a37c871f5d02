// The manager's entry point for `--controllers=route`: settings from the parsed ManagerConfig.
import type { Controller, ControllerContext } from '../context.js';
import { createRouteController } from './index.js';

export function routeControllerFactory(ctx: ControllerContext): Controller {
  const c = ctx.config;
  if (!c.configureCloudRoutes) {
    // Routes are someone else's job (hostroutes mode, or a CNI): stay idle rather than fail.
    return {
      name: 'route',
      run: (signal) => {
        ctx.logger.info('route controller idle: --configure-cloud-routes=false');
        return new Promise<void>((resolve) =>
          signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      },
    };
  }
  return createRouteController({
    settings: {
      clusterCidr: c.clusterCidrs.join(','),
      clusterId: c.cloud.clusterId,
      reconcilePeriodMs: c.routeReconciliationPeriodMs,
      aggregationMs: c.nodeEventAggregationWaitMs,
      tables: {
        routeTableIds: c.cloud.routeTableIds.join(','),
        ...(c.cloud.vpcId ? { vpcId: c.cloud.vpcId } : {}),
        ...(c.cloud.routerId ? { env: { ALIYUN_ROUTER: c.cloud.routerId } } : {}),
      },
    },
    cloud: ctx.cloud,
    informers: ctx.informers,
    recorder: ctx.recorder,
    logger: ctx.logger, // already bound to controller=route by the manager
    registry: ctx.registry,
  });
}
