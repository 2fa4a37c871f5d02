// docs/security.md against the code: the flags it names exist, the Prometheus RBAC it gives
// really opens /metrics (and only for that ServiceAccount) on a secure port backed by the
// Kubernetes emulator's reviews, its placeholders are exactly the ones in deploy/ram/, and the
// paths and settings it promises are the ones the manifests and the driver use.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { startKubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import { buildCommand } from '../../src/manager/flags.js';
import { startHttpServer } from '../../src/server/app.js';
import { createDelegatedGuard } from '../../src/server/delegated.js';
import { Readiness } from '../../src/server/health.js';
import { servingCertificate } from '../../src/server/tls.js';
import { httpsGet } from '../helpers/https.js';

const ROOT = process.cwd();
const DOC = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');

describe('docs/security.md', function () {
  this.timeout(20_000);

  it('names only flags the manager accepts', () => {
    const known = new Set(buildCommand().options.map((o) => o.long));
    const named = [...new Set([...DOC.matchAll(/`(--[a-z][a-z-]+)/g)].map((m) => m[1]!))];
    assert.ok(named.length >= 8, named.join(' '));
    for (const f of named) assert.ok(known.has(f), `${f} is not a flag`);
  });

  it('its Prometheus RBAC opens /metrics to that ServiceAccount and nobody else', async () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(DOC)![1]!;
    const objects = parseAllDocuments(block).map((d) => d.toJS() as { kind: string; subjects?: Array<{ name: string; namespace: string }> });
    const emu = await startKubeEmulator({ port: 0 });
    const client = new KubeClient({ server: emu.url });
    const tls = servingCertificate({});
    const srv = await startHttpServer({ registry: new Registry(), readiness: new Readiness(), port: 0, tls, guard: createDelegatedGuard({ authentication: client, authorization: client }) });
    try {
      for (const o of objects) emu.store.create(o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings', o as never);
      const sa = objects.find((o) => o.kind === 'ClusterRoleBinding')!.subjects![0]!;
      emu.auth.addServiceAccountToken('prom', sa.namespace, sa.name);
      emu.auth.addServiceAccountToken('other', sa.namespace, 'grafana');
      const ca = tls.current().cert;
      assert.equal((await httpsGet(`${srv.url}/healthz`, { ca })).status, 200);
      assert.equal((await httpsGet(`${srv.url}/metrics`, { ca })).status, 401);
      assert.equal((await httpsGet(`${srv.url}/metrics`, { ca, token: 'prom' })).status, 200);
      const denied = await httpsGet(`${srv.url}/metrics`, { ca, token: 'other' });
      assert.equal(denied.status, 403);
      assert.match(denied.body, /Forbidden: user "system:serviceaccount:monitoring:grafana" cannot get path "\/metrics"/);
    } finally {
      await srv.close();
      client.close();
      await emu.close();
    }
  });

  it('its plain-HTTP checks of the secure port answer as it says: the probe ok, /metrics 403', async () => {
    const checks = [...DOC.matchAll(/^curl -s (?:-o \/dev\/null -w '%\{http_code\}\\n' )?http:\/\/127\.0\.0\.1:10258(\/\S+)\s+# (ok|\d{3})/gm)].map((m) => ({ path: m[1]!, expect: m[2]! }));
    assert.deepEqual(checks.map((c) => c.path).sort(), ['/healthz', '/metrics']);
    const srv = await startHttpServer({ registry: new Registry(), readiness: new Readiness(), port: 0, tls: servingCertificate({}), guard: () => Promise.resolve({ allowed: true, user: { username: 'anyone', groups: [] } }) });
    try {
      for (const c of checks) {
        const res = await fetch(`http://127.0.0.1:${srv.port}${c.path}`);
        const body = await res.text();
        if (c.expect === 'ok') assert.equal(body, 'ok', c.path);
        else assert.equal(String(res.status), c.expect, c.path);
      }
    } finally {
      await srv.close();
    }
  });

  it('documents exactly the placeholders of deploy/ram/*.json, and links every policy', () => {
    const inPolicies = new Set<string>();
    for (const f of readdirSync(join(ROOT, 'deploy/ram'))) {
      for (const m of readFileSync(join(ROOT, 'deploy/ram', f), 'utf8').matchAll(/FILL-[a-z-]+/g)) inPolicies.add(m[0]);
      assert.ok(DOC.includes(`(../deploy/ram/${f})`), `links deploy/ram/${f}`);
    }
    const inDoc = new Set([...DOC.matchAll(/`(FILL-[a-z-]+)`/g)].map((m) => m[1]!));
    assert.deepEqual([...inDoc].sort(), [...inPolicies].sort());
  });

  it('the paths and settings it promises are the ones the manifests and the driver use', () => {
    const manifests = ['controller-manager.yaml', 'single-master/controller-manager.yaml', 'controller-manager-static-pod.yaml'].map((f) => readFileSync(join(ROOT, 'deploy', f), 'utf8'));
    for (const m of manifests) {
      assert.ok(m.includes('ALICLOUD_CREDENTIALS_DIR') && m.includes('/etc/kubernetes/aliyun-creds'));
    }
    assert.ok(DOC.includes('ALICLOUD_CREDENTIALS_DIR') && DOC.includes('/etc/kubernetes/aliyun-creds'));
    const driverConfig = readFileSync(join(ROOT, 'src/flexvolume/config.ts'), 'utf8');
    for (const key of ['accessKeyIdFile', 'accessKeySecretFile']) {
      assert.ok(DOC.includes(`\`${key}\``), key);
      assert.ok(driverConfig.includes(`'${key}'`), `the driver reads ${key}`);
    }
    assert.ok(readFileSync(join(ROOT, 'src/cloud/credentials.ts'), 'utf8').includes('ALICLOUD_CREDENTIALS_DIR'));
  });
});
