import { strict as assert } from 'node:assert';
import RPCClient from '@alicloud/pop-core';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { loadCatalog } from '../../../emulators/alicloud/catalog.js';
import { unimplementedActions } from '../../../emulators/alicloud/handlers.js';

describe('emulator/alicloud faults, metadata and coverage', () => {
  let t: TestEmulator;
  let inst: string[];
  beforeEach(async () => {
    t = await startTestEmulator();
    inst = seedInstances(t.emu, 2).instanceIds;
  });
  afterEach(() => t.close());

  it('implements every action of the vendored catalog', () => {
    assert.deepEqual(unimplementedActions(loadCatalog()), []);
  });

  it('injects errors by action with the configured code and status, for N calls', async () => {
    const res = await fetch(`${t.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ DescribeRegions: { code: 'ServiceUnavailable', times: 2 } }),
    });
    assert.equal(res.status, 200);
    const a = await rawCall(t, 'Ecs', 'DescribeRegions');
    const b = await rawCall(t, 'Vpc', 'DescribeRegions');
    const c = await rawCall(t, 'Ecs', 'DescribeRegions');
    assert.deepEqual([a.status, a.body.Code, b.status, c.status], [503, 'ServiceUnavailable', 503, 200]);
    t.emu.setFaults({ 'Ecs.DescribeInstances': { code: 'InternalError' } });
    assert.equal((await rawCall(t, 'Ecs', 'DescribeInstances')).status, 500);
    assert.equal((await rawCall(t, 'Vpc', 'DescribeVpcs')).status, 200);
  });

  it('throttles over the per-action QPS with Throttling.User', async () => {
    t.emu.setFaults({ '*': { qps: 2 } });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(((await rawCall(t, 'Ecs', 'DescribeRegions')).body.Code as string | undefined) ?? 'ok');
    assert.deepEqual(codes.slice(0, 2), ['ok', 'ok']);
    assert.ok(codes.slice(2).includes('Throttling.User'));
  });

  it('makes error-rate faults reproducible from the seed', async () => {
    const run = async () => {
      t.emu.setFaults({ seed: 42, DescribeRegions: { errorRate: 0.5, code: 'Throttling.User' } });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await rawCall(t, 'Ecs', 'DescribeRegions')).status);
      return out;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(400) && first.includes(200));
  });

  it('drops the connection without applying the change', async () => {
    t.emu.setFaults({ CreateLoadBalancer: { dropConnection: true, times: 1 } });
    await assert.rejects(rawCall(t, 'Slb', 'CreateLoadBalancer', { ClientToken: 'd1' }));
    assert.equal(Object.keys(t.emu.state.loadBalancers).length, 0);
  });

  it('pages 250 instances with PageNumber/PageSize and with NextToken/MaxResults', async () => {
    seedInstances(t.emu, 248);
    const c = new RPCClient({
      endpoint: t.url,
      apiVersion: '2014-05-26',
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
    });
    const byPage = new Set<string>();
    for (let page = 1; page <= 10; page++) {
      const r = await c.request<{ Instances: { Instance: { InstanceId: string }[] }; TotalCount: number }>(
        'DescribeInstances',
        { PageNumber: page, PageSize: 100 },
      );
      assert.equal(r.TotalCount, 250);
      r.Instances.Instance.forEach((i) => byPage.add(i.InstanceId));
      if (r.Instances.Instance.length < 100) break;
    }
    assert.equal(byPage.size, 250);
    const byToken = new Set<string>();
    let token = '';
    for (let i = 0; i < 10; i++) {
      const r = await c.request<{ Instances: { Instance: { InstanceId: string }[] }; NextToken: string }>(
        'DescribeInstances',
        { MaxResults: 100, ...(token ? { NextToken: token } : {}) },
      );
      r.Instances.Instance.forEach((x) => byToken.add(x.InstanceId));
      token = r.NextToken;
      if (!token) break;
    }
    assert.equal(byToken.size, 250);
    const tooBig = await rawCall(t, 'Ecs', 'DescribeInstances', { PageSize: '101' });
    assert.equal(tooBig.body.Code, 'InvalidParameter');
    const filtered = await rawCall(t, 'Ecs', 'DescribeInstances', { InstanceIds: JSON.stringify([inst[1]]) });
    assert.equal(filtered.body.TotalCount, 1);
    const ip = t.emu.state.instances[inst[0]!]!.PrivateIpAddress;
    const byIp = await rawCall(t, 'Ecs', 'DescribeInstances', { PrivateIpAddresses: JSON.stringify([ip]) });
    assert.equal(
      (byIp.body.Instances as { Instance: { InstanceId: string }[] }).Instance[0]!.InstanceId,
      inst[0],
    );
  });

  it('serves per-host metadata and RAM-role STS credentials the API accepts until they expire', async () => {
    const text = async (path: string) => {
      const r = await fetch(`${t.url}${path}`);
      return [r.status, await r.text()] as const;
    };
    const own = t.emu.state.instances[inst[1]!]!;
    assert.deepEqual(await text(`/_emulator/hosts/${inst[1]}/latest/meta-data/instance-id`), [200, inst[1]]);
    assert.deepEqual(await text(`/_emulator/hosts/${inst[1]}/latest/meta-data/private-ipv4`), [
      200,
      own.PrivateIpAddress,
    ]);
    assert.deepEqual(await text('/latest/meta-data/region-id'), [200, 'cn-hangzhou']);
    assert.equal((await text('/latest/meta-data/ram/security-credentials/'))[0], 404);
    t.emu.setHostMetadata(inst[1]!, { ramRole: 'KubernetesMasterRole', hostname: 'node-x' });
    assert.deepEqual(await text(`/_emulator/hosts/${inst[1]}/latest/meta-data/hostname`), [200, 'node-x']);
    assert.deepEqual(await text(`/_emulator/hosts/${inst[1]}/latest/meta-data/ram/security-credentials/`), [
      200,
      'KubernetesMasterRole',
    ]);
    const [status, body] = await text(
      `/_emulator/hosts/${inst[1]}/latest/meta-data/ram/security-credentials/KubernetesMasterRole`,
    );
    assert.equal(status, 200);
    const cred = JSON.parse(body) as {
      AccessKeyId: string;
      AccessKeySecret: string;
      SecurityToken: string;
      Expiration: string;
      Code: string;
    };
    assert.equal(cred.Code, 'Success');
    assert.match(cred.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const c = new RPCClient({
      endpoint: t.url,
      apiVersion: '2014-05-26',
      accessKeyId: cred.AccessKeyId,
      accessKeySecret: cred.AccessKeySecret,
      securityToken: cred.SecurityToken,
    });
    const r = await c.request<{ TotalCount: number }>('DescribeInstances', {});
    assert.equal(r.TotalCount, 2);
    const noToken = await rawCall(
      t,
      'Ecs',
      'DescribeRegions',
      {},
      { accessKeyId: cred.AccessKeyId, secret: cred.AccessKeySecret },
    );
    assert.match(String(noToken.body.Code), /^InvalidSecurityToken/);
    // Issue credentials that are already expired (TTL 0) and check they are refused.
    t.emu.mergeState({ config: { stsTtlSeconds: 0 } });
    t.emu.setHostMetadata(inst[0]!, { ramRole: 'R' });
    const expired = JSON.parse(
      (await text(`/_emulator/hosts/${inst[0]}/latest/meta-data/ram/security-credentials/R`))[1],
    ) as typeof cred;
    const late = await rawCall(
      t,
      'Ecs',
      'DescribeRegions',
      {},
      {
        accessKeyId: expired.AccessKeyId,
        secret: expired.AccessKeySecret,
        securityToken: expired.SecurityToken,
      },
    );
    assert.equal(late.body.Code, 'InvalidSecurityToken.Expired');
  });
});
