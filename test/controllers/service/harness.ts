// In-process wiring for bench/service.ts: one emulator pair + one Service controller shared by a whole run: the Alibaba Cloud emulator
// (its call log is the assertion surface), the Kubernetes API emulator (driven with kubectl and
// its store), and the controller wired exactly as the manager wires it (createServiceController).
import { Writable } from 'node:stream';
import { createCloud, type Cloud, type CloudConfig } from '../../../src/cloud/index.js';
import { KubeEventRecorder } from '../../../src/kube/events.js';
import { InformerFactory } from '../../../src/kube/factory.js';
import { fromKubeconfigFile } from '../../../src/kube/config.js';
import { KubeClient } from '../../../src/kube/rest.js';
import {
  createServiceController,
  type ServiceRunnable,
  type ServiceSettings,
} from '../../../src/controllers/service/register.js';
import type { SyncReport } from '../../../src/controllers/service/controller.js';
import { createLogger } from '../../../src/util/log.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { addNode } from './process.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

export interface Harness {
  cloudEmu: TestEmulator;
  kube: TestKube;
  cloud: Cloud;
  client: KubeClient;
  runnable: ServiceRunnable;
  recorder: KubeEventRecorder;
  instanceIds: string[];
  reports: SyncReport[];
  logLines: string[];
  region: string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  nodes?: number;
  settings?: Partial<ServiceSettings>;
  /** Overrides of the cloud client's settings (QPS, per-action QPS, retry policy). */
  cloud?: Partial<CloudConfig>;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const cloudEmu = await startTestEmulator();
  const kube = await startTestKube();
  const region = cloudEmu.emu.state.regionId;
  const seeded = seedInstances(cloudEmu.emu, o.nodes ?? 3);
  for (let i = 0; i < seeded.instanceIds.length; i++)
    addNode(kube, `node-${i}`, `${region}.${seeded.instanceIds[i]}`);

  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('service-test', { level: 'info', destination });
  const cloud = createCloud(
    {
      region,
      endpoints: { ecs: cloudEmu.url, vpc: cloudEmu.url, slb: cloudEmu.url },
      metadataEndpoint: cloudEmu.url,
      accessKeyId: cloudEmu.accessKeyId,
      accessKeySecret: cloudEmu.accessKeySecret,
      callerIdentity: 'service-test',
      qps: { ecs: 0, vpc: 0, slb: 0 },
      retry: { maxAttempts: 3, deadlineMs: 10_000, baseDelayMs: 1, maxDelayMs: 4 },
      logger,
      ...(o.settings?.dryRun ? { dryRun: true } : {}),
      ...o.cloud,
    },
    { env: {} },
  );
  const client = new KubeClient(fromKubeconfigFile(kube.kubeconfigPath));
  const informers = new InformerFactory(client, { logger });
  const recorder = new KubeEventRecorder({ client, component: 'service-controller', logger });
  const runnable = createServiceController({
    settings: { clusterId: 'test-cluster', driftCheckPeriodMs: 0, workers: 4, ...o.settings },
    cloud,
    informers,
    recorder,
    logger,
  });
  const reports: SyncReport[] = [];
  runnable.controller.onSync = (r) => reports.push(r);
  // Fast retries: the default per-key backoff starts at 5 s.
  const ac = new AbortController();
  // As in the manager: the process starts the shared informers once; the controller only waits.
  informers.start(ac.signal);
  const running = runnable.start(ac.signal);
  return {
    cloudEmu,
    kube,
    cloud,
    client,
    runnable,
    recorder,
    instanceIds: seeded.instanceIds,
    reports,
    logLines,
    region,
    async stop() {
      ac.abort();
      await running.catch(() => undefined);
      await recorder.flush();
      cloud.close();
      client.close();
      await kube.close();
      await cloudEmu.close();
    },
  };
}
