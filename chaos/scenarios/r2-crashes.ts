// R2: the controller-manager is SIGKILLed at random moments of a create/delete storm and restarted
// each time, while a modest share of cloud calls fails too (a restart must cope with both);
// afterwards the same audit as R1 (all converged, nothing duplicated, nothing leaked).
import { ChaosCluster } from '../lib/cluster.js';
import { startCloudFaults } from '../lib/faults.js';
import { ManagerProcess } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { sleep, type Scenario } from '../lib/scenario.js';
import { runStorm } from '../lib/storm.js';

const SIZES = {
  full: { services: 120, pvcs: 12, nodes: 4, churn: 1, kills: 50, pauseMs: 400, convergeMs: 180_000 },
  short: { services: 16, pvcs: 3, nodes: 3, churn: 1, kills: 5, pauseMs: 300, convergeMs: 45_000 },
};

/** Cloud faults stay modest here: the crashes are the subject; the faults make restarts meet them. */
const FAULT_RATE = 0.05;

export const r2: Scenario = {
  id: 'R2',
  title: 'crashes (SIGKILL at random moments, restart)',
  limitMs: { full: 420_000, short: 90_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const random = rng(ctx.seed + 2);
    const c = await ChaosCluster.start({ nodes: z.nodes, spareInstances: z.churn });
    ctx.defer(() => c.close());
    let m: ManagerProcess | undefined;
    const crashes: string[] = [];
    const start = async () => {
      m = new ManagerProcess(c.managerArgs(['--leader-elect=false']), c.processEnv(), 'manager');
      await m.listening;
    };
    ctx.defer(async () => void (await m?.kill('SIGKILL')));
    await start();
    const faults = startCloudFaults(c.cloud, FAULT_RATE, ctx.seed + 2);
    ctx.defer(() => faults.stop());
    let kills = 0;
    const total = z.services + 2 * Math.floor(z.services / 3) + z.pvcs + Math.floor(z.pvcs / 2) + 2 * z.churn;
    // Kill points spread over the storm's operations, plus ones while it converges afterwards.
    const during = Math.ceil(z.kills * 0.6);
    const points = new Set<number>();
    while (points.size < Math.min(during, total)) points.add(Math.floor(random() * total));
    const killAndRestart = async () => {
      if (m?.crashed) crashes.push(m.tail());
      // A random moment: let the manager work for a little while after the last event first.
      await sleep(Math.floor(random() * z.pauseMs));
      await m!.kill('SIGKILL');
      kills++;
      await start();
    };
    const out = await runStorm(c, ctx, {
      services: z.services,
      pvcs: z.pvcs,
      nodeChurn: z.churn,
      initialNodes: z.nodes,
      convergeMs: z.convergeMs,
      pace: async (i) => {
        if (points.has(i)) await killAndRestart();
        else if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      },
      beforeConverge: async () => {
        while (kills < z.kills) await killAndRestart();
      },
      abort: () => (m?.crashed ? `the controller-manager crashed: ${m.tail()}` : undefined),
    });
    faults.stop();
    out.checks.that(crashes.length === 0, `the controller-manager exited on its own: ${crashes[0] ?? ''}`);
    out.checks.that(kills >= z.kills, `only ${kills} kills`);
    return {
      figures: {
        SIGKILLs: kills,
        'cloud fault rate': `${FAULT_RATE * 100} %`,
        ...out.figures,
        crashes: crashes.length,
      },
      failures: out.checks.failures,
    };
  },
};
