// R3: two replicas with leader election while Services keep coming and going; the leader is
// SIGKILLed again and again (and a fresh replica started in its place). Every takeover must happen
// within the lease duration (plus one retry period and scheduling slack), the new leader must act,
// and the emulator's call log must show no cloud write by anyone but the lease holder of that instant.
import { audit, waitConverged } from '../lib/audit.js';
import { ChaosCluster } from '../lib/cluster.js';
import { callFigures, isWrite } from '../lib/faults.js';
import { LeaseHistory } from '../lib/leases.js';
import { ManagerProcess } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { Checks, sleep, type Scenario } from '../lib/scenario.js';
import { Workload } from '../lib/workload.js';

const SIZES = {
  full: { kills: 10, nodes: 3, convergeMs: 90_000 },
  short: { kills: 2, nodes: 2, convergeMs: 40_000 },
};
const LEASE_MS = 2000;
const RETRY_MS = 250;

export const r3: Scenario = {
  id: 'R3',
  title: 'failover (two replicas, leader killed repeatedly)',
  limitMs: { full: 300_000, short: 80_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const checks = new Checks();
    const random = rng(ctx.seed + 3);
    const c = await ChaosCluster.start({ nodes: z.nodes });
    ctx.defer(() => c.close());
    const leases = new LeaseHistory(() => c.kube.url);
    leases.start();
    ctx.defer(() => leases.stop());
    const args = c.managerArgs([
      `--leader-elect-lease-duration=${LEASE_MS}ms`,
      '--leader-elect-renew-deadline=1500ms',
      `--leader-elect-retry-period=${RETRY_MS}ms`,
    ]);
    const replicas: ManagerProcess[] = [];
    ctx.defer(async () => void (await Promise.all(replicas.map((r) => r.kill('SIGKILL')))));
    const spawnReplica = async () => {
      const r = new ManagerProcess(args, c.processEnv(), `replica-${replicas.length}`);
      replicas.push(r);
      await r.listening;
      return r;
    };
    await Promise.all([spawnReplica(), spawnReplica()]);
    const holder = () =>
      (c.kube.store.get('leases', 'ccm', 'kube-system') as { spec?: { holderIdentity?: string } } | undefined)
        ?.spec?.holderIdentity;
    const until = async <T>(what: string, f: () => T | undefined, ms: number): Promise<T> => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) {
        const v = f();
        if (v !== undefined) return v;
      }
      throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    };

    // Background load so every leader has cloud writes to make.
    const w = new Workload(c, random);
    let loading = true;
    const load = (async () => {
      while (loading) {
        if (w.live.size < 6 || random() < 0.6) w.createService();
        else w.deleteService(w.pick(w.live)!);
        await sleep(200);
      }
    })();

    const takeovers: number[] = [];
    const firstActs: number[] = [];
    for (let k = 0; k < z.kills; k++) {
      const leaderId = await until('a leader', holder, 10_000);
      const leader = await until(
        'the leader process',
        () => replicas.find((r) => r.alive && r.identity() === leaderId),
        5000,
      );
      // Let it lead (and write) for a while, then kill it at a random moment.
      await until(
        'the leader writes',
        () => (c.cloud.calls().some((x) => x.caller === leaderId && isWrite(x)) ? true : undefined),
        20_000,
      );
      await sleep(200 + Math.floor(random() * 800));
      const killedAt = Date.now();
      await leader.kill('SIGKILL');
      const next = await until(
        'a new leader',
        () => {
          const h = holder();
          return h && h !== leaderId ? h : undefined;
        },
        LEASE_MS * 4 + 5000,
      );
      const tenure = await until('its tenure', () => leases.tenures.find((t) => t.holder === next), 2000);
      takeovers.push(tenure.acquiredAt - killedAt);
      const act = await until(
        'the new leader acts',
        () =>
          c.cloud
            .calls()
            .find((x) => x.caller === next && isWrite(x) && Date.parse(x.time) >= tenure.acquiredAt),
        20_000,
      );
      firstActs.push(Date.parse(act.time) - killedAt);
      ctx.log(
        `    kill ${k + 1}: new leader after ${tenure.acquiredAt - killedAt} ms, first cloud write after ${Date.parse(act.time) - killedAt} ms`,
      );
      await spawnReplica();
    }
    loading = false;
    await load;

    const conv = await waitConverged(c, z.convergeMs);
    checks.that(
      conv.converged,
      `not converged after the failovers: ${conv.result.problems.slice(0, 5).join('; ')}`,
    );
    w.deleteAll();
    const gone = await waitConverged(c, z.convergeMs);
    checks.that(
      gone.converged,
      `not converged after deleting everything: ${gone.result.problems.slice(0, 5).join('; ')}`,
    );
    const final = audit(c);
    checks.that(
      final.counts.ownedSlbs === 0 && final.counts.vgroups === 0,
      `left behind: ${final.counts.ownedSlbs} SLBs, ${final.counts.vgroups} VServer groups`,
    );

    const calls = c.cloud.calls();
    const violations = leases.violations(calls);
    checks.list('cloud writes by a non-leader', violations);
    const bound = LEASE_MS + 2 * RETRY_MS + 1000;
    checks.list(`takeovers slower than ${bound} ms`, takeovers.filter((t) => t > bound).map(String));
    const crashed = replicas.filter((r) => r.crashed);
    checks.that(crashed.length === 0, `a replica exited on its own: ${crashed[0]?.tail() ?? ''}`);
    const writes = calls.filter(isWrite);
    return {
      figures: {
        'leader kills': z.kills,
        'distinct leaders': new Set(leases.tenures.map((t) => t.holder)).size,
        'takeover after kill (ms, max)': Math.max(...takeovers),
        'first write after kill (ms, max)': Math.max(...firstActs),
        'lease duration (ms)': LEASE_MS,
        'services created/deleted': `${w.ops.creates}/${w.ops.deletes}`,
        'cloud calls': callFigures(calls).calls,
        'cloud writes audited': writes.length,
        'writes by a non-leader': violations.length,
        'leaks found': final.leaks.length + gone.result.leaks.length,
      },
      failures: checks.failures,
    };
  },
};
