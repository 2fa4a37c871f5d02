// The manager's entry for `--controllers=disk`: composes the controller from the process's shared
// parts and the cluster scope. createDiskController is the same composition for the test harness.
import type { Cloud } from '../../cloud/index.js';
import type { EventRecorder } from '../../kube/events.js';
import type { InformerFactory } from '../../kube/factory.js';
import { Resources } from '../../kube/resources.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../../util/log.js';
import type { ControllerFactory } from '../context.js';
import { createDiskCloudPort } from './cloudport.js';
import { DiskController } from './controller.js';
import type { Claim, StorageClass, Volume } from './types.js';

export { DiskController } from './controller.js';
export { PROVISIONER, LEGACY_PROVISIONER, FLEX_DRIVER, PV_FINALIZER, PVC_FINALIZER } from './types.js';
export { Reasons as DiskEvents } from './events.js';

export interface DiskSettings {
  /** cloud-config clusterID: the value of the ownership tag on every disk we create. */
  clusterId: string;
  region: string;
  /** The controller's zone (cloud-config zoneId, ALIYUN_ZONE or metadata, resolved at start-up). */
  zoneId?: string;
  workers?: number;
}

export interface DiskDeps {
  settings: DiskSettings;
  cloud: Pick<Cloud, 'ecs'>;
  informers: InformerFactory;
  recorder: EventRecorder;
  logger: Logger;
  registry?: Registry;
  /** Recheck delay for a released disk still attached (default 10 s). */
  inUseRetryMs?: number;
}

export function createDiskController(deps: DiskDeps): DiskController {
  const { settings, cloud } = deps;
  return new DiskController({
    client: deps.informers.client,
    claims: deps.informers.informer<Claim>(Resources.persistentvolumeclaims),
    volumes: deps.informers.informer<Volume>(Resources.persistentvolumes),
    classes: deps.informers.informer<StorageClass>(Resources.storageclasses),
    port: createDiskCloudPort(cloud.ecs),
    recorder: deps.recorder,
    logger: deps.logger,
    zones: {
      client: deps.informers.client,
      instanceZone: async (id) => (await cloud.ecs.describeInstancesByIds([id]))[0]?.ZoneId,
      // Settled at start-up (cloud-config zoneId, ALIYUN_ZONE or metadata); not asked again.
      defaultZone: () =>
        settings.zoneId
          ? Promise.resolve(settings.zoneId)
          : Promise.reject(
              new Error(
                'no zoneId in the StorageClass or cloud-config, and instance metadata had none at start-up',
              ),
            ),
    },
    clusterId: settings.clusterId,
    regionId: settings.region,
    ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.inUseRetryMs !== undefined ? { inUseRetryMs: deps.inUseRetryMs } : {}),
  });
}

/** The manager's entry for `--controllers=disk`. */
export const diskController: ControllerFactory = (ctx) => {
  const { cluster } = ctx.config;
  const controller = createDiskController({
    settings: {
      clusterId: cluster.clusterId,
      region: cluster.region,
      ...(cluster.zoneId ? { zoneId: cluster.zoneId } : {}),
    },
    cloud: ctx.cloud,
    informers: ctx.informers,
    recorder: ctx.recorder,
    logger: ctx.logger,
    registry: ctx.registry,
  });
  return { name: 'disk', run: (signal) => controller.run(signal) };
};
