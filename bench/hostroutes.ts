// P7: alicloud-hostroutes against a yardstick, in one run. For N = 1000 and 5000 Nodes in the
// Kubernetes emulator, two programs run in turn as separate processes: the real agent, started
// through bin/alicloud-hostroutes exactly as the DaemonSet starts it, and the baseline
// (bench/hostroutes-baseline.mjs: list + watch + one `ip route replace` line per Node). Each is measured
// three times; the median is printed beside its target and as a ratio to the baseline's:
//   time to all routes   spawn → the N-th route of its protocol seen by `ip monitor`
//   CPU for the cold sync utime+stime of the process and its children (reaped or alive) then
//   RSS after sync       VmRSS of the process tree (the agent's `ip -batch` child counts), 1 s later,
//                         also split into RssAnon (private) and RssFile (mapped files: mostly the
//                         pages of the Node.js binary, shared with other Node.js processes on the host)
//   add / re-address / delete of one Node: the store write → the route change seen by `ip monitor`
//                         (re-address is delete + recreate: a real apiserver forbids changing podCIDR)
// The clock of a change starts at the emulator's write, before the watch event is even sent, so
// these latencies bound the "after the watch event" ones from above.
// Everything runs inside a network namespace made here: the bench re-runs itself there with
// `ip netns exec`, so the emulator, both programs and `ip monitor` share its loopback and its
// routing table, and the root namespace is never changed. Addresses are in 198.18.0.0/15 only:
// Nodes 198.18.0.0/16 (on-link through a veth pair), pod CIDRs /29s of 198.19.0.0/16.
// Needs root and `npm run build` (the agent runs from dist/). Run: npx tsx bench/hostroutes.ts [N…]
// Environment: HR_WAIT_MS bounds each wait (default 120000); HR_DEBUG=1 passes the programs' stderr through;
// HR_AGENT_NODE_OPTIONS sets NODE_OPTIONS for the agent only (profiling).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startKubeEmulator, type KubeEmulator } from '../emulators/kube/index.js';

const run = promisify(execFile);
const EXIT_SKIPPED = 3;
const INSIDE = 'HOSTROUTES_BENCH_NETNS';
const SIZES = process.argv.slice(2).map(Number).filter(Boolean);
const REPEATS = 3;
const AGENT_PROTO = '200';
const BASELINE_PROTO = '201';
const BIN = fileURLToPath(new URL('../bin/alicloud-hostroutes', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/hostroutes/main.mjs', import.meta.url));
const BASELINE = fileURLToPath(new URL('./hostroutes-baseline.mjs', import.meta.url));
const TICKS_PER_S = 100;
const WAIT_MS = Number(process.env.HR_WAIT_MS ?? 120_000);

/** Targets (issue 17): the Go original (kubeup/hostroutes) measured 1.74 s, 36 MiB, 5 ms at 5000. */
const TARGET = { rssMiB: 48, changeMs: 10, cpuS: 1.0, allRoutesS: { 5000: 1.74 } as Record<number, number> };

// Node i (0-based): InternalIP in 198.18.1.0–198.18.255.255, pod CIDR the i-th /29 of 198.19.0.0/16.
const nodeIP = (i: number) => `198.18.${1 + (i >> 8)}.${i & 255}`;
const podCIDR = (i: number) => `198.19.${i >> 5}.${(i & 31) << 3}/29`;
/** Pod CIDRs of the Nodes added during the change measurements: past every N used. */
const SPARE = 7000;

async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** Outside the namespace: make it, re-run this file inside it, delete it whatever happens. */
async function outside(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.warn('bench/hostroutes: needs root (network namespaces); SKIPPED, nothing measured');
    process.exitCode = EXIT_SKIPPED;
    return;
  }
  if (!existsSync(BUILT)) {
    console.error(`bench/hostroutes: ${BUILT} missing; run npm run build first`);
    process.exitCode = 1;
    return;
  }
  const ns = `hrbench-${randomBytes(4).toString('hex')}`;
  await ip('netns', 'add', ns);
  try {
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    // A veth pair, both ends inside: the device that makes 198.18.0.0/16 on-link.
    await ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
    await ip('-n', ns, 'addr', 'add', '198.18.0.1/16', 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'link', 'set', 'eth0p', 'up');
    const self = fileURLToPath(import.meta.url);
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, ...process.execArgv, self, ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, [INSIDE]: ns } },
    );
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    process.exitCode = code;
  } finally {
    await ip('netns', 'del', ns).catch(() => undefined);
  }
}

/** Every route change of the namespace, as `ip monitor` reports it, with arrival times. */
class RouteMonitor {
  private readonly present = new Map<string, Set<string>>();
  private readonly waiters = new Set<() => void>();
  readonly lastChange = new Map<string, number>();
  private readonly child: ChildProcess;

  constructor() {
    this.child = spawn('ip', ['-4', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
  }

  private onLine(line: string): void {
    const at = performance.now();
    const m = /^(Deleted )?(\S+) .* proto (\d+)/.exec(line);
    if (!m) return;
    const [, deleted, dst = '', proto = ''] = m;
    let set = this.present.get(proto);
    if (!set) this.present.set(proto, (set = new Set()));
    if (deleted) set.delete(dst);
    else set.add(dst);
    this.lastChange.set(`${deleted ? '-' : '+'}${dst}`, at);
    for (const w of [...this.waiters]) w();
  }

  count(proto: string): number {
    return this.present.get(proto)?.size ?? 0;
  }

  has(proto: string, dst: string): boolean {
    return this.present.get(proto)?.has(dst) ?? false;
  }

  /** Resolves with the arrival time of the line that made `ok` true. */
  until(ok: () => boolean, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!ok()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(performance.now());
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`));
      }, WAIT_MS);
      this.waiters.add(check);
      check();
    });
  }

  /** Arrival time of the line that changed `dst` (`+` added or replaced, `-` deleted). */
  async change(sign: '+' | '-', dst: string, proto: string, since: number): Promise<number> {
    const key = `${sign}${dst}`;
    await this.until(
      () => (this.lastChange.get(key) ?? 0) >= since && this.has(proto, dst) === (sign === '+'),
      `${key} (proto ${proto})`,
    );
    return this.lastChange.get(key)!;
  }

  /**
   * `ip monitor` can lose messages when thousands of routes change at once (netlink ENOBUFS); a
   * dump then sets the record straight. Returns whether the dump changed anything.
   */
  async recount(proto: string): Promise<boolean> {
    const out = await ip('-4', '-o', 'route', 'show', 'proto', proto);
    const dumped = new Set(out.split('\n').flatMap((l) => (l.trim() ? [l.split(' ')[0]!] : [])));
    const before = this.present.get(proto) ?? new Set();
    const differs = dumped.size !== before.size || [...dumped].some((d) => !before.has(d));
    if (differs) {
      this.present.set(proto, dumped);
      for (const w of [...this.waiters]) w();
    }
    return differs;
  }

  reset(): void {
    this.present.clear();
    this.lastChange.clear();
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

function createNode(emu: KubeEmulator, name: string, cidr: string, address: string): void {
  emu.store.create('nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
  });
  emu.store.patch(
    'nodes',
    name,
    { status: { addresses: [{ type: 'InternalIP', address }] } },
    { subresource: 'status' },
  );
}

/** The process and every descendant, from /proc (the agent's `ip` child is part of its cost). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while scanning
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** CPU seconds of the tree: each live process's own time, plus what its reaped children used. */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14–17 of stat (utime stime cutime cstime) are 11–14 after the command name.
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited while reading
    }
  }
  return ticks / TICKS_PER_S;
}

/** VmRSS of the tree, and its split into private memory and mapped files (mostly the runtime binary). */
function rssMiB(pid: number): { total: number; anon: number; file: number } {
  const kib = { total: 0, anon: 0, file: 0 };
  for (const p of tree(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
      kib.total += field('VmRSS');
      kib.anon += field('RssAnon');
      kib.file += field('RssFile');
    } catch {
      // exited while reading
    }
  }
  return { total: kib.total / 1024, anon: kib.anon / 1024, file: kib.file / 1024 };
}

interface Sample {
  allRoutesS: number;
  cpuS: number;
  rssMiB: number;
  rssAnonMiB: number;
  rssFileMiB: number;
  addMs: number;
  readdressMs: number;
  deleteMs: number;
}

type Program = 'agent' | 'baseline';

function start(program: Program, emu: KubeEmulator): ChildProcess {
  // The DaemonSet runs the launcher itself (its #! line picks the runtime flags), with PATH
  // finding node; PATH here finds the pinned runtime this bench runs on.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  };
  delete env[INSIDE];
  delete env.NODE_OPTIONS;
  // HR_AGENT_NODE_OPTIONS profiles the agent alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/hr-prof`.
  const agentEnv = process.env.HR_AGENT_NODE_OPTIONS
    ? { ...env, NODE_OPTIONS: process.env.HR_AGENT_NODE_OPTIONS }
    : env;
  const child =
    program === 'agent'
      ? spawn(
          BIN,
          [
            `--route-protocol=${AGENT_PROTO}`,
            '--table=main',
            '--resync-period=60s',
            '--bind-address=127.0.0.1',
            '--port=0',
            '--cluster-cidr=198.19.0.0/16',
            `--master=${emu.url}`,
          ],
          { env: { ...agentEnv, NODE_NAME: 'self' }, stdio: ['ignore', 'pipe', 'pipe'] },
        )
      : spawn(process.execPath, [BASELINE, emu.url, 'self', BASELINE_PROTO], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  // Drained so a full pipe never stalls the program; the agent's JSON log is its real cost.
  child.stdout.resume();
  let errors = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    if (process.env.HR_DEBUG) process.stderr.write(s);
    if (program === 'baseline' || /"level":(50|60)/.test(s)) errors = (errors + s).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code !== null && code !== 0) console.error(`${program} exited ${code}: ${errors}`);
    else if (signal && signal !== 'SIGTERM' && signal !== 'SIGKILL')
      console.error(`${program} killed by ${signal}`);
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function measure(
  program: Program,
  emu: KubeEmulator,
  monitor: RouteMonitor,
  n: number,
  rep: number,
): Promise<Sample> {
  const proto = program === 'agent' ? AGENT_PROTO : BASELINE_PROTO;
  // Both programs leave their routes behind (on purpose); the agent would rightly refuse to
  // replace the baseline's, so each run starts from a table without either.
  await ip('route', 'flush', 'proto', AGENT_PROTO);
  await ip('route', 'flush', 'proto', BASELINE_PROTO);
  await new Promise((r) => setTimeout(r, 200));
  monitor.reset();
  const began = performance.now();
  let lossy = false;
  const child = start(program, emu);
  try {
    const pid = child.pid!;
    const all = monitor.until(() => monitor.count(proto) >= n, `${n} routes of ${program}`);
    let done = false;
    void all.finally(() => (done = true)).catch(() => undefined);
    // Normally never needed: only if `ip monitor` lost lines (then the time is the dump's).
    const recount = setInterval(() => {
      if (!done && performance.now() - began > 5000)
        void monitor.recount(proto).then((d) => d && (lossy = true));
    }, 2000);
    const allAt = await all.finally(() => clearInterval(recount));
    const cpuS = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 1000));
    const rss = rssMiB(pid);

    // One extra Node per repetition, on a pod CIDR and address no other Node uses.
    const name = `extra-${program}-${n}-${rep}`;
    const first = SPARE + rep * 4 + (program === 'agent' ? 0 : 2);
    let t0 = performance.now();
    createNode(emu, name, podCIDR(first), nodeIP(first));
    const addMs = (await monitor.change('+', podCIDR(first), proto, t0)) - t0;
    await new Promise((r) => setTimeout(r, 100));

    t0 = performance.now();
    emu.store.delete('nodes', name);
    createNode(emu, name, podCIDR(first + 1), nodeIP(first + 1));
    const readdressMs = (await monitor.change('+', podCIDR(first + 1), proto, t0)) - t0;
    await monitor.until(() => !monitor.has(proto, podCIDR(first)), `old route of ${name} removed`);
    await new Promise((r) => setTimeout(r, 100));

    t0 = performance.now();
    emu.store.delete('nodes', name);
    const deleteMs = (await monitor.change('-', podCIDR(first + 1), proto, t0)) - t0;
    if (lossy) console.warn(`${program} N=${n}: ip monitor lost lines; time to all routes is from a dump`);
    return {
      allRoutesS: (allAt - began) / 1000,
      cpuS,
      rssMiB: rss.total,
      rssAnonMiB: rss.anon,
      rssFileMiB: rss.file,
      addMs,
      readdressMs,
      deleteMs,
    };
  } finally {
    await stop(child);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function inside(): Promise<void> {
  const sizes = SIZES.length > 0 ? SIZES : [1000, 5000];
  const emu = await startKubeEmulator({ port: 0 });
  const monitor = new RouteMonitor();
  const missed: string[] = [];
  try {
    createNode(emu, 'self', '198.19.255.248/29', '198.18.0.1');
    let created = 0;
    for (const n of [...sizes].sort((a, b) => a - b)) {
      for (; created < n; created++) createNode(emu, `n${created}`, podCIDR(created), nodeIP(created));
      const samples: Record<Program, Sample[]> = { agent: [], baseline: [] };
      for (let rep = 0; rep < REPEATS; rep++) {
        for (const program of ['baseline', 'agent'] as const)
          samples[program].push(await measure(program, emu, monitor, n, rep));
      }
      const med = (p: Program, k: keyof Sample) => median(samples[p].map((s) => s[k]));
      const timeTarget = Math.min(TARGET.allRoutesS[n] ?? Infinity, med('baseline', 'allRoutesS'));
      const rows: { figure: keyof Sample; unit: string; target: number }[] = [
        { figure: 'allRoutesS', unit: 's', target: timeTarget },
        { figure: 'cpuS', unit: 's', target: TARGET.cpuS },
        { figure: 'rssMiB', unit: 'MiB', target: TARGET.rssMiB },
        { figure: 'addMs', unit: 'ms', target: TARGET.changeMs },
        { figure: 'readdressMs', unit: 'ms', target: TARGET.changeMs },
        { figure: 'deleteMs', unit: 'ms', target: TARGET.changeMs },
      ];
      for (const { figure, unit, target } of rows) {
        const agent = med('agent', figure);
        const baseline = med('baseline', figure);
        const ok = agent <= target;
        console.log(
          JSON.stringify({
            bench: `P7 hostroutes N=${n}`,
            figure,
            unit,
            agent: r2(agent),
            baseline: r2(baseline),
            ratioToBaseline: r2(agent / baseline),
            target: r2(target),
            ok,
            ...(figure === 'rssMiB'
              ? {
                  agentAnonMiB: r2(med('agent', 'rssAnonMiB')),
                  agentFileMiB: r2(med('agent', 'rssFileMiB')),
                  baselineAnonMiB: r2(med('baseline', 'rssAnonMiB')),
                  baselineFileMiB: r2(med('baseline', 'rssFileMiB')),
                }
              : {}),
            agentSamples: samples.agent.map((s) => r2(s[figure])),
            baselineSamples: samples.baseline.map((s) => r2(s[figure])),
          }),
        );
        if (!ok) missed.push(`N=${n} ${figure} ${r2(agent)} ${unit} (target ≤ ${r2(target)} ${unit})`);
      }
    }
  } finally {
    monitor.stop();
    await emu.close();
  }
  for (const m of missed) console.log(`MISSED: P7 ${m}`);
  process.exitCode = missed.length > 0 ? 1 : 0;
}

(process.env[INSIDE] ? inside() : outside()).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
