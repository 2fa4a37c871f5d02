// The manager's entry for `--controllers=route`: composes the controller from the process's
// shared parts (the Node informer, the cloud handle, the event recorder) and its config slice.
import type { Registry } from 'prom-client';
import { counter, histogram } from '../../kube/metrics.js';
import { Resources } from '../../kube/resources.js';
import type { Controller, ControllerContext, ControllerFactory } from '../context.js';
import { createRoutePort } from './cloudport/adapter.js';
import { RouteController, type RouteNode } from './controller.js';
import { resolveRouteTables } from './inputs.js';
import { nodeConditionWriter, watchNodes } from './kubeport.js';
import { parseClusterCidrs } from './model/index.js';

/** Pass outcomes in the family the queue-driven controllers use, so one query covers all controllers. */
function passMetrics(registry: Registry): (outcome: 'success' | 'backoff', seconds: number) => void {
  const outcomes = counter(
    registry,
    'kube_alicloud_reconcile_total',
    'Reconcile results per controller and outcome.',
    ['controller', 'outcome'],
  );
  const duration = histogram(
    registry,
    'kube_alicloud_route_pass_seconds',
    'Duration of one route reconcile pass.',
    [],
  );
  return (outcome, seconds) => {
    outcomes.inc({ controller: 'route', outcome });
    duration.observe(seconds);
  };
}

/** Routes are someone else's job (hostroutes mode, or a CNI): stay idle rather than fail. */
function idle(ctx: ControllerContext): Controller {
  return {
    name: 'route',
    run: (signal) => {
      ctx.logger.info('route controller idle: --configure-cloud-routes=false');
      return new Promise<void>((resolve) =>
        signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    },
  };
}

/** Rejects from run() on a start-up configuration error (which stops the process). */
export const routeController: ControllerFactory = (ctx) => {
  const { cluster, route } = ctx.config;
  if (!route.enabled) return idle(ctx);
  const clusterCidrs = parseClusterCidrs(cluster.clusterCidrs.join(','));
  if (clusterCidrs.length === 0)
    throw new Error('--configure-cloud-routes needs --cluster-cidr (an IPv4 CIDR)');
  // The VPC was settled at start-up (cloud-config, ALIYUN_VPC or metadata); '' = still unknown.
  const port = createRoutePort(ctx.cloud.vpc, () => Promise.resolve(cluster.vpcId ?? ''));
  const informer = ctx.informers.informer<RouteNode>(Resources.nodes);
  const tables = {
    routeTableIds: cluster.routeTableIds.join(','),
    ...(cluster.vpcId ? { vpcId: cluster.vpcId } : {}),
    ...(cluster.routerId ? { env: { ALIYUN_ROUTER: cluster.routerId } } : {}),
  };
  const controller = new RouteController({
    port,
    nodes: { list: () => informer.list(), synced: () => informer.hasSynced() },
    setCondition: nodeConditionWriter(ctx.informers.client),
    recordEvent: (e) => {
      const node = informer.getByName(undefined, e.nodeName);
      // A Node already gone still gets the Event (by name), so `kubectl get events` explains.
      ctx.recorder.event(
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: e.nodeName, ...(node?.metadata?.uid ? { uid: node.metadata.uid } : {}) },
        },
        e.type,
        e.reason,
        e.message,
      );
    },
    logger: ctx.logger, // already bound to controller=route by the manager
    resolveTables: () => resolveRouteTables(port, tables),
    clusterCidrs,
    clusterId: cluster.clusterId,
    periodMs: route.reconcilePeriodMs,
    aggregationMs: route.aggregationMs,
    onPassOutcome: passMetrics(ctx.registry),
  });
  return {
    name: 'route',
    async run(signal: AbortSignal) {
      const unsubscribe = watchNodes(informer, () => controller.notify());
      try {
        await controller.start(signal);
      } finally {
        unsubscribe();
      }
    },
  };
};
