// Pod IPs on ENIs (Terway secondary IPs, ECI ENIs) as the emulator keeps them, and what
// DescribeNetworkInterfaces answers about them; plus the Kubernetes emulator's uid precondition,
// which the readiness-gate patch of pods/status relies on.
import { strict as assert } from 'node:assert';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

describe('emulator/alicloud pod IPs on ENIs', () => {
  let t: TestEmulator;
  let seeded: ReturnType<typeof seedInstances>;
  beforeEach(async () => {
    t = await startTestEmulator();
    seeded = seedInstances(t.emu, 1);
  });
  afterEach(() => t.close());

  const admin = (body: unknown) =>
    fetch(`${t.url}/_emulator/pod-ips`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));

  it('DescribeNetworkInterfaces by PrivateIpAddress.N finds the ENI holding a secondary IP and lists it in PrivateIpSets', async () => {
    const put = await admin({ InstanceId: seeded.instanceIds[0], Ips: ['192.168.15.10', '192.168.15.11'] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const eni = put.body.NetworkInterfaceId as string;
    const r = await rawCall(t, 'Ecs', 'DescribeNetworkInterfaces', {
      VpcId: seeded.vpcId,
      Status: 'InUse',
      'PrivateIpAddress.1': '192.168.15.11',
      'PrivateIpAddress.2': '192.168.15.200',
      PageSize: '100',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const sets = (r.body.NetworkInterfaceSets as { NetworkInterfaceSet: Array<Record<string, unknown>> })
      .NetworkInterfaceSet;
    assert.deepEqual(
      sets.map((s) => s.NetworkInterfaceId),
      [eni],
    );
    const ips = (
      sets[0]!.PrivateIpSets as { PrivateIpSet: Array<{ PrivateIpAddress: string; Primary: boolean }> }
    ).PrivateIpSet;
    assert.deepEqual(
      ips.map((i) => `${i.PrivateIpAddress} ${i.Primary}`),
      ['192.168.15.10 true', '192.168.15.11 false'],
    );
    assert.equal(sets[0]!.InstanceId, seeded.instanceIds[0]);
  });

  it('refuses more than 100 PrivateIpAddress.N, as the API does', async () => {
    const params: Record<string, string> = {};
    for (let i = 1; i <= 101; i++) params[`PrivateIpAddress.${i}`] = `192.168.1.${i}`;
    const r = await rawCall(t, 'Ecs', 'DescribeNetworkInterfaces', params);
    assert.equal(r.status, 400);
    assert.equal(r.body.Code, 'InvalidParameter');
  });

  it('an ECI pod gets an ENI of its own; an IP outside the vSwitch or already used is refused', async () => {
    const vsw = seeded.vswitchIds[0]!;
    const eci = await admin({ VSwitchId: vsw, Ips: ['192.168.14.40'] });
    assert.equal(eci.status, 200);
    const e = t.emu.state.networkInterfaces[eci.body.NetworkInterfaceId as string]!;
    assert.equal(e.PrimaryIpAddress, '192.168.14.40');
    assert.equal((await admin({ VSwitchId: vsw, Ips: ['10.0.0.1'] })).status, 400);
    assert.equal((await admin({ VSwitchId: vsw, Ips: ['192.168.14.40'] })).status, 400);
    const gone = await fetch(`${t.url}/_emulator/pod-ips/192.168.14.40`, { method: 'DELETE' });
    assert.equal(gone.status, 404, 'a primary IP is not a pod IP to release');
  });
});

describe('emulator/kube uid precondition', () => {
  let k: TestKube;
  before(async () => {
    k = await startTestKube();
  });
  after(() => k.close());

  it('a patch carrying another uid is a 409 and changes nothing; the right uid applies', async () => {
    const created = await k.api('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    assert.equal(created.status, 201);
    const uid = (created.body as { metadata: { uid: string } }).metadata.uid;
    const cond = { type: 'service.readiness.alibabacloud.com/web', status: 'True' };
    const patch = (u: string, c = cond) =>
      k.api(
        'PATCH',
        '/api/v1/namespaces/default/pods/p/status',
        { metadata: { uid: u }, status: { conditions: [c] } },
        'application/strategic-merge-patch+json',
      );
    const wrong = await patch('00000000-0000-0000-0000-000000000000', { type: 'wrong-uid', status: 'True' });
    assert.equal(wrong.status, 409);
    const right = await patch(uid);
    assert.equal(right.status, 200);
    const conditions = (right.body as { status: { conditions: Array<{ type: string }> } }).status.conditions;
    assert.deepEqual(
      conditions.map((c) => c.type),
      [cond.type],
    );
  });
});
