import assert from 'node:assert/strict';
import { Registry, Counter } from 'prom-client';
import { startHttpServer, type RunningServer } from '../../src/server/app.js';
import { Readiness } from '../../src/server/health.js';

describe('server/app', () => {
  let srv: RunningServer;
  const registry = new Registry();
  const readiness = new Readiness();
  let synced = false;
  before(async () => {
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    readiness.add('informers-synced', () => synced);
    readiness.add('broken', () => {
      throw new Error('x');
    });
    // No guard: only the always-allowed paths (plus /metrics, allowed here) are served.
    srv = await startHttpServer({
      registry,
      readiness,
      port: 0,
      alwaysAllowPaths: ['/healthz', '/livez', '/readyz', '/metrics'],
    });
  });
  after(() => srv.close());

  it('answers /healthz and /livez', async () => {
    for (const path of ['/healthz', '/livez']) {
      const res = await fetch(`${srv.url}${path}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
    }
  });

  it('without a guard, refuses every path that is not always allowed', async () => {
    const bare = await startHttpServer({ registry, readiness, port: 0 });
    try {
      const res = await fetch(`${bare.url}/metrics`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /only on the secure port/);
      assert.equal((await fetch(`${bare.url}/healthz`)).status, 200);
    } finally {
      await bare.close();
    }
  });

  it('/readyz fails until every check passes and names the failing ones', async () => {
    let res = await fetch(`${srv.url}/readyz`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /informers-synced,broken/);
    readiness.remove('broken');
    res = await fetch(`${srv.url}/readyz?verbose`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /\[-\]informers-synced failed/);
    synced = true;
    res = await fetch(`${srv.url}/readyz`);
    assert.equal(res.status, 200);
  });

  it('serves the registry on /metrics', async () => {
    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await res.text(), /demo_total 3/);
  });
});
