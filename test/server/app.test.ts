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
    srv = await startHttpServer({ registry, readiness, port: 0 });
  });
  after(() => srv.close());

  it('answers /healthz', async () => {
    const res = await fetch(`${srv.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
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
