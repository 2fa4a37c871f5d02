// R4: the account also holds SLBs, listeners, VServer groups, route entries and disks of nobody
// or of another cluster; after a storm (with some cloud faults) their stored JSON is unchanged
// byte for byte, and no write call ever named one of them.
import { ChaosCluster } from '../lib/cluster.js';
import { startCloudFaults } from '../lib/faults.js';
import { diffLines, seedForeign, snapshotForeign } from '../lib/foreign.js';
import { ManagerProcess } from '../lib/process.js';
import type { Scenario } from '../lib/scenario.js';
import { runStorm } from '../lib/storm.js';

const SIZES = {
  full: { services: 100, pvcs: 10, nodes: 4, churn: 2, convergeMs: 180_000 },
  short: { services: 12, pvcs: 3, nodes: 3, churn: 1, convergeMs: 45_000 },
};

export const r4: Scenario = {
  id: 'R4',
  title: 'foreign resources stay untouched',
  limitMs: { full: 300_000, short: 80_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const c = await ChaosCluster.start({ nodes: z.nodes, spareInstances: z.churn + 2 });
    ctx.defer(() => c.close());
    const foreignInstances = c.seats.slice(z.nodes + z.churn).map((s) => s.instanceId);
    const set = await seedForeign(c, foreignInstances);
    const before = snapshotForeign(c, set);
    c.cloud.clearCalls();
    const m = new ManagerProcess(c.managerArgs(['--leader-elect=false']), c.processEnv(), 'manager');
    ctx.defer(() => m.kill('SIGKILL').then(() => undefined));
    await m.listening;
    const faults = startCloudFaults(c.cloud, 0.1, ctx.seed + 4);
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
    const after = snapshotForeign(c, set);
    out.checks.list('foreign objects changed', diffLines(before, after));
    const ids = new Set([...set.loadBalancers, ...set.vgroups, ...set.routes, ...set.disks]);
    const touching = c.cloud
      .calls()
      .filter(
        (x) =>
          !/^Describe/.test(x.action) &&
          Object.values(x.params).some((v) => ids.has(v) || [...ids].some((id) => v.includes(`"${id}"`))),
      )
      .map(
        (x) =>
          `${x.action}(${Object.entries(x.params)
            .filter(([, v]) => [...ids].some((id) => v.includes(id)))
            .map(([k, v]) => `${k}=${v}`)
            .join(',')})`,
      );
    out.checks.list('write calls naming a foreign object', touching);
    out.checks.that(!m.crashed, `the controller-manager exited: ${m.tail()}`);
    return {
      figures: {
        'foreign SLBs/VServer groups/routes/disks': `${set.loadBalancers.length}/${set.vgroups.length}/${set.routes.length}/${set.disks.length}`,
        'foreign snapshot bytes': before.length,
        'foreign snapshot unchanged': before === after ? 'yes' : 'NO',
        'writes naming a foreign object': touching.length,
        ...out.figures,
      },
      failures: out.checks.failures,
    };
  },
};
