// The secure port end to end against the Kubernetes emulator's TokenReview and
// SubjectAccessReview: who may read /metrics is decided by the apiserver's RBAC, probes stay
// anonymous, answers are cached briefly, and an unreachable apiserver is never "allowed".
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { startKubeEmulator, type AuditRecord, type KubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import { startHttpServer, type RunningServer } from '../../src/server/app.js';
import { createDelegatedGuard } from '../../src/server/delegated.js';
import { Readiness } from '../../src/server/health.js';
import { selfSignedCertificate } from '../../src/server/selfsigned.js';
import { servingCertificate, TlsConfigError } from '../../src/server/tls.js';
import { httpsGet, peerCertificatePem } from '../helpers/https.js';

const METRICS_READER = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'test:metrics-reader' },
  rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
};
const BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'test:prometheus-metrics' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'test:metrics-reader' },
  subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
};

describe('server: delegated authentication and authorization on the secure port', function () {
  this.timeout(20_000);
  let emu: KubeEmulator;
  let client: KubeClient;
  let srv: RunningServer;
  let ca: string;
  const reviews: AuditRecord[] = [];
  const registry = new Registry();

  before(async () => {
    emu = await startKubeEmulator({
      port: 0,
      onRequest: (r) => {
        if (r.resource.endsWith('reviews')) reviews.push(r);
      },
    });
    emu.store.create('clusterroles', METRICS_READER);
    emu.store.create('clusterrolebindings', BINDING);
    emu.auth.addServiceAccountToken('prom-token', 'monitoring', 'prometheus');
    emu.auth.addServiceAccountToken('other-token', 'team-a', 'default');
    emu.auth.addToken('admin-token', { username: 'kubernetes-admin', groups: ['system:masters'] });
    client = new KubeClient({ server: emu.url });
    new Counter({ name: 'secret_sauce_total', help: 'x', registers: [registry] }).inc();
    const tls = servingCertificate({});
    ca = tls.current().cert;
    srv = await startHttpServer({
      registry,
      readiness: new Readiness(),
      port: 0,
      tls,
      guard: createDelegatedGuard({ authentication: client, authorization: client, cacheTtlMs: 500 }),
    });
  });
  after(async () => {
    await srv?.close();
    client?.close();
    await emu?.close();
  });

  it('serves HTTPS with a self-signed certificate valid for 127.0.0.1', async () => {
    assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await peerCertificatePem(srv.url), ca);
    // Pinned, so the hostname check against the subjectAltName ran too.
    assert.equal((await httpsGet(`${srv.url}/healthz`, { ca })).status, 200);
  });

  it('health probes are anonymous', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const r = await httpsGet(`${srv.url}${path}`, { ca });
      assert.equal(r.status, 200, path);
    }
  });

  it('/metrics without a token: 401 with a Bearer challenge, and nothing of the registry', async () => {
    const r = await httpsGet(`${srv.url}/metrics`, { ca });
    assert.equal(r.status, 401);
    assert.match(String(r.headers['www-authenticate']), /^Bearer /);
    assert.doesNotMatch(r.body, /secret_sauce/);
  });

  it('/metrics with a token the apiserver does not know: 401', async () => {
    const r = await httpsGet(`${srv.url}/metrics`, { ca, token: 'forged' });
    assert.equal(r.status, 401);
    assert.doesNotMatch(r.body, /secret_sauce|forged/);
  });

  it('/metrics for an authenticated user without RBAC for it: 403 naming the user and path', async () => {
    const r = await httpsGet(`${srv.url}/metrics`, { ca, token: 'other-token' });
    assert.equal(r.status, 403);
    assert.match(r.body, /user "system:serviceaccount:team-a:default" cannot get path "\/metrics"/);
    assert.doesNotMatch(r.body, /secret_sauce/);
  });

  it('/metrics for a user bound to nonResourceURLs /metrics (or system:masters): 200', async () => {
    const r = await httpsGet(`${srv.url}/metrics`, { ca, token: 'prom-token' });
    assert.equal(r.status, 200);
    assert.match(r.body, /secret_sauce_total 1/);
    assert.equal((await httpsGet(`${srv.url}/metrics`, { ca, token: 'admin-token' })).status, 200);
  });

  it('caches review answers briefly, then asks again (a revoked binding takes effect)', async () => {
    await new Promise((r) => setTimeout(r, 600));
    reviews.length = 0;
    assert.equal((await httpsGet(`${srv.url}/metrics`, { ca, token: 'prom-token' })).status, 200);
    assert.equal((await httpsGet(`${srv.url}/metrics`, { ca, token: 'prom-token' })).status, 200);
    assert.deepEqual(
      reviews.map((r) => r.resource),
      ['tokenreviews', 'subjectaccessreviews'],
      'one review pair for two scrapes',
    );
    emu.store.delete('clusterrolebindings', 'test:prometheus-metrics');
    assert.equal(
      (await httpsGet(`${srv.url}/metrics`, { ca, token: 'prom-token' })).status,
      200,
      'still cached',
    );
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(
      (await httpsGet(`${srv.url}/metrics`, { ca, token: 'prom-token' })).status,
      403,
      'after the TTL',
    );
    emu.store.create('clusterrolebindings', BINDING);
  });

  it('an unreachable apiserver denies: 401 for authentication, never 200', async () => {
    const dead = new KubeClient({ server: 'http://127.0.0.1:9' }, { timeoutMs: 2000 });
    const s = await startHttpServer({
      registry,
      readiness: new Readiness(),
      port: 0,
      tls: servingCertificate({}),
      guard: createDelegatedGuard({ authentication: dead, authorization: dead }),
    });
    try {
      const r = await httpsGet(`${s.url}/metrics`, { token: 'prom-token' });
      assert.equal(r.status, 401);
      assert.doesNotMatch(r.body, /secret_sauce/);
      assert.equal((await httpsGet(`${s.url}/healthz`)).status, 200);
    } finally {
      await s.close();
      dead.close();
    }
  });
});

describe('server: serving certificate sources', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-tls-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--cert-dir: generated once, reused after a restart', () => {
    const a = servingCertificate({ certDir: join(dir, 'certs') });
    const b = servingCertificate({ certDir: join(dir, 'certs') });
    assert.equal(a.source, 'cert-dir');
    assert.equal(a.current().cert, b.current().cert);
  });

  it('--tls-cert-file/--tls-private-key-file: served, and a renewed pair is picked up', async () => {
    const first = selfSignedCertificate({ commonName: 'one', altNames: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), first.cert);
    writeFileSync(join(dir, 'tls.key'), first.key);
    const tls = servingCertificate({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') });
    const s = await startHttpServer({
      registry: new Registry(),
      readiness: new Readiness(),
      port: 0,
      tls,
      tlsReloadMs: 50,
    });
    try {
      assert.equal(await peerCertificatePem(s.url), first.cert);
      const second = selfSignedCertificate({ commonName: 'two', altNames: ['127.0.0.1'] });
      await new Promise((r) => setTimeout(r, 20)); // a different mtime
      writeFileSync(join(dir, 'tls.key'), second.key);
      writeFileSync(join(dir, 'tls.crt'), second.cert);
      let served = '';
      for (let i = 0; i < 40 && served !== second.cert; i++) {
        await new Promise((r) => setTimeout(r, 50));
        served = await peerCertificatePem(s.url);
      }
      assert.equal(served, second.cert);
    } finally {
      await s.close();
    }
  });

  it('refuses half a pair, unreadable files and a key that does not match', () => {
    const a = selfSignedCertificate({ commonName: 'a', altNames: ['localhost'] });
    const b = selfSignedCertificate({ commonName: 'b', altNames: ['localhost'] });
    writeFileSync(join(dir, 'a.crt'), a.cert);
    writeFileSync(join(dir, 'b.key'), b.key);
    assert.throws(
      () => servingCertificate({ certFile: join(dir, 'a.crt') }),
      /--tls-private-key-file: required/,
    );
    assert.throws(
      () => servingCertificate({ certFile: join(dir, 'a.crt'), keyFile: join(dir, 'nope.key') }),
      TlsConfigError,
    );
    assert.throws(
      () => servingCertificate({ certFile: join(dir, 'a.crt'), keyFile: join(dir, 'b.key') }),
      /does not match/,
    );
  });
});

describe('server: self-signed certificates', () => {
  it('are valid DER every time (serial numbers included), with the names asked for', () => {
    for (let i = 0; i < 400; i++) {
      const pair = selfSignedCertificate({
        commonName: `n${i}`,
        altNames: ['localhost', '127.0.0.1', '::1'],
      });
      const x = new X509Certificate(pair.cert);
      assert.ok(x.verify(x.publicKey), `certificate ${i} verifies`);
      assert.equal(x.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      assert.equal(x.serialNumber.length, 32, `serial ${x.serialNumber}`);
    }
  });
});
