// The real manager process's endpoints: HTTPS on --secure-port with /metrics behind the
// apiserver's TokenReview + SubjectAccessReview, anonymous probes, loopback by default outside a
// Pod, the opt-in plain --port serving probes only — and deploy/rbac.yaml granting the review
// requests the manager makes for it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeEmulator, type AuditRecord, type KubeEmulator } from '../../emulators/kube/index.js';
import { FlagError, parseFlags } from '../../src/manager/flags.js';
import { grantOf, readRoles } from '../deploy/rbac.js';
import { httpsGet } from '../helpers/https.js';
import { runManagerToExit, spawnManager, type ManagerProcess } from '../helpers/manager.js';

const ENV = {
  ALIYUN_REGION: 'cn-hangzhou',
  ALIYUN_ACCESS_KEY: 'AKIDtest',
  ALIYUN_ACCESS_KEY_SECRET: 'testSecretValue',
  KUBE_ALICLOUD_TEST_PROBE: '1',
  KUBE_ALICLOUD_TEST_PROBE_INTERVAL_MS: '1000',
};

interface Listening {
  url: string;
  secureUrl: string;
  insecureUrl?: string;
}

function listeningLine(m: ManagerProcess): Listening {
  const line = m
    .stdout()
    .split('\n')
    .find((l) => l.includes('"listening"'))!;
  return JSON.parse(line) as Listening;
}

function configLog(m: ManagerProcess): { serving: { bindAddress: string } } {
  for (const l of m.stderr().split('\n')) {
    try {
      const j = JSON.parse(l) as { msg?: string; config?: { serving: { bindAddress: string } } };
      if (j.msg === 'configuration' && j.config) return j.config;
    } catch {
      // not JSON
    }
  }
  throw new Error('no configuration log line');
}

describe('alicloud-controller-manager process: secure serving', function () {
  this.timeout(60_000);
  let emu: KubeEmulator;
  const audit: AuditRecord[] = [];
  const procs: ManagerProcess[] = [];
  const start = async (args: string[], env: Record<string, string> = {}) => {
    const m = spawnManager(
      [`--master=${emu.url}`, '--controllers=test-probe', '--leader-elect=false', '--secure-port=0', ...args],
      { ...ENV, ...env },
    );
    procs.push(m);
    await m.listening;
    return m;
  };

  before(async () => {
    emu = await startKubeEmulator({ port: 0, onRequest: (r) => audit.push(r) });
    emu.store.create('clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'prometheus' },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
    });
    emu.store.create('clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'prometheus' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prometheus' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
    });
    emu.auth.addServiceAccountToken('prom', 'monitoring', 'prometheus');
    emu.auth.addServiceAccountToken('tenant', 'team-b', 'default');
  });
  after(async () => {
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    await emu.close();
  });

  it('outside a Pod: HTTPS on loopback only, no plain port; /metrics 401 → 403 → 200; probes anonymous', async () => {
    const m = await start([]);
    const l = listeningLine(m);
    assert.equal(l.insecureUrl, undefined, 'no plain-HTTP port unless --port is given');
    assert.match(l.secureUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(l.url, l.secureUrl);
    assert.equal(configLog(m).serving.bindAddress, '127.0.0.1');
    for (const p of ['/healthz', '/livez']) assert.equal((await httpsGet(l.secureUrl + p)).status, 200, p);
    const anon = await httpsGet(`${l.secureUrl}/metrics`);
    assert.equal(anon.status, 401);
    assert.doesNotMatch(anon.body, /process_cpu/);
    const tenant = await httpsGet(`${l.secureUrl}/metrics`, { token: 'tenant' });
    assert.equal(tenant.status, 403);
    assert.doesNotMatch(tenant.body, /process_cpu/);
    const prom = await httpsGet(`${l.secureUrl}/metrics`, { token: 'prom' });
    assert.equal(prom.status, 200);
    assert.match(prom.body, /process_cpu_user_seconds_total/);
  });

  it('deploy/rbac.yaml grants the TokenReview and SubjectAccessReview requests it made', () => {
    const reviews = audit.filter((r) => r.resource.endsWith('reviews'));
    assert.deepEqual([...new Set(reviews.map((r) => `${r.verb} ${r.group}/${r.resource}`))].sort(), [
      'create authentication.k8s.io/tokenreviews',
      'create authorization.k8s.io/subjectaccessreviews',
    ]);
    const roles = readRoles();
    for (const r of reviews)
      assert.ok(grantOf(roles, r), `rbac.yaml forbids ${r.verb} ${r.group}/${r.resource}`);
  });

  it('in a Pod (KUBERNETES_SERVICE_HOST set) binds every address unless --bind-address says otherwise', async () => {
    const inPod = await start([], { KUBERNETES_SERVICE_HOST: '198.18.0.1' });
    assert.equal(configLog(inPod).serving.bindAddress, '0.0.0.0');
    const pinned = await start(['--bind-address=127.0.0.1'], { KUBERNETES_SERVICE_HOST: '198.18.0.1' });
    assert.equal(configLog(pinned).serving.bindAddress, '127.0.0.1');
  });

  it('--port serves plain HTTP on loopback with the probes only', async () => {
    const m = await start(['--port=0']);
    const l = listeningLine(m);
    assert.match(l.insecureUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(l.url, l.insecureUrl);
    assert.equal((await fetch(`${l.insecureUrl}/healthz`)).status, 200);
    const metrics = await fetch(`${l.insecureUrl}/metrics`);
    assert.equal(metrics.status, 403);
    assert.doesNotMatch(await metrics.text(), /process_cpu/);
  });

  it('refuses bad serving flags with one line naming the flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-serving-'));
    try {
      writeFileSync(join(dir, 'tls.crt'), 'not a certificate');
      writeFileSync(join(dir, 'tls.key'), 'not a key');
      const bad = ['--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key')];
      const { code, stderr } = await runManagerToExit(
        [
          `--master=${emu.url}`,
          '--controllers=test-probe',
          '--leader-elect=false',
          '--secure-port=0',
          ...bad,
        ],
        ENV,
      );
      assert.equal(code, 1);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr.trim(), /^error: --tls-cert-file\/--tls-private-key-file: /);
      const cases: Array<[string[], RegExp]> = [
        [
          ['--tls-cert-file', join(dir, 'tls.crt')],
          /^--tls-private-key-file: required when the other is set$/,
        ],
        [['--bind-address=everywhere'], /^--bind-address: not an IP address: "everywhere"$/],
        [
          ['--authorization-always-allow-paths=metrics'],
          /^--authorization-always-allow-paths: "metrics" must start with \//,
        ],
        [['--secure-port=70000'], /^--secure-port: invalid port "70000"$/],
      ];
      for (const [args, re] of cases)
        assert.throws(
          () => parseFlags(args),
          (e: Error) => e instanceof FlagError && re.test(e.message),
          args.join(' '),
        );
      const flags = parseFlags([
        '--authorization-always-allow-paths=/healthz,/debug/*',
        '--authentication-skip-lookup=true',
      ]).flags!.serving;
      assert.deepEqual(flags.alwaysAllowPaths, ['/healthz', '/debug/*']);
      assert.equal(flags.authenticationSkipLookup, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
