// Composition of the route controller from the process's shared parts: the Node informer, the
// cloud handle, the event recorder. The manager's registry calls `createRouteController`.
import type { Registry } from 'prom-client';
import type { Cloud } from '../../cloud/index.js';
import type { EventRecorder } from '../../kube/events.js';
import type { InformerFactory } from '../../kube/factory.js';
import { counter, histogram } from '../../kube/metrics.js';
import { Resources } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { createRoutePort } from './cloudport/adapter.js';
import { RouteController, type RouteNode } from './controller.js';
import { resolveRouteTables, type TableSources } from './inputs.js';
import { nodeConditionWriter, watchNodes } from './kubeport.js';
import { parseClusterCidrs } from './model/index.js';

export { RouteController } from './controller.js';
export { RouteEvents, RouteConditionReasons } from './events.js';

export interface RouteSettings {
  /** --cluster-cidr (comma-separated; IPv6 entries are ignored). Required. */
  clusterCidr: string;
  /** cloud-config clusterID; part of the ownership marker on every route. */
  clusterId: string;
  /** --route-reconciliation-period. */
  reconcilePeriodMs: number;
  /** --node-event-aggregation-wait-seconds, in ms. */
  aggregationMs: number;
  /** Explicit tables and VPC (flags / cloud-config / kube-aliyun env). */
  tables: TableSources;
}

export interface RouteDeps {
  settings: RouteSettings;
  cloud: Pick<Cloud, 'vpc' | 'metadata'>;
  informers: InformerFactory;
  recorder: EventRecorder;
  logger: Logger;
  /** Where pass outcomes go (/metrics); none in unit tests. */
  registry?: Registry;
}

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

/** Runs until `signal` aborts; rejects on a startup configuration error (which stops the process). */
export interface RouteRunnable {
  name: 'route';
  controller: RouteController;
  run(signal: AbortSignal): Promise<void>;
}

export function createRouteController(deps: RouteDeps): RouteRunnable {
  const { settings } = deps;
  const clusterCidrs = parseClusterCidrs(settings.clusterCidr);
  if (clusterCidrs.length === 0)
    throw new Error('--configure-cloud-routes needs --cluster-cidr (an IPv4 CIDR)');
  const port = createRoutePort(deps.cloud.vpc, () => deps.cloud.metadata.vpcId());
  const informer = deps.informers.informer<RouteNode>(Resources.nodes);
  const controller = new RouteController({
    port,
    nodes: { list: () => informer.list(), synced: () => informer.hasSynced() },
    setCondition: nodeConditionWriter(deps.informers.client),
    recordEvent: (e) => {
      const node = informer.getByName(undefined, e.nodeName);
      // A Node already gone still gets the Event (by name), so `kubectl get events` explains.
      deps.recorder.event(
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
    logger: deps.logger,
    resolveTables: () => resolveRouteTables(port, settings.tables),
    clusterCidrs,
    clusterId: settings.clusterId,
    periodMs: settings.reconcilePeriodMs,
    aggregationMs: settings.aggregationMs,
    ...(deps.registry ? { onPassOutcome: passMetrics(deps.registry) } : {}),
  });
  return {
    name: 'route',
    controller,
    async run(signal: AbortSignal) {
      const unsubscribe = watchNodes(informer, () => controller.notify());
      try {
        await controller.start(signal);
      } finally {
        unsubscribe();
      }
    },
  };
}
