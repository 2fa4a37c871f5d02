// The admin API over HTTP, as an out-of-process test or demo would use it: state merged in the
// shapes Describe* returns must come back out of the signed API, and the call log has the
// documented fields.
import { strict as assert } from 'node:assert';
import { rawCall, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';

describe('emulator/alicloud admin API over HTTP', () => {
  let t: TestEmulator;
  let vpcId: string;
  let tableId: string;
  beforeEach(async () => {
    t = await startTestEmulator();
    vpcId = Object.keys(t.emu.state.vpcs)[0]!;
    tableId = Object.values(t.emu.state.routeTables).find((r) => r.VpcId === vpcId)!.RouteTableId;
  });
  afterEach(() => t.close());

  const post = async (
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  async function ok(
    product: 'Ecs' | 'Vpc' | 'Slb',
    action: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const r = await rawCall(t, product, action, params);
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  it('POST /_emulator/state merges Describe-shaped Instances, Disks, LoadBalancers, VSwitches and RouteEntries', async () => {
    const zone = t.emu.state.zones[0]!.ZoneId;
    const seeded = await post('/_emulator/state', {
      VSwitches: {
        VSwitch: [{ VSwitchId: 'vsw-admin', VpcId: vpcId, ZoneId: zone, CidrBlock: '192.168.200.0/24' }],
      },
      Instances: {
        Instance: [
          {
            InstanceId: 'i-admin1',
            HostName: 'admin-host',
            ZoneId: zone,
            Status: 'Running',
            VpcAttributes: {
              VpcId: vpcId,
              VSwitchId: 'vsw-admin',
              PrivateIpAddress: { IpAddress: ['192.168.200.7'] },
            },
            Tags: { Tag: [{ TagKey: 'role', TagValue: 'node' }] },
          },
        ],
      },
      Disks: {
        Disk: [{ DiskId: 'd-admin1', ZoneId: zone, Category: 'cloud_ssd', Size: 40, Status: 'Available' }],
      },
      LoadBalancers: {
        LoadBalancer: [
          {
            LoadBalancerId: 'lb-admin1',
            LoadBalancerName: 'seeded',
            AddressType: 'internet',
            Address: '203.0.113.250',
          },
        ],
      },
      RouteEntries: [
        {
          RouteTableId: tableId,
          DestinationCidrBlock: '10.77.0.0/24',
          NextHopType: 'Instance',
          NextHopId: 'i-admin1',
          Type: 'Custom',
          Status: 'Available',
        },
      ],
    });
    assert.equal(seeded.status, 200, JSON.stringify(seeded.body));

    const vsw = (await ok('Vpc', 'DescribeVSwitches', { VSwitchId: 'vsw-admin' })) as {
      VSwitches: { VSwitch: Array<{ CidrBlock: string; VpcId: string }> };
    };
    assert.deepEqual(
      vsw.VSwitches.VSwitch.map((v) => [v.CidrBlock, v.VpcId]),
      [['192.168.200.0/24', vpcId]],
    );

    type Inst = {
      HostName: string;
      Status: string;
      VpcAttributes: { VSwitchId: string; PrivateIpAddress: { IpAddress: string[] } };
      Tags: { Tag: Array<{ TagKey: string; TagValue: string }> };
    };
    const inst = (await ok('Ecs', 'DescribeInstances', { InstanceIds: '["i-admin1"]' })) as {
      Instances: { Instance: Inst[] };
    };
    const i = inst.Instances.Instance[0]!;
    assert.equal(inst.Instances.Instance.length, 1);
    assert.equal(i.HostName, 'admin-host');
    assert.equal(i.Status, 'Running');
    assert.equal(i.VpcAttributes.VSwitchId, 'vsw-admin');
    assert.deepEqual(i.VpcAttributes.PrivateIpAddress.IpAddress, ['192.168.200.7']);
    assert.deepEqual(
      i.Tags.Tag.map((x) => [x.TagKey, x.TagValue]),
      [['role', 'node']],
    );

    const disks = (await ok('Ecs', 'DescribeDisks', { DiskIds: '["d-admin1"]' })) as {
      Disks: { Disk: Array<{ Category: string; Size: number; Status: string }> };
    };
    assert.deepEqual(
      disks.Disks.Disk.map((d) => [d.Category, d.Size, d.Status]),
      [['cloud_ssd', 40, 'Available']],
    );

    const lb = await ok('Slb', 'DescribeLoadBalancerAttribute', { LoadBalancerId: 'lb-admin1' });
    assert.equal(lb.LoadBalancerName, 'seeded');
    assert.equal(lb.Address, '203.0.113.250');

    const routes = (await ok('Vpc', 'DescribeRouteEntryList', {
      RouteTableId: tableId,
      DestinationCidrBlock: '10.77.0.0/24',
    })) as {
      RouteEntrys: {
        RouteEntry: Array<{ Status: string; NextHops: { NextHop: Array<{ NextHopId: string }> } }>;
      };
    };
    assert.equal(routes.RouteEntrys.RouteEntry.length, 1);
    assert.equal(routes.RouteEntrys.RouteEntry[0]!.NextHops.NextHop[0]!.NextHopId, 'i-admin1');

    // A second merge with a known id updates that object instead of adding one.
    assert.equal(
      (await post('/_emulator/state', { Instances: [{ InstanceId: 'i-admin1', Status: 'Stopped' }] })).status,
      200,
    );
    const again = (await ok('Ecs', 'DescribeInstances', { InstanceIds: '["i-admin1"]' })) as {
      Instances: { Instance: Inst[] };
    };
    assert.equal(again.Instances.Instance.length, 1);
    assert.equal(again.Instances.Instance[0]!.Status, 'Stopped');
  });

  it('refuses a body that is not JSON or not an object, a route entry for a missing table, and an unknown key', async () => {
    assert.equal((await post('/_emulator/state', '{not json')).status, 400);
    assert.equal((await post('/_emulator/state', [1, 2])).status, 400);
    const missing = await post('/_emulator/state', {
      RouteEntries: [{ RouteTableId: 'vtb-nope', DestinationCidrBlock: '10.0.0.0/24' }],
    });
    assert.equal(missing.status, 400);
    assert.match(String(missing.body.error), /vtb-nope/);
    const typo = await post('/_emulator/state', { Instance: [{ InstanceId: 'i-typo' }] });
    assert.equal(typo.status, 400);
    assert.match(String(typo.body.error), /unknown state key "Instance"/);
    assert.equal(t.emu.state.instances['i-typo'], undefined);
  });

  it('GET /_emulator/calls lists product, action, code, status and time; DELETE clears it', async () => {
    await ok('Ecs', 'DescribeRegions', {});
    await rawCall(t, 'Slb', 'DescribeLoadBalancerAttribute', { LoadBalancerId: 'lb-missing' });
    const res = await fetch(`${t.url}/_emulator/calls`);
    const { calls } = (await res.json()) as {
      calls: Array<{ product: string; action: string; code: string; status: number; time: string }>;
    };
    assert.deepEqual(
      calls.map((c) => [c.product, c.action, c.code, c.status]),
      [
        ['Ecs', 'DescribeRegions', 'Success', 200],
        ['Slb', 'DescribeLoadBalancerAttribute', 'InvalidLoadBalancerId.NotFound', 404],
      ],
    );
    for (const c of calls) assert.ok(!Number.isNaN(Date.parse(c.time)), `time ${c.time}`);
    assert.equal((await fetch(`${t.url}/_emulator/calls`, { method: 'DELETE' })).status, 200);
    assert.deepEqual(
      ((await (await fetch(`${t.url}/_emulator/calls`)).json()) as { calls: unknown[] }).calls,
      [],
    );
  });

  it('DELETE /_emulator/instances/<id> terminates an instance and 404s an unknown one', async () => {
    const id = 'i-gone';
    assert.equal((await post('/_emulator/state', { Instances: [{ InstanceId: id }] })).status, 200);
    const before = (await ok('Ecs', 'DescribeInstances', { InstanceIds: JSON.stringify([id]) })) as {
      Instances: { Instance: unknown[] };
    };
    assert.equal(before.Instances.Instance.length, 1);
    assert.equal((await fetch(`${t.url}/_emulator/instances/${id}`, { method: 'DELETE' })).status, 200);
    const after = (await ok('Ecs', 'DescribeInstances', { InstanceIds: JSON.stringify([id]) })) as {
      Instances: { Instance: unknown[] };
    };
    assert.deepEqual(after.Instances.Instance, []);
    assert.equal((await fetch(`${t.url}/_emulator/instances/i-never`, { method: 'DELETE' })).status, 404);
  });
});
