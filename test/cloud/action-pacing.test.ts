// Per-action pacing against the emulator's per-action throttle: a burst of work far larger than
// one second's quota is spread out by the client instead of being throttled, and the time spent
// queued behind our own limiter does not eat the retry deadline.
import assert from 'node:assert/strict';
import { createCloud } from '../../src/cloud/index.js';
import { silentLogger } from '../../src/util/log.js';
import { startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';

describe('cloud client: per-action QPS', function () {
  this.timeout(20_000);
  let t: TestEmulator;
  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(async () => {
    await t.close();
  });

  it('paces each action on its own so a 5-second burst meets no throttling, within a 300 ms retry deadline', async () => {
    t.emu.setFaults({ '*': { qps: 10 } });
    const cloud = createCloud(
      {
        region: t.emu.state.regionId,
        endpoints: { ecs: t.url, vpc: t.url, slb: t.url },
        accessKeyId: t.accessKeyId,
        accessKeySecret: t.accessKeySecret,
        // No product-wide limit: two actions together may go at twice the per-action rate.
        qps: { ecs: 0, vpc: 0, slb: 0 },
        // Half the emulator's rate: the client and the emulator share one busy process, and a
        // stalled event loop can deliver paced requests in clumps; at 9 of 10 one clump of two was
        // enough to be throttled on a loaded CI machine.
        actionQps: { slb: 5 },
        // One attempt and a deadline far shorter than the queue: only pacing can make this pass.
        retry: { maxAttempts: 1, deadlineMs: 300 },
        logger: silentLogger,
      },
      { env: {} },
    );
    try {
      const n = 25;
      await Promise.all([
        ...Array.from({ length: n }, () => cloud.slb.describeLoadBalancers()),
        ...Array.from({ length: n }, () => cloud.rpc.Slb.read('DescribeRegions')),
      ]);
      const calls = t.emu.calls().filter((c) => c.product.toLowerCase() === 'slb');
      assert.equal(calls.length, 2 * n);
      assert.deepEqual(
        calls.filter((c) => c.code !== 'Success').map((c) => c.code),
        [],
      );
      // The two actions interleave: pacing is per action, not one queue for the product.
      const firstRegions = calls.findIndex((c) => c.action === 'DescribeRegions');
      assert.ok(firstRegions >= 0 && firstRegions < n, `DescribeRegions started at position ${firstRegions}`);
    } finally {
      cloud.close();
    }
  });
});
