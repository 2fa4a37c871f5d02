import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ManualClock, flushMicrotasks } from '../../src/util/clock.js';
import { WorkQueue } from '../../src/kube/workqueue.js';
import { delayFor, ExponentialBackoff } from '../../src/util/backoff.js';

describe('kube/workqueue', () => {
  it('de-duplicates keys while queued', async () => {
    const q = new WorkQueue({ name: 't' });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  it('never hands one key to two workers; a re-add during processing runs after done()', async () => {
    const q = new WorkQueue({ name: 't' });
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a'); // changed while processing
    assert.equal(q.len(), 0, 'not handed out while still processing');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flushMicrotasks();
    assert.equal(second, undefined);
    q.done('a');
    await flushMicrotasks();
    assert.equal(second, 'a');
  });

  it('wakes a waiting get() on add and returns undefined after shutdown', async () => {
    const q = new WorkQueue({ name: 't' });
    const waiting = q.get();
    q.add('x');
    assert.equal(await waiting, 'x');
    const blocked = q.get();
    q.shutdown();
    assert.equal(await blocked, undefined);
    q.add('y');
    assert.equal(await q.get(), undefined);
  });

  it('addAfter fires on the injected clock, keeping the earliest of several delays', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 't', clock });
    q.addAfter('k', 1000);
    q.addAfter('k', 200);
    q.addAfter('k', 5000);
    await clock.advance(199);
    assert.equal(q.len(), 0);
    await clock.advance(1);
    assert.equal(q.len(), 1);
    await clock.advance(10_000);
    assert.equal(q.len(), 1, 'later delays were superseded, not queued again');
  });

  it('rate-limited re-adds back off exponentially per key and forget() resets', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 't', clock, backoff: { baseMs: 5, maxMs: 40 } });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      q.addRateLimited('k');
      let waited = 0;
      while (q.len() === 0) {
        await clock.advance(1);
        waited++;
      }
      waits.push(waited);
      const key = await q.get();
      q.done(key!);
    }
    assert.deepEqual(waits, [5, 10, 20, 40, 40]);
    assert.equal(q.numRequeues('k'), 5);
    assert.equal(q.numRequeues('other'), 0);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
  });

  it('shutdown cancels delayed adds', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 't', clock });
    q.addAfter('k', 10);
    q.shutdown();
    assert.equal(clock.pending(), 0);
  });

  it('exports depth, adds, retries and latency to the registry', async () => {
    const registry = new Registry();
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 'svc', clock, registry });
    q.add('a');
    q.add('b');
    let text = await registry.metrics();
    assert.match(text, /workqueue_depth\{name="svc"\} 2/);
    assert.match(text, /workqueue_adds_total\{name="svc"\} 2/);
    await clock.advance(1500);
    const k = await q.get();
    q.done(k!);
    q.addRateLimited('a');
    text = await registry.metrics();
    assert.match(text, /workqueue_depth\{name="svc"\} 1/);
    assert.match(text, /workqueue_retries_total\{name="svc"\} 1/);
    assert.match(text, /workqueue_queue_duration_seconds_bucket\{le="5",name="svc"\} 1/);
    assert.match(text, /workqueue_queue_duration_seconds_bucket\{le="1",name="svc"\} 0/);
  });
});

describe('kube/backoff', () => {
  it('doubles from base up to the cap, without overflow for huge counts', () => {
    assert.equal(delayFor(1, 5, 300_000), 5);
    assert.equal(delayFor(2, 5, 300_000), 10);
    assert.equal(delayFor(17, 5, 300_000), 300_000);
    assert.equal(delayFor(10_000, 5, 300_000), 300_000);
    assert.equal(delayFor(0, 5, 300_000), 0);
  });
  it('tracks keys independently', () => {
    const b = new ExponentialBackoff({ baseMs: 1, maxMs: 100 });
    assert.equal(b.next('a'), 1);
    assert.equal(b.next('a'), 2);
    assert.equal(b.next('b'), 1);
    b.forget('a');
    assert.equal(b.next('a'), 1);
  });
  it('rejects nonsense bounds', () => {
    assert.throws(() => new ExponentialBackoff({ baseMs: 0 }));
    assert.throws(() => new ExponentialBackoff({ baseMs: 10, maxMs: 5 }));
  });
});
