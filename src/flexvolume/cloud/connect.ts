// Builds the driver's cloud session on the product's one Alibaba Cloud client (src/cloud):
// AccessKey from the driver's configuration in central mode, the instance's RAM-role STS
// credentials from metadata in node mode. Only calls that need the cloud import this module (by
// dynamic import), so `init` and the mount calls never load pop-core.
import { DriverError } from '../protocol.js';
import type { FlexConfig } from '../config.js';
import type { FileLog } from '../filelog.js';
import { checkInstanceId } from '../validate.js';
import { MetadataError } from '../../cloud/metadata.js';
import { createCloud, resolveRegion, type CloudConfig, type CloudDeps } from '../../cloud/index.js';
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

export function cloudConfig(cfg: FlexConfig, region: string, log: FileLog): CloudConfig {
  const c = cfg.credentials;
  return {
    region,
    ...(cfg.ecsEndpoint ? { endpoints: { ecs: cfg.ecsEndpoint } } : {}),
    ...(c
      ? {
          accessKeyId: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          ...(c.securityToken ? { securityToken: c.securityToken } : {}),
        }
      : {}),
    metadataEndpoint: cfg.metadataEndpoint,
    callerIdentity: CALLER,
    retry: RETRY,
    timeoutMs: 10_000,
    logger: cloudLogger(log),
  };
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
  const deps: CloudDeps = { env: {} };
  const regionId = await resolveRegion(
    { ...(cfg.regionId ? { region: cfg.regionId } : {}), metadataEndpoint: cfg.metadataEndpoint },
    {},
  );
  if (!/^[a-z0-9-]+$/.test(regionId)) throw new DriverError(`invalid region ${JSON.stringify(regionId)}`);
  const cloud = createCloud(cloudConfig(cfg, regionId, log), deps);
  return {
    cloud: new EcsDiskCloud(cloud),
    regionId,
    instanceId: async () => checkInstanceId(await cloud.metadata.instanceId()),
    hostMetadata: async (key) => {
      try {
        return await cloud.metadata.get(key);
      } catch (err) {
        if (err instanceof MetadataError && err.status === 404) return '';
        throw err;
      }
    },
    close: () => cloud.close(),
  };
}
