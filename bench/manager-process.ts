// The controller-manager as the product runs it (bin/alicloud-controller-manager, which carries the
// shipped V8 flags, over dist/ — run `npm run build` first), against in-process emulators, with the
// probes a bench needs: RSS from /proc, bytes it logged, and the start-up line that marks
// "leader with synced caches".
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { dirname, join } from 'node:path';

const BIN = join(process.cwd(), 'bin/alicloud-controller-manager');

export interface ManagerProcessOptions {
  kubeconfig: string;
  cloudUrl: string;
  accessKeyId: string;
  accessKeySecret: string;
  regionId: string;
  leaderElect: boolean;
  extraArgs?: string[];
  /** NODE_OPTIONS for the manager, e.g. `--heap-prof` to see where its memory goes. */
  nodeOptions?: string;
}

export interface ManagerProcess {
  pid: number;
  url: string;
  /** Sum of every sample of `name` on /metrics (0 when absent). */
  metric(name: string): Promise<number>;
  /** Bytes written to stderr (the JSON log) so far. */
  logBytes(): number;
  /** The last `n` characters of the log, for error messages. */
  logTail(n?: number): string;
  /** Process start → "leading; informer caches synced", on the manager's own clock. */
  syncedMs(timeoutMs: number): Promise<number>;
  rssKiB(): number;
  /** VmRSS split into anonymous memory (the process's own) and file-backed pages (binary, libraries). */
  rssParts(): { anonKiB: number; fileKiB: number };
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startManagerProcess(o: ManagerProcessOptions): Promise<ManagerProcess> {
  const child: ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } = spawn(
    BIN,
    [
      '--kubeconfig',
      o.kubeconfig,
      `--leader-elect=${o.leaderElect}`,
      '--port',
      '0',
      '--secure-port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--controllers=*',
      '--cluster-cidr=10.64.0.0/10',
      '--node-monitor-period=3s',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      ...(o.extraArgs ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        ALIYUN_ACCESS_KEY: o.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: o.accessKeySecret,
        ALIYUN_REGION: o.regionId,
        ECS_ENDPOINT: o.cloudUrl,
        VPC_ENDPOINT: o.cloudUrl,
        SLB_ENDPOINT: o.cloudUrl,
        NLB_ENDPOINT: o.cloudUrl,
        METADATA_ENDPOINT: o.cloudUrl,
        ...(o.nodeOptions ? { NODE_OPTIONS: o.nodeOptions } : {}),
      },
    },
  );
  let bytes = 0;
  let tail = '';
  let synced: number | undefined;
  // BENCH_MANAGER_LOG=<file>: the whole log, for diagnosing a failed run.
  const logFile = process.env.BENCH_MANAGER_LOG;
  child.stderr.on('data', (d: Buffer) => {
    if (logFile) appendFileSync(logFile, d);
    bytes += d.length;
    tail = (tail + d.toString()).slice(-200_000);
    if (synced === undefined) {
      const m = /"sinceProcessStartMs":(\d+)[^\n]*leading; informer caches synced/.exec(tail);
      if (m) synced = Number(m[1]);
    }
  });
  const { url, secureUrl } = await new Promise<{ url: string; secureUrl: string }>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) =>
      reject(new Error(`controller-manager exited ${code}:\n${tail.slice(-3000)}`)),
    );
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line) resolve(JSON.parse(line) as { url: string; secureUrl: string });
    });
  });
  return {
    pid: child.pid!,
    url,
    async metric(name) {
      // /metrics is served on the secure port only, with the manager's self-signed certificate.
      // Two retries: a reset scrape (seen rarely at start-up under load) is not the figure measured.
      const scrape = () =>
        new Promise<string>((resolve, reject) => {
          // A fresh connection per poll: a kept-alive one can be closed by the server's keep-alive timer
          // just as it is reused, which read as ECONNRESET on a busy machine.
          get(`${secureUrl}/metrics`, { rejectUnauthorized: false, agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve(body));
          }).on('error', (err) =>
            reject(
              new Error(
                `GET /metrics: ${err.message} (manager ${child.exitCode === null ? 'running' : `exited ${child.exitCode}`}):\n${tail.slice(-3000)}`,
              ),
            ),
          );
        });
      const text = await scrape().catch(async () => {
        await sleep(500);
        return scrape().catch(async () => {
          await sleep(500);
          return scrape();
        });
      });
      let sum = 0;
      for (const line of text.split('\n'))
        if (line.startsWith(name) && /^[^{ ]+(\{[^}]*\})? /.exec(line)?.[0].trim().split('{')[0] === name)
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      return sum;
    },
    logBytes: () => bytes,
    logTail: (n = 3000) => tail.slice(-n),
    async syncedMs(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (synced === undefined && Date.now() < until && child.exitCode === null) await sleep(50);
      if (synced === undefined)
        throw new Error(`no "caches synced" line within ${timeoutMs} ms:\n${tail.slice(-3000)}`);
      return synced;
    },
    rssKiB() {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (!m) throw new Error(`no VmRSS for pid ${child.pid}`);
      return Number(m[1]);
    },
    rssParts() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (name: string) =>
        Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
      return { anonKiB: kib('RssAnon'), fileKiB: kib('RssFile') };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
