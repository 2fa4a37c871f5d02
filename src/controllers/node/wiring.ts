// Composition of the node controller from the manager's shared parts (one informer factory, one
// recorder, one cloud), plus the settings the manager parses from flags and environment.
import type { Registry } from 'prom-client';
import type { Cloud } from '../../cloud/index.js';
import type { EventRecorder } from '../../kube/events.js';
import type { InformerFactory } from '../../kube/factory.js';
import { Resources } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { createNodeWriter } from './kubeport.js';
import { createNodeCloudPort } from './cloudport.js';
import { parseNodeNameType, type NodeNameType } from './types.js';
import { NodeController } from './controller/index.js';
import type { Node } from './types.js';

export interface NodeSettings {
  /** --node-monitor-period (default 5m). */
  monitorPeriodMs: number;
  /** --skip-disable-source-dest-check. */
  skipDisableSourceDestCheck: boolean;
  /** --node-reconcile-batch-size (default 100). */
  batchSize: number;
  /** --node-event-aggregation-wait-seconds (default 1s). */
  aggregationMs: number;
  /** Ready heartbeat age after which the kubelet counts as silent (default 5m). */
  heartbeatGraceMs: number;
  /** ALIYUN_NODE_NAME_TYPE. */
  nameType: NodeNameType;
  /** VPC of the cluster (cloud-config/ALIYUN_VPC); metadata `vpc-id` is asked when absent. */
  vpcId?: string;
}

export const DEFAULT_NODE_SETTINGS: Omit<NodeSettings, 'nameType'> = {
  monitorPeriodMs: 300_000,
  skipDisableSourceDestCheck: false,
  batchSize: 100,
  aggregationMs: 1_000,
  heartbeatGraceMs: 300_000,
};

/** Settings from whatever the manager provides; env ALIYUN_NODE_NAME_TYPE as kube-aliyun read it. */
export function nodeSettings(
  partial: Partial<NodeSettings>,
  env: NodeJS.ProcessEnv = process.env,
): NodeSettings {
  const defined = Object.fromEntries(
    Object.entries(partial).filter(([, v]) => v !== undefined),
  ) as Partial<NodeSettings>;
  return { ...DEFAULT_NODE_SETTINGS, nameType: parseNodeNameType(env.ALIYUN_NODE_NAME_TYPE), ...defined };
}

export interface NodeWiring {
  cloud: Pick<Cloud, 'region' | 'ecs' | 'rpc' | 'metadata'>;
  informers: InformerFactory;
  recorder: EventRecorder;
  logger: Logger;
  registry?: Registry;
  readiness?: { add(name: string, check: () => boolean): void };
  settings: NodeSettings;
}

export function buildNodeController(w: NodeWiring): NodeController {
  const informer = w.informers.informer<Node>(Resources.nodes);
  w.readiness?.add('node-informer', () => informer.hasSynced());
  let vpc: Promise<string | undefined> | undefined;
  const vpcId = (): Promise<string | undefined> => {
    if (w.settings.vpcId) return Promise.resolve(w.settings.vpcId);
    // Asked once; a metadata failure is remembered as "unknown" only until the next call.
    vpc ??= w.cloud.metadata.get('vpc-id').then(
      (v) => v || undefined,
      (err: unknown) => {
        w.logger.warn(
          { err: String(err) },
          'vpc-id from metadata failed; private-IP lookups are not VPC-scoped',
        );
        vpc = undefined;
        return undefined;
      },
    );
    return vpc;
  };
  return new NodeController({
    port: createNodeCloudPort(w.cloud, vpcId),
    informer,
    writer: createNodeWriter(w.informers.client),
    recorder: w.recorder,
    // The manager binds controller=node already; direct wiring (bench, tests) may not.
    logger: 'controller' in w.logger.bindings() ? w.logger : w.logger.child({ controller: 'node' }),
    ...(w.registry ? { registry: w.registry } : {}),
    nameType: w.settings.nameType,
    skipDisableSourceDestCheck: w.settings.skipDisableSourceDestCheck,
    monitorPeriodMs: w.settings.monitorPeriodMs,
    aggregationMs: w.settings.aggregationMs,
    batchSize: w.settings.batchSize,
    heartbeatGraceMs: w.settings.heartbeatGraceMs,
  });
}
