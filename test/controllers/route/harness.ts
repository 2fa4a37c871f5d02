// Builds the route controller's cloud port against an in-process Alibaba Cloud emulator.
import { RpcClient } from '../../../src/cloud/client.js';
import { CredentialChain } from '../../../src/cloud/credentials.js';
import { MetadataClient } from '../../../src/cloud/metadata.js';
import { createCloudMetrics } from '../../../src/cloud/metrics.js';
import { VpcApi } from '../../../src/cloud/vpc.js';
import { createRoutePort } from '../../../src/controllers/route/cloudport/adapter.js';
import type { RouteCloudPort } from '../../../src/controllers/route/cloudport/port.js';
import { silentLogger } from '../../../src/util/log.js';
import type { TestEmulator } from '../../helpers/alicloud.js';

export interface PortHarness {
  port: RouteCloudPort;
  rpc: RpcClient;
  close(): void;
}

export function routePortFor(t: TestEmulator, vpcId = 'vpc-emu00000000000000001'): PortHarness {
  const metadata = new MetadataClient({ endpoint: t.url, attempts: 1 });
  const rpc = new RpcClient({
    product: 'Vpc',
    endpoint: t.url,
    region: 'cn-hangzhou',
    credentials: new CredentialChain({
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
      metadata,
    }),
    metrics: createCloudMetrics(),
    logger: silentLogger,
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 },
  });
  return { port: createRoutePort(new VpcApi(rpc), async () => vpcId), rpc, close: () => rpc.close() };
}

/** The emulator's custom entries of a table as `cidr>nextHop:status`, sorted. */
export function entriesOf(t: TestEmulator, tableId: string): string[] {
  return Object.values(t.emu.state.routeEntries)
    .filter((e) => e.RouteTableId === tableId && e.Type === 'Custom')
    .map((e) => `${e.DestinationCidrBlock}>${e.NextHopId}:${e.Status}`)
    .sort();
}
