// apply + inputs against the Alibaba Cloud emulator (real wire format, real per-table
// serialisation and quota), observed through the emulator's state and call log.
import assert from 'node:assert/strict';
import { applyPlan } from '../../../src/controllers/route/apply/index.js';
import { diffRoutes } from '../../../src/controllers/route/diff.js';
import { resolveRouteTables } from '../../../src/controllers/route/inputs.js';
import { buildModel, parseClusterCidrs, type NodeLike } from '../../../src/controllers/route/model/index.js';
import { routeDescription } from '../../../src/controllers/route/model/ownership.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { entriesOf, routePortFor, type PortHarness } from './harness.js';

const clusterCidrs = parseClusterCidrs('10.0.0.0/8');
const clusterId = 'c-test';

describe('route apply (emulator)', function () {
  this.timeout(60_000);
  let t: TestEmulator;
  let h: PortHarness;
  let tableId: string;
  let instances: string[];

  beforeEach(async () => {
    t = await startTestEmulator();
    t.emu.mergeState({ config: { routeTransitionMs: 40, routeQuotaPerTable: 500 } });
    const seeded = seedInstances(t.emu, 130);
    tableId = seeded.routeTableId;
    instances = seeded.instanceIds;
    h = routePortFor(t);
  });
  afterEach(async () => {
    h.close();
    await t.close();
  });

  const nodes = (n: number, cidr = (i: number) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`): NodeLike[] =>
    Array.from({ length: n }, (_, i) => ({
      metadata: { name: `node-${i}` },
      spec: { podCIDR: cidr(i), providerID: `cn-hangzhou.${instances[i]}` },
    }));

  async function pass(ns: NodeLike[]) {
    const model = buildModel({ nodes: ns, clusterCidrs });
    const listed = await h.port.listRoutes(tableId);
    const plan = diffRoutes({ tableId, model, remote: listed.routes, clusterCidrs, clusterId });
    const outcome = await applyPlan(h.port, plan, {
      clusterId,
      remote: listed.routes,
      availableTimeoutMs: 10_000,
    });
    return { plan, outcome, listed };
  }

  it('creates 130 routes in batches of 50, each batch after the previous one settled', async () => {
    const { outcome } = await pass(nodes(130));
    assert.equal(outcome.available.size, 130);
    assert.equal(outcome.calls.create, 3);
    const all = entriesOf(t, tableId);
    assert.equal(all.length, 130);
    assert.ok(all.every((e) => e.endsWith(':Available')));
    const creates = t.emu.calls().filter((c) => c.action === 'CreateRouteEntries');
    assert.deepEqual(
      creates.map((c) => c.code),
      ['Success', 'Success', 'Success'],
      'never refused as a concurrent change',
    );
    const e = Object.values(t.emu.state.routeEntries).find((x) => x.DestinationCidrBlock === '10.0.0.0/24')!;
    assert.equal(e.Description, routeDescription({ clusterId, nodeName: 'node-0' }));
    assert.equal(e.RouteEntryName, 'k8s-node-0');

    // A second pass over an unchanged cluster changes nothing.
    t.emu.clearCalls();
    const again = await pass(nodes(130));
    assert.equal(again.plan.creates.length + again.plan.deletes.length, 0);
    assert.deepEqual(
      t.emu.calls().filter((c) => /^(Create|Delete)/.test(c.action)),
      [],
    );
    assert.equal(again.listed.calls, 2, '130 entries at 100 per page');
  });

  it('deletes the routes of Nodes that left and replaces a route whose Node changed instance', async () => {
    await pass(nodes(3));
    const moved = nodes(2);
    moved[1]!.spec!.providerID = `cn-hangzhou.${instances[100]}`;
    const { outcome, plan } = await pass(moved);
    assert.deepEqual(plan.deletes.map((d) => d.reason).sort(), ['orphan', 'replaced']);
    assert.deepEqual(outcome.failed, new Map());
    assert.deepEqual(entriesOf(t, tableId), [
      `10.0.0.0/24>${instances[0]}:Available`,
      `10.0.1.0/24>${instances[100]}:Available`,
    ]);
  });

  it('stops at the quota: the rest are reported as quota, not sent again and again', async () => {
    t.emu.mergeState({ config: { routeQuotaPerTable: 60 } });
    const { outcome } = await pass(nodes(120));
    const made = entriesOf(t, tableId);
    assert.ok(made.length > 0 && made.length <= 60);
    assert.equal(outcome.available.size, made.length);
    assert.equal(outcome.quota.size, 120 - made.length);
    assert.equal(outcome.failed.size, 0);
    for (const cidr of outcome.quota) assert.ok(!made.some((e) => e.startsWith(`${cidr}>`)));
    assert.ok(outcome.calls.create < 3, 'no batch is sent once the table is full');
  });

  it('waits for entries already in transition before changing the table', async () => {
    t.emu.mergeState({ config: { routeTransitionMs: 300 } });
    await h.port.createRoutes([
      {
        routeTableId: tableId,
        cidr: '172.16.0.0/24',
        nextHopId: instances[129]!,
        name: 'x',
        description: 'someone else',
      },
    ]);
    const { outcome } = await pass(nodes(2));
    assert.equal(outcome.available.size, 2);
    assert.deepEqual(
      t.emu
        .calls()
        .filter((c) => c.action === 'CreateRouteEntries')
        .map((c) => c.code),
      ['Success', 'Success'],
    );
    assert.ok(
      entriesOf(t, tableId).includes(`172.16.0.0/24>${instances[129]}:Available`),
      'the foreign route outside the cluster CIDR is untouched',
    );
  });

  it('counts a duplicate of our own earlier create (answer lost) as created', async () => {
    await h.port.createRoutes([
      {
        routeTableId: tableId,
        cidr: '10.0.0.0/24',
        nextHopId: instances[0]!,
        name: 'k8s-node-0',
        description: 'x',
      },
    ]);
    // Plan as if the listing had not seen it yet.
    const model = buildModel({ nodes: nodes(1), clusterCidrs });
    const plan = diffRoutes({ tableId, model, remote: [], clusterCidrs, clusterId });
    const outcome = await applyPlan(h.port, plan, { clusterId, availableTimeoutMs: 10_000 });
    assert.deepEqual([...outcome.available], ['10.0.0.0/24']);
    assert.equal(outcome.failed.size, 0);
  });

  describe('route table resolution', () => {
    it('uses the single table of the metadata VPC', async () => {
      const r = await resolveRouteTables(h.port, {});
      assert.deepEqual(
        r.tables.map((x) => x.routeTableId),
        [tableId],
      );
      assert.equal(r.source, 'vpc');
    });

    it('refuses to guess in a VPC with several tables and says how to choose', async () => {
      t.emu.mergeState({
        RouteTables: [
          { RouteTableId: 'vtb-custom1', VpcId: 'vpc-emu00000000000000001', RouteTableType: 'Custom' },
        ],
      });
      await assert.rejects(
        resolveRouteTables(h.port, {}),
        /has 2 route tables: .*vtb-custom1.*routeTableIDs/,
      );
      await assert.rejects(
        resolveRouteTables(h.port, { env: { ALIYUN_ROUTER: 'vrt-emu00000000000000001' } }),
        /VRouter .* has 2 route tables/,
      );
      const r = await resolveRouteTables(h.port, { routeTableIds: ` ${tableId}, vtb-custom1 ` });
      assert.deepEqual(
        r.tables.map((x) => x.routeTableId),
        [tableId, 'vtb-custom1'],
      );
      const fromEnv = await resolveRouteTables(h.port, { env: { ALIYUN_ROUTE_TABLE: 'vtb-custom1' } });
      assert.deepEqual(
        fromEnv.tables.map((x) => x.routeTableId),
        ['vtb-custom1'],
      );
    });

    it('names a configured table that does not exist', async () => {
      await assert.rejects(
        resolveRouteTables(h.port, { routeTableIds: 'vtb-nope' }),
        /vtb-nope does not exist/,
      );
    });
  });
});
