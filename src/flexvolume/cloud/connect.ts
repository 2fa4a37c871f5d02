// Builds the driver's cloud session on the product's one Alibaba Cloud client (src/cloud):
// AccessKey from the driver's configuration in central mode, the instance's RAM-role STS
// credentials from metadata in node mode. Only calls that need the cloud import this module (by
// dynamic import), so `init` and the mount calls never load pop-core.
//
// The session is composed from src/cloud's parts (signed RPC client, credential chain, metadata,
// ECS facade) rather than through createCloud(): src/cloud/index.ts builds pino and prom-client
// as it loads, about a fifth of a cloud call's module loading in a process that makes one or two
// calls, writes a few log lines to a file and is never scraped.
import { DriverError } from '../protocol.js';
import type { FlexConfig } from '../config.js';
import type { FileLog } from '../filelog.js';
import { checkInstanceId } from '../validate.js';
import { MetadataClient, MetadataError } from '../../cloud/metadata.js';
import { RpcClient } from '../../cloud/client.js';
import { CredentialChain } from '../../cloud/credentials.js';
import { EcsApi } from '../../cloud/ecs.js';
import { resolveEndpoint } from '../../cloud/endpoints.js';
import type { CloudMetrics } from '../../cloud/metrics.js';
import { EcsDiskCloud } from './ecs.js';
import { cloudLogger } from './logger.js';
import type { DiskCloud } from './types.js';

export interface CloudSession {
  cloud: DiskCloud;
  regionId: string;
  /** This host's ECS instance id, from instance metadata. */
  instanceId(): Promise<string>;
  /** A metadata value of this host (`hostname`, `private-ipv4`); '' when the service has none. */
  hostMetadata(key: 'hostname' | 'private-ipv4'): Promise<string>;
  /** Releases keep-alive sockets so the short-lived driver process can exit. */
  close(): void;
}

/** Who the emulator's and ActionTrail's call logs see. */
export const CALLER = 'alicloud-flexvolume';

/**
 * A driver call is bounded by the kubelet's/controller's timeout (2 minutes), and attach/detach
 * poll inside that: a single cloud call must give up well before, so retries stay short.
 */
const RETRY = { maxAttempts: 4, deadlineMs: 20_000 };

/** The client's default sustained rate for ECS (src/cloud's DEFAULT_QPS): far above a driver call's needs. */
const ECS_QPS = 20;

/** Nothing scrapes a process that lives for one call, so the client's counters go nowhere. */
function discardedMetrics(): CloudMetrics {
  const discard = { inc: () => undefined, observe: () => undefined };
  return { calls: discard, errors: discard, retries: discard, latency: discard } as unknown as CloudMetrics;
}

export async function connect(cfg: FlexConfig, log: FileLog): Promise<CloudSession> {
  if (!cfg.credentials && cfg.mode !== 'node') {
    throw new DriverError(
      'central mode needs an AccessKey (ALICLOUD_ACCESS_KEY_ID / ALICLOUD_ACCESS_KEY_SECRET or the config file)',
    );
  }
  // loadConfig() already read the environment; an empty env here keeps src/cloud from reading
  // it a second time with different precedence (without a configured AccessKey the chain then
  // goes straight to the RAM role, which is what node mode means).
  const env: NodeJS.ProcessEnv = {};
  const logger = cloudLogger(log);
  const metadata = new MetadataClient({ endpoint: cfg.metadataEndpoint });
  const regionId = cfg.regionId || (await metadata.regionId());
  if (!/^[a-z0-9-]+$/.test(regionId)) throw new DriverError(`invalid region ${JSON.stringify(regionId)}`);
  const c = cfg.credentials;
  const credentials = new CredentialChain({
    ...(c
      ? {
          accessKeyId: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          ...(c.securityToken ? { securityToken: c.securityToken } : {}),
        }
      : {}),
    env,
    metadata,
    logger,
  });
  const rpc = new RpcClient({
    product: 'Ecs',
    region: regionId,
    endpoint: resolveEndpoint('Ecs', regionId, cfg.ecsEndpoint ? { ecs: cfg.ecsEndpoint } : {}, env),
    credentials,
    metrics: discardedMetrics(),
    logger,
    qps: ECS_QPS,
    retry: RETRY,
    callerIdentity: CALLER,
    timeoutMs: 10_000,
  });
  return {
    cloud: new EcsDiskCloud(new EcsApi(rpc), rpc),
    regionId,
    instanceId: async () => checkInstanceId(await metadata.instanceId()),
    hostMetadata: async (key) => {
      try {
        return await metadata.get(key);
      } catch (err) {
        if (err instanceof MetadataError && err.status === 404) return '';
        throw err;
      }
    },
    close: () => rpc.close(),
  };
}
