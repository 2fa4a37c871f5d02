// NLB Service controller benchmarks, the NLB counterparts of bench/service.ts P1–P3. Numbers are
// printed with their targets; a miss exits 1.
//   P1  steady state: S NLB Services × N nodes, a full resync → cloud calls (target 0)
//   P2  one NLB Service with K ports on N nodes → writes to create vs the lower bound
//       (CreateLoadBalancer + per port CreateServerGroup, ⌈N/40⌉ AddServersToServerGroup, CreateListener)
//   P3  S NLB Services created at once, emulator at 20 QPS per action → time to every ingress vs
//       the throttle/async bound (GetJobStatus, one per job, is the busiest action: its count / QPS,
//       plus one Service's chain of asynchronous jobs measured alone; target ≤ 1.2×)
//   P8  one drift-check pass over D NLBs with nothing drifted → cloud calls (target: the bound
//       ⌈D/20⌉ batched ListLoadBalancers + the rotation's full reads × 4 calls each; no write)
//
// Run: npx tsx bench/nlb.ts [p1|p2|p3|p8 ...] [--services S] [--nodes N] [--ports K] [--p8-nlbs D]
// Defaults are small (S=100, N=50, K=4) so one run fits a shared machine; raise them to compare
// with bench/service.ts at its full sizes.
import { rotationSize } from '../src/controllers/nlb/diff/drift.js';
import { startNlbHarness, type NlbHarness } from '../test/controllers/nlb/harness.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = Number(i >= 0 ? process.argv[i + 1] : def);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer`);
  return n;
}
const S = arg('services', 100);
const N = arg('nodes', 50);
const K = arg('ports', 4);
const D = arg('p8-nlbs', 100);
/** NLB ids per ListLoadBalancers call (the API's `LoadBalancerIds` limit). */
const IDS_PER_CALL = 20;
/** A full read of a one-port NLB: find by tag, its listeners, our groups, the group's servers. */
const CALLS_PER_FULL_READ = 4;
/** Servers per AddServersToServerGroup call (the facade's batch, the CCM's cap). */
const BATCH = 40;
const QPS = 20;
const P = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

const rows: Array<{ metric: string; measured: string; target: string; pass: boolean }> = [];
const notes: string[] = [];

function svc(h: NlbHarness, name: string, ports: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', annotations: { [P + 'zone-maps']: h.zoneMaps } },
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'alibabacloud.com/nlb',
      selector: { app: name },
      ports: Array.from({ length: ports }, (_, i) => ({
        name: `p${i}`,
        protocol: 'TCP',
        port: 80 + i,
        targetPort: 8080 + i,
      })),
    },
  };
}

/** The emulator's default NLB quotas (60 NLBs, 100 groups per region) are below the bench sizes. */
function raiseQuotas(h: NlbHarness): void {
  const most = Math.max(S, D);
  Object.assign(h.cloudEmu.emu.state.nlb.config, {
    loadBalancersPerRegion: 2 * most + 10,
    serverGroupsPerRegion: 2 * most * K + 10,
  });
}

async function waitAll(h: NlbHarness, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = names.filter(
      (n) =>
        !(
          h.kube.emu.store.get('services', n, 'default') as
            { status?: { loadBalancer?: { ingress?: unknown[] } } } | undefined
        )?.status?.loadBalancer?.ingress?.length,
    );
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${missing.length} NLB Services still without ingress`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isWrite = (action: string) => !/^(Get|List|Describe)/.test(action);
function perAction(h: NlbHarness, filter: (a: string) => boolean): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of h.cloudEmu.emu.calls())
    if (c.product.toLowerCase() === 'nlb' && filter(c.action)) m.set(c.action, (m.get(c.action) ?? 0) + 1);
  return m;
}

async function p1(): Promise<void> {
  const h = await startNlbHarness({ nodes: N, workers: 16 });
  try {
    raiseQuotas(h);
    const names = Array.from({ length: S }, (_, i) => `p1-${i}`);
    for (const n of names) h.kube.emu.store.create('services', svc(h, n, 1));
    await waitAll(h, names, 900_000);
    while (h.controller.pending() > 0) await new Promise((r) => setTimeout(r, 50));
    h.cloudEmu.emu.clearCalls();
    const before = h.reports.length;
    for (const n of names) h.controller.queue.add(`default/${n}`);
    while (h.reports.length - before < S) await new Promise((r) => setTimeout(r, 20));
    const calls = h.cloudEmu.emu.calls().length;
    rows.push({
      metric: `P1 NLB cloud calls per full resync (${S} Services × ${N} nodes)`,
      measured: String(calls),
      target: '0',
      pass: calls === 0,
    });
  } finally {
    await h.stop();
  }
}

async function p2(): Promise<void> {
  const h = await startNlbHarness({ nodes: N });
  try {
    raiseQuotas(h);
    h.cloudEmu.emu.clearCalls();
    h.kube.emu.store.create('services', svc(h, 'p2', K));
    await waitAll(h, ['p2'], 120_000);
    while (h.controller.pending() > 0) await new Promise((r) => setTimeout(r, 50));
    const writes = [...perAction(h, isWrite).values()].reduce((a, b) => a + b, 0);
    const bound = 1 + K * (1 + Math.ceil(N / BATCH) + 1);
    rows.push({
      metric: `P2 NLB writes to create 1 Service, ${K} ports, ${N} nodes`,
      measured: String(writes),
      target: `≤ ${bound} (bound)`,
      pass: writes <= bound,
    });
    notes.push(
      `P2 all NLB calls (reads and job polls too): ${[...perAction(h, () => true)].map(([a, n]) => `${a}×${n}`).join(', ')}`,
    );
  } finally {
    await h.stop();
  }
}

async function p3(): Promise<void> {
  const h = await startNlbHarness({
    nodes: N,
    workers: 100,
    cloud: {
      qps: { ecs: 0, vpc: 0, slb: 0, nlb: 0 },
      actionQps: { nlb: QPS },
      retry: { maxAttempts: 8, deadlineMs: 60_000, baseDelayMs: 200, maxDelayMs: 5_000 },
    },
  });
  try {
    raiseQuotas(h);
    h.cloudEmu.emu.setFaults({ '*': { qps: QPS } });
    // One Service alone first: its create is a chain of asynchronous jobs whose latency no
    // parallelism removes; the last of S Services cannot finish earlier than that after its turn.
    const s0 = Date.now();
    h.kube.emu.store.create('services', svc(h, 'p3-solo', 1));
    await waitAll(h, ['p3-solo'], 120_000);
    const chain = (Date.now() - s0) / 1000;
    const names = Array.from({ length: S }, (_, i) => `p3-${i}`);
    const t0 = Date.now();
    for (const n of names) h.kube.emu.store.create('services', svc(h, n, 1));
    await waitAll(h, names, 4 * 3_600_000);
    const secs = (Date.now() - t0) / 1000;
    // Per Service: CreateServerGroup, ⌈N/40⌉ AddServersToServerGroup and CreateListener are jobs,
    // each needing at least one GetJobStatus — the busiest action under a per-action throttle.
    const jobsPerService = 2 + Math.ceil(N / BATCH);
    const bound = (S * jobsPerService) / QPS + chain;
    rows.push({
      metric: `P3 time to all NLB ingress (${S} Services × ${N} nodes, ${QPS} QPS/action)`,
      measured: `${secs.toFixed(1)} s`,
      target: `≤ ${(1.2 * bound).toFixed(1)} s (bound ${bound.toFixed(1)} s)`,
      pass: secs <= 1.2 * bound,
    });
    notes.push(
      `P3 bound = ${S}×${jobsPerService} GetJobStatus (one per job, the busiest action) / ${QPS} QPS + one Service's job chain alone (${chain.toFixed(1)} s)`,
    );
    notes.push(`P3 calls: ${[...perAction(h, () => true)].map(([a, n]) => `${a}×${n}`).join(', ')}`);
  } finally {
    await h.stop();
  }
}

/** Nothing queued or running and no new cloud call for three checks in a row. */
async function settle(h: NlbHarness): Promise<void> {
  let last = -1;
  for (let same = 0; same < 3;) {
    await new Promise((r) => setTimeout(r, 50));
    const mark = h.cloudEmu.emu.calls().length;
    same = h.controller.pending() === 0 && mark === last ? same + 1 : 0;
    last = mark;
  }
}

async function p8(): Promise<void> {
  // Servers do not change what a pass reads (one group read per port), so few nodes.
  const h = await startNlbHarness({ nodes: 3, workers: 16 });
  try {
    raiseQuotas(h);
    const names = Array.from({ length: D }, (_, i) => `p8-${i}`);
    for (const n of names) h.kube.emu.store.create('services', svc(h, n, 1));
    await waitAll(h, names, 900_000);
    await settle(h);
    // Two passes: the first after start-up has no fingerprints yet, the second is the steady one.
    const passes: Array<{ calls: number; batched: number; full: number; writes: number }> = [];
    for (let i = 0; i < 2; i++) {
      h.cloudEmu.emu.clearCalls();
      const report = await h.controller.drift.check();
      await settle(h);
      const calls = h.cloudEmu.emu.calls().filter((c) => c.product.toLowerCase() === 'nlb');
      passes.push({
        calls: calls.length,
        batched: report.batchedCalls,
        full: report.fullReads.size,
        writes: calls.filter((c) => isWrite(c.action)).length,
      });
    }
    const worst = Math.max(...passes.map((p) => p.calls));
    const bound = Math.ceil(D / IDS_PER_CALL) + rotationSize(D) * CALLS_PER_FULL_READ;
    rows.push({
      metric: `P8 NLB cloud calls per drift pass (${D} NLBs, nothing drifted)`,
      measured: `${worst} (${(worst / D).toFixed(3)}/NLB)`,
      target: `≤ ${bound} (⌈${D}/${IDS_PER_CALL}⌉ + ${rotationSize(D)}×${CALLS_PER_FULL_READ})`,
      pass: worst <= bound && passes.every((p) => p.writes === 0),
    });
    notes.push(
      `P8: passes ${passes.map((p) => `${p.calls} calls (${p.batched} batched), ${p.full} read in full, ${p.writes} writes`).join('; ')}; reading every NLB in full would cost ${CALLS_PER_FULL_READ * D}.`,
    );
  } finally {
    await h.stop();
  }
}

const which = process.argv.slice(2).filter((a, i, all) => /^p\d$/.test(a) && !all[i - 1]?.startsWith('--'));
for (const [name, f] of [
  ['p1', p1],
  ['p2', p2],
  ['p3', p3],
  ['p8', p8],
] as const)
  if (which.length === 0 || which.includes(name)) await f();
for (const r of rows)
  process.stdout.write(`${r.pass ? 'PASS' : 'MISS'}  ${r.metric}: ${r.measured} (target ${r.target})\n`);
for (const n of notes) process.stdout.write(`  ${n}\n`);
// A miss fails the run, as every bench does, so `npm run bench` reports it.
if (rows.some((r) => !r.pass)) process.exitCode = 1;
