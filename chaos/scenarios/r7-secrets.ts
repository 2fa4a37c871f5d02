// R7: everything runs with recognisable credentials — a storm under cloud faults, leader election,
// a manager with a wrong secret (signature errors), bad cloud-configs carrying the secret, driver
// calls that fail in the cloud — and every log line, Event, metric and error is searched for the
// AccessKey id and secret: 0 hits.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosCluster, recognisableCredentials } from '../lib/cluster.js';
import { mapLimit, runDriver } from '../lib/driver.js';
import { startCloudFaults } from '../lib/faults.js';
import { ManagerProcess, runToExit } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { Checks, sleep, type Scenario } from '../lib/scenario.js';
import { Workload } from '../lib/workload.js';

const SIGNATURE_LINE = /Signature|InvalidAccessKey|IncompleteSignature/i;

const SIZES = {
  full: { services: 40, settleMs: 8000 },
  short: { services: 8, settleMs: 1000 },
};

export const r7: Scenario = {
  id: 'R7',
  title: 'secrets never leak (logs, Events, metrics, errors)',
  limitMs: { full: 240_000, short: 80_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const checks = new Checks();
    const creds = recognisableCredentials();
    const wrong = recognisableCredentials();
    const c = await ChaosCluster.start({ nodes: 2, credentials: creds });
    ctx.defer(() => c.close());
    const texts: Array<{ source: string; text: string }> = [];

    // A leader-elected manager through a faulty storm (retries, errors and Events are logged).
    const m = new ManagerProcess(
      c.managerArgs(['--leader-elect', '--log-level=debug']),
      c.processEnv(),
      'manager',
    );
    ctx.defer(() => m.kill('SIGKILL').then(() => undefined));
    const url = await m.listening;
    const faults = startCloudFaults(c.cloud, 0.3, ctx.seed + 7);
    ctx.defer(() => faults.stop());
    const w = new Workload(c, rng(ctx.seed + 7));
    for (let i = 0; i < z.services; i++)
      w.createService({
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        annotations:
          i % 4 === 0 ? { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-bandwidth': 'lots' } : {},
      });
    w.createPvc();
    await sleep(1500);
    faults.stop();

    // A second manager with the right id and a wrong secret: every call fails with a signature error.
    // It runs the route controller too: resolving its route table always reads the cloud, whereas
    // its service controller may find every Service already synced by the first manager (an
    // unchanged hash makes no cloud call) — that race once left nothing refused to scan. The route
    // controller cannot start without its table, so the process may then exit 1 with that error.
    const bad = new ManagerProcess(
      c.managerArgs(['--leader-elect=false', '--controllers=service,route', '--dry-run=false']),
      c.processEnv({ ALIYUN_ACCESS_KEY_SECRET: wrong.accessKeySecret }),
      'wrong-secret',
    );
    ctx.defer(() => bad.kill('SIGKILL').then(() => undefined));
    await bad.listening;
    w.createService();
    const refused = () => c.cloud.calls().filter((x) => /Signature|AccessKey/.test(x.code)).length;
    const logged = () => bad.lines.some((l) => SIGNATURE_LINE.test(l));
    // Until a call was refused and the refusal reached its log (bounded; a loaded machine is slow).
    for (let i = 0; i < 300 && !(refused() > 0 && logged()) && bad.alive; i++) await sleep(100);
    const sigErrors = refused();
    checks.that(
      !bad.crashed || (bad.exit?.code === 1 && logged()),
      `the wrong-secret manager died without its error: ${bad.tail(4)}`,
    );
    await bad.kill('SIGTERM');

    // Config errors that carry the secret in the file, and the driver failing in the cloud.
    const cfg = join(c.dir, 'secret-cloud-config.yaml');
    await writeFile(
      cfg,
      `Global:\n  accessKeyID: ${creds.accessKeyId}\n  accessKeySecret: ${creds.accessKeySecret}\n  vpcID: not-a-vpc\n`,
    );
    const cfgRun = await runToExit(
      [
        '--cloud-config',
        cfg,
        '--kubeconfig',
        c.kubeconfigPath,
        '--port=0',
        '--secure-port=0',
        '--bind-address=127.0.0.1',
      ],
      {},
      15_000,
    );
    texts.push({ source: 'config error', text: cfgRun.output });
    const driverEnv = c.processEnv({
      ALICLOUD_FLEXVOLUME_STATE_DIR: join(c.dir, 'flex-state'),
      ALICLOUD_FLEXVOLUME_LOG: join(c.dir, 'flex.log'),
      ALICLOUD_FLEXVOLUME_ATTACH_TIMEOUT_MS: '2000',
    });
    const driverCalls = [
      ['attach', JSON.stringify({ volumeId: 'd-doesnotexist' }), 'node-0'],
      ['detach', 'd-doesnotexist', 'node-0'],
      ['isattached', JSON.stringify({ volumeId: 'd-doesnotexist' }), 'node-0'],
    ];
    const runs = await mapLimit(driverCalls, 3, (args) => runDriver(args, driverEnv));
    runs.forEach((r, i) => texts.push({ source: `driver ${driverCalls[i]![0]}`, text: r.stdout + r.stderr }));
    const wrongDriver = await runDriver(driverCalls[0]!, {
      ...driverEnv,
      ALIYUN_ACCESS_KEY_SECRET: wrong.accessKeySecret,
    });
    texts.push({ source: 'driver with a wrong secret', text: wrongDriver.stdout + wrongDriver.stderr });

    // Let the storm's retries and Events play out (the bad-annotation Services never converge).
    await sleep(z.settleMs);
    texts.push({ source: 'metrics', text: await (await fetch(`${url}/metrics`)).text() });
    texts.push({ source: 'manager log', text: m.lines.join('\n') });
    texts.push({ source: 'wrong-secret manager log', text: bad.lines.join('\n') });
    const events = c.kube.store.list('events');
    texts.push({ source: 'Events', text: JSON.stringify(events) });
    texts.push({
      source: 'Services/Nodes/PVs',
      text: JSON.stringify([
        ...c.kube.store.list('services'),
        ...c.kube.store.list('nodes'),
        ...c.kube.store.list('persistentvolumes'),
      ]),
    });
    try {
      const { readFile } = await import('node:fs/promises');
      texts.push({ source: 'driver log file', text: await readFile(join(c.dir, 'flex.log'), 'utf8') });
    } catch {
      // no log written
    }

    const needles = [creds.accessKeyId, creds.accessKeySecret, wrong.accessKeySecret];
    const hits: string[] = [];
    let lines = 0;
    for (const t of texts) {
      for (const line of t.text.split('\n')) {
        lines++;
        for (const n of needles) if (line.includes(n)) hits.push(`${t.source}: ${line.slice(0, 200)}`);
      }
    }
    checks.list('credential hits', hits);
    checks.that(m.lines.length > 20 && events.length > 0, 'too little output to prove anything');
    checks.that(
      sigErrors > 0 && logged(),
      `the wrong secret produced no logged signature error to scan (${sigErrors} refused calls): ${bad.tail(4)}`,
    );
    checks.that(!m.crashed, `the controller-manager exited: ${m.tail()}`);
    return {
      figures: {
        'lines scanned': lines,
        'log lines (manager)': m.lines.length + bad.lines.length,
        Events: events.length,
        'metrics bytes': texts.find((t) => t.source === 'metrics')!.text.length,
        'calls refused for the wrong secret': sigErrors,
        'credential hits': hits.length,
      },
      failures: checks.failures,
    };
  },
};
