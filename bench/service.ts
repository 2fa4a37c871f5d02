// Service controller benchmarks. Numbers are printed as a table with their targets; nothing is
// asserted (timing belongs here, not in tests).
//   P1  steady state: S Services × N nodes, a full resync → cloud calls (target 0)
//   P2  one Service with K ports on N nodes → calls to create vs the lower bound (target ≤ bound + 2)
//   P3  S Services created at once on N nodes, emulator at 20 QPS per action and 30 ms latency →
//       time to all ingress IPs vs the throttle-imposed bound (target ≤ 1.2×)
//   P8  one drift-check pass over D SLBs with nothing drifted → cloud calls (target ≤ 150 for
//       D=1000: one batched read per ten SLBs plus the rotation's full reads), printed per SLB
//
// Run: npx tsx bench/service.ts [p1|p2|p3|p8 ...] [--services S] [--nodes N] [--ports K]
//        [--p2-nodes N] [--p3-services S] [--p3-nodes N] [--workers W] [--p8-slbs D]
// Defaults are the issue's full sizes (S=1000, N=500, K=4, P2 on 50 nodes); env BENCH_* also works.
import { startHarness, type Harness } from '../test/controllers/service/harness.js';

function arg(name: string, env: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  const n = Number(raw ?? def);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got ${raw}`);
  return n;
}

const S = arg('services', 'BENCH_SERVICES', 1000);
const N = arg('nodes', 'BENCH_NODES', 500);
const K = arg('ports', 'BENCH_PORTS', 4);
const P2_NODES = arg('p2-nodes', 'BENCH_P2_NODES', 50);
const P3_S = arg('p3-services', 'BENCH_P3_SERVICES', S);
const P3_N = arg('p3-nodes', 'BENCH_P3_NODES', N);
const WORKERS = arg('workers', 'BENCH_WORKERS', 100);
const P8_SLBS = arg('p8-slbs', 'BENCH_P8_SLBS', 1000);
/** Backends per Add/Create call (the API's limit). */
const BATCH = 20;
/** The SLB's default quota of backends per VServer group (the emulator enforces it too). */
const QUOTA = 200;
/** The emulator's per-action throttle in P3. */
const QPS = 20;
const LATENCY_MS = 30;

interface Row {
  metric: string;
  measured: string;
  target: string;
  pass: boolean;
}
const rows: Row[] = [];
const notes: string[] = [];

function svc(name: string, ports: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'LoadBalancer',
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

async function waitAllIngress(h: Harness, names: string[], timeoutMs: number): Promise<void> {
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
    if (Date.now() > deadline) throw new Error(`${missing.length} Services still without ingress`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function perAction(h: Harness, onlySuccess: boolean): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of h.cloudEmu.emu.calls())
    if (!onlySuccess || c.code === 'Success') m.set(c.action, (m.get(c.action) ?? 0) + 1);
  return m;
}

async function p1(): Promise<void> {
  const h = await startHarness({ nodes: N, settings: { workers: 16 } });
  try {
    const names = Array.from({ length: S }, (_, i) => `p1-${i}`);
    for (const n of names) h.kube.emu.store.create('services', svc(n, 1));
    await waitAllIngress(h, names, 900_000);
    while (h.runnable.controller.pending() > 0) await new Promise((r) => setTimeout(r, 50));
    h.cloudEmu.emu.clearCalls();
    const before = h.reports.length;
    const t0 = Date.now();
    for (const n of names) h.runnable.controller.queue.add(`default/${n}`);
    while (h.reports.length - before < S) await new Promise((r) => setTimeout(r, 20));
    const ms = Date.now() - t0;
    const calls = h.cloudEmu.emu.calls().length;
    const skips = h.reports.slice(before).filter((r) => r.path === 'skip').length;
    rows.push({
      metric: `P1 cloud calls per full resync (${S} Services × ${N} nodes)`,
      measured: String(calls),
      target: '0',
      pass: calls === 0,
    });
    notes.push(`P1: ${skips}/${S} syncs took the skip path; the resync pass took ${ms} ms.`);
  } finally {
    await h.stop();
  }
}

async function p2(): Promise<void> {
  const h = await startHarness({ nodes: P2_NODES });
  try {
    h.cloudEmu.emu.clearCalls();
    h.kube.emu.store.create('services', svc('p2', K));
    await waitAllIngress(h, ['p2'], 60_000);
    while (h.runnable.controller.pending() > 0) await new Promise((r) => setTimeout(r, 50));
    const calls = h.cloudEmu.emu.calls().filter((c) => c.product.toLowerCase() === 'slb');
    // Lower bound: find (1 read), create the SLB, and per port: group, backends in batches, listener, start.
    const bound = 1 + 1 + K * (1 + Math.ceil(Math.min(P2_NODES, QUOTA) / BATCH) + 1 + 1);
    rows.push({
      metric: `P2 calls to create 1 Service, ${K} ports, ${P2_NODES} nodes`,
      measured: String(calls.length),
      target: `≤ ${bound + 2} (bound ${bound})`,
      pass: calls.length <= bound + 2,
    });
    notes.push(`P2 calls: ${[...perAction(h, false)].map(([a, n]) => `${a}×${n}`).join(', ')}`);
  } finally {
    await h.stop();
  }
}

async function p3(): Promise<void> {
  const h = await startHarness({
    nodes: P3_N,
    settings: { workers: WORKERS },
    // The client paces every SLB action just under the cloud's per-action quota, with no
    // product-wide cap (that would serialise independent APIs), and a retry deadline measured
    // from when a call may first go (queueing behind our own pacing is not a failure).
    cloud: {
      qps: { ecs: 0, vpc: 0, slb: 0 },
      actionQps: { slb: QPS },
      retry: { maxAttempts: 8, deadlineMs: 60_000, baseDelayMs: 200, maxDelayMs: 5_000 },
    },
  });
  try {
    h.cloudEmu.emu.setFaults({ '*': { qps: QPS, latencyMs: LATENCY_MS } });
    const names = Array.from({ length: P3_S }, (_, i) => `p3-${i}`);
    const t0 = Date.now();
    for (const n of names) h.kube.emu.store.create('services', svc(n, 1));
    await waitAllIngress(h, names, 4 * 3_600_000);
    const secs = (Date.now() - t0) / 1000;
    // Calls each Service needs, per action: one of each step (find, create, group, listener,
    // start) and ceil(backends/20) AddVServerGroupBackendServers batches — the busiest action.
    // Backends are the nodes, capped at the SLB quota of 200 per VServer group.
    const needed = P3_S * Math.max(1, Math.ceil(Math.min(P3_N, QUOTA) / BATCH));
    const bound = needed / QPS;
    const ok = perAction(h, true);
    const all = perAction(h, false);
    const throttled = h.cloudEmu.emu.calls().filter((c) => c.code !== 'Success').length;
    const [busiest, busiestN] = [...ok].sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    rows.push({
      metric: `P3 time to all ingress (${P3_S} Services × ${P3_N} nodes, ${QPS} QPS/action, ${LATENCY_MS} ms)`,
      measured: `${secs.toFixed(1)} s`,
      target: `≤ ${(1.2 * bound).toFixed(1)} s (bound ${bound.toFixed(1)} s)`,
      pass: secs <= 1.2 * bound,
    });
    rows.push({
      metric: 'P3 ratio to the throttle bound',
      measured: (secs / bound).toFixed(2),
      target: '≤ 1.2',
      pass: secs / bound <= 1.2,
    });
    notes.push(
      `P3: busiest action ${busiest} ×${busiestN} (needed ${needed}); ${throttled} throttled/failed attempts; calls: ${[...all].map(([a, n]) => `${a}×${n}`).join(', ')}`,
    );
  } finally {
    await h.stop();
  }
}

/** Waits until the controller has nothing queued and the cloud saw no call for three looks. */
async function settle(h: Harness): Promise<void> {
  let last = -1;
  for (let same = 0; same < 3;) {
    await new Promise((r) => setTimeout(r, 50));
    const mark = h.cloudEmu.emu.calls().length;
    same = h.runnable.controller.pending() === 0 && mark === last ? same + 1 : 0;
    last = mark;
  }
}

async function p8(): Promise<void> {
  // Backends do not change what a drift pass reads (one group read per port), so few nodes.
  const h = await startHarness({ nodes: 3, settings: { workers: 16 } });
  try {
    const names = Array.from({ length: P8_SLBS }, (_, i) => `p8-${i}`);
    for (const n of names) h.kube.emu.store.create('services', svc(n, 1));
    await waitAllIngress(h, names, 900_000);
    await settle(h);
    // Two passes: the first after start-up has no fingerprints yet, the second is the steady one.
    const passes: Array<{ calls: number; full: number; writes: number }> = [];
    for (let i = 0; i < 2; i++) {
      h.cloudEmu.emu.clearCalls();
      const report = await h.runnable.controller.driftCheck();
      await settle(h);
      const calls = h.cloudEmu.emu.calls();
      passes.push({
        calls: calls.length,
        full: report.fullReads.size,
        writes: calls.filter((c) => !c.action.startsWith('Describe')).length,
      });
    }
    const worst = Math.max(...passes.map((p) => p.calls));
    const target = Math.ceil((150 * P8_SLBS) / 1000);
    rows.push({
      metric: `P8 cloud calls per drift pass (${P8_SLBS} SLBs, nothing drifted)`,
      measured: `${worst} (${(worst / P8_SLBS).toFixed(3)}/SLB)`,
      target: `≤ ${target} (${(target / P8_SLBS).toFixed(3)}/SLB)`,
      pass: worst <= target && passes.every((p) => p.writes === 0),
    });
    notes.push(
      `P8: passes ${passes.map((p) => `${p.calls} calls, ${p.full} read in full, ${p.writes} writes`).join('; ')}; before batching a pass cost 4 reads per SLB (${4 * P8_SLBS}).`,
    );
  } finally {
    await h.stop();
  }
}

function printTable(): void {
  const head = { metric: 'metric', measured: 'measured', target: 'target', pass: 'result' };
  const w = (k: 'metric' | 'measured' | 'target') =>
    Math.max(head[k].length, ...rows.map((r) => r[k].length));
  const line = (m: string, v: string, t: string, p: string) =>
    `${m.padEnd(w('metric'))}  ${v.padEnd(w('measured'))}  ${t.padEnd(w('target'))}  ${p}`;
  console.log(line(head.metric, head.measured, head.target, head.pass));
  console.log(line('-'.repeat(w('metric')), '-'.repeat(w('measured')), '-'.repeat(w('target')), '------'));
  for (const r of rows) console.log(line(r.metric, r.measured, r.target, r.pass ? 'OK' : 'MISSED'));
  for (const n of notes) console.log(`  ${n}`);
}

const which = process.argv
  .slice(2)
  .filter((a, i, all) => /^p[1238]$/.test(a) && !all[i - 1]?.startsWith('--'));
const run = which.length ? which : ['p2', 'p1', 'p8', 'p3'];
for (const w of run) {
  const t0 = Date.now();
  if (w === 'p1') await p1();
  else if (w === 'p2') await p2();
  else if (w === 'p3') await p3();
  else if (w === 'p8') await p8();
  console.error(`${w} finished in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
printTable();
// A missed target must fail the run so `npm run bench` (run-all.ts) reports it.
const missed = rows.filter((r) => !r.pass);
for (const r of missed) console.log(`MISSED: ${r.metric}: ${r.measured} (target ${r.target})`);
process.exit(missed.length > 0 ? 1 : 0);
