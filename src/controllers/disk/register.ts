// Composition of the disk controller from the manager's shared parts. The registry entry is
// `disk: diskControllerFactory`.
import type { Cloud } from '../../cloud/index.js';
import type { EventRecorder } from '../../kube/events.js';
import type { InformerFactory } from '../../kube/factory.js';
import { Resources } from '../../kube/resources.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../context.js';
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
  /** cloud-config zoneId; else the controller's zone from instance metadata. */
  zoneId?: string;
  workers?: number;
}

export interface DiskDeps {
  settings: DiskSettings;
  cloud: Pick<Cloud, 'ecs' | 'metadata'>;
  informers: InformerFactory;
  recorder: EventRecorder;
  logger: Logger;
  registry?: Registry;
  /** Recheck delay for a released disk still attached (default 10 s). */
  inUseRetryMs?: number;
}

export function createDiskController(deps: DiskDeps): DiskController {
  const { settings, cloud } = deps;
  let zone: Promise<string> | undefined;
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
      defaultZone: () => {
        if (settings.zoneId) return Promise.resolve(settings.zoneId);
        // Cached once it succeeds; a failed lookup is retried by the next reconcile.
        zone ??= cloud.metadata.zoneId().catch((err: unknown) => {
          zone = undefined;
          throw new Error('no zoneId in the StorageClass or cloud-config, and instance metadata has none', {
            cause: err,
          });
        });
        return zone;
      },
    },
    clusterId: settings.clusterId,
    regionId: settings.region,
    ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.inUseRetryMs !== undefined ? { inUseRetryMs: deps.inUseRetryMs } : {}),
  });
}

/** The manager registry's factory for `--controllers=disk`. */
export function diskControllerFactory(ctx: ControllerContext): Controller {
  const controller = createDiskController({
    settings: {
      clusterId: ctx.config.cloud.clusterId,
      region: ctx.config.cloud.region,
      ...(ctx.config.cloud.zoneId ? { zoneId: ctx.config.cloud.zoneId } : {}),
    },
    cloud: ctx.cloud,
    informers: ctx.informers,
    recorder: ctx.recorder,
    logger: ctx.logger,
    registry: ctx.registry,
  });
  return { name: 'disk', run: (signal) => controller.run(signal) };
}
