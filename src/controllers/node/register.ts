// The manager's entry for `--controllers=node`: composes the controller from the process's shared
// parts (one informer factory, one recorder, one cloud) and its config slice.
import { Resources } from '../../kube/resources.js';
import type { ControllerFactory } from '../context.js';
import { createNodeCloudPort } from './cloudport.js';
import { NodeController } from './controller/index.js';
import { createNodeWriter } from './kubeport.js';
import type { Node } from './types.js';

/** Ready heartbeat age after which the kubelet counts as silent (the official CCM's grace). */
const HEARTBEAT_GRACE_MS = 300_000;

export const nodeController: ControllerFactory = (ctx) => {
  const { cluster, node } = ctx.config;
  const informer = ctx.informers.informer<Node>(Resources.nodes);
  ctx.readiness.add('node-informer', () => informer.hasSynced());
  if (!cluster.vpcId)
    ctx.logger.warn(
      'VPC unknown (no cloud-config vpcid, ALIYUN_VPC or metadata vpc-id): private-IP lookups are not VPC-scoped',
    );
  return new NodeController({
    port: createNodeCloudPort(ctx.cloud, () => Promise.resolve(cluster.vpcId)),
    informer,
    writer: createNodeWriter(ctx.informers.client),
    recorder: ctx.recorder,
    logger: ctx.logger, // already bound to controller=node by the manager
    registry: ctx.registry,
    nameType: node.nameType,
    skipDisableSourceDestCheck: node.skipDisableSourceDestCheck,
    routesConfigured: node.routesConfigured,
    monitorPeriodMs: node.monitorPeriodMs,
    aggregationMs: node.aggregationMs,
    batchSize: node.batchSize,
    heartbeatGraceMs: HEARTBEAT_GRACE_MS,
  });
};

/** ALIYUN_NODE_NAME_TYPE, parsed by the manager at start-up. */
export { parseNodeNameType, type NodeNameType } from './types.js';
