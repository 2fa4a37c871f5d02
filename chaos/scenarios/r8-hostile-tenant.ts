// R8 "hostile tenant" (issue #14): a user with rights only in namespace team-b replays every
// attack of the hostile tables plus seeded variations — team-a's listeners and VServer groups on
// a shared SLB, SLB ids never opened to team-b, forged reserved tags (against the real
// controller-manager process; verdicts are the Events it writes), foreign disks in inline volumes
// and static PVs, volume names that look like disk ids, disks on stopped outsiders (against the
// real bundled driver; verdicts are its replies), hostile podCIDRs (against the real hostroutes
// reconciler, in a network namespace when root), and /metrics without or with the wrong
// credentials (against the manager's secure port). Each must get its specific refusal, and every
// cloud object that is not the attacker's must come out byte for byte as it went in, with no
// write call ever naming one.
import { join } from 'node:path';
import { createCloud } from '../../src/cloud/index.js';
import { diskRecord, type Disk } from '../../emulators/alicloud/index.js';
import { parseCidr } from '../../src/util/ipv4.js';
import { createMetrics } from '../../src/hostroutes/metrics.js';
import { Reconciler } from '../../src/hostroutes/reconciler.js';
import { createLogger, silentLogger } from '../../src/util/log.js';
import { ChaosCluster } from '../lib/cluster.js';
import { runDriver } from '../lib/driver.js';
import {
  DISK_ATTACKS,
  replayDiskAttacks,
  type DiskAttack,
  type DiskAttackWorld,
  type PreparedAttack,
} from '../lib/hostile-disks.js';
import {
  metricsAttempts,
  metricsVariations,
  replayMetricsAttempt,
  seedMetricsIdentities,
  get,
  looksLikeMetrics,
  type Endpoints,
} from '../lib/hostile-metrics.js';
import { replayRouteAttack, ROUTE_ARENA, ROUTE_ATTACKS, type RouteAttack } from '../lib/hostile-routes.js';
import {
  ATTACKER_NS,
  replaySlbAttack,
  seedVictims,
  SLB_ATTACKS,
  snapshotVictims,
  type SlbArena,
  type SlbAttack,
  type Victims,
} from '../lib/hostile-slb.js';
import { diskVariations, routeVariations, slbVariations } from '../lib/hostile-variations.js';
import { ManagerProcess } from '../lib/process.js';
import { rng } from '../lib/rng.js';
import { modelArena, openRouteArena } from '../lib/route-arena.js';
import { Checks, sleep, type Scenario } from '../lib/scenario.js';

/** The short variant keeps one or more of every family; the full one replays every table entry. */
const SHORT_DISKS = [
  'inline-foreign-disk',
  'inline-other-cluster-disk',
  'inline-foreign-disk-on-stopped-instance',
  'own-disk-on-stopped-non-node',
  'static-pv-foreign-disk',
  'detach-name-is-disk-id',
  'detach-unique-name-is-disk-id',
];
const SHORT_SLB = [0, 4, 6, 7, 3];

const SIZES = {
  full: {
    diskVariations: 12,
    slbVariations: 8,
    routeVariations: 16,
    metricsVariations: 8,
    shortTables: false,
  },
  short: { diskVariations: 2, slbVariations: 2, routeVariations: 6, metricsVariations: 3, shortTables: true },
};

const PROTO = 200;
const WRITE =
  /^(Create|Delete|Modify|Set|Add|Remove|Attach|Detach|Tag|Untag|Start|Stop|Update|Associate|Unassociate|Reset|Resize|Replace)/;

interface FamilyTally {
  attempts: number;
  refused: number;
}

export const r8: Scenario = {
  id: 'R8',
  title: 'hostile tenant: nothing a namespace user writes reaches what is not theirs',
  limitMs: { full: 300_000, short: 90_000 },
  async run(size, ctx) {
    const z = SIZES[size];
    const checks = new Checks();
    const r = rng(ctx.seed + 8);
    const tally: Record<string, FamilyTally> = {};
    const count = (family: string, ok: boolean) => {
      const t = (tally[family] ??= { attempts: 0, refused: 0 });
      t.attempts++;
      if (ok) t.refused++;
    };

    // The world: two Nodes, one running and one stopped instance that are no Node of this cluster.
    const c = await ChaosCluster.start({ nodes: 2, spareInstances: 2 });
    ctx.defer(() => c.close());
    const outsider = c.seats[2]!.instanceId;
    const stopped = c.seats[3]!.instanceId;
    c.cloud.state.instances[stopped]!.Status = 'Stopped';

    // The real manager: the Service controller only (the other controllers' periodic calls would
    // blur "settled"), /metrics behind delegated authn/authz, a plain-HTTP port for the probes.
    const args = c
      .managerArgs(['--leader-elect=false'])
      .map((a) =>
        a === '--controllers=*'
          ? '--controllers=service'
          : a.startsWith('--authorization-always-allow-paths=')
            ? '--authorization-always-allow-paths=/healthz,/readyz,/livez'
            : a,
      );
    const m = new ManagerProcess(args, c.processEnv(), 'manager');
    ctx.defer(() => m.kill('SIGKILL').then(() => undefined));
    await m.listening;
    const endpoints = listeningUrls(m.lines);

    // Victims: team-a's Services and the operator's hand-made SLBs (shared, private, closed).
    const operator = createCloud(
      {
        region: c.region,
        endpoints: { ecs: c.cloud.url, vpc: c.cloud.url, slb: c.cloud.url },
        accessKeyId: c.credentials.accessKeyId,
        accessKeySecret: c.credentials.accessKeySecret,
        callerIdentity: 'r8-account-owner',
        qps: { ecs: 0, vpc: 0, slb: 0 },
        logger: createLogger('r8-operator', { level: 'silent' }),
      },
      { env: {} },
    );
    ctx.defer(() => operator.close());
    const arena: SlbArena = {
      state: c.cloud.state,
      store: c.kube.store,
      operator: operator.slb,
      clusterId: c.clusterId,
      vSwitchId: Object.values(c.cloud.state.vswitches).find((v) => v.VpcId === c.vpcId)!.VSwitchId,
      settle: () => settleSlb(c),
    };
    const victims = await seedVictims(arena);

    // Every disk attack's disk is placed before anything runs, so one snapshot covers them all.
    const world: DiskAttackWorld = {
      clusterId: c.clusterId,
      nodeName: c.seats[0]!.name,
      nodeInstanceId: c.seats[0]!.instanceId,
      foreignInstanceId: outsider,
      stoppedForeignInstanceId: stopped,
      addDisk: (extra) => addDisk(c, r, extra),
    };
    const diskTable = z.shortTables ? DISK_ATTACKS.filter((a) => SHORT_DISKS.includes(a.id)) : DISK_ATTACKS;
    const diskAttacks = [...diskTable, ...diskVariations(r, z.diskVariations)];
    const prepared = new Map<string, PreparedAttack>(diskAttacks.map((a) => [a.id, a.prepare(world)]));
    const victimDisks = [...prepared.values()].flatMap((p) => p.protect);
    const slbAttacks: SlbAttack[] = [
      ...(z.shortTables ? SHORT_SLB.map((i) => SLB_ATTACKS[i]!) : SLB_ATTACKS),
      ...slbVariations(r, z.slbVariations),
    ];
    const routeAttacks: RouteAttack[] = [...ROUTE_ATTACKS, ...routeVariations(r, z.routeVariations)];
    const tokens = seedMetricsIdentities(c.kube, r);
    const metrics = [...metricsAttempts(tokens), ...metricsVariations(tokens, r, z.metricsVariations)];

    // Everything not the attacker's, and every id a write call must never name.
    await settleSlb(c);
    const victimGroups = Object.values(c.cloud.state.vserverGroups)
      .filter(
        (g) =>
          [victims.shared, victims.privateToA, victims.closed, victims.owned].includes(g.LoadBalancerId) &&
          !g.VServerGroupName.split('/').includes(ATTACKER_NS),
      )
      .map((g) => g.VServerGroupId);
    const snapshot = () => worldSnapshot(c, arena, victims, victimDisks);
    const before = snapshot();
    c.cloud.clearCalls();
    // The shared SLB is open to team-b: writes may name it for team-b's own listeners (the
    // snapshot judges its content); every other victim id must never appear in a write.
    const untouchable = new Set([
      victims.privateToA,
      victims.closed,
      victims.owned,
      ...victimGroups,
      ...victimDisks,
    ]);

    // Disks (driver processes) and SLBs (manager process) run side by side; they share nothing.
    const driverEnv = c.processEnv({
      ALICLOUD_CLUSTER_ID: c.clusterId,
      ALICLOUD_FLEXVOLUME_MODE: 'central',
      ALICLOUD_FLEXVOLUME_STATE_DIR: join(c.dir, 'flex-state'),
      ALICLOUD_FLEXVOLUME_LOG: join(c.dir, 'flex.log'),
      ALICLOUD_FLEXVOLUME_ATTACH_TIMEOUT_MS: '5000',
    });
    const diskRun = (async () => {
      const ready: DiskAttack[] = diskAttacks.map((a) => ({ ...a, prepare: () => prepared.get(a.id)! }));
      const outcomes = await replayDiskAttacks(
        world,
        async (argv) => {
          const run = await runDriver(argv, driverEnv);
          try {
            return JSON.parse(run.stdout) as { status?: string; message?: string };
          } catch {
            return { status: '?', message: `not one JSON reply: ${(run.stdout + run.stderr).slice(0, 160)}` };
          }
        },
        (id) => JSON.stringify(c.cloud.state.disks[id] ?? null),
        ready,
      );
      for (const o of outcomes) {
        count('disks', o.ok);
        if (!o.ok) checks.failures.push(`disk attack ${o.id}: ${o.problem}`);
      }
    })();
    const slbRun = (async () => {
      for (const a of slbAttacks) {
        const o = await replaySlbAttack(arena, victims, a);
        count('SLBs', o.problems.length === 0);
        if (o.problems.length) checks.failures.push(`SLB attack "${a.name}": ${o.problems.join('; ')}`);
      }
    })();

    // hostroutes and /metrics meanwhile (in-process reconciler, HTTPS requests to the manager).
    const routeRun = replayRoutes(routeAttacks, checks, count);
    const metricsRun = (async () => {
      const control = await get(endpoints.secureUrl, '/metrics', {
        Authorization: `Bearer ${tokens.reader}`,
      });
      checks.that(
        control.status === 200 && looksLikeMetrics(control.body),
        `control: the cluster-wide metrics reader got ${control.status}, not the metrics text (the refusals below prove nothing)`,
      );
      for (const a of metrics) {
        const o = await replayMetricsAttempt(endpoints, a);
        count('/metrics', o.problems.length === 0);
        checks.failures.push(...o.problems.map((p) => `/metrics attempt ${p}`));
      }
    })();
    const [, , routeInfo] = await Promise.all([diskRun, slbRun, routeRun, metricsRun]);

    await settleSlb(c);
    const after = snapshot();
    if (before !== after)
      checks.failures.push(`resources outside the attacker's changed: ${firstDifference(before, after)}`);
    const touching = c.cloud
      .calls()
      .filter(
        (x) =>
          WRITE.test(x.action) &&
          Object.values(x.params).some((v) =>
            [...untouchable].some((id) => v === id || v.includes(`"${id}"`)),
          ),
      )
      .map((x) => `${x.action} by ${x.caller ?? '?'}`);
    checks.list('write calls naming a victim', touching);
    // team-a's Services were never disturbed into a Warning.
    const teamAWarnings = c.kube.store
      .list('events', { namespace: 'team-a' })
      .map((e) => e as { type?: string; reason?: string; message?: string })
      .filter((e) => e.type === 'Warning')
      .map((e) => `${e.reason}: ${e.message}`);
    checks.list("Warnings on team-a's Services", teamAWarnings);
    checks.that(!m.crashed, `the controller-manager exited: ${m.tail()}`);
    if (routeInfo.kind === 'model' && process.env.CI === 'true')
      checks.failures.push(`hostroutes ran against the written-down kernel under CI: ${routeInfo.why}`);

    const attempts = Object.values(tally).reduce((s, t) => s + t.attempts, 0);
    const refused = Object.values(tally).reduce((s, t) => s + t.refused, 0);
    checks.that(attempts >= (size === 'full' ? 30 : 20), `only ${attempts} attempts were replayed`);
    return {
      figures: {
        'attempts: disks/SLBs/podCIDRs/metrics': ['disks', 'SLBs', 'podCIDRs', '/metrics']
          .map((f) => tally[f]?.attempts ?? 0)
          .join('/'),
        'refused as expected': `${refused}/${attempts}`,
        'hostroutes kernel':
          routeInfo.kind === 'netns' ? 'network namespace' : `written-down (${routeInfo.why})`,
        'victim snapshot bytes': before.length,
        'victims unchanged': before === after ? 'yes' : 'NO',
        'writes naming a victim': touching.length,
      },
      failures: checks.failures,
    };
  },
};

/** The manager's `listening` line names its secure and plain-HTTP URLs. */
function listeningUrls(lines: readonly string[]): Endpoints {
  for (const l of lines) {
    try {
      const ev = JSON.parse(l) as { event?: string; secureUrl?: string; insecureUrl?: string };
      if (ev.event === 'listening' && ev.secureUrl)
        return { secureUrl: ev.secureUrl, ...(ev.insecureUrl ? { insecureUrl: ev.insecureUrl } : {}) };
    } catch {
      // a log line
    }
  }
  throw new Error('the controller-manager named no secure URL in its listening line');
}

/** The Service controller is idle: no SLB call for three polls in a row. */
async function settleSlb(c: ChaosCluster): Promise<void> {
  const slbCalls = () => c.cloud.calls().filter((x) => x.product === 'Slb').length;
  let last = -1;
  for (let same = 0; same < 3;) {
    await sleep(150);
    const n = slbCalls();
    same = n === last ? same + 1 : 0;
    last = n;
  }
}

/** A data disk straight into the emulator's state (the account owner made it; no API call to log). */
function addDisk(c: ChaosCluster, r: () => number, extra: Partial<Disk>): string {
  const id = `d-${Array.from({ length: 20 }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 36)]).join('')}`;
  c.cloud.state.disks[id] = diskRecord(c.cloud.state, {
    DiskId: id,
    ZoneId: c.zoneId,
    Category: 'cloud_essd',
    PerformanceLevel: 'PL1',
    ...extra,
  });
  return id;
}

/** Exact JSON of everything not the attacker's: victim SLBs and groups, disks, instances, routes. */
function worldSnapshot(c: ChaosCluster, arena: SlbArena, victims: Victims, disks: string[]): string {
  const s = c.cloud.state;
  return JSON.stringify(
    {
      slb: JSON.parse(snapshotVictims(arena, victims)) as unknown,
      disks: disks.map((id) => s.disks[id] ?? null),
      instances: Object.keys(s.instances)
        .sort()
        .map((id) => s.instances[id]),
      routes: Object.keys(s.routeEntries)
        .sort()
        .map((id) => s.routeEntries[id]),
    },
    null,
    1,
  );
}

/**
 * Every podCIDR attack against the real Reconciler. In a namespace, one reconciler and one kernel
 * for all, whose tables must stay exactly as the honest pass left them; on the written-down
 * kernel (which never changes) a fresh one per attack, which must send only the honest route.
 */
async function replayRoutes(
  attacks: readonly RouteAttack[],
  checks: Checks,
  count: (f: string, ok: boolean) => void,
): Promise<{ kind: 'netns' | 'model'; why?: string }> {
  const cluster = [parseCidr(ROUTE_ARENA.clusterCIDR)!];
  const reconciler = (table: Parameters<typeof newReconciler>[0]) => newReconciler(table, cluster);
  const arena = await openRouteArena();
  try {
    if (arena.kind === 'netns') {
      const rec = reconciler(arena.table);
      await rec.sync([ROUTE_ARENA.self, ROUTE_ARENA.peer]);
      const baseline = await arena.snapshot();
      checks.that(
        baseline.includes(ROUTE_ARENA.peer.podCIDRs[0]!),
        `control: the honest peer's route ${ROUTE_ARENA.peer.podCIDRs[0]} was not programmed`,
      );
      for (const a of attacks) {
        const problems = await replayRouteAttack(rec, a);
        if ((await arena.snapshot()) !== baseline) problems.push(`${a.podCIDR}: the routing tables changed`);
        count('podCIDRs', problems.length === 0);
        checks.failures.push(...problems.map((p) => `podCIDR attack "${a.name}": ${p}`));
      }
      return { kind: 'netns' };
    }
    const honest = modelArena('');
    await reconciler(honest.table).sync([ROUTE_ARENA.self, ROUTE_ARENA.peer]);
    const baseline = await honest.snapshot();
    checks.that(
      baseline.includes(ROUTE_ARENA.peer.podCIDRs[0]!),
      `control: the honest peer's route ${ROUTE_ARENA.peer.podCIDRs[0]} was not sent`,
    );
    for (const a of attacks) {
      const k = modelArena('');
      const problems = await replayRouteAttack(reconciler(k.table), a);
      if ((await k.snapshot()) !== baseline) problems.push(`${a.podCIDR}: sent ${await k.snapshot()}`);
      count('podCIDRs', problems.length === 0);
      checks.failures.push(...problems.map((p) => `podCIDR attack "${a.name}": ${p}`));
    }
    return { kind: 'model', ...(arena.why ? { why: arena.why } : {}) };
  } finally {
    await arena.close();
  }
}

function newReconciler(
  table: ConstructorParameters<typeof Reconciler>[1],
  cluster: NonNullable<ReturnType<typeof parseCidr>>[],
): Reconciler {
  return new Reconciler(
    { nodeName: ROUTE_ARENA.self.name, protocol: PROTO, table: 'main', clusterCIDRs: cluster },
    table,
    createMetrics(),
    silentLogger,
  );
}

function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `${(x[i] ?? '').trim()} → ${(y[i] ?? '').trim()}`;
  return '(none)';
}
