// The controller registry: the single list of controllers this build can run. One line per
// controller; later controllers add their entry here. `--controllers` is validated against
// these keys plus the four product names (so `--controllers=-disk` works before disk exists).
import type { ControllerFactory } from '../controllers/context.js';
import { nodeController } from '../controllers/node/register.js';
import { serviceController } from '../controllers/service/register.js';
import { routeController } from '../controllers/route/register.js';
import { diskController } from '../controllers/disk/register.js';
import { nlbController } from '../controllers/nlb/register.js';

export type { Controller, ControllerContext, ControllerFactory } from '../controllers/context.js';

export const controllerFactories: Record<string, ControllerFactory> = {
  node: nodeController,
  service: serviceController,
  route: routeController,
  disk: diskController,
  nlb: nlbController,
};

/** Product controllers that are valid names even before this build implements them. */
export const PRODUCT_CONTROLLERS = ['service', 'route', 'node', 'disk'] as const;
