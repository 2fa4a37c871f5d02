// Composition root of src/cloud: `createCloud(config)` gives the product its only handle on
// Alibaba Cloud — typed ECS/VPC/SLB/NLB facades over signed, retried, rate-limited RPC clients,
// plus metadata, the credential chain and metrics.
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '../util/log.js';
import type { RetryPolicy } from '../util/backoff.js';
import { RpcClient } from './client.js';
import { CredentialChain, type CredentialProvider } from './credentials.js';
import { EcsApi } from './ecs.js';
import { resolveEndpoint, type EndpointOverrides } from './endpoints.js';
import type { ProductName } from './errors.js';
import { MetadataClient } from './metadata.js';
import { createCloudMetrics, type CloudMetrics } from './metrics.js';
import { SlbApi } from './slb.js';
import { NlbFacade } from './nlb.js';
import type { NlbWaitOptions } from './nlb-jobs.js';
import { nlbParamInQuery } from './nlb-wire.js';
import type { NlbApi } from './nlb-types.js';
import type { Clock, Random, Sleep } from './timing.js';
import { VpcApi } from './vpc.js';

export { CloudError, isNotFound, isThrottling, hasCode, type ProductName } from './errors.js';
export { RpcClient, type RpcParams, type CallOptions } from './client.js';
export { EcsApi } from './ecs.js';
export { VpcApi } from './vpc.js';
export { SlbApi } from './slb.js';
export { NlbFacade, NlbJobError, NlbJobTimeoutError } from './nlb.js';
export type * from './nlb-types.js';
export { MetadataClient, MetadataError } from './metadata.js';
export {
  CredentialChain,
  StsCredentialProvider,
  type Credentials,
  type CredentialProvider,
  type CredentialSource,
} from './credentials.js';
export { createCloudMetrics, type CloudMetrics } from './metrics.js';
export { collectByPageNumber, collectByToken } from './pagination.js';
export type { Tag } from './params.js';
export type { RetryPolicy } from '../util/backoff.js';
export * as ownership from './ownership.js';

export interface CloudConfig {
  /** Region id; discovered from metadata when absent. */
  region?: string;
  endpoints?: EndpointOverrides;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  credentialsDir?: string;
  metadataEndpoint?: string;
  /** Read instance metadata with a session token (IMDSv2), falling back to plain reads; default true. */
  metadataTokens?: boolean;
  qps?: { ecs?: number; vpc?: number; slb?: number; nlb?: number };
  /** Per-action QPS per product (each API paced on its own); unset = no per-action pacing. */
  actionQps?: { ecs?: number; vpc?: number; slb?: number; nlb?: number };
  /** How NLB writes wait for their jobs (poll interval, cap, deadline). */
  nlbWait?: NlbWaitOptions;
  callerIdentity?: string;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt request timeout (ms). */
  timeoutMs?: number;
  /**
   * Mutating calls (Create*, Delete*, Set*, Modify*, Add*, Remove*, Attach*, Detach*, Resize*,
   * Tag*, Untag*, Start*, Stop*) are logged with redacted parameters and not sent; facade
   * methods then resolve undefined (or void), which callers must handle.
   */
  dryRun?: boolean;
  logger?: Logger;
}

export interface CloudDeps {
  env?: NodeJS.ProcessEnv;
  registry?: Registry;
  metrics?: CloudMetrics;
  credentials?: CredentialProvider;
  clock?: Clock;
  sleep?: Sleep;
  random?: Random;
  fetch?: typeof fetch;
}

export interface Cloud {
  region: string;
  ecs: EcsApi;
  vpc: VpcApi;
  slb: SlbApi;
  nlb: NlbApi;
  /** The raw signed clients, for actions the facades do not cover yet. */
  rpc: Record<ProductName, RpcClient>;
  metadata: MetadataClient;
  credentials: CredentialProvider;
  metrics: CloudMetrics;
  /** Releases keep-alive sockets. */
  close(): void;
}

/** Default sustained QPS per product: well under the per-account API limits. */
export const DEFAULT_QPS = { ecs: 20, vpc: 10, slb: 20, nlb: 20 } as const;

export function createCloud(config: CloudConfig, deps: CloudDeps = {}): Cloud {
  const env = deps.env ?? process.env;
  const region = config.region ?? env.ALICLOUD_REGION ?? env.ALIBABA_CLOUD_REGION_ID;
  if (!region)
    throw new Error(
      'createCloud: region is required (config.region, ALICLOUD_REGION, or resolveRegion() from metadata first)',
    );
  const logger = config.logger ?? createLogger('cloud');
  const metadata = new MetadataClient({
    endpoint: config.metadataEndpoint ?? env.METADATA_ENDPOINT,
    ...(config.metadataTokens === false ? { imdsv2: false } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const credentials =
    deps.credentials ??
    new CredentialChain({
      ...(config.accessKeyId ? { accessKeyId: config.accessKeyId } : {}),
      ...(config.accessKeySecret ? { accessKeySecret: config.accessKeySecret } : {}),
      ...(config.securityToken ? { securityToken: config.securityToken } : {}),
      ...(config.credentialsDir ? { credentialsDir: config.credentialsDir } : {}),
      env,
      metadata,
      logger,
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
  const metrics = deps.metrics ?? createCloudMetrics(deps.registry);
  const make = (product: ProductName, qps: number, actionQps: number | undefined): RpcClient =>
    new RpcClient({
      product,
      region,
      endpoint: resolveEndpoint(product, region, config.endpoints, env),
      credentials,
      metrics,
      logger,
      qps,
      ...(actionQps ? { actionQps } : {}),
      ...(config.retry ? { retry: config.retry } : {}),
      ...(config.callerIdentity ? { callerIdentity: config.callerIdentity } : {}),
      ...(config.dryRun ? { dryRun: true } : {}),
      ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      // Nlb is a Tea-style API: the CCM's SDK signs it with ACS3 headers, so we do too.
      ...(product === 'Nlb' ? { signing: { kind: 'acs3' as const, inQuery: nlbParamInQuery } } : {}),
    });
  const rpc: Record<ProductName, RpcClient> = {
    Ecs: make('Ecs', config.qps?.ecs ?? DEFAULT_QPS.ecs, config.actionQps?.ecs),
    Vpc: make('Vpc', config.qps?.vpc ?? DEFAULT_QPS.vpc, config.actionQps?.vpc),
    Slb: make('Slb', config.qps?.slb ?? DEFAULT_QPS.slb, config.actionQps?.slb),
    Nlb: make('Nlb', config.qps?.nlb ?? DEFAULT_QPS.nlb, config.actionQps?.nlb),
  };
  return {
    region,
    ecs: new EcsApi(rpc.Ecs),
    vpc: new VpcApi(rpc.Vpc),
    slb: new SlbApi(rpc.Slb),
    nlb: new NlbFacade(rpc.Nlb, {
      ...config.nlbWait,
      ...(deps.clock && !config.nlbWait?.clock ? { clock: deps.clock } : {}),
      ...(deps.sleep && !config.nlbWait?.sleep ? { sleep: deps.sleep } : {}),
    }),
    rpc,
    metadata,
    credentials,
    metrics,
    close: () => Object.values(rpc).forEach((c) => c.close()),
  };
}

/** Region from config, else env, else instance metadata (for processes running on ECS). */
export async function resolveRegion(
  config: CloudConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const fromConfig = config.region ?? env.ALICLOUD_REGION ?? env.ALIBABA_CLOUD_REGION_ID;
  if (fromConfig) return fromConfig;
  return new MetadataClient({ endpoint: config.metadataEndpoint ?? env.METADATA_ENDPOINT }).regionId();
}
