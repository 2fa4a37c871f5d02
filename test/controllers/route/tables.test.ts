// The route controller managing several route tables at once, and its periodic full reconcile,
// in-process against both emulators (real informer, real signed VPC calls).
import assert from 'node:assert/strict';
import { RouteController, type RouteNode } from '../../../src/controllers/route/controller.js';
import { resolveRouteTables } from '../../../src/controllers/route/inputs.js';
import { nodeConditionWriter, watchNodes } from '../../../src/controllers/route/kubeport.js';
import { parseClusterCidrs } from '../../../src/controllers/route/model/index.js';
import { Informer } from '../../../src/kube/informer.js';
import { Resources } from '../../../src/kube/resources.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { startKubeEmulator, type KubeEmulator } from '../../../emulators/kube/index.js';
import { silentLogger } from '../../../src/util/log.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { entriesOf, routePortFor, type PortHarness } from './harness.js';
import { eventually } from '../../helpers/eventually.js';

describe('route controller: several route tables, periodic reconcile (both emulators)', function () {
  this.timeout(60_000);
  const second = 'vtb-custom00000000000001';
  let cloud: TestEmulator;
  let kube: KubeEmulator;
  let h: PortHarness;
  let client: KubeClient;
  let tableId: string;
  let instances: string[];
  let events: Array<{ nodeName: string; reason: string; message: string }>;
  let stop: AbortController;
  let done: Promise<unknown>;

  beforeEach(async () => {
    cloud = await startTestEmulator();
    cloud.emu.mergeState({ config: { routeTransitionMs: 30 } });
    const seeded = seedInstances(cloud.emu, 4);
    tableId = seeded.routeTableId;
    instances = seeded.instanceIds;
    cloud.emu.mergeState({
      RouteTables: [{ RouteTableId: second, VpcId: seeded.vpcId, RouteTableType: 'Custom' }],
    });
    kube = await startKubeEmulator({ port: 0 });
    client = new KubeClient({ server: kube.url });
    h = routePortFor(cloud);
    events = [];
  });
  afterEach(async () => {
    stop?.abort();
    await done;
    client.close();
    h.close();
    await kube.close();
    await cloud.close();
  });

  function startController(opts: { tables: string; periodMs: number }): RouteController {
    stop = new AbortController();
    const informer = new Informer<RouteNode>({ client, resource: Resources.nodes });
    const controller = new RouteController({
      port: h.port,
      nodes: { list: () => informer.list(), synced: () => informer.hasSynced() },
      setCondition: nodeConditionWriter(client),
      recordEvent: (e) => events.push(e),
      logger: silentLogger,
      resolveTables: () => resolveRouteTables(h.port, { routeTableIds: opts.tables }),
      clusterCidrs: parseClusterCidrs('10.0.0.0/16'),
      clusterId: 'c-tables',
      periodMs: opts.periodMs,
      aggregationMs: 20,
      retryMinMs: 50,
    });
    watchNodes(informer, () => controller.notify());
    done = Promise.all([
      informer.run(stop.signal).catch(() => undefined),
      controller.start(stop.signal).catch(() => undefined),
    ]);
    return controller;
  }

  const addNode = (i: number) =>
    kube.store.create('nodes', {
      metadata: { name: `node-${i}` },
      spec: { podCIDR: `10.0.${i}.0/24`, providerID: `cn-hangzhou.${instances[i]}` },
    });
  const condition = (name: string) =>
    ((kube.store.get('nodes', name) as RouteNode | undefined)?.status?.conditions ?? []).find(
      (c) => c.type === 'NetworkUnavailable',
    );
  const available = (table: string) => entriesOf(cloud, table).filter((e) => e.endsWith(':Available'));

  it('puts every route in every managed table, listing each table once per pass', async () => {
    const controller = startController({ tables: `${tableId},${second}`, periodMs: 3_600_000 });
    for (const i of [0, 1, 2]) addNode(i);
    await eventually(
      () => available(tableId).length === 3 && available(second).length === 3,
      'routes in both tables',
      { tries: 400 },
    );
    await eventually(
      () => [0, 1, 2].every((i) => condition(`node-${i}`)?.reason === 'RouteCreated'),
      'conditions False',
      { tries: 400 },
    );
    assert.deepEqual(entriesOf(cloud, second), entriesOf(cloud, tableId));

    const report = await controller.runPass();
    assert.deepEqual(
      report.tables.map((t) => [t.tableId, t.listCalls, t.plan.creates.length, t.plan.deletes.length]),
      [
        [tableId, 1, 0, 0],
        [second, 1, 0, 0],
      ],
    );

    kube.store.delete('nodes', 'node-1');
    await eventually(
      () => entriesOf(cloud, tableId).length === 2 && entriesOf(cloud, second).length === 2,
      'node-1 gone from both tables',
      { tries: 400 },
    );
  });

  it('keeps NetworkUnavailable True while one of the tables holds a foreign route for the CIDR', async () => {
    cloud.emu.mergeState({
      RouteEntries: [
        {
          RouteTableId: second,
          DestinationCidrBlock: '10.0.0.0/24',
          NextHopType: 'Instance',
          NextHopId: instances[3],
          Type: 'Custom',
          Status: 'Available',
        },
      ],
    });
    startController({ tables: `${tableId},${second}`, periodMs: 3_600_000 });
    addNode(0);
    await eventually(
      () => events.some((e) => e.reason === 'RouteConflict' && e.nodeName === 'node-0'),
      'conflict reported',
      { tries: 400 },
    );
    await eventually(() => condition('node-0')?.reason === 'RouteConflict', 'condition says conflict', {
      tries: 400,
    });
    assert.equal(condition('node-0')?.status, 'True');
    assert.deepEqual(
      available(tableId),
      [`10.0.0.0/24>${instances[0]}:Available`],
      'the free table got the route',
    );
    assert.deepEqual(
      entriesOf(cloud, second),
      [`10.0.0.0/24>${instances[3]}:Available`],
      'the foreign route was left alone',
    );
  });

  it('the periodic full reconcile restores a route deleted out of band, with no Node event', async () => {
    startController({ tables: tableId, periodMs: 300 });
    addNode(0);
    await eventually(() => available(tableId).length === 1, 'route Available', { tries: 400 });
    const [id] = Object.entries(cloud.emu.state.routeEntries).find(
      ([, e]) => e.RouteTableId === tableId && e.Type === 'Custom',
    )!;
    delete cloud.emu.state.routeEntries[id];
    assert.equal(entriesOf(cloud, tableId).length, 0);
    await eventually(() => available(tableId).length === 1, 'route restored by a periodic pass', {
      tries: 400,
    });
    assert.deepEqual(available(tableId), [`10.0.0.0/24>${instances[0]}:Available`]);
  });
});
