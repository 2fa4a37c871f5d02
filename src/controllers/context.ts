// What every controller is given and what it must return. It lives beside the controllers, not in
// manager/, so a controller never imports the composition root that imports it.
import type { Registry } from 'prom-client';
import type { Cloud } from '../cloud/index.js';
import type { KubeConfig } from '../kube/config.js';
import type { EventRecorder } from '../kube/events.js';
import type { InformerFactory } from '../kube/factory.js';
import type { KubeClient } from '../kube/rest.js';
import type { Logger } from '../util/log.js';
import type { NodeNameType } from './node/types.js';

/**
 * Where the cluster runs, resolved once at start-up by the manager (flag > cloud-config >
 * ALIYUN_* env > instance metadata). A field that is absent was in none of them and metadata did
 * not answer at start-up; controllers do not ask metadata again.
 */
export interface ClusterScope {
  /** cloud-config clusterID: the value of every ownership tag and route marker. */
  clusterId: string;
  region: string;
  zoneId?: string;
  vpcId?: string;
  /** As configured: `vsw-1`, or `zone:vsw-1,zone:vsw-2`. */
  vswitchId?: string;
  /** kube-aliyun's ALIYUN_ROUTER: the VRouter whose table the route controller manages. */
  routerId?: string;
  routeTableIds: readonly string[];
  /** --cluster-cidr entries as given (IPv6 ones included). */
  clusterCidrs: readonly string[];
  dryRun: boolean;
}

/** The route controller's flags. */
export interface RouteOptions {
  /** --configure-cloud-routes: false leaves routes to someone else (hostroutes, a CNI). */
  enabled: boolean;
  /** --route-reconciliation-period. */
  reconcilePeriodMs: number;
  /** --node-event-aggregation-wait-seconds. */
  aggregationMs: number;
}

/** The node controller's flags and ALIYUN_NODE_NAME_TYPE. */
export interface NodeOptions {
  /** --node-monitor-period. */
  monitorPeriodMs: number;
  /** --skip-disable-source-dest-check. */
  skipDisableSourceDestCheck: boolean;
  /** --node-reconcile-batch-size. */
  batchSize: number;
  /** --node-event-aggregation-wait-seconds. */
  aggregationMs: number;
  nameType: NodeNameType;
  /** The route controller runs here: new Nodes get NetworkUnavailable=True until routed. */
  routesConfigured: boolean;
}

/** The Service controller's flags and cloud-config settings. */
export interface ServiceOptions {
  /** --concurrent-service-syncs (cloud-config serviceMaxConcurrentReconciles wins). */
  workers: number;
  /** --max-concurrent-actions. */
  maxConcurrentActions: number;
  /** --lb-drift-check-period. */
  driftCheckPeriodMs: number;
  disablePublicSlb: boolean;
  resourceGroupId?: string;
  serviceBackendType?: 'ecs' | 'eni';
  /** cloud-config reusableLoadBalancers: `lb-x` or `lb-x/namespace`. */
  reusableLoadBalancers?: readonly string[];
  /** cloud-config featureGates (`Name=true,…`); the Service controller reads the official CCM's CLB gates. */
  featureGates?: Readonly<Record<string, boolean>>;
}

/** Each controller reads its own slice plus the cluster scope; none sees the manager's config. */
export interface ControllerConfig {
  cluster: ClusterScope;
  route: RouteOptions;
  node: NodeOptions;
  service: ServiceOptions;
}

export interface ControllerContext {
  config: ControllerConfig;
  /** This process's leader-election identity (Event source host, test probe). */
  identity: string;
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
