// The init and sync steps driven directly (no loops, no timers) against both emulators through
// the product's cloud stack and REST client: batching, safety of deletion, no-op passes, and
// the cases where the uninitialized taint must stay.
import assert from 'node:assert/strict';
import { createCloud, type Cloud } from '../../../src/cloud/index.js';
import { createNodeWriter } from '../../../src/controllers/node/kubeport.js';
import { createNodeCloudPort, type NodeCloudPort } from '../../../src/controllers/node/cloudport.js';
import { NodeEvents } from '../../../src/controllers/node/events.js';
import { TAINT_UNINITIALIZED } from '../../../src/kube/labels.js';
import { initNodes } from '../../../src/controllers/node/controller/init.js';
import { nodeMetrics } from '../../../src/controllers/node/metrics.js';
import { syncNodes } from '../../../src/controllers/node/controller/sync.js';
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

describe('node controller: init and sync steps against the emulators', function () {
  this.timeout(30_000);
  let kube: TestKube;
  let emu: TestEmulator;
  let cloud: Cloud;
  let client: KubeClient;
  let port: NodeCloudPort;
  let vpc: SeededVpc;
  let events: Recorded[];
  const recorder: EventRecorder = {
    event: (obj, type, reason, message) =>
      void events.push({ node: obj.metadata?.name ?? '', type, reason, message }),
  };

  const deps = () => ({
    port,
    writer: createNodeWriter(client),
    recorder,
    logger: silentLogger,
    metrics: nodeMetrics(undefined),
    heartbeatGraceMs: 300_000,
  });
  const initDeps = (over: { skip?: boolean } = {}) => ({
    ...deps(),
    nameType: 'auto' as const,
    skipDisableSourceDestCheck: over.skip ?? false,
  });
  const create = async (n: Node) => client.create<Node>(Resources.nodes, undefined, n);
  const get = (name: string) => client.get<Node>(Resources.nodes, undefined, name);
  const list = async () => (await client.list<Node>(Resources.nodes, undefined)).items;
  const describeCalls = () => emu.emu.calls().filter((c) => c.action === 'DescribeInstances');

  const ready = (status: string) => [{ type: 'Ready', status, lastHeartbeatTime: new Date().toISOString() }];
  const joined = (name: string, id: string, extra: Partial<Node> = {}): Node => ({
    metadata: { name },
    spec: { providerID: `cn-hangzhou.${id}` },
    status: { conditions: ready('True') },
    ...extra,
  });

  beforeEach(async () => {
    events = [];
    kube = await startTestKube();
    emu = await startTestEmulator({ region: 'cn-hangzhou' });
    vpc = seedInstances(emu.emu, 3);
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

  it('describes 250 Nodes in ⌈250/100⌉ calls and writes nothing on a second pass', async () => {
    const ids = seedInstances(emu.emu, 250).instanceIds;
    for (const [i, id] of ids.entries()) await create(joined(`n-${i}`, id));
    emu.emu.clearCalls();
    const first = await syncNodes(await list(), deps());
    assert.equal(first.describeCalls, 3);
    assert.equal(describeCalls().length, 3);
    for (const c of describeCalls()) assert.ok(JSON.parse(c.params.InstanceIds!).length <= 100);
    assert.equal(first.updated, 250);
    const rv = (await get('n-7')).metadata?.resourceVersion;
    const second = await syncNodes(await list(), deps());
    assert.deepEqual([second.updated, second.unchanged, second.deleted], [0, 250, 0]);
    assert.equal((await get('n-7')).metadata?.resourceVersion, rv);
  });

  it('never deletes on a failed describe, and only with a silent kubelet on a successful one', async () => {
    const [a, b] = vpc.instanceIds;
    await create(joined('silent', a!, { status: { conditions: ready('Unknown') } }));
    await create(joined('alive', b!));
    delete emu.emu.state.instances[a!];
    delete emu.emu.state.instances[b!];
    emu.emu.setFaults({ DescribeInstances: { code: 'ServiceUnavailable' } });
    const outage = await syncNodes(await list(), deps());
    assert.equal(outage.deleted, 0);
    assert.equal(outage.lookupFailed, 2);
    assert.equal((await list()).length, 2);
    emu.emu.setFaults({});
    const after = await syncNodes(await list(), deps());
    assert.equal(after.deleted, 1);
    assert.equal(after.keptMissing, 1);
    assert.deepEqual(
      (await list()).map((n) => n.metadata?.name),
      ['alive'],
    );
    assert.ok(events.some((e) => e.node === 'silent' && e.reason === NodeEvents.DeletedNode));
  });

  it('does not delete when the confirming describe fails or the Node changed meanwhile', async () => {
    const [a] = vpc.instanceIds;
    await create(joined('n', a!, { status: { conditions: ready('Unknown') } }));
    delete emu.emu.state.instances[a!];
    // First describe answers (instance missing), the confirmation fails.
    const cached = await list();
    let calls = 0;
    const flaky: NodeCloudPort = {
      ...port,
      describeByIds: async (ids) =>
        ++calls === 1 ? port.describeByIds(ids) : Promise.reject(new Error('boom')),
    };
    const r1 = await syncNodes(cached, { ...deps(), port: flaky });
    assert.equal(r1.deleted, 0);
    // The kubelet comes back between our read and the delete: the fresh re-read sees it.
    const fresh = await get('n');
    fresh.status!.conditions = ready('True');
    await client.update(Resources.nodes, fresh, 'status');
    const r2 = await syncNodes(cached, deps());
    assert.equal(r2.deleted, 0);
    assert.ok(await get('n'));
  });

  it('keeps the taint when disabling source/dest check fails, and removes it on the retry', async () => {
    const [a] = vpc.instanceIds;
    await create({
      metadata: { name: 'sdc' },
      spec: { providerID: `cn-hangzhou.${a}`, taints: [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }] },
      status: {},
    });
    emu.emu.setFaults({
      ModifyNetworkInterfaceAttribute: { code: 'Forbidden.RAM', httpStatus: 403, message: 'not allowed' },
    });
    const failed = await initNodes([await get('sdc')], initDeps());
    assert.match(failed.get('sdc')?.message ?? '', /ModifyNetworkInterfaceAttribute/);
    let n = await get('sdc');
    assert.ok(n.spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
    assert.ok(n.metadata?.labels?.['topology.kubernetes.io/zone'], 'other facts are written meanwhile');
    assert.ok(events.some((e) => e.reason === NodeEvents.SourceDestCheckFailed && e.type === 'Warning'));
    emu.emu.setFaults({});
    assert.equal((await initNodes([n], initDeps())).size, 0);
    n = await get('sdc');
    assert.ok(!n.spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
  });

  it('--skip-disable-source-dest-check leaves the ENI alone', async () => {
    const [a] = vpc.instanceIds;
    await create({
      metadata: { name: 'skip' },
      spec: { providerID: `cn-hangzhou.${a}`, taints: [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }] },
      status: {},
    });
    emu.emu.clearCalls();
    assert.equal((await initNodes([await get('skip')], initDeps({ skip: true }))).size, 0);
    assert.equal(emu.emu.calls().filter((c) => c.action.includes('NetworkInterface')).length, 0);
    const eni = Object.values(emu.emu.state.networkInterfaces).find((e) => e.InstanceId === a)!;
    assert.equal(eni.SourceDestCheck, true);
  });

  it("keeps the taint when the kubelet's --node-ip is not the instance's", async () => {
    const [a] = vpc.instanceIds;
    await create({
      metadata: { name: 'ipmismatch', annotations: { 'alpha.kubernetes.io/provided-node-ip': '10.250.0.1' } },
      spec: { providerID: `cn-hangzhou.${a}`, taints: [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }] },
      status: {},
    });
    const failed = await initNodes([await get('ipmismatch')], initDeps());
    assert.ok(failed.has('ipmismatch'));
    assert.ok((await get('ipmismatch')).spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
    assert.ok(events.some((e) => e.reason === NodeEvents.ProvidedNodeIpMismatch));
  });

  it('initialises a burst of Nodes found by IP with one batched lookup', async () => {
    const ids = seedInstances(emu.emu, 120).instanceIds;
    const ips = ids.map((id) => emu.emu.state.instances[id]!.PrivateIpAddress);
    for (const ip of ips)
      await create({
        metadata: { name: ip },
        spec: { taints: [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }] },
        status: {},
      });
    emu.emu.clearCalls();
    const failed = await initNodes(await list(), initDeps());
    assert.equal(failed.size, 0);
    // 120 IPs → 2 calls; no instance-id or VPC listing needed.
    assert.equal(describeCalls().length, 2);
    const n = await get(ips[119]!);
    assert.equal(n.spec?.providerID, `cn-hangzhou.${ids[119]}`);
  });
});
