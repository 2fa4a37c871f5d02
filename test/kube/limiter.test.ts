import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestLimiter } from '../../src/kube/limiter.js';
import { KubeClient } from '../../src/kube/rest.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('kube/limiter', () => {
  it('runs at most `max` at once and serves waiters in arrival order', async () => {
    const limiter = new RequestLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.inFlight, 2);
    assert.equal(limiter.queued, 2);
    gates[1]!.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
    assert.equal(limiter.inFlight, 0);
  });

  it('releases the slot when the task throws', async () => {
    const limiter = new RequestLimiter(1);
    await assert.rejects(
      limiter.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await limiter.run(() => Promise.resolve('next')), 'next');
  });

  it('an aborted waiter leaves the queue with the caller-supplied error', async () => {
    const limiter = new RequestLimiter(1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const ac = new AbortController();
    let ran = false;
    const waiting = limiter.run(
      async () => void (ran = true),
      ac.signal,
      () => new Error('gave up'),
    );
    ac.abort();
    await assert.rejects(waiting, /gave up/);
    assert.equal(limiter.queued, 0);
    gate.resolve();
    await first;
    assert.equal(ran, false);
  });

  it('rejects a non-positive size', () => {
    assert.throws(() => new RequestLimiter(0), /positive integer/);
  });

  it('KubeClient keeps at most maxInFlight requests open against the apiserver', async () => {
    let open = 0;
    let peak = 0;
    const server: Server = createServer((req, res) => {
      open++;
      peak = Math.max(peak, open);
      // Answer later so a burst really overlaps.
      setTimeout(() => {
        open--;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ kind: 'Status', url: req.url }));
      }, 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const client = new KubeClient({ server: `http://127.0.0.1:${port}` }, { maxInFlight: 3 });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => client.request<{ url: string }>('GET', `/api/v1/x${i}`)),
      );
      assert.equal(results.length, 40);
      assert.equal(results[39]!.url, '/api/v1/x39');
      assert.ok(peak <= 3, `peak concurrent requests ${peak} > 3`);
      assert.ok(peak >= 2, `burst did not overlap at all (peak ${peak})`);
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
  });
});
