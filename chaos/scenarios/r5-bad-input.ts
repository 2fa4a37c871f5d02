// R5: generated malformed annotations, flags, cloud-configs and driver invocations. Each must get
// a specific error (naming its culprit; never "internal error"), the running controller-manager
// must never crash, and healthy Services created meanwhile must converge.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitConverged } from '../lib/audit.js';
import { badAnnotations, badCloudConfigs, badDriverCalls, badFlags } from '../lib/badinput.js';
import { ChaosCluster } from '../lib/cluster.js';
import { mapLimit, runDriver } from '../lib/driver.js';
import { ManagerProcess, runToExit } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { Checks, sleep, type Scenario } from '../lib/scenario.js';
import { serviceObject, Workload } from '../lib/workload.js';

const BAD_NS = 'bad-input';

export const r5: Scenario = {
  id: 'R5',
  title: 'bad input (annotations, flags, cloud-configs, driver calls)',
  limitMs: { full: 240_000, short: 120_000 },
  async run(size, ctx) {
    const checks = new Checks();
    const c = await ChaosCluster.start({ nodes: 2 });
    ctx.defer(() => c.close());
    const m = new ManagerProcess(c.managerArgs(['--leader-elect=false']), c.processEnv(), 'manager');
    ctx.defer(() => m.kill('SIGKILL').then(() => undefined));
    await m.listening;
    const parallel = size === 'full' ? 4 : 3;

    // 1. Annotations: bad Services in their own namespace while healthy ones keep coming.
    c.kube.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BAD_NS } });
    const annCases = badAnnotations();
    const healthy = new Workload(c, rng(ctx.seed + 5));
    annCases.forEach((bc, i) => {
      const svc = serviceObject(`bad-${i}`, {
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        annotations: bc.input,
      });
      c.kube.store.create('services', { ...svc, metadata: { ...svc.metadata, namespace: BAD_NS } });
      if (i % 6 === 0) healthy.createService();
    });
    const eventsFor = (name: string) =>
      c.kube.store
        .list('events', { namespace: BAD_NS })
        .map(
          (e) =>
            e as unknown as {
              involvedObject?: { name?: string };
              reason?: string;
              message?: string;
              type?: string;
            },
        )
        .filter((e) => e.involvedObject?.name === name);
    const deadline = Date.now() + 30_000;
    let missing: string[];
    do {
      await sleep(250);
      missing = annCases
        .map((bc, i) => ({ bc, i, evs: eventsFor(`bad-${i}`) }))
        .filter(
          ({ bc, evs }) => !evs.some((e) => e.type === 'Warning' && (e.message ?? '').includes(bc.culprit)),
        )
        .map(
          ({ bc, i, evs }) =>
            `bad-${i} ${JSON.stringify(bc.input)}: ${evs.map((e) => `${e.reason}: ${e.message}`).join(' | ') || 'no event'}`,
        );
    } while (missing.length > 0 && Date.now() < deadline);
    checks.list('bad annotations without a specific Warning event', missing);
    const slbsForBad = Object.values(c.cloud.state.loadBalancers).filter(
      (lb) => lb.Listeners.length > 0 && lb.LoadBalancerName.includes(BAD_NS),
    ).length;

    // 2. Flags and cloud-configs: the real process, one line naming the culprit, exit 1.
    // --dry-run: should a case be wrongly accepted, that process must not change the cloud.
    const base = [
      '--kubeconfig',
      c.kubeconfigPath,
      '--bind-address=127.0.0.1',
      '--port=0',
      '--secure-port=0',
      '--leader-elect=false',
      '--controllers=service',
      '--dry-run',
    ];
    // The short variant samples every fourth process-spawning case (each spawn costs ~1 s).
    const sample = <T>(xs: T[]) => (size === 'full' ? xs : xs.filter((_, i) => i % 4 === 0));
    const flagCases = sample(badFlags());
    const cfgCases = sample(badCloudConfigs());
    const cfgFiles = await Promise.all(
      cfgCases.map(async (bc, i) => {
        const f = join(c.dir, `bad-cloud-config-${i}.yaml`);
        await writeFile(f, bc.input);
        return f;
      }),
    );
    const oneLineErrors: string[] = [];
    const runs = await mapLimit(
      [
        ...flagCases.map((bc) => ({ bc, args: [...base, ...bc.input] })),
        ...cfgCases.map((bc, i) => ({ bc, args: [...base, `--cloud-config=${cfgFiles[i]}`] })),
      ],
      parallel,
      async ({ bc, args }) => {
        const r = await runToExit(args, c.processEnv(), 30_000);
        oneLineErrors.push(r.output);
        const line = r.output.split('\n').find((l) => l.startsWith('error: ')) ?? '';
        return {
          bc,
          r,
          line,
          ok: r.exit.code === 1 && !r.timedOut && line.toLowerCase().includes(bc.culprit.toLowerCase()),
        };
      },
    );
    checks.list(
      'bad flags/cloud-configs without a specific one-line error',
      runs
        .filter((x) => !x.ok)
        .map(
          (x) =>
            `${JSON.stringify(x.bc.input).slice(0, 80)} → exit ${x.r.exit.code ?? x.r.exit.signal}: ${x.line || x.r.output.slice(-200)}`,
        ),
    );

    // 3. Driver invocations: one JSON reply, Failure, a message naming the problem.
    const driverCases = sample(badDriverCalls());
    const driverEnv = c.processEnv({
      ALICLOUD_FLEXVOLUME_STATE_DIR: join(c.dir, 'flex-state'),
      ALICLOUD_FLEXVOLUME_LOG: join(c.dir, 'flex.log'),
      ALICLOUD_FLEXVOLUME_ATTACH_TIMEOUT_MS: '3000',
      ALICLOUD_FLEXVOLUME_DEVICE_TIMEOUT_MS: '1000',
    });
    const driverRuns = await mapLimit(driverCases, parallel, async (bc) => {
      const r = await runDriver(bc.input, driverEnv);
      let reply: { status?: string; message?: string } = {};
      try {
        reply = JSON.parse(r.stdout.trim()) as typeof reply;
      } catch {
        // not one JSON object: reported below
      }
      const msg = reply.message ?? '';
      const ok =
        !r.timedOut &&
        r.code !== 0 &&
        reply.status === (bc.status ?? 'Failure') &&
        msg.length > 0 &&
        !/internal error/i.test(msg) &&
        msg.toLowerCase().includes(bc.culprit.toLowerCase()) &&
        r.stdout.trim().split('\n').length === 1;
      return { bc, r, ok, msg };
    });
    checks.list(
      'bad driver calls without a specific Failure',
      driverRuns
        .filter((x) => !x.ok)
        .map(
          (x) =>
            `${JSON.stringify(x.bc.input).slice(0, 60)} → exit ${x.r.code}${x.r.timedOut ? ' (timeout)' : ''}: ${x.r.stdout.trim().slice(0, 160)}`,
        ),
    );

    // 4. Meanwhile: the manager is up and the healthy Services converged.
    const conv = await waitConverged(c, 30_000);
    checks.that(
      conv.converged,
      `healthy Services did not converge: ${conv.result.problems.slice(0, 5).join('; ')}`,
    );
    checks.that(m.alive, `the controller-manager exited: ${m.tail()}`);
    const total = annCases.length + flagCases.length + cfgCases.length + driverCases.length;
    checks.that(total >= (size === 'full' ? 100 : 60), `only ${total} malformed inputs`);
    return {
      figures: {
        'malformed inputs': total,
        'annotations/flags/cloud-configs/driver calls': `${annCases.length}/${flagCases.length}/${cfgCases.length}/${driverCases.length}`,
        'specific errors':
          total - missing.length - runs.filter((x) => !x.ok).length - driverRuns.filter((x) => !x.ok).length,
        'SLBs with listeners for bad Services': slbsForBad,
        'healthy Services converged': `${healthy.live.size} in ${conv.ms} ms`,
        'manager crashes': m.crashed ? 1 : 0,
      },
      failures: checks.failures,
    };
  },
};
