// In-process wiring for bench/nlb.ts: both emulators and one NLB controller wired as the manager
// wires it (the NLB facade through nlbCloudPort), sharing one run.
import { Writable } from 'node:stream';
import { createCloud, type Cloud, type CloudConfig } from '../../../src/cloud/index.js';
import { nlbCloudPort } from '../../../src/controllers/nlb/cloudport.js';
import { eniCloudPort } from '../../../src/controllers/service/cloudport.js';
import { NlbController, type NlbSyncReport } from '../../../src/controllers/nlb/controller.js';
import { KubeEventRecorder } from '../../../src/kube/events.js';
import { InformerFactory } from '../../../src/kube/factory.js';
import { fromKubeconfigFile } from '../../../src/kube/config.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { createLogger } from '../../../src/util/log.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';
import { addNode } from '../service/process.js';

export interface NlbHarness {
  cloudEmu: TestEmulator;
  kube: TestKube;
  cloud: Cloud;
  controller: NlbController;
  instanceIds: string[];
  /** `zone:vsw` for every zone of the cluster VPC, ready for the zone-maps annotation. */
  zoneMaps: string;
  reports: NlbSyncReport[];
  stop(): Promise<void>;
}

export interface NlbHarnessOptions {
  nodes?: number;
  workers?: number;
  cloud?: Partial<CloudConfig>;
  gateRecheckMs?: number;
}

export async function startNlbHarness(o: NlbHarnessOptions = {}): Promise<NlbHarness> {
  const cloudEmu = await startTestEmulator();
  const kube = await startTestKube();
  const region = cloudEmu.emu.state.regionId;
  const seeded = seedInstances(cloudEmu.emu, o.nodes ?? 3);
  for (let i = 0; i < seeded.instanceIds.length; i++)
    addNode(kube, `node-${i}`, `${region}.${seeded.instanceIds[i]}`);
  const byZone = new Map<string, string>();
  for (const v of Object.values(cloudEmu.emu.state.vswitches))
    if (v.VpcId === seeded.vpcId && !byZone.has(v.ZoneId)) byZone.set(v.ZoneId, v.VSwitchId);
  const destination = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = createLogger('nlb-bench', { level: 'warn', destination });
  const cloud = createCloud(
    {
      region,
      endpoints: { ecs: cloudEmu.url, vpc: cloudEmu.url, slb: cloudEmu.url, nlb: cloudEmu.url },
      metadataEndpoint: cloudEmu.url,
      accessKeyId: cloudEmu.accessKeyId,
      accessKeySecret: cloudEmu.accessKeySecret,
      callerIdentity: 'nlb-bench',
      qps: { ecs: 0, vpc: 0, slb: 0, nlb: 0 },
      retry: { maxAttempts: 3, deadlineMs: 10_000, baseDelayMs: 1, maxDelayMs: 4 },
      logger,
      ...o.cloud,
    },
    { env: {} },
  );
  const client = new KubeClient(fromKubeconfigFile(kube.kubeconfigPath));
  const informers = new InformerFactory(client, { logger });
  const recorder = new KubeEventRecorder({ client, component: 'nlb-controller', logger });
  const controller = new NlbController({
    client,
    informers,
    cloud: nlbCloudPort(cloud.nlb),
    eniCloud: eniCloudPort(cloud),
    ...(o.gateRecheckMs !== undefined ? { gateRecheckMs: o.gateRecheckMs } : {}),
    recorder,
    config: { clusterId: 'test-cluster', region, vpcId: seeded.vpcId },
    logger,
    workers: o.workers ?? 4,
  });
  const reports: NlbSyncReport[] = [];
  controller.onSync = (r) => reports.push(r);
  const ac = new AbortController();
  informers.start(ac.signal);
  const running = controller.start(ac.signal);
  return {
    cloudEmu,
    kube,
    cloud,
    controller,
    instanceIds: seeded.instanceIds,
    zoneMaps: [...byZone].map(([z, v]) => `${z}:${v}`).join(','),
    reports,
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
