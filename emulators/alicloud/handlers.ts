// Action name → handler, per product. Every action of the vendored catalog is meant to be here;
// `unimplementedActions()` lists any that are not, and a test keeps that list empty.
import type { HandlerTable } from './context.js';
import type { Catalog, Product } from './catalog.js';
import { regionHandlers } from './regions.js';
import { instanceHandlers } from './ecs/instances.js';
import { loadBalancerHandlers } from './slb/loadbalancers.js';
import { diskHandlers } from './ecs/disks.js';
import { ecsTagHandlers } from './ecs/tags.js';
import { routeHandlers } from './vpc/routes.js';
import { networkHandlers } from './vpc/network.js';
import { listenerHandlers } from './slb/listeners.js';
import { backendHandlers } from './slb/backends.js';
import { slbTagHandlers } from './slb/tags.js';
import { slbExtraHandlers } from './slb/extras.js';
import { nlbHandlers } from './nlb/index.js';
import { ecsVpcAction } from './ecs/vpc-actions.js';

export const HANDLERS: Record<Product, HandlerTable> = {
  Ecs: { ...regionHandlers('Ecs'), ...instanceHandlers, ...diskHandlers, ...ecsTagHandlers },
  Vpc: { ...regionHandlers('Vpc'), ...networkHandlers, ...routeHandlers },
  Slb: {
    ...regionHandlers('Slb'),
    ...loadBalancerHandlers,
    ...listenerHandlers,
    ...backendHandlers,
    ...slbTagHandlers,
    ...slbExtraHandlers,
  },
  Nlb: nlbHandlers,
};

export function unimplementedActions(catalog: Catalog): string[] {
  return (['Ecs', 'Vpc', 'Slb', 'Nlb'] as const).flatMap((p) =>
    catalog
      .actions(p)
      // The catalog now lists the ECS-era VPC actions under Ecs too; ecs/vpc-actions.ts serves them.
      .filter((a) => !HANDLERS[p][a] && !(p === 'Ecs' && ecsVpcAction(a)))
      .map((a) => `${p}.${a}`),
  );
}
