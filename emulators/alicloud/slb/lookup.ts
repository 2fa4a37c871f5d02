// Shared SLB lookups with the real API's not-found errors.
import { ApiError, notFound } from '../errors.js';
import type { Ctx } from '../context.js';
import type { Listener, LoadBalancer, VServerGroup } from '../state.js';

export function getLb(ctx: Ctx, id = ctx.p.req('LoadBalancerId')): LoadBalancer {
  const lb = ctx.state.loadBalancers[id];
  if (!lb) throw notFound('InvalidLoadBalancerId.NotFound', 'LoadBalancerId', id);
  return lb;
}

export function getVsg(ctx: Ctx, id = ctx.p.req('VServerGroupId')): VServerGroup {
  const g = ctx.state.vserverGroups[id];
  if (!g) throw notFound('InvalidParameter.VServerGroupId', 'VServerGroupId', id);
  return g;
}

export function findListener(lb: LoadBalancer, port: number, protocol?: string): Listener | undefined {
  return lb.Listeners.find(
    (l) => l.ListenerPort === port && (!protocol || l.ListenerProtocol === protocol.toLowerCase()),
  );
}

export function getListener(lb: LoadBalancer, port: number, protocol?: string): Listener {
  const l = findListener(lb, port, protocol);
  if (!l)
    throw new ApiError(
      400,
      'InvalidParameter',
      `The specified listener (port ${port}${protocol ? `, ${protocol}` : ''}) does not exist on ${lb.LoadBalancerId}.`,
    );
  return l;
}
