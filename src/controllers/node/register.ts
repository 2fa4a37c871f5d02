// The manager's entry point for `--controllers=node`: settings from the parsed ManagerConfig.
import type { ControllerContext } from '../context.js';
import type { NodeController } from './controller/index.js';
import { buildNodeController, nodeSettings } from './wiring.js';

export function nodeControllerFactory(
  ctx: ControllerContext,
  env: NodeJS.ProcessEnv = process.env,
): NodeController {
  const c = ctx.config;
  return buildNodeController({
    cloud: ctx.cloud,
    informers: ctx.informers,
    recorder: ctx.recorder,
    logger: ctx.logger,
    registry: ctx.registry,
    readiness: ctx.readiness,
    settings: nodeSettings(
      {
        monitorPeriodMs: c.nodeMonitorPeriodMs,
        skipDisableSourceDestCheck: c.skipDisableSourceDestCheck,
        batchSize: c.nodeReconcileBatchSize,
        aggregationMs: c.nodeEventAggregationWaitMs,
        nameType: c.cloud.nodeNameType,
        ...(c.cloud.vpcId ? { vpcId: c.cloud.vpcId } : {}),
      },
      env,
    ),
  });
}
