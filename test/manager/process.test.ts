import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import type { KubeObject } from '../../src/kube/types.js';
import { runManagerToExit, spawnManager, type ManagerProcess } from '../helpers/manager.js';
import { eventually } from '../helpers/eventually.js';

const ENV = {
  ALIYUN_REGION: 'cn-hangzhou',
  ALIYUN_VPC: 'vpc-test',
  ALIYUN_VSWITCH: 'vsw-test',
  ALIYUN_ZONE: 'cn-hangzhou-b',
  ALIYUN_ACCESS_KEY: 'AKIDtest',
  ALIYUN_ACCESS_KEY_SECRET: 'testSecretValue',
};

describe('alicloud-controller-manager process', function () {
  this.timeout(60_000);

  describe('configuration errors', () => {
    const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
      ['unknown flag', ['--no-such-flag'], ENV, /^error: --no-such-flag: unknown flag$/],
      [
        'bad duration',
        ['--leader-elect-lease-duration=abc'],
        ENV,
        /^error: --leader-elect-lease-duration: invalid duration "abc"$/,
      ],
      [
        'unknown controller',
        ['--controllers=service,bogus'],
        ENV,
        /^error: --controllers: unknown controller "bogus"/,
      ],
      [
        'route without cidr',
        ['--controllers=route', '--master=http://127.0.0.1:9'],
        ENV,
        /^error: --cluster-cidr: required/,
      ],
      [
        'bad node name type',
        ['--controllers=service', '--master=http://127.0.0.1:9'],
        { ...ENV, ALIYUN_NODE_NAME_TYPE: 'fqdn' },
        /^error: ALIYUN_NODE_NAME_TYPE: /,
      ],
    ];
    for (const [name, args, env, re] of cases) {
      it(`exits 1 with one line for ${name}`, async () => {
        const { code, stderr } = await runManagerToExit(args, env);
        assert.equal(code, 1);
        const lines = stderr.trim().split('\n');
        assert.equal(lines.length, 1, stderr);
        assert.match(lines[0]!, re);
      });
    }

    it('exits 1 naming the field of a bad cloud-config', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ccm-'));
      const file = join(dir, 'cloud-config.yaml');
      writeFileSync(file, 'Global:\n  region: cn-hangzhou\n  vpcid: "my vpc"\n');
      const { code, stderr } = await runManagerToExit(
        [`--cloud-config=${file}`, '--controllers=service'],
        {},
      );
      assert.equal(code, 1);
      assert.equal(
        stderr.trim(),
        '--cloud-config: Global.vpcID: must look like vpc-xxxx'.replace(/^/, 'error: '),
      );
    });
  });

  it('the bin launcher runs the built entry point (after npm run build)', async function () {
    const main = fileURLToPath(new URL('../../dist/manager/main.js', import.meta.url));
    if (!existsSync(main)) {
      console.log('      (dist/manager/main.js missing: run npm run build first)');
      this.skip();
    }
    const bin = fileURLToPath(new URL('../../bin/alicloud-controller-manager', import.meta.url));
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, '--leader-elect-retry-period=soon'],
        { timeout: 20_000 },
        (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim(), 'error: --leader-elect-retry-period: invalid duration "soon"');
  });

  describe('leader election between two processes', () => {
    let emu: KubeEmulator;
    let client: KubeClient;
    const procs: ManagerProcess[] = [];
    before(async () => {
      emu = await startKubeEmulator({ port: 0, bookmarkIntervalMs: 500 });
      client = new KubeClient({ server: emu.url });
    });
    after(async () => {
      for (const p of procs)
        if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
      client.close();
      await emu.close();
    });

    it('only the holder acts; after kill -9 the standby takes over within the lease duration; SIGTERM releases', async () => {
      const leaseMs = 2000;
      const retryMs = 300;
      // Record every lease change and every probe write, ordered by the emulator's global resourceVersion.
      const timeline: Array<{
        rv: number;
        kind: 'lease' | 'act';
        who: string | null;
        renew?: string;
        acquire?: string;
      }> = [];
      const ac = new AbortController();
      const startRv = String(emu.store.resourceVersion);
      type Lease = KubeObject & {
        spec?: { holderIdentity?: string | null; renewTime?: string; acquireTime?: string };
      };
      type Cm = KubeObject & { data?: { actor?: string } };
      void client.watch<Lease>(
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
        { resourceVersion: startRv },
        (ev) => {
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
            const s = ev.object.spec ?? {};
            timeline.push({
              rv: Number(ev.object.metadata?.resourceVersion),
              kind: 'lease',
              who: s.holderIdentity ?? null,
              renew: s.renewTime,
              acquire: s.acquireTime,
            });
          }
        },
        ac.signal,
      );
      void client.watch<Cm>(
        '/api/v1/namespaces/kube-system/configmaps',
        { resourceVersion: startRv, fieldSelector: 'metadata.name=ccm-probe' },
        (ev) => {
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED')
            timeline.push({
              rv: Number(ev.object.metadata?.resourceVersion),
              kind: 'act',
              who: ev.object.data?.actor ?? null,
            });
        },
        ac.signal,
      );

      const args = [
        `--master=${emu.url}`,
        '--bind-address=127.0.0.1',
        '--port=0',
        '--secure-port=0',
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--controllers=test-probe',
        `--leader-elect-lease-duration=${leaseMs}ms`,
        '--leader-elect-renew-deadline=1500ms',
        `--leader-elect-retry-period=${retryMs}ms`,
      ];
      const env = { ...ENV, KUBE_ALICLOUD_TEST_PROBE: '1', KUBE_ALICLOUD_TEST_PROBE_INTERVAL_MS: '20' };
      const a = spawnManager(args, env);
      const b = spawnManager(args, env);
      procs.push(a, b);
      const urls = await Promise.all([a.listening, b.listening]);

      const leaseSpec = () =>
        emu.store.get('leases', 'ccm', 'kube-system')?.spec as Lease['spec'] | undefined;
      const holderNow = () => leaseSpec()?.holderIdentity ?? undefined;
      const first = await eventually(holderNow, 'a leader', { tries: 300, intervalMs: 50 });
      await eventually(
        () => timeline.filter((e) => e.kind === 'act').length >= 10 || undefined,
        'probe writes',
        { tries: 300, intervalMs: 50 },
      );
      // Which process is it? The identity is logged by each process.
      const leader = a.stderr().includes(`"acquired leadership"`) ? a : b;
      const standby = leader === a ? b : a;
      assert.ok(leader.stderr().includes(first), 'the process that logged leadership holds the lease');
      assert.ok(!standby.stderr().includes('"acquired leadership"'), 'only one process leads');
      // Both are ready: the leader with synced caches, the standby as a healthy standby.
      for (const url of urls) assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const metrics = await (await fetch(`${urls[leader === a ? 0 : 1]}/metrics`)).text();
      assert.match(metrics, /leader_election_master_status\{name="lease kube-system\/ccm"\} 1/);
      assert.match(metrics, /process_cpu_user_seconds_total/);

      // Crash the leader.
      const lastRenewBeforeKill = leaseSpec()?.renewTime;
      leader.proc.kill('SIGKILL');
      await leader.exited;
      const second = await eventually(
        () => {
          const h = holderNow();
          return h && h !== first ? h : undefined;
        },
        'takeover',
        { tries: 300, intervalMs: 50 },
      );
      const takeover = leaseSpec()!;
      const gapMs = Date.parse(takeover.acquireTime!) - Date.parse(lastRenewBeforeKill!);
      // The standby must wait out the lease, and must not wait much longer (one retry period plus jitter and scheduling).
      assert.ok(gapMs >= leaseMs - retryMs, `took over after ${gapMs}ms: too early`);
      assert.ok(
        gapMs <= leaseMs + 4 * retryMs + 1000,
        `took over after ${gapMs}ms: later than the lease duration allows`,
      );
      await eventually(
        () => timeline.some((e) => e.kind === 'act' && e.who === second) || undefined,
        'new leader acts',
        { tries: 300, intervalMs: 50 },
      );

      // Graceful stop of the new leader: exit 0 and the lease is released.
      standby.proc.kill('SIGTERM');
      const { code } = await standby.exited;
      assert.equal(code, 0);
      assert.equal(holderNow(), undefined, 'holder cleared on shutdown');
      ac.abort();

      // Safety: every act happened while its actor held the lease (ordered by resourceVersion).
      timeline.sort((x, y) => x.rv - y.rv);
      let holder: string | null = null;
      let acts = 0;
      for (const e of timeline) {
        if (e.kind === 'lease') holder = e.who;
        else {
          acts++;
          assert.equal(e.who, holder, `write at rv ${e.rv} by ${e.who} while ${holder} held the lease`);
        }
      }
      assert.ok(acts >= 10);
      assert.ok(
        timeline.some((e) => e.kind === 'act' && e.who === first) &&
          timeline.some((e) => e.kind === 'act' && e.who === second),
      );
    });
  });
});
