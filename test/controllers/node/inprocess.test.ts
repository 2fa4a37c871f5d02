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
  const initDeps = (over: { skip?: boolean; routes?: boolean } = {}) => ({
    ...deps(),
    nameType: 'auto' as const,
    skipDisableSourceDestCheck: over.skip ?? false,
    routesConfigured: over.routes ?? false,
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
    const n = await get('ipmismatch');
    assert.ok(n.spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
    assert.ok(events.some((e) => e.reason === NodeEvents.ProvidedNodeIpMismatch));
    // As the official CCM: a doubtful match writes none of the instance's facts.
    assert.deepEqual(n.metadata?.labels ?? {}, {});
    assert.deepEqual(n.status?.addresses ?? [], []);
  });

  it("periodic sync writes nothing to a Node whose --node-ip is not the instance's", async () => {
    const [a] = vpc.instanceIds;
    await create(
      joined('drifted', a!, {
        metadata: { name: 'drifted', annotations: { 'alpha.kubernetes.io/provided-node-ip': '10.250.0.1' } },
      }),
    );
    const rv = (await get('drifted')).metadata?.resourceVersion;
    const r = await syncNodes(await list(), deps());
    assert.equal(r.updated, 0);
    const n = await get('drifted');
    assert.equal(n.metadata?.resourceVersion, rv);
    assert.deepEqual(n.metadata?.labels ?? {}, {});
  });

  it('removes the taint when the instance has no primary ENI to find (the official CCM skips that step)', async () => {
    const [a, b] = vpc.instanceIds;
    for (const [name, id] of [
      ['noeni', a!],
      ['gone-eni', b!],
    ] as const)
      await create({
        metadata: { name },
        spec: {
          providerID: `cn-hangzhou.${id}`,
          taints: [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }],
        },
        status: {},
      });
    // a: no ENI at all; b: its ENI vanishes between DescribeInstances and DescribeNetworkInterfaces.
    for (const [k, e] of Object.entries(emu.emu.state.networkInterfaces))
      if (e.InstanceId === a) delete emu.emu.state.networkInterfaces[k];
    const bEni = Object.values(emu.emu.state.networkInterfaces).find((e) => e.InstanceId === b)!;
    const realPort = port;
    const vanishing: NodeCloudPort = {
      ...realPort,
      sourceDestCheck: async (ids) => {
        delete emu.emu.state.networkInterfaces[bEni.NetworkInterfaceId];
        return realPort.sourceDestCheck(ids);
      },
    };
    const failed = await initNodes([await get('noeni'), await get('gone-eni')], {
      ...initDeps(),
      port: vanishing,
    });
    assert.equal(failed.size, 0, [...failed.values()].map((e) => e.message).join('; '));
    for (const name of ['noeni', 'gone-eni']) {
      const n = await get(name);
      assert.ok(!n.spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED), `${name} untainted`);
      assert.ok(n.metadata?.labels?.['topology.kubernetes.io/zone'], `${name} has its labels`);
    }
    assert.ok(!events.some((e) => e.reason === NodeEvents.SourceDestCheckFailed));
  });

  it('removes a still-tainted Node whose instance is gone once its kubelet is silent; keeps it while the kubelet reports', async () => {
    const [a, b, c] = vpc.instanceIds;
    const taints = [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }];
    await create({
      metadata: { name: 'silent' },
      spec: { providerID: `cn-hangzhou.${a}`, taints },
      status: { conditions: ready('Unknown') },
    });
    await create({
      metadata: { name: 'alive' },
      spec: { providerID: `cn-hangzhou.${b}`, taints },
      status: { conditions: ready('True') },
    });
    await create({
      metadata: { name: 'present' },
      spec: { providerID: `cn-hangzhou.${c}`, taints },
      status: { conditions: ready('Unknown') },
    });
    delete emu.emu.state.instances[a!];
    delete emu.emu.state.instances[b!];
    const r = await syncNodes(await list(), deps());
    assert.equal(r.deleted, 1);
    assert.deepEqual((await list()).map((n) => n.metadata?.name).sort(), ['alive', 'present']);
    assert.ok(events.some((e) => e.node === 'silent' && e.reason === NodeEvents.DeletedNode));
    // A tainted Node whose instance exists is initialisation's: sync writes nothing to it.
    assert.deepEqual((await get('present')).metadata?.labels ?? {}, {});
  });

  it('periodic sync leaves exclude-node Nodes alone: no lookup, no write, no deletion', async () => {
    const [a, b] = vpc.instanceIds;
    const labels = { 'service.alibabacloud.com/exclude-node': 'true' };
    await create(
      joined('excl-gone', a!, {
        metadata: { name: 'excl-gone', labels },
        status: { conditions: ready('Unknown') },
      }),
    );
    await create(
      joined('excl-beta', b!, {
        metadata: { name: 'excl-beta', labels: { 'service.beta.kubernetes.io/exclude-node': '' } },
      }),
    );
    delete emu.emu.state.instances[a!];
    emu.emu.clearCalls();
    const r = await syncNodes(await list(), deps());
    assert.deepEqual([r.nodes, r.describeCalls, r.updated, r.deleted], [0, 0, 0, 0]);
    assert.equal(describeCalls().length, 0);
    assert.equal((await list()).length, 2);
    assert.deepEqual(Object.keys((await get('excl-beta')).metadata?.labels ?? {}), [
      'service.beta.kubernetes.io/exclude-node',
    ]);
  });

  it('LingJun nodes: the taint is removed and nothing else; Tianwen ones and other non-ECS Nodes are not', async () => {
    const taints = [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }];
    await create({
      metadata: { name: 'lj', labels: { 'alibabacloud.com/lingjun-worker': 'true' } },
      spec: { providerID: 'e01-cn-lingjun-abc', taints },
      status: {},
    });
    await create({
      metadata: {
        name: 'tianwen',
        labels: {
          'alibabacloud.com/lingjun-worker': 'true',
          'alibabacloud.com/lingjun-tianwen-environment': 'x',
        },
      },
      spec: { providerID: 'e01-cn-lingjun-def', taints },
      status: {},
    });
    await create({
      metadata: { name: 'other' },
      spec: { providerID: 'e01-cn-lingjun-ghi', taints },
      status: {},
    });
    emu.emu.clearCalls();
    const failed = await initNodes(await list(), initDeps({ routes: true }));
    const lj = await get('lj');
    assert.ok(!lj.spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
    assert.deepEqual(Object.keys(lj.metadata?.labels ?? {}), ['alibabacloud.com/lingjun-worker']);
    assert.deepEqual(lj.status?.addresses ?? [], []);
    assert.equal(lj.status?.conditions, undefined);
    assert.ok(events.some((e) => e.node === 'lj' && e.reason === NodeEvents.InitializedNode));
    assert.ok((await get('tianwen')).spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
    assert.ok(!failed.has('tianwen') && !failed.has('lj'));
    assert.ok((await get('other')).spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED));
    assert.ok(failed.has('other'));
  });

  it('with routes configured, an initialised Node waits with NetworkUnavailable=True/NoRouteCreated; excluded or already-routed ones are left as they are', async () => {
    const [a, b, c, d] = [...vpc.instanceIds, ...seedInstances(emu.emu, 1).instanceIds];
    const taint = [{ key: TAINT_UNINITIALIZED, effect: 'NoSchedule' }];
    const tainted = (
      name: string,
      id: string,
      over: Partial<Node['metadata']> = {},
      status: Node['status'] = {},
    ) =>
      create({
        metadata: { name, ...over },
        spec: { providerID: `cn-hangzhou.${id}`, taints: taint },
        status,
      });
    await tainted('new', a!);
    await tainted('excluded', b!, { labels: { 'service.alibabacloud.com/exclude-node': 'true' } });
    await tainted('routed', c!);
    // The route controller got there first (the kubelet set providerID and the pod CIDR was assigned).
    const routed = await get('routed');
    routed.status = {
      conditions: [
        {
          type: 'NetworkUnavailable',
          status: 'False',
          reason: 'RouteCreated',
          message: 'RouteController created a route',
        },
      ],
    };
    await client.update(Resources.nodes, routed, 'status');
    assert.equal((await initNodes(await list(), initDeps({ routes: true }))).size, 0);
    const cond = async (name: string) =>
      (await get(name)).status?.conditions?.find((x) => x.type === 'NetworkUnavailable');
    const fresh = await cond('new');
    assert.equal(fresh?.status, 'True');
    assert.equal(fresh?.reason, 'NoRouteCreated');
    assert.equal(fresh?.message, 'Node created without a route');
    assert.ok(fresh?.lastTransitionTime);
    assert.equal(await cond('excluded'), undefined);
    assert.equal((await cond('routed'))?.status, 'False');
    for (const name of ['new', 'excluded', 'routed'])
      assert.ok(
        !(await get(name)).spec?.taints?.some((t) => t.key === TAINT_UNINITIALIZED),
        `${name} initialised`,
      );

    // Without the route controller in this manager, nothing would ever clear it: not written.
    await tainted('noroutes', d!);
    assert.equal((await initNodes([await get('noroutes')], initDeps())).size, 0);
    assert.equal(await cond('noroutes'), undefined);
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
