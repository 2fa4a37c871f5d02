// VPC actions sent to the ECS API under its own version (2014-05-26), as the ECS API served them
// before VPC had its own product and as 2017-era clients (aliyungo's ecs package, kube-aliyun)
// still call them: same state as the Vpc product, in the ECS-era response shapes.
import { strict as assert } from 'node:assert';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';

interface EcsRouteEntry {
  RouteTableId: string;
  DestinationCidrBlock: string;
  Type: string;
  NextHopId: string;
  InstanceId: string;
  NextHopType: string;
  Status: string;
}
interface EcsRouteTable {
  VRouterId: string;
  RouteTableId: string;
  RouteTableType: string;
  CreationTime: string;
  RouteEntrys: { RouteEntry: EcsRouteEntry[] };
}

describe('emulator/alicloud VPC actions under the ECS API version', () => {
  let t: TestEmulator;
  let seeded: ReturnType<typeof seedInstances>;
  beforeEach(async () => {
    t = await startTestEmulator();
    t.emu.mergeState({ config: { routeTransitionMs: 0 } });
    seeded = seedInstances(t.emu, 2);
  });
  afterEach(() => t.close());

  async function ecsTables(params: Record<string, string>): Promise<EcsRouteTable[]> {
    const r = await rawCall(t, 'Ecs', 'DescribeRouteTables', params);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(typeof r.body.TotalCount, 'number');
    assert.equal(typeof r.body.PageNumber, 'number');
    return (r.body.RouteTables as { RouteTable: EcsRouteTable[] }).RouteTable;
  }

  it('DescribeVSwitches answers the vSwitches the Vpc product knows, with ECS pagination', async () => {
    const r = await rawCall(t, 'Ecs', 'DescribeVSwitches', { VpcId: seeded.vpcId, PageSize: '50' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = (r.body.VSwitches as { VSwitch: Record<string, unknown>[] }).VSwitch;
    assert.deepEqual(got.map((s) => s.VSwitchId).sort(), [...seeded.vswitchIds].sort());
    for (const s of got) {
      assert.equal(s.VpcId, seeded.vpcId);
      assert.equal(s.Status, 'Available');
      assert.equal(typeof s.AvailableIpAddressCount, 'number');
      for (const k of ['CidrBlock', 'ZoneId', 'CreationTime']) assert.equal(typeof s[k], 'string', k);
    }
    assert.equal(r.body.TotalCount, seeded.vswitchIds.length);
    assert.equal(r.body.PageSize, 50);
    const vpc = await rawCall(t, 'Vpc', 'DescribeVSwitches', { VpcId: seeded.vpcId, PageSize: '50' });
    assert.equal((vpc.body.VSwitches as { VSwitch: unknown[] }).VSwitch.length, got.length);
  });

  it('CreateRouteEntry / DescribeRouteTables / DeleteRouteEntry round-trip on the same tables as the Vpc product', async () => {
    const [table] = await ecsTables({ RouteTableId: seeded.routeTableId });
    assert.ok(table);
    assert.equal(table.RouteTableType, 'System');
    assert.match(table.VRouterId, /^vrt-/);

    const c = await rawCall(t, 'Ecs', 'CreateRouteEntry', {
      RouteTableId: seeded.routeTableId,
      DestinationCidrBlock: '198.18.5.0/24',
      NextHopType: 'Instance',
      NextHopId: seeded.instanceIds[0]!,
      ClientToken: 'tok-1',
    });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.deepEqual(
      Object.keys(c.body),
      ['RequestId'],
      'the ECS-era CreateRouteEntry answers only a RequestId',
    );

    // The Vpc product sees the entry the ECS call made.
    const v = await rawCall(t, 'Vpc', 'DescribeRouteEntryList', {
      RouteTableId: seeded.routeTableId,
      RouteEntryType: 'Custom',
    });
    const vpcEntries = (v.body.RouteEntrys as { RouteEntry: { DestinationCidrBlock: string }[] }).RouteEntry;
    assert.deepEqual(
      vpcEntries.map((e) => e.DestinationCidrBlock),
      ['198.18.5.0/24'],
    );

    // Found by the vRouter, as aliyungo's WaitForAllRouteEntriesAvailable asks.
    await new Promise((r) => setTimeout(r, 20));
    const [byRouter] = await ecsTables({ VRouterId: table.VRouterId, RouteTableId: seeded.routeTableId });
    const custom = byRouter!.RouteEntrys.RouteEntry.filter((e) => e.Type === 'Custom');
    assert.equal(custom.length, 1);
    assert.deepEqual(
      { ...custom[0] },
      {
        RouteTableId: seeded.routeTableId,
        DestinationCidrBlock: '198.18.5.0/24',
        Type: 'Custom',
        NextHopId: seeded.instanceIds[0],
        InstanceId: seeded.instanceIds[0],
        NextHopType: 'Instance',
        Status: 'Available',
      },
    );

    const d = await rawCall(t, 'Ecs', 'DeleteRouteEntry', {
      RouteTableId: seeded.routeTableId,
      DestinationCidrBlock: '198.18.5.0/24',
      NextHopId: seeded.instanceIds[0]!,
    });
    assert.equal(d.status, 200, JSON.stringify(d.body));
    await new Promise((r) => setTimeout(r, 20));
    const [after] = await ecsTables({ RouteTableId: seeded.routeTableId });
    assert.deepEqual(
      after!.RouteEntrys.RouteEntry.filter((e) => e.Type === 'Custom'),
      [],
    );
  });

  it('keeps the ECS action checks: unknown parameters and unknown tables are refused, other VPC actions are not ECS actions', async () => {
    const bad = await rawCall(t, 'Ecs', 'DescribeRouteTables', { RouteTableName: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.Code, 'InvalidParameter', 'RouteTableName is a Vpc-version parameter only');
    const missing = await rawCall(t, 'Ecs', 'CreateRouteEntry', {
      RouteTableId: 'vtb-nope',
      DestinationCidrBlock: '198.18.6.0/24',
      NextHopId: seeded.instanceIds[0]!,
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.Code, 'InvalidRouteTableId.NotFound');
    const batch = await rawCall(t, 'Ecs', 'CreateRouteEntries', {});
    assert.equal(batch.body.Code, 'InvalidAction.NotFound');
  });
});
