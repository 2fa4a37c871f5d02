// The secure port answers both protocols: HTTPS as before, and plain HTTP for the probes only
// (the official CCM's manifests probe `http://127.0.0.1:10258/healthz`). The plain side must
// never hand out /metrics, whatever the path spelling, token or always-allow list, and a client
// that connects and stalls, or resets, must cost only its own connection.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { startHttpServer, type RunningServer } from '../../src/server/app.js';
import type { RequestGuard } from '../../src/server/delegated.js';
import { Readiness } from '../../src/server/health.js';
import { createSniffingServer } from '../../src/server/sniff.js';
import { servingCertificate } from '../../src/server/tls.js';
import { httpsGet } from '../helpers/https.js';

interface Reply {
  status: number;
  body: string;
}

/** Plain-HTTP GET with the path sent verbatim (fetch would normalise it). */
function httpGet(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `pieces` with a pause between them on one raw connection; resolves with all it got back. */
function rawExchange(port: number, pieces: string[], gapMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1');
    let out = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (out += d));
    c.on('error', reject);
    c.on('close', () => resolve(out));
    pieces.forEach((p, i) => setTimeout(() => c.write(p), i * gapMs));
  });
}

const toHttp = (url: string) => url.replace(/^https:/, 'http:');
const looksLikeMetrics = (body: string) => /^# (HELP|TYPE) /m.test(body);

describe('server: plain HTTP on the secure port', function () {
  this.timeout(20_000);
  const registry = new Registry();
  const tls = servingCertificate({});
  // The guard lets the token "reader" through: proof that a token over plain HTTP opens nothing.
  const guard: RequestGuard = (req) =>
    Promise.resolve(
      req.headers.authorization === 'Bearer reader'
        ? { allowed: true, user: { username: 'reader', groups: [] } }
        : { allowed: false, status: 401, message: 'Unauthorized' },
    );
  let srv: RunningServer;
  before(async () => {
    new Counter({ name: 'sniff_demo_total', help: 'demo', registers: [registry] }).inc();
    srv = await startHttpServer({
      registry,
      readiness: new Readiness(),
      port: 0,
      tls,
      guard,
      firstByteTimeoutMs: 300,
    });
  });
  after(() => srv.close());

  it('serves /healthz, /livez and /readyz over plain HTTP', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const r = await httpGet(toHttp(srv.url), path);
      assert.equal(r.status, 200, path);
      assert.equal(r.body, 'ok');
    }
  });

  it('refuses /metrics over plain HTTP in every spelling, even with a token the guard accepts', async () => {
    for (const path of [
      '/metrics',
      '/metrics/',
      '/METRICS',
      '/metrics?format=text',
      '/%6detrics',
      '/healthz/../metrics',
    ]) {
      for (const headers of [{}, { Authorization: 'Bearer reader' }] as Array<Record<string, string>>) {
        const r = await httpGet(toHttp(srv.url), path, headers);
        assert.equal(r.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.ok(!looksLikeMetrics(r.body), `${path}: no metrics text`);
      }
    }
    const r = await httpGet(toHttp(srv.url), '/metrics');
    assert.match(r.body, /only over HTTPS/);
  });

  it('refuses every other path over plain HTTP with a pointer to HTTPS', async () => {
    const r = await httpGet(toHttp(srv.url), '/debug/pprof', { Authorization: 'Bearer reader' });
    assert.equal(r.status, 403);
    assert.match(r.body, /use HTTPS/);
  });

  it('HTTPS on the same port is unchanged: probes anonymous, /metrics 401 without and 200 with a token', async () => {
    const ca = tls.current().cert;
    assert.equal((await httpsGet(`${srv.url}/healthz`, { ca })).status, 200);
    const anon = await httpsGet(`${srv.url}/metrics`, { ca });
    assert.equal(anon.status, 401);
    assert.ok(!looksLikeMetrics(anon.body));
    const ok = await httpsGet(`${srv.url}/metrics`, { ca, token: 'reader' });
    assert.equal(ok.status, 200);
    assert.match(ok.body, /sniff_demo_total 1/);
  });

  it('a request whose first byte arrives alone is still parsed whole', async () => {
    const out = await rawExchange(
      srv.port,
      ['G', 'ET /healthz HTTP/1.1\r\nHost: x\r\n', 'Connection: close\r\n\r\n'],
      60,
    );
    assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /\r\n\r\nok$/);
  });

  it('a client that connects and says nothing is cut off after the first-byte timeout', async () => {
    const t0 = Date.now();
    const out = await rawExchange(srv.port, [], 0);
    const waited = Date.now() - t0;
    assert.equal(out, '');
    assert.ok(waited >= 250 && waited < 5000, `closed after ${waited} ms`);
    assert.equal((await httpGet(toHttp(srv.url), '/healthz')).status, 200);
  });

  it('connections reset before or after their first byte leave the server serving', async () => {
    await new Promise<void>((resolve) => {
      const c = connect(srv.port, '127.0.0.1', () => {
        c.resetAndDestroy();
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      const c = connect(srv.port, '127.0.0.1', () => {
        c.write('\x16\x03\x01\x00');
        setTimeout(() => {
          c.resetAndDestroy();
          resolve();
        }, 30);
      });
    });
    await new Promise<void>((resolve) => {
      const c = connect(srv.port, '127.0.0.1', () => {
        c.write('GET /hea');
        setTimeout(() => {
          c.resetAndDestroy();
          resolve();
        }, 30);
      });
    });
    assert.equal((await httpGet(toHttp(srv.url), '/healthz')).status, 200);
    assert.equal((await httpsGet(`${srv.url}/healthz`, { ca: tls.current().cert })).status, 200);
  });

  it('an always-allowed /metrics (or /*) opens it over HTTPS only', async () => {
    const open = await startHttpServer({
      registry,
      readiness: new Readiness(),
      port: 0,
      tls,
      alwaysAllowPaths: ['/healthz', '/metrics', '/*'],
    });
    try {
      assert.ok(looksLikeMetrics((await httpsGet(`${open.url}/metrics`, { ca: tls.current().cert })).body));
      const r = await httpGet(toHttp(open.url), '/metrics');
      assert.equal(r.status, 403);
      assert.ok(!looksLikeMetrics(r.body));
    } finally {
      await open.close();
    }
  });

  it('close() ends connections still waiting for their first byte', async () => {
    const s = await startHttpServer({
      registry,
      readiness: new Readiness(),
      port: 0,
      tls,
      firstByteTimeoutMs: 60_000,
    });
    const c = connect(s.port, '127.0.0.1');
    await new Promise<void>((resolve) => c.on('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => c.on('close', () => resolve()));
    c.on('error', () => undefined);
    const t0 = Date.now();
    await s.close();
    await closed;
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('server: first-byte timeout on a busy event loop', () => {
  it('a request already sent is served even when the loop was blocked past the timeout', async () => {
    const plain = createNetServer();
    plain.on('connection', (s) => s.end('plain'));
    const tls = createNetServer();
    const sniff = createSniffingServer({ tls, plain, firstByteTimeoutMs: 30 });
    await new Promise<void>((r) => sniff.server.listen(0, '127.0.0.1', r));
    const { port } = sniff.server.address() as AddressInfo;
    try {
      const client = connect(port, '127.0.0.1');
      // Registered after the sniffer's own listener, so its timer is already running here: the
      // client speaks, then the loop is blocked three times the timeout, as a large start-up list does.
      sniff.server.once('connection', () => {
        client.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        const until = Date.now() + 90;
        while (Date.now() < until);
      });
      const got = await new Promise<string>((resolve, reject) => {
        let out = '';
        client.setEncoding('utf8');
        client.on('data', (d: string) => (out += d));
        client.on('error', reject);
        client.on('close', () => resolve(out));
      });
      assert.equal(got, 'plain');
    } finally {
      sniff.destroyAll();
      await new Promise((r) => sniff.server.close(r));
    }
  });
});
