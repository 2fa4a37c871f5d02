// P7: hostroutes programming speed, in a network namespace created (and deleted) here.
//   cold start   — 5000 Nodes in the Kubernetes emulator → agent start → 5000 routes in the kernel (target ≤ 2 s)
//   node change  — one Node's InternalIP changes → route rewritten in the kernel, measured from the
//                  moment the watch event reaches the agent (target ≤ 100 ms)
// The agent runs in-process and drives the namespace with `ip -n`; nothing in the root namespace
// changes. Needs root. Run: npx tsx bench/hostroutes.ts [nodeCount]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { startKubeEmulator } from '../emulators/kube/index.js';
import { startAgent } from '../src/hostroutes/agent.js';
import { createIpRouteTable } from '../src/hostroutes/ip.js';
import { parseRouteJson } from '../src/hostroutes/kernel-routes.js';
import { createMetrics } from '../src/hostroutes/metrics.js';
import { parseOptions } from '../src/hostroutes/options.js';
import type { SyncReport } from '../src/hostroutes/reconciler.js';
import { silentLogger } from '../src/util/log.js';

const run = promisify(execFile);
const COUNT = Number(process.argv[2] ?? 5000);
const COLD_TARGET_MS = 2000;
const CHANGE_TARGET_MS = 100;
/** Exit code for "could not measure here"; run-all.ts reports it as SKIPPED, never as ok. */
const EXIT_SKIPPED = 3;

const ip = (...args: string[]) => run('ip', args, { maxBuffer: 64 * 1024 * 1024 });
// Node i: InternalIP 198.18.<hi>.<lo> on a /16 that is connected in the namespace, pod CIDR 10.<a>.<b>.0/24.
const nodeIP = (i: number) => `198.18.${1 + (i >> 8)}.${i & 255}`;
const podCIDR = (i: number) => `10.${100 + (i >> 8)}.${i & 255}.0/24`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.warn('bench/hostroutes: needs root (network namespaces); SKIPPED, nothing measured');
    process.exitCode = EXIT_SKIPPED;
    return;
  }
  const missed: string[] = [];
  const ns = `hrbench-${randomBytes(3).toString('hex')}`;
  await ip('netns', 'add', ns);
  const emu = await startKubeEmulator({ port: 0 });
  try {
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
    await ip('-n', ns, 'addr', 'add', '198.18.0.1/16', 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'link', 'set', 'eth0p', 'up');

    const create = (name: string, cidr: string, addr: string) => {
      emu.store.create('nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name },
        spec: { podCIDR: cidr, podCIDRs: [cidr] },
      });
      emu.store.patch(
        'nodes',
        name,
        { status: { addresses: [{ type: 'InternalIP', address: addr }] } },
        { subresource: 'status' },
      );
    };
    create('self', '10.99.0.0/24', '198.18.0.1');
    for (let i = 0; i < COUNT; i++) create(`n${i}`, podCIDR(i), nodeIP(i));

    const options = parseOptions([
      '--node-name',
      'self',
      '--cluster-cidr',
      '10.0.0.0/8',
      '--master',
      emu.url,
      '--port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--resync-period',
      '10m',
    ]);
    const metrics = createMetrics();
    const started = performance.now();
    const agent = await startAgent(options, {
      log: silentLogger,
      metrics,
      kernel: createIpRouteTable({ globalArgs: ['-n', ns] }),
    });
    const passes: { at: number; report: SyncReport | Error }[] = [];
    let waiter: (() => void) | undefined;
    agent.loop.onPass((report) => {
      passes.push({ at: performance.now(), report });
      waiter?.();
    });
    const nextPass = (n: number) =>
      new Promise<void>((resolve) => {
        waiter = () => passes.length >= n && resolve();
        waiter();
      });
    try {
      await nextPass(1);
      const first = passes[0]!;
      if (first.report instanceof Error) throw first.report;
      const coldMs = first.at - started;
      const present = parseRouteJson(
        (await ip('-n', ns, '-4', '-N', '-j', 'route', 'show', 'proto', '200')).stdout,
      ).length;
      const coldOk = coldMs <= COLD_TARGET_MS && present === COUNT;
      console.log(
        JSON.stringify({
          bench: 'P7 cold start',
          routes: present,
          totalMs: round(coldMs),
          syncPassMs: round(first.report.durationMs),
          phases: roundAll(first.report.phases),
          targetMs: COLD_TARGET_MS,
          ok: coldOk,
        }),
      );
      if (!coldOk)
        missed.push(
          `cold start ${round(coldMs)} ms with ${present}/${COUNT} routes (target ≤ ${COLD_TARGET_MS} ms, all routes)`,
        );

      // Single change: re-address one node; the informer's update handler fires when the watch
      // event arrives, so the clock starts there (the emulator and agent share the process).
      const samples: number[] = [];
      const passMs: number[] = [];
      const phases: Record<string, number>[] = [];
      const modes: string[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const target = `n${attempt * 7}`;
        const newIP = `198.18.250.${10 + attempt}`;
        const before = passes.length;
        let eventAt = 0;
        const stopWatching = watchFor(agent.loop, () => (eventAt = performance.now()));
        emu.store.patch(
          'nodes',
          target,
          { status: { addresses: [{ type: 'InternalIP', address: newIP }] } },
          { subresource: 'status' },
        );
        await nextPass(before + 1);
        stopWatching();
        const pass = passes[before]!;
        if (pass.report instanceof Error) throw pass.report;
        samples.push(pass.at - eventAt);
        passMs.push(pass.report.durationMs);
        phases.push(roundAll(pass.report.phases));
        modes.push(pass.report.mode);
      }
      const worst = Math.max(...samples);
      console.log(
        JSON.stringify({
          bench: 'P7 single node change',
          samplesMs: samples.map(round),
          syncPassMs: passMs.map(round),
          debounceMs: options.debounceMs,
          modes,
          phases,
          worstMs: round(worst),
          targetMs: CHANGE_TARGET_MS,
          ok: worst <= CHANGE_TARGET_MS,
        }),
      );
      if (worst > CHANGE_TARGET_MS)
        missed.push(`single node change worst ${round(worst)} ms (target ≤ ${CHANGE_TARGET_MS} ms)`);
    } finally {
      await agent.stop();
    }
  } finally {
    await emu.close();
    await ip('netns', 'del', ns).catch(() => undefined);
  }
  // A missed target must fail the run so `npm run bench` (run-all.ts) reports it.
  for (const m of missed) console.log(`MISSED: P7 ${m}`);
  if (missed.length > 0) process.exitCode = 1;
}

/** Records when the loop is triggered (= a relevant Node event arrived from the watch). */
function watchFor(loop: { trigger(): void }, mark: () => void): () => void {
  const original = loop.trigger.bind(loop);
  let fired = false;
  loop.trigger = () => {
    if (!fired) {
      fired = true;
      mark();
    }
    original();
  };
  return () => {
    loop.trigger = original;
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const roundAll = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
