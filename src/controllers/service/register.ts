// The Service controller's entry: the manager's registry calls `serviceController`, which maps the
// resolved manager config onto ServiceSettings and composes the controller from the process's
// shared parts (informer factory, cloud handle through the cloud port, event recorder).
import type { Registry } from 'prom-client';
import type { Cloud } from '../../cloud/index.js';
import type { EventRecorder } from '../../kube/events.js';
import type { InformerFactory } from '../../kube/factory.js';
import { WorkQueue } from '../../kube/workqueue.js';
import type { Logger } from '../../util/log.js';
import { redactSecrets } from '../../util/secrets.js';
import type { ControllerContext, Controller } from '../context.js';
import { parseReuseGrants } from './annotations/index.js';
import { cloudPort } from './cloudport.js';
import { ServiceController } from './controller.js';
import type { ClusterConfig } from './inputs/index.js';
import { instrumentServiceController } from './metrics.js';
import { DEFAULT_CLUSTER_ID } from './model/index.js';

export { ServiceController } from './controller.js';
export { ServiceEvents } from './events.js';

export interface ServiceSettings {
  /** cloud-config clusterID / --cluster-name; the ownership tag value. */
  clusterId?: string;
  /** VPC / vswitch for intranet SLBs; read from instance metadata when absent. */
  vpcId?: string;
  vswitchId?: string;
  /** Every configured vswitch; intranet SLBs pick one per Service and fall back when it is full. */
  vswitchIds?: readonly string[];
  /** cloud-config featureGates (annotations/gates.ts lists the ones read here). */
  featureGates?: Readonly<Record<string, boolean>>;
  resourceGroupId?: string;
  serviceBackendType?: 'ecs' | 'eni';
  disablePublicSlb?: boolean;
  /** SLB quota of backends per VServer group (default 200, the cloud's default quota). */
  maxBackendsPerGroup?: number;
  /** cloud-config reusableLoadBalancers entries: `lb-x` (every namespace) or `lb-x/namespace`. */
  reusableLoadBalancers?: readonly string[];
  /** --concurrent-service-syncs. */
  workers?: number;
  /** --max-concurrent-actions. */
  maxConcurrentActions?: number;
  /** --lb-drift-check-period, ms (0 disables). */
  driftCheckPeriodMs?: number;
  /** How soon a Service with gated Pods whose containers are not ready yet is looked at again (ms). */
  gateRecheckMs?: number;
  dryRun?: boolean;
}

export interface ServiceDeps {
  settings: ServiceSettings;
  /** The manager passes a queue with metrics; tests let the controller make its own. */
  queue?: WorkQueue;
  registry?: Registry;
  cloud: Pick<Cloud, 'slb' | 'metadata' | 'region' | 'ecs' | 'vpc'>;
  informers: InformerFactory;
  recorder: EventRecorder;
  logger: Logger;
}

export interface ServiceRunnable {
  name: 'service';
  needsLeader: true;
  controller: ServiceController;
  start(signal: AbortSignal): Promise<void>;
}

export function createServiceController(deps: ServiceDeps): ServiceRunnable {
  const s = deps.settings;
  const cloud = cloudPort(deps.cloud);
  const config: ClusterConfig = {
    clusterId: s.clusterId || DEFAULT_CLUSTER_ID,
    region: cloud.region,
    vpcId: s.vpcId ?? '',
    ...(s.vswitchId ? { vswitchId: s.vswitchId } : {}),
    ...(s.vswitchIds?.length ? { vswitchIds: [...s.vswitchIds] } : {}),
    ...(s.featureGates && Object.keys(s.featureGates).length > 0 ? { featureGates: s.featureGates } : {}),
    ...(s.resourceGroupId ? { resourceGroupId: s.resourceGroupId } : {}),
    ...(s.serviceBackendType ? { serviceBackendType: s.serviceBackendType } : {}),
    ...(s.disablePublicSlb ? { disablePublicSlb: true } : {}),
    ...(s.maxBackendsPerGroup ? { maxBackendsPerGroup: s.maxBackendsPerGroup } : {}),
    ...(s.reusableLoadBalancers?.length
      ? { reusableLoadBalancers: parseReuseGrants(s.reusableLoadBalancers) }
      : {}),
  };
  if (!s.clusterId) {
    deps.logger.warn(
      { clusterId: DEFAULT_CLUSTER_ID },
      "no cluster id configured: two such clusters sharing an SLB would see each other's listeners as theirs; set cloud-config Global.clusterID",
    );
  }
  const controller = new ServiceController({
    client: deps.informers.client,
    informers: deps.informers,
    cloud,
    recorder: deps.recorder,
    config,
    logger: deps.logger,
    ...(s.workers !== undefined ? { workers: s.workers } : {}),
    ...(s.maxConcurrentActions !== undefined ? { maxConcurrentActions: s.maxConcurrentActions } : {}),
    ...(s.driftCheckPeriodMs !== undefined ? { driftCheckPeriodMs: s.driftCheckPeriodMs } : {}),
    ...(s.gateRecheckMs !== undefined ? { gateRecheckMs: s.gateRecheckMs } : {}),
    ...(s.dryRun ? { dryRun: true } : {}),
    ...(deps.queue ? { queue: deps.queue } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
  });
  return {
    name: 'service',
    needsLeader: true,
    controller,
    async start(signal: AbortSignal) {
      // Intranet SLBs need the VPC; on ECS the metadata service knows it.
      if (!config.vpcId) {
        config.vpcId = await cloud.metadataVpcId().catch((err: unknown) => {
          deps.logger.warn(
            { err: redactSecrets(String(err)) },
            'VPC id unknown (no --vpc-id, metadata unreachable): intranet SLBs cannot be created',
          );
          return '';
        });
      }
      if (!config.vswitchId)
        config.vswitchId = (await cloud.metadataVSwitchId().catch(() => '')) || undefined;
      await controller.start(signal);
    },
  };
}

/** cloud-config `vswitchId` is `vsw-1` or `zone:vsw-1,zone:vsw-2`: every vswitch id, in order. */
function vswitchList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .map((e) => (e.includes(':') ? e.slice(e.indexOf(':') + 1).trim() : e))
    .filter((e) => e.length > 0);
}

export function serviceController(ctx: ControllerContext): Controller {
  const { cluster, service } = ctx.config;
  const vswitchIds = vswitchList(cluster.vswitchId);
  const runnable = createServiceController({
    settings: {
      ...service,
      clusterId: cluster.clusterId,
      ...(cluster.vpcId ? { vpcId: cluster.vpcId } : {}),
      ...(vswitchIds[0] ? { vswitchId: vswitchIds[0], vswitchIds } : {}),
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
