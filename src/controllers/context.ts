// What every controller is given and what it must return. It lives beside the controllers, not in
// manager/, so a controller never imports the composition root that imports it.
import type { Registry } from 'prom-client';
import type { Cloud } from '../cloud/index.js';
import type { KubeConfig } from '../kube/config.js';
import type { EventRecorder } from '../kube/events.js';
import type { InformerFactory } from '../kube/factory.js';
import type { KubeClient } from '../kube/rest.js';
import type { Logger } from '../util/log.js';
// Until the configuration is split into per-controller slices (in progress on another branch).
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import type { ManagerConfig } from '../manager/config.js';

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
