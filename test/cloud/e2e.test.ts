// The client against the emulator over HTTP: real signing, real faults, real state.
import assert from 'node:assert/strict';
import { CloudError, isNotFound } from '../../src/cloud/index.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { cloudFor, counterValue, type TestCloud } from './fixtures.js';

describe('cloud client ↔ emulator', () => {
  let t: TestEmulator;
  let tc: TestCloud | undefined;

  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(async () => {
    tc?.cloud.close();
    tc = undefined;
    await t.close();
  });

  it('makes signed calls that succeed and carry the caller identity', async () => {
    const seeded = seedInstances(t.emu, 3);
    tc = cloudFor(t);
    const instances = await tc.cloud.ecs.describeInstancesInVpc(seeded.vpcId);
    assert.deepEqual(instances.map((i) => i.InstanceId).sort(), [...seeded.instanceIds].sort());
    const call = t.emu.calls().find((c) => c.action === 'DescribeInstances');
    assert.equal(call?.code, 'Success');
    assert.equal(call?.caller, 'cloud-test');
    assert.equal(call?.params.RegionId, t.emu.state.regionId);
  });

  it('rejects a wrong secret with a typed, non-retried CloudError', async () => {
    tc = cloudFor(t, { accessKeySecret: 'definitely-not-the-secret' });
    const err = await tc.cloud.vpc.describeVpcs().then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CloudError);
    assert.equal(err.code, 'SignatureDoesNotMatch');
    assert.equal(err.product, 'Vpc');
    assert.equal(err.action, 'DescribeVpcs');
    assert.equal(err.retryable, false);
    assert.ok(err.requestId, 'requestId is kept');
    assert.equal(err.httpStatus, 400);
    assert.equal(t.emu.calls().filter((c) => c.action === 'DescribeVpcs').length, 1);
    assert.equal(tc.sleeps.length, 0);
  });

  it('rides through injected throttling and 5xx with backoff', async () => {
    tc = cloudFor(t);
    t.emu.setFaults({
      DescribeVpcs: { code: 'Throttling.User', times: 2 },
      DescribeVSwitches: { code: 'ServiceUnavailable', times: 1 },
    });
    const vpcs = await tc.cloud.vpc.describeVpcs();
    assert.ok(vpcs.length >= 1);
    const vsw = await tc.cloud.vpc.describeVSwitches({ vpcId: vpcs[0]!.VpcId });
    assert.ok(vsw.length >= 1);
    assert.deepEqual(
      t.emu
        .calls()
        .filter((c) => c.action === 'DescribeVpcs')
        .map((c) => c.code),
      ['Throttling.User', 'Throttling.User', 'Success'],
    );
    assert.deepEqual(
      t.emu
        .calls()
        .filter((c) => c.action === 'DescribeVSwitches')
        .map((c) => c.code),
      ['ServiceUnavailable', 'Success'],
    );
    assert.equal(tc.sleeps.length, 3);
    assert.equal(
      await counterValue(tc.registry, 'alicloud_api_retries_total', {
        action: 'DescribeVpcs',
        code: 'Throttling.User',
      }),
      2,
    );
    assert.equal(
      await counterValue(tc.registry, 'alicloud_api_calls_total', {
        action: 'DescribeVpcs',
        code: 'Success',
      }),
      1,
    );
  });

  it('gives up at maxAttempts on persistent throttling', async () => {
    tc = cloudFor(t, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: 30_000 } });
    t.emu.setFaults({ DescribeVpcs: { code: 'Throttling.User' } });
    await assert.rejects(
      tc.cloud.vpc.describeVpcs(),
      (e: unknown) => e instanceof CloudError && e.code === 'Throttling.User' && e.retryable,
    );
    assert.equal(t.emu.calls().filter((c) => c.action === 'DescribeVpcs').length, 3);
  });

  it('never retries a 4xx business error', async () => {
    tc = cloudFor(t);
    const err = await tc.cloud.slb.deleteLoadBalancer('lb-doesnotexist').then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e,
    );
    assert.ok(isNotFound(err), `not a NotFound: ${String(err)}`);
    assert.equal(t.emu.calls().filter((c) => c.action === 'DeleteLoadBalancer').length, 1);
  });

  it('a create retried after a lost response makes exactly one load balancer', async () => {
    tc = cloudFor(t);
    t.emu.setFaults({ CreateLoadBalancer: { loseResponse: true, times: 1 } });
    const created = await tc.cloud.slb.createLoadBalancer({
      LoadBalancerName: 'a-lost-response',
      AddressType: 'internet',
      tags: [{ Key: 'kubernetes.do.not.delete', Value: 'a-lost-response' }],
    });
    assert.ok(created?.LoadBalancerId);
    const lbs = Object.values(t.emu.state.loadBalancers).filter(
      (lb) => lb.LoadBalancerName === 'a-lost-response',
    );
    assert.equal(lbs.length, 1);
    assert.equal(lbs[0]!.LoadBalancerId, created.LoadBalancerId);
    const attempts = t.emu.calls().filter((c) => c.action === 'CreateLoadBalancer');
    assert.equal(attempts.length, 2, 'one lost, one retried');
    assert.ok(attempts[0]!.params.ClientToken);
    assert.equal(attempts[0]!.params.ClientToken, attempts[1]!.params.ClientToken);
    const byTag = await tc.cloud.slb.describeLoadBalancersByTags([
      { Key: 'kubernetes.do.not.delete', Value: 'a-lost-response' },
    ]);
    assert.deepEqual(
      byTag.map((lb) => lb.LoadBalancerId),
      [created.LoadBalancerId],
    );
  });

  it('a CreateDisk retried after a lost response makes exactly one disk', async () => {
    const seeded = seedInstances(t.emu, 1);
    const zoneId = t.emu.state.instances[seeded.instanceIds[0]!]!.ZoneId;
    tc = cloudFor(t);
    t.emu.setFaults({ CreateDisk: { loseResponse: true, times: 1 } });
    const before = Object.keys(t.emu.state.disks).length;
    const diskId = await tc.cloud.ecs.createDisk({
      zoneId,
      diskCategory: 'cloud_essd',
      size: 20,
      diskName: 'pv-lost',
    });
    assert.ok(diskId);
    assert.equal(Object.keys(t.emu.state.disks).length, before + 1);
    const disk = await tc.cloud.ecs.describeDisk(diskId);
    assert.equal(disk?.DiskName, 'pv-lost');
  });

  it('pages through 250 instances, by VPC and by ids', async () => {
    const seeded = seedInstances(t.emu, 250);
    tc = cloudFor(t);
    const all = await tc.cloud.ecs.describeInstancesInVpc(seeded.vpcId);
    assert.equal(new Set(all.map((i) => i.InstanceId)).size, 250);
    assert.equal(t.emu.calls().filter((c) => c.action === 'DescribeInstances').length, 3);
    t.emu.clearCalls();
    const byIds = await tc.cloud.ecs.describeInstancesByIds(seeded.instanceIds);
    assert.deepEqual(byIds.map((i) => i.InstanceId).sort(), [...seeded.instanceIds].sort());
    const batches = t.emu.calls().filter((c) => c.action === 'DescribeInstances');
    assert.equal(batches.length, 3);
    for (const b of batches) assert.ok((JSON.parse(b.params.InstanceIds!) as string[]).length <= 100);
  });

  it('dry-run sends no mutating call and logs it redacted', async () => {
    tc = cloudFor(t, { dryRun: true });
    const res = await tc.cloud.slb.createLoadBalancer({ LoadBalancerName: 'dry' });
    assert.equal(res, undefined);
    await tc.cloud.slb.describeLoadBalancers();
    assert.deepEqual(
      t.emu.calls().map((c) => c.action),
      ['DescribeLoadBalancers'],
    );
    const line = tc.log.lines.find((l) => l.includes('dry-run')) ?? '';
    assert.ok(line?.includes('CreateLoadBalancer'), 'dry-run line names the action');
    assert.ok(!line.includes(t.accessKeySecret));
  });
});
