// Service controller benchmarks (numbers printed with their targets; nothing asserted):
//   P1  steady state: S Services × N nodes, a full resync → cloud calls (target 0)
//   P2  one Service with K ports on N nodes → calls to create vs the lower bound (target ≤ bound + 2)
//   P3  S Services created at once on N nodes, emulator at 20 QPS per action and 30 ms latency →
//       time to all ingress IPs vs the throttle-imposed bound (target ≤ 1.2×)
// Sizes: BENCH_SERVICES (1000), BENCH_NODES (500), BENCH_PORTS (4), BENCH_P2_NODES (50).
// Run: npx tsx bench/service.ts [p1|p2|p3 ...]
import { startHarness, type Harness } from '../test/controllers/service/harness.js';

const S = Number(process.env.BENCH_SERVICES ?? 1000);
const N = Number(process.env.BENCH_NODES ?? 500);
const K = Number(process.env.BENCH_PORTS ?? 4);
const P2_NODES = Number(process.env.BENCH_P2_NODES ?? 50);
const BATCH = 20; // backends per Add call (the API limit)

function svc(name: string, ports: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, protocol: 'TCP', port: 80 + i, targetPort: 8080 + i })) },
  };
}

async function waitAllIngress(h: Harness, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = names.filter((n) => !(h.kube.emu.store.get('services', n, 'default') as { status?: { loadBalancer?: { ingress?: unknown[] } } } | undefined)?.status?.loadBalancer?.ingress?.length);
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${missing.length} Services still without ingress`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function p1(): Promise<void> {
  const h = await startHarness({ nodes: N, settings: { workers: 16 } });
  try {
    const names = Array.from({ length: S }, (_, i) => `p1-${i}`);
    for (const n of names) h.kube.emu.store.create('services', svc(n, 1));
    await waitAllIngress(h, names, 600_000);
    await new Promise((r) => setTimeout(r, 500));
    h.cloudEmu.emu.clearCalls();
    const before = h.reports.length;
    const t0 = Date.now();
    for (const n of names) h.runnable.controller.queue.add(`default/${n}`);
    while (h.reports.length - before < S) await new Promise((r) => setTimeout(r, 20));
    const ms = Date.now() - t0;
    const calls = h.cloudEmu.emu.calls().length;
    console.log(`P1 steady state: ${S} Services × ${N} nodes, one resync → ${calls} cloud calls (target 0) in ${ms} ms`);
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
    await new Promise((r) => setTimeout(r, 300));
    const calls = h.cloudEmu.emu.calls().filter((c) => c.product.toLowerCase() === 'slb');
    const writes = calls.filter((c) => /^(Create|Add|Start|Set|Tag)/.test(c.action));
    // Lower bound: find (1 read), create the SLB, and per port: group, backends in batches, listener, start.
    const bound = 1 + 1 + K * (1 + Math.ceil(P2_NODES / BATCH) + 1 + 1);
    console.log(`P2 create: ${K} ports on ${P2_NODES} nodes → ${calls.length} calls (${writes.length} writes), lower bound ${bound}, target ≤ ${bound + 2}`);
    const byAction = new Map<string, number>();
    for (const c of calls) byAction.set(c.action, (byAction.get(c.action) ?? 0) + 1);
    console.log(`   ${[...byAction].map(([a, n]) => `${a}×${n}`).join(', ')}`);
  } finally {
    await h.stop();
  }
}

async function p3(): Promise<void> {
  const h = await startHarness({ nodes: N, settings: { workers: 32 } });
  try {
    h.cloudEmu.emu.setFaults({ '*': { qps: 20, latencyMs: 30 } });
    const names = Array.from({ length: S }, (_, i) => `p3-${i}`);
    const t0 = Date.now();
    for (const n of names) h.kube.emu.store.create('services', svc(n, 1));
    await waitAllIngress(h, names, 3_600_000);
    const secs = (Date.now() - t0) / 1000;
    // Each action is throttled on its own: the busiest action sets the bound.
    const perAction = new Map<string, number>();
    for (const c of h.cloudEmu.emu.calls()) if (c.code === 'Success') perAction.set(c.action, (perAction.get(c.action) ?? 0) + 1);
    const busiest = Math.max(...perAction.values());
    const bound = busiest / 20;
    console.log(`P3 burst: ${S} Services on ${N} nodes at 20 QPS/action + 30 ms → all ingress in ${secs.toFixed(1)} s, throttle bound ${bound.toFixed(1)} s, ratio ${(secs / bound).toFixed(2)} (target ≤ 1.2)`);
  } finally {
    await h.stop();
  }
}

const which = process.argv.slice(2);
const run = which.length ? which : ['p2', 'p1', 'p3'];
for (const w of run) {
  if (w === 'p1') await p1();
  else if (w === 'p2') await p2();
  else if (w === 'p3') await p3();
}
process.exit(0);
