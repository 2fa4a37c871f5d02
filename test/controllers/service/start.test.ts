// The Service controller shares the process's informers: it must neither start them (the
// process does, once) nor wait for informers of other controllers before working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { createCloud, type Cloud } from '../../../src/cloud/index.js';
import { InformerFactory } from '../../../src/kube/factory.js';
import { fromKubeconfigFile } from '../../../src/kube/config.js';
import { KubeEventRecorder } from '../../../src/kube/events.js';
import { Resources } from '../../../src/kube/resources.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { createServiceController } from '../../../src/controllers/service/register.js';
import { createLogger } from '../../../src/util/log.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

describe('service controller start-up', function () {
  this.timeout(30_000);
  let cloudEmu: TestEmulator;
  let kube: TestKube;
  let cloud: Cloud;
  let client: KubeClient;
  before(async () => {
    cloudEmu = await startTestEmulator();
    kube = await startTestKube();
    const logger = createLogger('start-test', { level: 'silent' });
    cloud = createCloud(
      {
        region: cloudEmu.emu.state.regionId,
        endpoints: { ecs: cloudEmu.url, vpc: cloudEmu.url, slb: cloudEmu.url },
        metadataEndpoint: cloudEmu.url,
        accessKeyId: cloudEmu.accessKeyId,
        accessKeySecret: cloudEmu.accessKeySecret,
        qps: { ecs: 0, vpc: 0, slb: 0 },
        logger,
      },
      { env: {} },
    );
    client = new KubeClient(fromKubeconfigFile(kube.kubeconfigPath));
  });
  after(async () => {
    cloud?.close();
    client?.close();
    await kube?.close();
    await cloudEmu?.close();
  });

  it('leaves starting the shared informers to the process, and starts work on its own caches', async () => {
    const logger = createLogger('start-test', { level: 'silent' });
    const informers = new InformerFactory(client, { logger });
    let starts = 0;
    const start = informers.start.bind(informers);
    informers.start = (signal: AbortSignal) => {
      starts++;
      start(signal);
    };
    const recorder = new KubeEventRecorder({ client, component: 'start-test', logger });
    const runnable = createServiceController({
      settings: { clusterId: 'start-test', vpcId: 'vpc-x', driftCheckPeriodMs: 0 },
      cloud,
      informers,
      recorder,
      logger,
    });
    // Another controller's informer that never syncs (its list keeps failing) must not hold us up.
    informers.informer({ ...Resources.services, resource: 'no-such-resources' });
    const ac = new AbortController();
    informers.start(ac.signal);
    const running = runnable.start(ac.signal);
    try {
      let synced = false;
      runnable.controller.onSync = () => (synced = true);
      kube.emu.store.create('services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { type: 'LoadBalancer', ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080 }] },
      });
      await eventually(() => synced || undefined, 'the controller to look at the Service');
      assert.equal(starts, 1, 'the shared informers were started more than once');
    } finally {
      ac.abort();
      await running.catch(() => undefined);
      await recorder.flush();
    }
  });
});
