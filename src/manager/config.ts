// Everything the manager needs, parsed once from flags, kube-aliyun environment variables, the
// cloud-config file and (for what is still missing) the instance metadata service, then frozen.
// Precedence per field: flag > cloud-config > ALIYUN_* env > metadata. Every failure is one
// ConfigError line naming its culprit.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { registerSecret } from '../util/secrets.js';
import type { ClusterScope, ControllerConfig } from '../controllers/context.js';
import { parseNodeNameType, type NodeNameType } from '../controllers/node/register.js';
import { loadCloudConfig, type CloudFileConfig } from './cloudconfig.js';
import { selectControllers } from './controllers.js';
import { FlagError, type Flags } from './flags.js';
import { checkServingFiles, resolveBindAddress } from './serving.js';
import { validateLeaderTiming, LeaderElectionConfigError } from '../kube/leader.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What the manager needs from instance metadata; MetadataClient from src/cloud satisfies it. */
export interface MetadataSource {
  get(key: string): Promise<string>;
}

// ALIYUN_NODE_NAME_TYPE unset means "auto" (node name as instance id, then private IP, then hostname):
// a superset of kube-aliyun's private-ip default; an explicit value restricts matching to it.
export type { NodeNameType };
export type Source = 'flag' | 'cloud-config' | 'env' | 'metadata' | 'default';

/** The cluster scope the controllers see (region, zone, VPC, vswitch, router, tables, cluster id), plus the rest. */
export interface CloudSettings extends Omit<ClusterScope, 'clusterCidrs'> {
  nodeNameType: NodeNameType;
  accessKeyId?: string;
  accessKeySecret?: string;
  resourceGroupId?: string;
  kubernetesClusterTag?: string;
  serviceBackendType?: 'ecs' | 'eni';
  disablePublicSlb: boolean;
  /** SLBs opened to `loadbalancer-id` reuse: `lb-x` or `lb-x/namespace` (service controller). */
  reusableLoadBalancers?: readonly string[];
  featureGates: Readonly<Record<string, boolean>>;
  metadataEndpoint?: string;
  endpoints: { ecs?: string; vpc?: string; slb?: string; nlb?: string };
  qps: { ecs?: number; vpc?: number; slb?: number; nlb?: number };
  actionQps: { ecs?: number; vpc?: number; slb?: number; nlb?: number };
  /** Where each resolved value came from (logged at startup, useful when metadata filled a gap). */
  sources: Readonly<Record<string, Source>>;
}

/** Flags whose parsed value is used as is; TypeScript then makes resolveConfig copy each one. */
type PassedThroughFlags = Pick<
  Flags,
  | 'kubeconfig'
  | 'master'
  | 'clusterName'
  | 'allocateNodeCidrs'
  | 'configureCloudRoutes'
  | 'concurrentServiceSyncs'
  | 'lbDriftCheckPeriodMs'
  | 'routeReconciliationPeriodMs'
  | 'nodeMonitorPeriodMs'
  | 'skipDisableSourceDestCheck'
  | 'nodeReconcileBatchSize'
  | 'nodeEventAggregationWaitMs'
  | 'serving'
  | 'dryRun'
  | 'logLevel'
  | 'kubeApiQps'
  | 'kubeApiBurst'
  | 'enableImdsv2'
  | 'maxConcurrentActions'
  | 'test'
>;

export interface ManagerConfig extends PassedThroughFlags {
  cloudConfigPath?: string;
  clusterCidrs: readonly string[];
  /** Resolved `--controllers` selection (names; some may not be implemented in this build). */
  controllers: readonly string[];
  leaderElection: {
    enabled: boolean;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
    resourceName: string;
    resourceNamespace: string;
    identity: string;
  };
  cloud: CloudSettings;
  /** What the controllers are given: typed slices of the above, built once here. */
  controllerConfig: ControllerConfig;
  /** One line per accepted setting that has no effect here (flags and cloud-config), logged at startup. */
  warnings: readonly string[];
}

export interface ResolveOptions {
  env: NodeJS.ProcessEnv;
  /** Controllers this build implements (registry keys). */
  available: readonly string[];
  known: readonly string[];
  metadata?: MetadataSource;
  identity?: string;
}

const CIDR_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function parseCidrs(text: string | undefined): string[] {
  if (!text) return [];
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const c of list) {
    const m = CIDR_V4.exec(c);
    const v6 = c.includes(':') && /^[0-9a-fA-F:]+\/\d{1,3}$/.test(c);
    if (v6) continue;
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32)
      throw new FlagError(`--cluster-cidr: invalid CIDR "${c}"`);
  }
  return list;
}

export async function resolveConfig(flags: Flags, opts: ResolveOptions): Promise<ManagerConfig> {
  const env = opts.env;
  const controllerWarnings: string[] = [];
  const controllers = selectControllers(flags.controllers, opts.available, opts.known, controllerWarnings);
  const clusterCidrs = parseCidrs(flags.clusterCidr);
  if (controllers.includes('route') && flags.configureCloudRoutes && clusterCidrs.length === 0) {
    throw new FlagError(
      '--cluster-cidr: required when the route controller runs (or pass --configure-cloud-routes=false / --controllers=*,-route)',
    );
  }
  if (flags.leaderElect) {
    try {
      validateLeaderTiming({
        leaseDurationMs: flags.leaseDurationMs,
        renewDeadlineMs: flags.renewDeadlineMs,
        retryPeriodMs: flags.retryPeriodMs,
      });
    } catch (err) {
      if (err instanceof LeaderElectionConfigError) throw new FlagError(err.message);
      throw err;
    }
  }
  if (flags.routeReconciliationPeriodMs <= 0)
    throw new FlagError('--route-reconciliation-period: must be greater than zero');
  checkServingFiles(flags.serving);
  const file: CloudFileConfig = flags.cloudConfig ? loadCloudConfig(flags.cloudConfig) : {};
  const warnings = [...flags.warnings, ...controllerWarnings, ...(file.ignored ?? [])];
  // kube-aliyun's --in-cluster wins over --kubeconfig and --server, as it did there.
  if (flags.inCluster && (flags.kubeconfig || flags.master))
    warnings.push(
      "flag --in-cluster: --kubeconfig and --master/--server are ignored, the Pod's service account is used",
    );
  const kubeconfig = flags.inCluster ? undefined : flags.kubeconfig;
  const master = flags.inCluster ? undefined : flags.master;
  const cloud = await resolveCloud(file, env, flags, opts.metadata);
  const concurrentServiceSyncs = file.serviceMaxConcurrentReconciles ?? flags.concurrentServiceSyncs;
  const config: ManagerConfig = {
    kubeconfig,
    master,
    cloudConfigPath: flags.cloudConfig,
    clusterName: flags.clusterName,
    clusterCidrs,
    allocateNodeCidrs: flags.allocateNodeCidrs,
    configureCloudRoutes: flags.configureCloudRoutes,
    controllers,
    leaderElection: {
      enabled: flags.leaderElect,
      leaseDurationMs: flags.leaseDurationMs,
      renewDeadlineMs: flags.renewDeadlineMs,
      retryPeriodMs: flags.retryPeriodMs,
      resourceName: flags.leaseName,
      resourceNamespace: flags.leaseNamespace,
      identity: opts.identity ?? flags.instanceName ?? `${hostname()}_${randomUUID()}`,
    },
    concurrentServiceSyncs,
    lbDriftCheckPeriodMs: flags.lbDriftCheckPeriodMs,
    routeReconciliationPeriodMs: flags.routeReconciliationPeriodMs,
    nodeMonitorPeriodMs: flags.nodeMonitorPeriodMs,
    skipDisableSourceDestCheck: flags.skipDisableSourceDestCheck,
    nodeReconcileBatchSize: flags.nodeReconcileBatchSize,
    nodeEventAggregationWaitMs: flags.nodeEventAggregationWaitMs,
    // The bind address is settled here (loopback outside a Pod) so the startup log shows it.
    serving: { ...flags.serving, bindAddress: resolveBindAddress(flags.serving, env) },
    dryRun: flags.dryRun,
    logLevel: flags.logLevel,
    kubeApiQps: flags.kubeApiQps,
    kubeApiBurst: flags.kubeApiBurst,
    enableImdsv2: flags.enableImdsv2,
    maxConcurrentActions: flags.maxConcurrentActions,
    test: flags.test,
    cloud,
    controllerConfig: {
      cluster: {
        clusterId: cloud.clusterId,
        region: cloud.region,
        ...(cloud.zoneId ? { zoneId: cloud.zoneId } : {}),
        ...(cloud.vpcId ? { vpcId: cloud.vpcId } : {}),
        ...(cloud.vswitchId ? { vswitchId: cloud.vswitchId } : {}),
        ...(cloud.routerId ? { routerId: cloud.routerId } : {}),
        routeTableIds: cloud.routeTableIds,
        clusterCidrs,
        dryRun: flags.dryRun,
      },
      route: {
        enabled: flags.configureCloudRoutes,
        reconcilePeriodMs: flags.routeReconciliationPeriodMs,
        aggregationMs: flags.nodeEventAggregationWaitMs,
      },
      node: {
        monitorPeriodMs: flags.nodeMonitorPeriodMs,
        skipDisableSourceDestCheck: flags.skipDisableSourceDestCheck,
        batchSize: flags.nodeReconcileBatchSize,
        aggregationMs: flags.nodeEventAggregationWaitMs,
        nameType: cloud.nodeNameType,
        routesConfigured: flags.configureCloudRoutes && controllers.includes('route'),
      },
      service: {
        workers: concurrentServiceSyncs,
        maxConcurrentActions: flags.maxConcurrentActions,
        driftCheckPeriodMs: flags.lbDriftCheckPeriodMs,
        disablePublicSlb: cloud.disablePublicSlb,
        ...(cloud.resourceGroupId ? { resourceGroupId: cloud.resourceGroupId } : {}),
        ...(cloud.serviceBackendType ? { serviceBackendType: cloud.serviceBackendType } : {}),
        ...(cloud.reusableLoadBalancers?.length
          ? { reusableLoadBalancers: cloud.reusableLoadBalancers }
          : {}),
        ...(Object.keys(cloud.featureGates).length > 0 ? { featureGates: cloud.featureGates } : {}),
      },
    },
    warnings,
  };
  return deepFreeze(config);
}

async function resolveCloud(
  file: CloudFileConfig,
  env: NodeJS.ProcessEnv,
  flags: Flags,
  metadata: MetadataSource | undefined,
): Promise<CloudSettings> {
  const sources: Record<string, Source> = {};
  const pick = (name: string, fromFile: string | undefined, envName: string): string | undefined => {
    if (fromFile) {
      sources[name] = 'cloud-config';
      return fromFile;
    }
    const e = env[envName]?.trim();
    if (e) {
      sources[name] = 'env';
      return e;
    }
    return undefined;
  };
  let region = pick('region', file.region, 'ALIYUN_REGION');
  let vpcId = pick('vpcId', file.vpcId, 'ALIYUN_VPC');
  let vswitchId = pick('vswitchId', file.vswitchId, 'ALIYUN_VSWITCH');
  let zoneId = pick('zoneId', file.zoneId, 'ALIYUN_ZONE');
  const routerId = pick('routerId', file.routerId, 'ALIYUN_ROUTER');
  const envTables =
    env.ALIYUN_ROUTE_TABLE?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  const routeTableIds = file.routeTableIds?.length ? file.routeTableIds : envTables;
  if (routeTableIds.length) sources.routeTableIds = file.routeTableIds?.length ? 'cloud-config' : 'env';

  let nameType: NodeNameType;
  try {
    nameType = parseNodeNameType(env.ALIYUN_NODE_NAME_TYPE);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }

  // Metadata only for what is still missing; region is the one value we cannot run without.
  const meta = async (key: string): Promise<string | undefined> => {
    if (!metadata) return undefined;
    try {
      const v = (await metadata.get(key)).split('\n')[0]?.trim();
      return v || undefined;
    } catch {
      return undefined;
    }
  };
  if (!region) {
    region = await meta('region-id');
    if (!region)
      throw new ConfigError(
        'region: not set (cloud-config Global.region or ALIYUN_REGION) and the metadata service did not answer region-id',
      );
    sources.region = 'metadata';
  }
  for (const [name, key] of [
    ['vpcId', 'vpc-id'],
    ['vswitchId', 'vswitch-id'],
    ['zoneId', 'zone-id'],
  ] as const) {
    const current = name === 'vpcId' ? vpcId : name === 'vswitchId' ? vswitchId : zoneId;
    if (current) continue;
    const v = await meta(key);
    if (!v) continue;
    sources[name] = 'metadata';
    if (name === 'vpcId') vpcId = v;
    else if (name === 'vswitchId') vswitchId = v;
    else zoneId = v;
  }

  let accessKeyId = file.accessKeyId;
  let accessKeySecret = file.accessKeySecret;
  if (accessKeyId) sources.credentials = 'cloud-config';
  else if (env.ALIYUN_ACCESS_KEY && env.ALIYUN_ACCESS_KEY_SECRET) {
    accessKeyId = env.ALIYUN_ACCESS_KEY;
    accessKeySecret = env.ALIYUN_ACCESS_KEY_SECRET;
    sources.credentials = 'env';
  } else if (env.ALIYUN_ACCESS_KEY || env.ALIYUN_ACCESS_KEY_SECRET) {
    throw new ConfigError(
      `${env.ALIYUN_ACCESS_KEY ? 'ALIYUN_ACCESS_KEY_SECRET' : 'ALIYUN_ACCESS_KEY'}: required when the other is set`,
    );
  }
  registerSecret(accessKeyId);
  registerSecret(accessKeySecret);

  return {
    region,
    zoneId,
    vpcId,
    vswitchId,
    routerId,
    routeTableIds,
    clusterId: file.clusterId ?? 'clusterid',
    nodeNameType: nameType,
    accessKeyId,
    accessKeySecret,
    resourceGroupId: file.resourceGroupId,
    kubernetesClusterTag: file.kubernetesClusterTag,
    serviceBackendType: file.serviceBackendType,
    disablePublicSlb: file.disablePublicSlb ?? false,
    ...(file.reusableLoadBalancers ? { reusableLoadBalancers: file.reusableLoadBalancers } : {}),
    featureGates: file.featureGates ?? {},
    metadataEndpoint: file.metadataEndpoint,
    endpoints: file.endpoints ?? {},
    qps: file.qps ?? {},
    actionQps: file.actionQps ?? {},
    dryRun: flags.dryRun,
    sources,
  };
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
    Object.freeze(obj);
    for (const v of Object.values(obj as Record<string, unknown>)) deepFreeze(v);
  }
  return obj;
}

/** Config fields safe to log (no credentials). */
export function describeConfig(c: ManagerConfig): Record<string, unknown> {
  const { accessKeyId: _id, accessKeySecret: _secret, ...cloud } = c.cloud;
  // The controller slices repeat fields above; logging them twice would only add noise.
  const { controllerConfig: _slices, ...rest } = c;
  return { ...rest, cloud: { ...cloud, credentials: c.cloud.sources.credentials ?? 'chain' } };
}
