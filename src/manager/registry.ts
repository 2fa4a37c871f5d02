// The controller registry: the single list of controllers this build can run. One line per
// controller; later controllers add their entry here. `--controllers` is validated against
// these keys plus the four product names (so `--controllers=-disk` works before disk exists).
import type { Registry } from 'prom-client';
import type { Cloud } from '../cloud/index.js';
import type { KubeConfig } from '../kube/config.js';
import type { EventRecorder } from '../kube/events.js';
import type { InformerFactory } from '../kube/factory.js';
import type { KubeClient } from '../kube/rest.js';
import type { Logger } from '../util/log.js';
import type { ManagerConfig } from './config.js';
import { nodeControllerFactory } from '../controllers/node/factory.js';
import { serviceController } from '../controllers/service/register.js';
import { routeControllerFactory } from '../controllers/route/factory.js';
import { diskControllerFactory } from '../controllers/disk/index.js';

export interface ControllerContext {
  config: ManagerConfig;
  kubeConfig: KubeConfig;
  /** Shared REST client (same transport as the informers). */
  kube: KubeClient;
  informers: InformerFactory;
  recorder: EventRecorder;
  cloud: Cloud;
  registry: Registry;
  logger: Logger;
  readiness: { add(name: string, check: () => boolean): void };
}

export interface Controller {
  name: string;
  /** Runs until `signal` aborts (leadership lost or shutdown); rejecting stops the process. */
  run(signal: AbortSignal): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller | Promise<Controller>;

export const controllerFactories: Record<string, ControllerFactory> = {
  node: (ctx) => nodeControllerFactory(ctx),
  service: serviceController,
  route: routeControllerFactory,
  disk: diskControllerFactory,
};

/** Product controllers that are valid names even before this build implements them. */
export const PRODUCT_CONTROLLERS = ['service', 'route', 'node', 'disk'] as const;
