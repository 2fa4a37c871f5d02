import assert from 'node:assert/strict';
import { PassLoop, type PassOutcome, type PassResult, type PassTrigger } from '../../src/kube/pass-loop.js';
import { ManualClock } from '../../src/util/clock.js';

/** A loop on a manual clock whose pass answers from a script and records when it ran. */
function harness(opts: { ready?: () => boolean; firstPass?: 'now' | 'period'; results?: PassResult[] } = {}) {
  const clock = new ManualClock(0);
  const runs: Array<{ at: number; trigger: PassTrigger }> = [];
  const outcomes: PassOutcome[] = [];
  const results = [...(opts.results ?? [])];
  let inFlight = 0;
  let maxInFlight = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const loop = new PassLoop(
    async (trigger) => {
      runs.push({ at: clock.now(), trigger });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (hold) await new Promise<void>((r) => (release = r));
      inFlight--;
      const r = results.shift() ?? 'done';
      if ((r as string) === 'throw') throw new Error('boom');
      return r;
    },
    {
      aggregationMs: 50,
      periodMs: 10_000,
      retryMinMs: 1_000,
      retryMaxMs: 4_000,
      clock,
      onPass: (o) => outcomes.push(o),
      ...(opts.ready ? { ready: opts.ready } : {}),
      ...(opts.firstPass ? { firstPass: opts.firstPass } : {}),
    },
  );
  const ac = new AbortController();
  const done = loop.run(ac.signal);
  return {
    clock,
    loop,
    runs,
    outcomes,
    stop: async () => {
      ac.abort();
      release?.();
      await done;
    },
    holdPasses: () => (hold = true),
    releasePass: () => {
      const r = release;
      release = undefined;
      hold = false;
      r?.();
    },
    maxInFlight: () => maxInFlight,
  };
}

describe('kube/pass-loop', () => {
  it('runs a first pass at once, then one per period', async () => {
    const h = harness();
    await h.clock.advance(0);
    await h.clock.advance(25_000);
    assert.deepEqual(
      h.runs.map((r) => [r.at, r.trigger]),
      [
        [0, 'start'],
        [10_000, 'periodic'],
        [20_000, 'periodic'],
      ],
    );
    await h.stop();
  });

  it('gathers a burst of changes into one pass after the aggregation window', async () => {
    const h = harness();
    await h.clock.advance(0);
    await h.clock.advance(1_000);
    for (let i = 0; i < 100; i++) h.loop.notify();
    await h.clock.advance(0); // lets the loop see the first change and open the window
    await h.clock.advance(10);
    h.loop.notify();
    await h.clock.advance(100);
    assert.deepEqual(
      h.runs.map((r) => [r.at, r.trigger]),
      [
        [0, 'start'],
        [1_050, 'event'],
      ],
    );
    // The period counts from the end of the last pass.
    await h.clock.advance(10_000);
    assert.deepEqual(h.runs.at(-1), { at: 11_050, trigger: 'periodic' });
    await h.stop();
  });

  it('retries a failed or throwing pass on a doubling delay capped at the max, and resets on success', async () => {
    const h = harness({ results: ['retry', 'throw' as PassResult, 'retry', 'retry', 'done', 'retry'] });
    await h.clock.advance(0);
    await h.clock.advance(30_000);
    const at = h.runs.map((r) => r.at);
    // 0 fail → +1s, fail → +2s, fail → +4s, fail → +4s (cap), done → period, fail → +1s again.
    assert.deepEqual(at.slice(0, 7), [0, 1_000, 3_000, 7_000, 11_000, 21_000, 22_000]);
    assert.deepEqual(
      h.runs.slice(1, 5).map((r) => r.trigger),
      ['retry', 'retry', 'retry', 'retry'],
    );
    assert.equal(h.outcomes[1]?.result, 'error');
    assert.match(String(h.outcomes[1]?.error), /boom/);
    await h.stop();
  });

  it('never overlaps passes: a change during a pass runs one more pass after it', async () => {
    const h = harness();
    h.holdPasses();
    await h.clock.advance(0);
    assert.equal(h.runs.length, 1);
    h.loop.notify();
    h.loop.notify();
    await h.clock.advance(500);
    assert.equal(h.runs.length, 1, 'still the first pass');
    h.releasePass();
    await h.clock.advance(100);
    assert.equal(h.runs.length, 2);
    assert.equal(h.runs[1]?.trigger, 'event');
    assert.equal(h.maxInFlight(), 1);
    await h.stop();
  });

  it('runs nothing until ready, then starts without waiting for a change', async () => {
    let ready = false;
    const h = harness({ ready: () => ready });
    h.loop.notify();
    await h.clock.advance(5_000);
    assert.equal(h.runs.length, 0);
    ready = true;
    await h.clock.advance(150);
    assert.equal(h.runs.length, 1);
    await h.stop();
  });

  it("with firstPass 'period' the first pass waits one period", async () => {
    const h = harness({ firstPass: 'period' });
    await h.clock.advance(9_999);
    assert.equal(h.runs.length, 0);
    await h.clock.advance(1);
    assert.deepEqual(h.runs[0], { at: 10_000, trigger: 'periodic' });
    await h.stop();
  });

  it('stops when aborted, waiting for the pass in flight', async () => {
    const h = harness();
    h.holdPasses();
    await h.clock.advance(0);
    let stopped = false;
    const s = h.stop().then(() => (stopped = true));
    await h.clock.advance(0);
    await s;
    assert.equal(stopped, true);
    assert.equal(h.runs.length, 1);
  });

  it('stops when aborted by the pass itself (the abort event fired before the loop waits)', async () => {
    const ac = new AbortController();
    const loop = new PassLoop(
      async () => {
        ac.abort();
        return 'done';
      },
      { aggregationMs: 0, periodMs: 3_600_000, retryMinMs: 1, retryMaxMs: 1 },
    );
    const outcome = await Promise.race([
      loop.run(ac.signal).then(() => 'stopped'),
      new Promise((r) => setTimeout(() => r('hung'), 2_000)),
    ]);
    assert.equal(outcome, 'stopped');
  });

  it('refuses nonsense timing', () => {
    assert.throws(
      () => new PassLoop(async () => 'done', { aggregationMs: 0, periodMs: 0, retryMinMs: 1, retryMaxMs: 1 }),
      /periodMs/,
    );
  });
});
