import { strict as assert } from 'node:assert';
import RPCClient from '@alicloud/pop-core';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';

interface PopError extends Error {
  code?: string;
  data?: { Message?: string };
}

async function popError(p: Promise<unknown>): Promise<PopError> {
  try {
    await p;
  } catch (err) {
    return err as PopError;
  }
  assert.fail('expected the call to fail');
}

describe('emulator/alicloud authentication and protocol', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await startTestEmulator();
    seedInstances(t.emu, 2);
  });
  afterEach(() => t.close());

  const pop = (version: string, secret?: string) =>
    new RPCClient({
      endpoint: t.url,
      apiVersion: version,
      accessKeyId: t.accessKeyId,
      accessKeySecret: secret ?? t.accessKeySecret,
    });

  it('accepts pop-core GET (no RegionId, no SignatureType)', async () => {
    const r = await pop('2014-05-26').request<{
      Instances: { Instance: unknown[] };
      TotalCount: number;
      RequestId: string;
    }>('DescribeInstances', {});
    assert.equal(r.TotalCount, 2);
    assert.equal(r.Instances.Instance.length, 2);
    assert.match(r.RequestId, /^[0-9A-F-]{36}$/);
    assert.equal((r as unknown as Record<string, unknown>).Code, undefined);
  });

  it('accepts pop-core POST (form body)', async () => {
    const r = await pop('2014-05-15').request<{ Regions: { Region: { RegionId: string }[] } }>(
      'DescribeRegions',
      {},
      { method: 'POST' },
    );
    assert.ok(r.Regions.Region.some((x) => x.RegionId === 'cn-hangzhou'));
  });

  it('rejects pop-core calls signed with a wrong secret', async () => {
    const err = await popError(pop('2014-05-26', 'wrong-secret').request('DescribeInstances', {}));
    assert.equal(err.code, 'SignatureDoesNotMatch');
    assert.match(err.data?.Message ?? '', /server string to sign is:GET&%2F&/);
  });

  it('accepts a Go-SDK-style POST with parameters in the query, SignatureType= and RegionId', async () => {
    const r = await rawCall(t, 'Ecs', 'DescribeInstances', { PageSize: '1' });
    assert.equal(r.status, 200);
    assert.equal(r.body.TotalCount, 2);
    const r2 = await rawCall(t, 'Ecs', 'DescribeInstances', {}, { queryOnPost: false });
    assert.equal(r2.status, 200, JSON.stringify(r2.body));
  });

  it('rejects a tampered parameter', async () => {
    const r = await rawCall(
      t,
      'Ecs',
      'DescribeInstances',
      { PageSize: '1' },
      { tamper: (p) => (p.PageSize = '2') },
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.Code, 'SignatureDoesNotMatch');
    assert.ok(r.body.RequestId && r.body.HostId && r.body.Message);
  });

  it('answers InvalidAccessKeyId.NotFound (404) for an unknown key', async () => {
    const r = await rawCall(t, 'Ecs', 'DescribeRegions', {}, { accessKeyId: 'LTAIunknown' });
    assert.equal(r.status, 404);
    assert.equal(r.body.Code, 'InvalidAccessKeyId.NotFound');
  });

  it('rejects stale and malformed timestamps', async () => {
    const old = new Date(Date.now() - 16 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await rawCall(t, 'Ecs', 'DescribeRegions', {}, { override: { Timestamp: old } });
    assert.equal(r.status, 400);
    assert.equal(r.body.Code, 'InvalidTimeStamp.Expired');
    const bad = await rawCall(t, 'Ecs', 'DescribeRegions', {}, { override: { Timestamp: 'yesterday' } });
    assert.equal(bad.body.Code, 'InvalidTimeStamp.Format');
  });

  it('rejects a reused SignatureNonce', async () => {
    const nonce = 'a'.repeat(32);
    const first = await rawCall(t, 'Ecs', 'DescribeRegions', {}, { override: { SignatureNonce: nonce } });
    assert.equal(first.status, 200);
    const second = await rawCall(t, 'Ecs', 'DescribeRegions', {}, { override: { SignatureNonce: nonce } });
    assert.equal(second.status, 400);
    assert.equal(second.body.Code, 'SignatureNonceUsed');
  });

  it('answers InvalidAction.NotFound for an action the product does not have', async () => {
    const r = await rawCall(t, 'Vpc', 'CreateLoadBalancer');
    assert.equal(r.status, 404);
    assert.equal(r.body.Code, 'InvalidAction.NotFound');
  });

  it('rejects unknown parameters and missing required ones', async () => {
    const unknown = await rawCall(t, 'Ecs', 'DescribeInstances', { NoSuchParam: 'x' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.Code, 'InvalidParameter');
    const missing = await rawCall(t, 'Ecs', 'DescribeInstanceAttribute');
    assert.equal(missing.status, 400);
    assert.equal(missing.body.Code, 'MissingParameter');
  });

  it('accepts STS credentials with their token, and rejects a wrong or expired token', async () => {
    t.emu.addStsCredentials('STS.good', 'sts-secret', 'token-1', new Date(Date.now() + 60_000));
    t.emu.addStsCredentials('STS.old', 'sts-secret2', 'token-2', new Date(Date.now() - 1000));
    const ok = await rawCall(
      t,
      'Ecs',
      'DescribeRegions',
      {},
      { accessKeyId: 'STS.good', secret: 'sts-secret', securityToken: 'token-1' },
    );
    assert.equal(ok.status, 200);
    const wrong = await rawCall(
      t,
      'Ecs',
      'DescribeRegions',
      {},
      { accessKeyId: 'STS.good', secret: 'sts-secret', securityToken: 'token-x' },
    );
    assert.match(String(wrong.body.Code), /^InvalidSecurityToken/);
    const expired = await rawCall(
      t,
      'Ecs',
      'DescribeRegions',
      {},
      { accessKeyId: 'STS.old', secret: 'sts-secret2', securityToken: 'token-2' },
    );
    assert.equal(expired.body.Code, 'InvalidSecurityToken.Expired');
  });

  it('records calls with caller and without credential values', async () => {
    t.emu.clearCalls();
    await rawCall(t, 'Ecs', 'DescribeRegions', {}, { headers: { 'x-kube-alicloud-caller': 'replica-a' } });
    await rawCall(t, 'Ecs', 'DescribeRegions', {}, { secret: 'nope' });
    const calls = t.emu.calls();
    assert.equal(calls.length, 2);
    assert.deepEqual(
      calls.map((c) => [c.product, c.action, c.code, c.status, c.caller]),
      [
        ['Ecs', 'DescribeRegions', 'Success', 200, 'replica-a'],
        [
          'Ecs',
          'DescribeRegions',
          'SignatureDoesNotMatch',
          400,
          'AlibabaCloud (linux; amd64) Golang/1.22 Core/0.0.1 TeaDSL/1',
        ],
      ],
    );
    const text = JSON.stringify(calls);
    assert.ok(!text.includes(t.accessKeyId));
    const http = (await (await fetch(`${t.url}/_emulator/calls`)).json()) as { calls: unknown[] };
    assert.equal(http.calls.length, 2);
    await fetch(`${t.url}/_emulator/calls`, { method: 'DELETE' });
    assert.equal(t.emu.calls().length, 0);
  });
});
