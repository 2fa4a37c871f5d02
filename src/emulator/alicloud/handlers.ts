// Action name → handler, per product. Every action of the vendored catalog is meant to be here;
// `unimplementedActions()` lists any that are not, and a test keeps that list empty.
import type { HandlerTable } from './context.js';
import type { Catalog, Product } from './catalog.js';
import { regionHandlers } from './regions.js';
import { instanceHandlers } from './ecs/instances.js';
import { loadBalancerHandlers } from './slb/loadbalancers.js';

export const HANDLERS: Record<Product, HandlerTable> = {
  Ecs: { ...regionHandlers('Ecs'), ...instanceHandlers },
  Vpc: { ...regionHandlers('Vpc') },
  Slb: { ...regionHandlers('Slb'), ...loadBalancerHandlers },
};

export function unimplementedActions(catalog: Catalog): string[] {
  return (['Ecs', 'Vpc', 'Slb'] as const).flatMap((p) => catalog.actions(p).filter((a) => !HANDLERS[p][a]).map((a) => `${p}.${a}`));
}
