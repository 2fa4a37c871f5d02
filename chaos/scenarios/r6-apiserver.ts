// R6: apiserver trouble — watches dropped, 410 Gone on resume, failing requests (so relists fail),
// and the apiserver process restarted from its state file — while Services come and go. Caches must
// recover (new work converges, a later Node removal is seen) and nothing may be deleted spuriously:
// every destructive cloud call in the trouble window is explained by a Service we deleted.
import type { CallRecord } from '../../emulators/alicloud/index.js';
import { waitConverged } from '../lib/audit.js';
import { ChaosCluster } from '../lib/cluster.js';
import { ManagerProcess } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { Checks, sleep, type Scenario } from '../lib/scenario.js';
import { Workload } from '../lib/workload.js';

const SIZES = {
  full: { services: 30, nodes: 5, rounds: 3, convergeMs: 90_000 },
  short: { services: 8, nodes: 3, rounds: 1, convergeMs: 40_000 },
};
const DESTRUCTIVE = /^(Delete|Remove|Release|Detach)/;

export const r6: Scenario = {
  id: 'R6',
  title: 'apiserver trouble (dropped watches, 410 Gone, failed lists, restart)',
  limitMs: { full: 240_000, short: 80_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const checks = new Checks();
    const c = await ChaosCluster.start({ nodes: z.nodes });
    ctx.defer(() => c.close());
    const m = new ManagerProcess(c.managerArgs(['--leader-elect=false']), c.processEnv(), 'manager');
    ctx.defer(() => m.kill('SIGKILL').then(() => undefined));
    await m.listening;
    const w = new Workload(c, rng(ctx.seed + 6));
    for (let i = 0; i < z.services; i++) w.createService();
    const first = await waitConverged(c, z.convergeMs);
    checks.that(
      first.converged,
      `initial services did not converge: ${first.result.problems.slice(0, 4).join('; ')}`,
    );
    const nodesBefore = c.kube.store.list('nodes').length;
    const lbOf = (name: string) => {
      const uid = c.kube.store.get('services', name, 'default')?.metadata.uid ?? '';
      const key = ('a' + uid.replace(/-/g, '')).slice(0, 32);
      return Object.values(c.cloud.state.loadBalancers).find((lb) =>
        lb.Tags.some((t) => t.Key === 'kubernetes.do.not.delete' && t.Value === key),
      )?.LoadBalancerId;
    };
    const deletedLbs = new Set<string>();
    const deleteOne = () => {
      const n = w.pick(w.live);
      if (!n) return;
      const lb = lbOf(n);
      if (lb) deletedLbs.add(lb);
      w.deleteService(n);
    };
    const marker = c.cloud.calls().length;
    const groupLb = new Map(
      Object.values(c.cloud.state.vserverGroups).map((g) => [g.VServerGroupId, g.LoadBalancerId]),
    );
    let faults = 0;

    for (let round = 0; round < z.rounds; round++) {
      // Dropped watches (the informers resume from their resourceVersion).
      for (let i = 0; i < 3; i++) {
        c.kube.faults.dropWatches();
        faults++;
        w.createService();
        await sleep(300);
      }
      // 410 Gone on resume: a full relist.
      c.kube.faults.forceGoneOnNextWatch();
      c.kube.faults.dropWatches();
      faults += 2;
      deleteOne();
      await sleep(500);
      // Requests fail for a while: relists fail; a Node missing from a failed list is not gone.
      c.kube.faults.failNextRequests(25, 500);
      c.kube.faults.dropWatches();
      faults += 2;
      await sleep(1500);
      // The apiserver goes away and comes back from its state file.
      await c.restartKube(1500);
      faults++;
      w.createService();
      deleteOne();
      await sleep(500);
    }
    const conv = await waitConverged(c, z.convergeMs, 250, () =>
      m.crashed ? `the controller-manager crashed: ${m.tail()}` : undefined,
    );
    checks.that(
      conv.converged,
      `not converged after the trouble: ${conv.result.problems.slice(0, 5).join('; ')}`,
    );

    // Every destructive call since the trouble began must belong to an SLB of a deleted Service.
    const windowCalls: CallRecord[] = c.cloud.calls().slice(marker);
    for (const g of Object.values(c.cloud.state.vserverGroups))
      groupLb.set(g.VServerGroupId, g.LoadBalancerId);
    const explained = (x: CallRecord): boolean => {
      if (x.params.LoadBalancerId) return deletedLbs.has(x.params.LoadBalancerId);
      if (x.params.VServerGroupId) {
        const lb = groupLb.get(x.params.VServerGroupId);
        // Unknown = created and deleted inside the window, i.e. of a Service created and deleted there.
        return lb === undefined || deletedLbs.has(lb);
      }
      return false;
    };
    const spurious = windowCalls.filter(
      (x) => DESTRUCTIVE.test(x.action) && x.code === 'Success' && !explained(x),
    );
    checks.list(
      'spurious destructive cloud calls',
      spurious.map((x) => `${x.action}(${JSON.stringify(x.params).slice(0, 120)})`),
    );

    const nodesAfter = c.kube.store.list('nodes').length;
    checks.that(nodesAfter === nodesBefore, `Nodes went from ${nodesBefore} to ${nodesAfter}`);
    // Caches recovered: a Node removed now is seen (its route and backends go), and everything converges.
    const leaver = c.seats[z.nodes - 1]!.name;
    c.deleteNode(leaver);
    const after = await waitConverged(c, z.convergeMs);
    checks.that(
      after.converged,
      `after the trouble a Node removal did not converge: ${after.result.problems.slice(0, 5).join('; ')}`,
    );
    checks.that(!m.crashed, `the controller-manager exited: ${m.tail()}`);
    return {
      figures: {
        'apiserver faults injected': faults,
        'apiserver restarts': z.rounds,
        'services created/deleted': `${w.ops.creates}/${w.ops.deletes}`,
        'convergence after trouble (ms)': conv.ms,
        'Nodes before/after trouble': `${nodesBefore}/${nodesAfter}`,
        'spurious deletes': spurious.length,
        'convergence after Node removal (ms)': after.ms,
        'manager crashes': m.crashed ? 1 : 0,
      },
      failures: checks.failures,
    };
  },
};
