// The route controller in-process with both emulators: real informer over the Kubernetes API
// emulator, real signed calls to the Alibaba Cloud emulator.
import assert from 'node:assert/strict';
import {
  RouteController,
  routeRelevantChange,
  type RouteNode,
} from '../../../src/controllers/route/controller.js';
import { RouteTableConfigError, resolveRouteTables } from '../../../src/controllers/route/inputs.js';
import { nodeConditionWriter, watchNodes } from '../../../src/controllers/route/kubeport.js';
import { parseClusterCidrs } from '../../../src/controllers/route/model/index.js';
import { routeDescription } from '../../../src/controllers/route/model/ownership.js';
import { Informer } from '../../../src/kube/informer.js';
import { Resources } from '../../../src/kube/resources.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { startKubeEmulator, type KubeEmulator } from '../../../emulators/kube/index.js';
import { silentLogger } from '../../../src/util/log.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { entriesOf, routePortFor, type PortHarness } from './harness.js';
import { eventually } from '../../helpers/eventually.js';

interface Recorded {
  nodeName: string;
  type: string;
  reason: string;
  message: string;
}

describe('route controller (both emulators)', function () {
  this.timeout(60_000);
  let cloud: TestEmulator;
  let kube: KubeEmulator;
  let h: PortHarness;
  let client: KubeClient;
  let tableId: string;
  let instances: string[];
  let events: Recorded[];
  const running: Array<{ stop: AbortController; done: Promise<unknown> }> = [];

  beforeEach(async () => {
    cloud = await startTestEmulator();
    cloud.emu.mergeState({ config: { routeTransitionMs: 30 } });
    const seeded = seedInstances(cloud.emu, 6);
    tableId = seeded.routeTableId;
    instances = seeded.instanceIds;
    kube = await startKubeEmulator({ port: 0 });
    client = new KubeClient({ server: kube.url });
    h = routePortFor(cloud);
    events = [];
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done;
    }
    client.close();
    h.close();
    await kube.close();
    await cloud.close();
  });

  function startController(resolveTables = () => resolveRouteTables(h.port, {})): RouteController {
    const stop = new AbortController();
    const informer = new Informer<RouteNode>({ client, resource: Resources.nodes });
    const controller = new RouteController({
      port: h.port,
      nodes: { list: () => informer.list(), synced: () => informer.hasSynced() },
      setCondition: nodeConditionWriter(client),
      recordEvent: (e) => events.push(e),
      logger: silentLogger,
      resolveTables,
      clusterCidrs: parseClusterCidrs('10.0.0.0/16'),
      clusterId: 'c-e2e',
      periodMs: 3_600_000,
      aggregationMs: 50,
      retryMinMs: 100,
    });
    watchNodes(informer, () => controller.notify());
    const done = Promise.all([
      informer.run(stop.signal).catch(() => undefined),
      controller.start(stop.signal).catch(() => undefined),
    ]);
    running.push({ stop, done });
    return controller;
  }
  async function stopAll(): Promise<void> {
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done;
    }
  }

  const addNode = (i: number, cidr = `10.0.${i}.0/24`) =>
    kube.store.create('nodes', {
      metadata: { name: `node-${i}` },
      spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `cn-hangzhou.${instances[i]}` },
    });
  const condition = (name: string) =>
    ((kube.store.get('nodes', name) as RouteNode | undefined)?.status?.conditions ?? []).find(
      (c) => c.type === 'NetworkUnavailable',
    );

  it('gives joining Nodes routes and NetworkUnavailable=False; a leaving Node loses its route', async () => {
    startController();
    for (const i of [0, 1, 2]) addNode(i);
    await eventually(
      () => entriesOf(cloud, tableId).filter((e) => e.endsWith(':Available')).length === 3,
      'three routes Available',
      { tries: 400 },
    );
    await eventually(
      () => [0, 1, 2].every((i) => condition(`node-${i}`)?.status === 'False'),
      'conditions False',
      { tries: 400 },
    );
    assert.equal(condition('node-0')?.reason, 'RouteCreated');
    assert.ok(events.some((e) => e.reason === 'CreatedRoute' && e.nodeName === 'node-1'));

    kube.store.delete('nodes', 'node-1');
    await eventually(() => entriesOf(cloud, tableId).length === 2, 'route of node-1 gone', { tries: 400 });
    assert.deepEqual(entriesOf(cloud, tableId), [
      `10.0.0.0/24>${instances[0]}:Available`,
      `10.0.2.0/24>${instances[2]}:Available`,
    ]);
  });

  it('keeps running when the tables cannot be read at start, and routes once they can', async () => {
    let calls = 0;
    startController(() => {
      calls++;
      return calls === 1
        ? Promise.reject(new Error('ServiceUnavailable: try later'))
        : resolveRouteTables(h.port, {});
    });
    addNode(0);
    await eventually(
      () => entriesOf(cloud, tableId).some((e) => e === `10.0.0.0/24>${instances[0]}:Available`),
      'route Available after the failed start',
      { tries: 400 },
    );
    assert.ok(calls >= 2);
  });

  it('stops on a route-table configuration error', async () => {
    const stop = new AbortController();
    const controller = new RouteController({
      port: h.port,
      nodes: { list: () => [], synced: () => true },
      setCondition: nodeConditionWriter(client),
      recordEvent: () => undefined,
      logger: silentLogger,
      resolveTables: () => Promise.reject(new RouteTableConfigError('VPC has 2 route tables; name one')),
      clusterCidrs: parseClusterCidrs('10.0.0.0/16'),
      clusterId: 'c-e2e',
      periodMs: 3_600_000,
      aggregationMs: 10,
    });
    await assert.rejects(controller.start(stop.signal), RouteTableConfigError);
    stop.abort();
  });

  it('removes the route of a Node deleted while the controller was down, after restart', async () => {
    startController();
    addNode(0);
    addNode(1);
    await eventually(
      () => entriesOf(cloud, tableId).filter((e) => e.endsWith(':Available')).length === 2,
      'two routes',
      { tries: 400 },
    );
    await stopAll();
    kube.store.delete('nodes', 'node-1');
    assert.equal(entriesOf(cloud, tableId).length, 2, 'nothing removed while down');
    startController();
    await eventually(() => entriesOf(cloud, tableId).length === 1, 'orphan removed', { tries: 400 });
    assert.deepEqual(entriesOf(cloud, tableId), [`10.0.0.0/24>${instances[0]}:Available`]);
  });

  it('leaves foreign routes alone, in and out of the cluster CIDR, and reports the one that collides', async () => {
    cloud.emu.mergeState({
      RouteEntries: [
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '10.0.3.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[5],
          Type: 'Custom',
          Status: 'Available',
        },
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '10.0.99.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[5],
          Type: 'Custom',
          Status: 'Available',
        },
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '172.20.0.0/16',
          NextHopType: 'Instance',
          NextHopId: instances[4],
          Type: 'Custom',
          Status: 'Available',
        },
        // Marked as ours but outside the cluster CIDR: still never touched.
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '172.21.0.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[4],
          Type: 'Custom',
          Status: 'Available',
          Description: routeDescription({ clusterId: 'c-e2e', nodeName: 'gone' }),
        },
      ],
    });
    startController();
    addNode(0);
    addNode(3);
    await eventually(() => condition('node-0')?.status === 'False', 'node-0 routed', { tries: 400 });
    await eventually(
      () => events.some((e) => e.nodeName === 'node-3' && e.reason === 'RouteConflict'),
      'node-3 reported',
      { tries: 400 },
    );
    await eventually(() => condition('node-3')?.reason === 'RouteConflict', 'node-3 condition', {
      tries: 400,
    });
    assert.equal(condition('node-3')?.status, 'True');
    const conflict = events.find((e) => e.reason === 'RouteConflict')!;
    assert.equal(conflict.type, 'Warning');
    assert.match(conflict.message, new RegExp(`10\\.0\\.3\\.0/24 .*${instances[5]}.*left alone`));
    const all = entriesOf(cloud, tableId);
    for (const foreign of [
      `10.0.3.0/24>${instances[5]}`,
      `10.0.99.0/24>${instances[5]}`,
      `172.20.0.0/16>${instances[4]}`,
      `172.21.0.0/24>${instances[4]}`,
    ]) {
      assert.ok(
        all.some((e) => e.startsWith(foreign)),
        `${foreign} still there`,
      );
    }
    assert.deepEqual(
      cloud.emu.calls().filter((c) => c.action === 'DeleteRouteEntries' || c.action === 'DeleteRouteEntry'),
      [],
      'no delete was ever sent',
    );
  });

  it('never deletes a hand-made route, in or out of the cluster CIDR, to Nodes or elsewhere; ours still go with their Node', async () => {
    const handMade = (cidr: string, hop: string) => ({
      RouteTableId: tableId,
      DestinationCidrBlock: cidr,
      NextHopType: 'Instance',
      NextHopId: hop,
      Type: 'Custom',
      Status: 'Available',
      RouteEntryName: 'made-by-hand',
      Description: 'ops: aggregate for the monitoring box',
    });
    cloud.emu.mergeState({
      RouteEntries: [
        // Inside the cluster CIDR, to the instances of Nodes that exist and that will be deleted.
        handMade('10.0.0.0/16', instances[0]!),
        handMade('10.0.1.128/25', instances[1]!),
        handMade('10.0.50.0/24', instances[1]!),
        // Inside, to an instance that is no Node.
        handMade('10.0.60.0/24', instances[5]!),
        // Outside, to a Node and elsewhere.
        handMade('172.20.0.0/16', instances[0]!),
        handMade('172.21.0.0/24', instances[5]!),
      ],
    });
    const handMadeEntries = () =>
      Object.values(cloud.emu.state.routeEntries)
        .filter(
          (e) => e.RouteTableId === tableId && e.Description === 'ops: aggregate for the monitoring box',
        )
        .map((e) => `${e.DestinationCidrBlock}>${e.NextHopId}`)
        .sort();
    const before = handMadeEntries();
    assert.equal(before.length, 6);
    const controller = startController();
    addNode(0);
    addNode(1);
    await eventually(() => condition('node-0')?.status === 'False', 'node-0 routed', { tries: 400 });
    await eventually(
      () => entriesOf(cloud, tableId).some((e) => e.startsWith(`10.0.1.0/24>${instances[1]}:`)),
      'ours for node-1 exists',
      { tries: 400 },
    );
    kube.store.delete('nodes', 'node-1');
    await eventually(
      () => entriesOf(cloud, tableId).every((e) => !e.startsWith(`10.0.1.0/24>`)),
      'our route of node-1 gone',
      { tries: 400 },
    );
    // A restart (no in-memory state) and a few more passes change nothing about them either.
    await stopAll();
    kube.store.delete('nodes', 'node-0');
    startController();
    await eventually(
      () => entriesOf(cloud, tableId).every((e) => !e.startsWith(`10.0.0.0/24>`)),
      'our route of node-0 gone after restart',
      { tries: 400 },
    );
    await controller.runPass().catch(() => undefined);
    assert.deepEqual(handMadeEntries(), before);
    const deleted = cloud.emu
      .calls()
      .filter((c) => c.action === 'DeleteRouteEntries' || c.action === 'DeleteRouteEntry')
      .map((c) => JSON.stringify(c.params));
    for (const cidr of ['10.0.0.0/16', '10.0.1.128/25', '10.0.50.0/24', '10.0.60.0/24', '172.2'])
      assert.ok(!deleted.some((d) => d.includes(cidr)), `a delete named ${cidr}: ${deleted.join(' ')}`);
  });

  it('routes Ready and NotReady Nodes, not Unknown, exclude-node or deleting ones, and keeps their old routes', async () => {
    const node = (
      i: number,
      extra: { labels?: Record<string, string>; ready?: string; finalizers?: string[] },
    ) => {
      const cidr = `10.0.${i}.0/24`;
      kube.store.create('nodes', {
        metadata: {
          name: `node-${i}`,
          ...(extra.labels ? { labels: extra.labels } : {}),
          ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
        },
        spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `cn-hangzhou.${instances[i]}` },
        ...(extra.ready ? { status: { conditions: [{ type: 'Ready', status: extra.ready }] } } : {}),
      });
    };
    // node-5 had a route of ours before it went Unknown: it keeps it.
    cloud.emu.mergeState({
      RouteEntries: [
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '10.0.5.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[5],
          Type: 'Custom',
          Status: 'Available',
          Description: routeDescription({ clusterId: 'c-e2e', nodeName: 'node-5' }),
        },
      ],
    });
    node(0, { ready: 'True' });
    node(1, { ready: 'False' });
    node(2, { ready: 'Unknown' });
    node(3, { ready: 'True', labels: { 'service.alibabacloud.com/exclude-node': 'true' } });
    node(4, { ready: 'True', finalizers: ['example.com/hold'] });
    kube.store.delete('nodes', 'node-4');
    node(5, { ready: 'Unknown' });
    const controller = startController();
    await eventually(() => condition('node-1')?.status === 'False', 'node-0 and node-1 routed', {
      tries: 400,
    });
    await controller.runPass();
    assert.deepEqual(entriesOf(cloud, tableId), [
      `10.0.0.0/24>${instances[0]}:Available`,
      `10.0.1.0/24>${instances[1]}:Available`,
      `10.0.5.0/24>${instances[5]}:Available`,
    ]);
    for (const skipped of ['node-2', 'node-3', 'node-4', 'node-5'])
      assert.equal(condition(skipped), undefined, `${skipped} condition untouched`);

    // Back to Ready: the route follows without waiting for the period.
    const n2 = kube.store.get('nodes', 'node-2')!;
    kube.store.updateStatus('nodes', { ...n2, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    await eventually(
      () => entriesOf(cloud, tableId).includes(`10.0.2.0/24>${instances[2]}:Available`),
      'node-2 routed once Ready',
      { tries: 400 },
    );
  });

  it('a full route table gives a Warning that says how to get room, and NetworkUnavailable stays True', async () => {
    cloud.emu.mergeState({ config: { routeQuotaPerTable: 2 } });
    startController();
    for (const i of [0, 1, 2]) addNode(i);
    await eventually(() => events.some((e) => e.reason === 'RouteQuotaExceeded'), 'quota reported', {
      tries: 400,
    });
    const warning = events.find((e) => e.reason === 'RouteQuotaExceeded')!;
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message, /full/);
    assert.match(warning.message, /raise the route table quota/);
    await eventually(
      () => condition(warning.nodeName)?.reason === 'RouteQuotaExceeded',
      'condition says quota',
      { tries: 400 },
    );
    assert.equal(condition(warning.nodeName)?.status, 'True');
    assert.equal(entriesOf(cloud, tableId).length, 2);
  });

  it('reports a standing conflict once, not on every pass', async () => {
    cloud.emu.mergeState({
      RouteEntries: [
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '10.0.0.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[5],
          Type: 'Custom',
          Status: 'Available',
        },
      ],
    });
    const controller = startController();
    addNode(0);
    await eventually(() => events.some((e) => e.reason === 'RouteConflict'), 'conflict reported', {
      tries: 400,
    });
    await controller.runPass();
    await controller.runPass();
    assert.equal(events.filter((e) => e.reason === 'RouteConflict').length, 1);
  });

  it('runs no pass before the Node cache has synced (an empty cache is not "all Nodes deleted")', async () => {
    cloud.emu.mergeState({
      RouteEntries: [
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '10.0.7.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[0],
          Type: 'Custom',
          Status: 'Available',
          Description: routeDescription({ clusterId: 'c-e2e', nodeName: 'node-0' }),
        },
      ],
    });
    addNode(0, '10.0.7.0/24');
    const stop = new AbortController();
    let synced = false;
    const controller = new RouteController({
      port: h.port,
      nodes: { list: () => [], synced: () => synced },
      setCondition: async () => undefined,
      recordEvent: (e) => events.push(e),
      logger: silentLogger,
      resolveTables: () => resolveRouteTables(h.port, {}),
      clusterCidrs: parseClusterCidrs('10.0.0.0/16'),
      clusterId: 'c-e2e',
      periodMs: 3_600_000,
      aggregationMs: 10,
      retryMinMs: 20,
    });
    const done = controller.start(stop.signal);
    for (let i = 0; i < 5; i++) {
      controller.notify();
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(controller.lastReport, undefined, 'no pass ran');
    assert.equal(entriesOf(cloud, tableId).length, 1);
    // Once synced (and really empty), the marked route is an orphan and goes.
    synced = true;
    controller.notify();
    await eventually(() => entriesOf(cloud, tableId).length === 0, 'orphan removed after sync', {
      tries: 400,
    });
    stop.abort();
    await done;
  });

  describe('which Node updates trigger a pass', () => {
    const base: RouteNode = {
      metadata: { name: 'n', uid: 'u1' },
      spec: { podCIDR: '10.0.1.0/24', podCIDRs: ['10.0.1.0/24'], providerID: 'r.i-1' },
    };
    const cases: Array<[string, RouteNode | undefined, boolean]> = [
      [
        'status-only change (our own condition write)',
        { ...base, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
        false,
      ],
      [
        'podCIDRs changed alone (the apiserver forbids it; the check stays defensive)',
        { ...base, spec: { ...base.spec, podCIDRs: ['10.0.1.0/24', 'fd00::/64'] } },
        true,
      ],
      ['providerID set', { ...base, spec: { ...base.spec, providerID: 'r.i-2' } }, true],
      ['re-created with a new UID', { ...base, metadata: { name: 'n', uid: 'u2' } }, true],
      ['deleted', undefined, true],
      [
        'Ready went Unknown (routes are skipped from then on)',
        { ...base, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
        true,
      ],
      [
        'exclude-node label added',
        {
          ...base,
          metadata: { ...base.metadata, labels: { 'service.alibabacloud.com/exclude-node': 'true' } },
        },
        true,
      ],
      [
        'Ready went False (NotReady still gets routes)',
        { ...base, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
        false,
      ],
    ];
    for (const [title, next, want] of cases)
      it(`${title} → ${want}`, () => assert.equal(routeRelevantChange(base, next), want));
  });
});
