import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ManualClock, flushMicrotasks } from '../../src/util/clock.js';
import { WorkQueue } from '../../src/kube/workqueue.js';
import { runWorkers } from '../../src/kube/worker.js';
import { RetryAfterError, ValidationError, outcomeOf } from '../../src/kube/outcome.js';

describe('kube/outcome', () => {
  it('maps error classes to queue actions, including wrapped causes', () => {
    assert.equal(outcomeOf(undefined).kind, 'success');
    assert.equal(outcomeOf(new ValidationError('bad annotation', 'x')).kind, 'terminal');
    const ra = outcomeOf(new RetryAfterError('provisioning', 3000));
    assert.equal(ra.kind, 'retryAfter');
    assert.equal(ra.kind === 'retryAfter' && ra.delayMs, 3000);
    assert.equal(outcomeOf(new Error('boom')).kind, 'backoff');
    assert.equal(outcomeOf('string thrown').kind, 'backoff');
    assert.equal(
      outcomeOf(new Error('failed to sync', { cause: new ValidationError('bad') })).kind,
      'terminal',
    );
  });
});

describe('kube/worker', () => {
  it('bounds concurrency, never runs one key twice at once, and applies outcomes', async () => {
    const clock = new ManualClock();
    const registry = new Registry();
    const q = new WorkQueue({ name: 'w', clock, backoff: { baseMs: 100, maxMs: 1000 } });
    const ac = new AbortController();
    const running = new Set<string>();
    let maxParallel = 0;
    const calls: string[] = [];
    const terminal: string[] = [];
    const releases: Array<() => void> = [];
    let failB = 2;
    const done = runWorkers(
      q,
      async (key) => {
        assert.ok(!running.has(key), `key ${key} processed twice at once`);
        running.add(key);
        maxParallel = Math.max(maxParallel, running.size);
        calls.push(key);
        await new Promise<void>((r) => releases.push(r));
        running.delete(key);
        if (key === 'b' && failB-- > 0) throw new Error('transient');
        if (key === 'c') throw new ValidationError('never valid');
        if (key === 'd' && calls.filter((k) => k === 'd').length === 1)
          throw new RetryAfterError('wait', 500);
      },
      { controller: 'w', workers: 2, signal: ac.signal, registry, onTerminal: (k) => terminal.push(k) },
    );
    for (const k of ['a', 'b', 'c', 'd', 'a']) q.add(k);
    const drain = async () => {
      for (let i = 0; i < 50 && releases.length; i++) {
        releases.shift()!();
        await flushMicrotasks();
      }
    };
    await flushMicrotasks();
    assert.equal(running.size, 2);
    q.add('a'); // while 'a' is running
    await drain();
    await clock.advance(100); // b retry 1
    await drain();
    await clock.advance(200); // b retry 2
    await drain();
    await clock.advance(500); // d retry-after
    await drain();
    assert.equal(maxParallel, 2);
    assert.deepEqual(terminal, ['c']);
    assert.equal(calls.filter((k) => k === 'a').length, 2, 'a re-added during processing runs again once');
    assert.equal(calls.filter((k) => k === 'b').length, 3);
    assert.equal(calls.filter((k) => k === 'd').length, 2);
    assert.equal(q.numRequeues('b'), 0, 'success forgets the backoff');
    ac.abort();
    await done;
    const text = await registry.metrics();
    assert.match(text, /kube_alicloud_reconcile_total\{controller="w",outcome="backoff"\} 2/);
    assert.match(text, /kube_alicloud_reconcile_total\{controller="w",outcome="terminal"\} 1/);
  });
});
