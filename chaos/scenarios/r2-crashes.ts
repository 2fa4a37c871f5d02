// R2: the controller-manager is SIGKILLed at random moments of a create/delete storm and restarted
// each time; afterwards the same audit as R1 (all converged, nothing duplicated, nothing leaked).
import { ChaosCluster } from '../lib/cluster.js';
import { ManagerProcess } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { sleep, type Scenario } from '../lib/scenario.js';
import { runStorm } from '../lib/storm.js';

const SIZES = {
  full: { services: 120, pvcs: 12, nodes: 4, churn: 1, kills: 50, convergeMs: 180_000 },
  short: { services: 16, pvcs: 3, nodes: 3, churn: 1, kills: 5, convergeMs: 45_000 },
};

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
    let kills = 0;
    const total = z.services + 2 * Math.floor(z.services / 3) + z.pvcs + Math.floor(z.pvcs / 2) + 2 * z.churn;
    // Kill points spread over the storm's operations, plus ones while it converges afterwards.
    const during = Math.ceil(z.kills * 0.6);
    const points = new Set<number>();
    while (points.size < Math.min(during, total)) points.add(Math.floor(random() * total));
    const killAndRestart = async () => {
      if (m?.crashed) crashes.push(m.tail());
      // A random moment: let the manager work for 0–0.8 s after the last event first.
      await sleep(Math.floor(random() * 800));
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
    out.checks.that(crashes.length === 0, `the controller-manager exited on its own: ${crashes[0] ?? ''}`);
    out.checks.that(kills >= z.kills, `only ${kills} kills`);
    return { figures: { 'SIGKILLs': kills, ...out.figures, crashes: crashes.length }, failures: out.checks.failures };
  },
};
