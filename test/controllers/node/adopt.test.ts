// Adoption driven directly (no loops, no timers) against both emulators: untainted Nodes without
// providerID — as kube-aliyun's kubelets register them — get providerID, addresses and labels by
// private IP or hostname; a Node with a providerID is never adopted; an unmatched one is warned once.
import assert from 'node:assert/strict';
import { createCloud, type Cloud } from '../../../src/cloud/index.js';
import { createNodeWriter } from '../../../src/controllers/node/kubeport.js';
import { createNodeCloudPort, type NodeCloudPort } from '../../../src/controllers/node/cloudport.js';
import { Labels, type NodeNameType } from '../../../src/controllers/node/types.js';
import { NodeEvents } from '../../../src/controllers/node/events.js';
import { initNodes } from '../../../src/controllers/node/controller/init.js';
import { nodeMetrics } from '../../../src/controllers/node/metrics.js';
import type { Node } from '../../../src/controllers/node/types.js';
import { loadKubeConfig } from '../../../src/kube/config.js';
import type { EventRecorder, EventType } from '../../../src/kube/events.js';
import { Resources } from '../../../src/kube/resources.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { silentLogger } from '../../../src/util/log.js';
import {
  seedInstances,
  startTestEmulator,
  type SeededVpc,
  type TestEmulator,
} from '../../helpers/alicloud.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

interface Recorded {
  node: string;
  type: EventType;
  reason: string;
  message: string;
}

describe('node controller: adopting untainted Nodes against the emulators', function () {
  this.timeout(30_000);
  let kube: TestKube;
  let emu: TestEmulator;
  let cloud: Cloud;
  let client: KubeClient;
  let port: NodeCloudPort;
  let vpc: SeededVpc;
  let events: Recorded[];
  let warned: Set<string>;
  const recorder: EventRecorder = {
    event: (obj, type, reason, message) =>
      void events.push({ node: obj.metadata?.name ?? '', type, reason, message }),
  };

  const deps = (nameType: NodeNameType, over: { skip?: boolean } = {}) => ({
    port,
    writer: createNodeWriter(client),
    recorder,
    logger: silentLogger,
    metrics: nodeMetrics(undefined),
    nameType,
    skipDisableSourceDestCheck: over.skip ?? false,
    warnedUnmatched: warned,
  });
  const create = async (n: Node) => client.create<Node>(Resources.nodes, undefined, n);
  const get = (name: string) => client.get<Node>(Resources.nodes, undefined, name);
  const instance = (i: number) => emu.emu.state.instances[vpc.instanceIds[i]!]!;
  /** A Node as a kubelet without --cloud-provider registers it: no taint, no providerID. */
  const plain = (
    name: string,
    addresses: Array<{ type: string; address: string }> = [],
    spec: Node['spec'] = {},
  ): Node => ({
    metadata: { name },
    spec: { podCIDR: '10.2.0.0/24', ...spec },
    status: {
      addresses,
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }],
    },
  });

  beforeEach(async () => {
    events = [];
    warned = new Set();
    kube = await startTestKube();
    emu = await startTestEmulator({ region: 'cn-hangzhou' });
    vpc = seedInstances(emu.emu, 3, (i) => ({ HostName: `iZadopt${i}Z` }));
    client = new KubeClient(loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
    cloud = createCloud({
      region: 'cn-hangzhou',
      endpoints: { ecs: emu.url },
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      metadataEndpoint: emu.url,
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      logger: silentLogger,
    });
    port = createNodeCloudPort(cloud, async () => vpc.vpcId);
  });
  afterEach(async () => {
    cloud.close();
    client.close();
    await kube.close();
    await emu.close();
  });

  it('private-ip: adopts a Node named by its private IP (providerID, addresses, labels, ENI check off)', async () => {
    const i0 = instance(0);
    const ip = i0.PrivateIpAddress;
    await create(
      plain(ip, [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: ip },
      ]),
    );
    assert.equal((await initNodes([await get(ip)], deps('private-ip'))).size, 0);
    const n = await get(ip);
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i0.InstanceId}`);
    assert.equal(n.spec?.podCIDR, '10.2.0.0/24', 'the rest of spec is kept');
    assert.deepEqual(n.spec?.taints ?? [], []);
    assert.equal(n.metadata?.labels?.[Labels.zone], i0.ZoneId);
    assert.equal(n.metadata?.labels?.[Labels.region], 'cn-hangzhou');
    assert.deepEqual(
      n.status?.addresses?.find((a) => a.type === 'InternalIP'),
      { type: 'InternalIP', address: ip },
    );
    const eni = Object.values(emu.emu.state.networkInterfaces).find(
      (e) => e.InstanceId === i0.InstanceId && e.Type === 'Primary',
    )!;
    assert.equal(eni.SourceDestCheck, false);
    assert.deepEqual(
      events.map((e) => [e.node, e.type, e.reason]),
      [[ip, 'Normal', NodeEvents.AdoptedNode]],
    );
  });

  it('hostname: adopts a Node named by the ECS hostname', async () => {
    const i1 = instance(1);
    await create(plain('izadopt1z', [{ type: 'InternalIP', address: i1.PrivateIpAddress }]));
    assert.equal((await initNodes([await get('izadopt1z')], deps('hostname'))).size, 0);
    const n = await get('izadopt1z');
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i1.InstanceId}`);
    assert.equal(n.metadata?.labels?.[Labels.instanceType], i1.InstanceType);
  });

  it("leaves a Node that has a providerID alone, even when its name is another instance's IP", async () => {
    const [i0, i1] = [instance(0), instance(1)];
    // Named by instance 0's IP, but the kubelet says it is instance 1: never re-matched.
    await create(plain(i0.PrivateIpAddress, [], { providerID: `cn-hangzhou.${i1.InstanceId}` }));
    // A non-ECS providerID is just as final.
    await create(
      plain(instance(2).PrivateIpAddress, [], { providerID: 'ack-hybrid://cn-hangzhou.i-hybrid0001' }),
    );
    const before = [await get(i0.PrivateIpAddress), await get(instance(2).PrivateIpAddress)];
    emu.emu.clearCalls();
    assert.equal((await initNodes(before, deps('private-ip'))).size, 0);
    assert.equal(emu.emu.calls().length, 0, 'not even looked up');
    for (const b of before) {
      const after = await get(b.metadata!.name!);
      assert.equal(after.metadata?.resourceVersion, b.metadata?.resourceVersion);
      assert.equal(after.spec?.providerID, b.spec?.providerID);
    }
    assert.deepEqual(events, []);
  });

  it('does not overwrite a providerID set between the cached read and the write', async () => {
    const i0 = instance(0);
    const ip = i0.PrivateIpAddress;
    await create(plain(ip));
    const cached = await get(ip);
    const fresh = await get(ip);
    fresh.spec!.providerID = `cn-hangzhou.${instance(1).InstanceId}`;
    await client.update(Resources.nodes, fresh);
    const rv = (await get(ip)).metadata?.resourceVersion;
    assert.equal((await initNodes([cached], deps('private-ip'))).size, 0);
    const n = await get(ip);
    assert.equal(n.spec?.providerID, `cn-hangzhou.${instance(1).InstanceId}`);
    assert.equal(n.metadata?.resourceVersion, rv, 'nothing written');
    assert.ok(!events.some((e) => e.reason === NodeEvents.AdoptedNode));
  });

  it('an unmatched untainted Node: one Warning across passes, no change, no retry; adopted once its instance appears', async () => {
    await create(plain('10.99.0.7', [{ type: 'InternalIP', address: '10.99.0.7' }]));
    const rv = (await get('10.99.0.7')).metadata?.resourceVersion;
    for (let pass = 0; pass < 3; pass++)
      assert.equal(
        (await initNodes([await get('10.99.0.7')], deps('private-ip'))).size,
        0,
        'not a backoff retry',
      );
    const warnings = events.filter((e) => e.reason === NodeEvents.InstanceNotFound);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.type, 'Warning');
    assert.match(warnings[0]!.message, /10\.99\.0\.7.*left as it is/);
    assert.doesNotMatch(warnings[0]!.message, /tainted/);
    assert.equal((await get('10.99.0.7')).metadata?.resourceVersion, rv);
    // The instance shows up (e.g. the cloud answered late): the next look adopts it.
    const id = seedInstances(emu.emu, 1).instanceIds[0]!;
    emu.emu.state.instances[id]!.PrivateIpAddress = '10.99.0.7';
    assert.equal((await initNodes([await get('10.99.0.7')], deps('private-ip'))).size, 0);
    assert.equal((await get('10.99.0.7')).spec?.providerID, `cn-hangzhou.${id}`);
    assert.equal(warned.size, 0, 'the warning memory is cleared on adoption');
  });

  it('source/dest check failing: no providerID yet, retried, adopted when it succeeds', async () => {
    const ip = instance(0).PrivateIpAddress;
    await create(plain(ip));
    emu.emu.setFaults({
      ModifyNetworkInterfaceAttribute: { code: 'Forbidden.RAM', httpStatus: 403, message: 'not allowed' },
    });
    const failed = await initNodes([await get(ip)], deps('private-ip'));
    assert.match(failed.get(ip)?.message ?? '', /ModifyNetworkInterfaceAttribute/);
    const n = await get(ip);
    assert.equal(n.spec?.providerID, undefined);
    assert.equal(n.metadata?.labels?.[Labels.zone], undefined, 'all or nothing');
    emu.emu.setFaults({});
    assert.equal((await initNodes([n], deps('private-ip'))).size, 0);
    assert.equal((await get(ip)).spec?.providerID, `cn-hangzhou.${instance(0).InstanceId}`);
  });
});
