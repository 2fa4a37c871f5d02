// R1: 20 % of cloud calls fail (Throttling.User, ServiceUnavailable, HTTP 500, dropped
// connections, responses lost after the change) during a create/change/delete storm; everything
// converges with the faults still on, and the audit finds no duplicate and no leak.
import { ChaosCluster } from '../lib/cluster.js';
import { startCloudFaults } from '../lib/faults.js';
import { ManagerProcess } from '../lib/process.js';
import type { Scenario } from '../lib/scenario.js';
import { runStorm } from '../lib/storm.js';

const SIZES = {
  full: { services: 300, pvcs: 30, nodes: 6, churn: 2, convergeMs: 240_000 },
  short: { services: 20, pvcs: 4, nodes: 3, churn: 1, convergeMs: 45_000 },
};

export const r1: Scenario = {
  id: 'R1',
  title: 'cloud faults (20 % of calls fail)',
  limitMs: { full: 420_000, short: 80_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const c = await ChaosCluster.start({ nodes: z.nodes, spareInstances: z.churn });
    ctx.defer(() => c.close());
    const m = new ManagerProcess(c.managerArgs(['--leader-elect=false']), c.processEnv(), 'manager');
    ctx.defer(() => m.kill('SIGKILL').then(() => undefined));
    await m.listening;
    const faults = startCloudFaults(c.cloud, 0.2, ctx.seed);
    ctx.defer(() => faults.stop());
    const out = await runStorm(c, ctx, {
      services: z.services,
      pvcs: z.pvcs,
      nodeChurn: z.churn,
      initialNodes: z.nodes,
      convergeMs: z.convergeMs,
      abort: () => (m.crashed ? `the controller-manager crashed: ${m.tail()}` : undefined),
    });
    faults.stop();
    out.checks.that(!m.crashed, `the controller-manager exited: ${m.tail()}`);
    return { figures: { ...out.figures, crashes: m.crashed ? 1 : 0 }, failures: out.checks.failures };
  },
};
