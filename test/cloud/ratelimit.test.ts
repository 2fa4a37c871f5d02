import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TokenBucket } from '../../src/cloud/ratelimit.js';
import { backoffDelay, DEFAULT_RETRY } from '../../src/util/backoff.js';

function clockAt(start: number) {
  let now = start;
  return { clock: { now: () => now }, set: (t: number) => (now = t) };
}

describe('token bucket', () => {
  it('lets a burst through, then spaces calls at 1/qps', () => {
    const { clock } = clockAt(10_000);
    const bucket = new TokenBucket({ qps: 2, burst: 3, clock, sleep: async () => {} });
    assert.deepEqual(
      [bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()],
      [0, 0, 0, 500, 1000],
    );
  });

  it('refills while idle, but never beyond the burst', () => {
    const c = clockAt(0);
    const bucket = new TokenBucket({ qps: 1, burst: 2, clock: c.clock, sleep: async () => {} });
    bucket.reserve();
    bucket.reserve();
    c.set(60_000); // a long idle period earns only `burst` tokens
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 1000]);
  });

  it('never exceeds qps over any window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 200 }), (qps, n) => {
        const { clock } = clockAt(0);
        const bucket = new TokenBucket({ qps, clock, sleep: async () => {} });
        const starts = Array.from({ length: n }, () => bucket.reserve());
        // All calls arrive at t=0; with burst = qps, call i may start no earlier than (i - burst + 1)/qps s.
        starts.forEach((wait, i) => assert.ok(wait >= Math.max(0, ((i - qps + 1) * 1000) / qps) - 1e-6));
      }),
    );
  });

  it('is disabled with qps 0', async () => {
    const { clock } = clockAt(0);
    let slept = 0;
    const bucket = new TokenBucket({ qps: 0, clock, sleep: async () => void slept++ });
    for (let i = 0; i < 100; i++) await bucket.take();
    assert.equal(slept, 0);
  });
});

describe('backoff', () => {
  it('grows exponentially, is jittered within [10%, 100%] of the cap, and is capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(policy, 1, () => 0.999999),
      100,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0.999999),
      400,
    );
    assert.equal(
      backoffDelay(policy, 10, () => 0.999999),
      1000,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      40,
    );
  });

  it('starts throttling retries from a larger base', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 10_000 };
    assert.ok(backoffDelay(policy, 1, () => 0.5, true) > backoffDelay(policy, 1, () => 0.5, false));
  });
});
