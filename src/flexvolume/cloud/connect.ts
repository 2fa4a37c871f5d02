// Builds the driver's cloud session from its configuration: credentials (AccessKey in central
// mode, RAM-role STS from metadata on nodes), region and endpoint. Loaded by dynamic import only
// from calls that need the cloud, so `init` and the mount calls never pay for it.
import { DriverError } from '../protocol.js';
import type { FlexConfig } from '../config.js';
import { EcsDiskCloud } from './ecs.js';
import { Metadata } from './metadata.js';
import { RpcClient, type RpcCredentials } from './rpc.js';
import type { DiskCloud } from './types.js';

export interface CloudSession {
  cloud: DiskCloud;
  metadata: Metadata;
  regionId: string;
}

export async function connect(cfg: FlexConfig): Promise<CloudSession> {
  const metadata = new Metadata(cfg.metadataEndpoint);
  const regionId = cfg.regionId ?? (await metadata.first('region-id'));
  if (!/^[a-z0-9-]+$/.test(regionId)) throw new DriverError(`invalid region ${JSON.stringify(regionId)}`);
  let credentials: () => Promise<RpcCredentials>;
  if (cfg.credentials) {
    const c = cfg.credentials;
    credentials = () => Promise.resolve(c);
  } else if (cfg.mode === 'node') {
    let cached: Promise<RpcCredentials> | undefined;
    credentials = () => (cached ??= metadata.roleCredentials());
  } else {
    throw new DriverError('central mode needs an AccessKey (ALICLOUD_ACCESS_KEY_ID / ALICLOUD_ACCESS_KEY_SECRET or the config file)');
  }
  // ECS_ENDPOINT is a bare host in the CCM's convention; a full URL is accepted too.
  const given = cfg.ecsEndpoint ?? `ecs.${regionId}.aliyuncs.com`;
  const endpoint = /^https?:\/\//.test(given) ? given : `https://${given}`;
  const rpc = new RpcClient({ endpoint, version: '2014-05-26', regionId, credentials });
  return { cloud: new EcsDiskCloud(rpc), metadata, regionId };
}
