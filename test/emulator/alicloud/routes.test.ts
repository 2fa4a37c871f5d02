import { strict as assert } from 'node:assert';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';

interface Entry {
  RouteEntryId: string;
  DestinationCidrBlock: string;
  Status: string;
  Type: string;
  InstanceId: string;
  NextHops: { NextHop: { NextHopId: string }[] };
}

describe('emulator/alicloud VPC routes', () => {
  let t: TestEmulator;
  let table: string;
  let inst: string[];
  beforeEach(async () => {
    t = await startTestEmulator();
    t.emu.mergeState({ config: { routeTransitionMs: 600_000 } });
    const seeded = seedInstances(t.emu, 3);
    table = seeded.routeTableId;
    inst = seeded.instanceIds;
  });
  afterEach(() => t.close());

  async function list(params: Record<string, string> = {}): Promise<{ entries: Entry[]; next: string }> {
    const r = await rawCall(t, 'Vpc', 'DescribeRouteEntryList', {
      RouteTableId: table,
      RouteEntryType: 'Custom',
      ...params,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return {
      entries: (r.body.RouteEntrys as { RouteEntry: Entry[] }).RouteEntry,
      next: r.body.NextToken as string,
    };
  }

  it('creates Pending, becomes Available, and refuses changes on a table in transition', async () => {
    const r = await rawCall(t, 'Vpc', 'CreateRouteEntry', {
      RouteTableId: table,
      DestinationCidrBlock: '10.244.0.0/24',
      NextHopType: 'Instance',
      NextHopId: inst[0]!,
    });
    assert.equal(r.status, 200);
    const id = r.body.RouteEntryId as string;
    assert.equal((await list()).entries[0]!.Status, 'Pending');
    const busy = await rawCall(t, 'Vpc', 'CreateRouteEntry', {
      RouteTableId: table,
      DestinationCidrBlock: '10.244.1.0/24',
      NextHopId: inst[1]!,
    });
    assert.equal(busy.status, 400);
    assert.equal(busy.body.Code, 'IncorrectRouteEntryStatus');
    await t.emu.flushTransitions();
    const { entries } = await list();
    assert.deepEqual(
      entries.map((e) => [e.RouteEntryId, e.Status, e.Type, e.InstanceId, e.NextHops.NextHop[0]!.NextHopId]),
      [[id, 'Available', 'Custom', inst[0], inst[0]]],
    );
    const dup = await rawCall(t, 'Vpc', 'CreateRouteEntry', {
      RouteTableId: table,
      DestinationCidrBlock: '10.244.0.0/24',
      NextHopId: inst[1]!,
    });
    assert.equal(dup.body.Code, 'InvalidCIDRBlock.Duplicate');
    assert.equal(
      (
        await rawCall(t, 'Vpc', 'DeleteRouteEntry', {
          RouteTableId: table,
          DestinationCidrBlock: '10.244.0.0/24',
          NextHopId: inst[0]!,
        })
      ).status,
      200,
    );
    assert.equal((await list()).entries[0]!.Status, 'Deleting');
    await t.emu.flushTransitions();
    assert.equal((await list()).entries.length, 0);
    const missing = await rawCall(t, 'Vpc', 'DeleteRouteEntry', {
      RouteTableId: table,
      DestinationCidrBlock: '10.244.0.0/24',
    });
    assert.equal(missing.body.Code, 'InvalidRouteEntry.NotFound');
  });

  it('batch-creates with per-entry failures and enforces the quota', async () => {
    t.emu.mergeState({ config: { routeQuotaPerTable: 3 } });
    const entries: Record<string, string> = {};
    const cidrs = ['10.244.0.0/24', '10.244.1.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24'];
    cidrs.forEach((c, i) => {
      entries[`RouteEntries.${i + 1}.RouteTableId`] = table;
      entries[`RouteEntries.${i + 1}.DstCidrBlock`] = c;
      entries[`RouteEntries.${i + 1}.NextHop`] = inst[i % 3]!;
      entries[`RouteEntries.${i + 1}.NextHopType`] = 'Instance';
    });
    const r = await rawCall(t, 'Vpc', 'CreateRouteEntries', entries);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.SuccessCount, 3);
    assert.equal(r.body.FailedCount, 2);
    const failed = r.body.FailedRouteEntries as { DstCidrBlock: string; FailedCode: string }[];
    assert.deepEqual(
      failed.map((f) => [f.DstCidrBlock, f.FailedCode]),
      [
        ['10.244.1.0/24', 'VPC_ROUTE_ENTRY_CIDR_BLOCK_DUPLICATE'],
        ['10.244.3.0/24', 'QuotaExceeded.RouteEntryNum'],
      ],
    );
    await t.emu.flushTransitions();
    const del = await rawCall(t, 'Vpc', 'DeleteRouteEntries', {
      'RouteEntries.1.RouteTableId': table,
      'RouteEntries.1.DstCidrBlock': '10.244.0.0/24',
      'RouteEntries.1.NextHop': inst[0]!,
      'RouteEntries.2.RouteTableId': table,
      'RouteEntries.2.DstCidrBlock': '10.9.9.0/24',
      'RouteEntries.2.NextHop': inst[0]!,
    });
    assert.equal(del.body.SuccessCount, 1);
    assert.deepEqual(
      (del.body.FailedRouteEntries as { FailedCode: string }[]).map((f) => f.FailedCode),
      ['VPC_ROUTER_ENTRY_NOT_EXIST'],
    );
  });

  it('pages with NextToken/MaxResult and filters by DestCidrBlockList', async () => {
    t.emu.mergeState({
      RouteEntries: Array.from({ length: 7 }, (_, i) => ({
        RouteTableId: table,
        DestinationCidrBlock: `10.244.${i}.0/24`,
        NextHopId: inst[i % 3],
        NextHopType: 'Instance',
      })),
    });
    const seen: string[] = [];
    let token = '';
    for (let page = 0; page < 10; page++) {
      const { entries, next } = await list({ MaxResult: '3', ...(token ? { NextToken: token } : {}) });
      seen.push(...entries.map((e) => e.DestinationCidrBlock));
      token = next;
      if (!token) break;
    }
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    const some = await list({
      'DestCidrBlockList.1': '10.244.2.0/24',
      'DestCidrBlockList.2': '10.244.5.0/24',
    });
    assert.deepEqual(some.entries.map((e) => e.DestinationCidrBlock).sort(), [
      '10.244.2.0/24',
      '10.244.5.0/24',
    ]);
    const system = await list({ RouteEntryType: 'System' });
    assert.ok(system.entries.length > 0);
  });

  it('describes the VPC topology', async () => {
    const tables = await rawCall(t, 'Vpc', 'DescribeRouteTableList', {
      VpcId: Object.keys(t.emu.state.vpcs)[0]!,
    });
    const list1 = (tables.body.RouterTableList as { RouterTableListType: { RouteTableId: string }[] })
      .RouterTableListType;
    assert.deepEqual(
      list1.map((x) => x.RouteTableId),
      [table],
    );
    assert.equal(tables.body.Code, undefined);
    const vsw = await rawCall(t, 'Vpc', 'DescribeVSwitches', { VpcId: Object.keys(t.emu.state.vpcs)[0]! });
    assert.equal(vsw.body.TotalCount, 3);
    const vpcs = await rawCall(t, 'Vpc', 'DescribeVpcs', {});
    assert.equal(
      (vpcs.body.Vpcs as { Vpc: { VRouterId: string }[] }).Vpc[0]!.VRouterId,
      Object.keys(t.emu.state.vrouters)[0],
    );
  });
});
