// The only place that runs iproute2. Reads are `ip -4 -N -j route show …`; writes are one
// `ip -force -batch -` per sync, fed on stdin, so thousands of routes cost one process.
import { spawn } from 'node:child_process';
import { type KernelRoute, parseRouteJson } from './kernel-routes.js';
import { TABLE_RE } from './diff.js';
import type { KernelState } from './diff.js';

export interface BatchResult {
  /** 1-based line numbers iproute2 reported as failed. */
  readonly failedLines: readonly number[];
  /** iproute2's error text per failed line (best effort). */
  readonly errors: ReadonlyMap<number, string>;
}

/** The kernel-facing port of the reconciler; tests and the bench substitute `ip -n <netns>`. */
export interface RouteTable {
  read(table: string): Promise<KernelState>;
  /** Routes of `table` whose destination is exactly one of `dsts` (one process for all). */
  readExact(table: string, dsts: readonly string[]): Promise<KernelRoute[]>;
  applyBatch(lines: readonly string[]): Promise<BatchResult>;
}

const CANONICAL_DST = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

export class IpCommandError extends Error {
  override name = 'IpCommandError';
}

export interface IpOptions {
  /** Path of the ip binary. */
  readonly binary?: string;
  /** Extra global arguments placed first, e.g. ['-n', 'ns1'] to act on another namespace. */
  readonly globalArgs?: readonly string[];
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function createIpRouteTable(options: IpOptions = {}): RouteTable {
  const binary = options.binary ?? 'ip';
  const globalArgs = options.globalArgs ?? [];
  const run = (args: readonly string[], stdin?: string) =>
    runProcess(binary, [...globalArgs, ...args], stdin);

  async function show(args: readonly string[]): Promise<KernelRoute[]> {
    const res = await run(['-4', '-N', '-j', 'route', 'show', ...args]);
    if (res.code !== 0)
      throw new IpCommandError(
        `ip route show ${args.join(' ')} failed (exit ${res.code}): ${res.stderr.trim()}`,
      );
    return parseRouteJson(res.stdout);
  }

  return {
    async read(table) {
      if (!TABLE_RE.test(table)) throw new IpCommandError(`invalid table ${JSON.stringify(table)}`);
      const [routes, main, local] = await Promise.all([
        show(['table', table]),
        table === 'main' || table === '254' ? Promise.resolve(undefined) : show(['table', 'main']),
        show(['table', 'local', 'type', 'local']),
      ]);
      return { table: routes, main: main ?? routes, local };
    },
    async readExact(table, dsts) {
      if (!TABLE_RE.test(table)) throw new IpCommandError(`invalid table ${JSON.stringify(table)}`);
      if (dsts.length === 0) return [];
      const lines = dsts.map((d) => {
        if (!CANONICAL_DST.test(d)) throw new IpCommandError(`refusing destination ${JSON.stringify(d)}`);
        return `route show table ${table} exact ${d}`;
      });
      const res = await run(['-4', '-N', '-j', '-batch', '-'], lines.join('\n') + '\n');
      if (res.code !== 0)
        throw new IpCommandError(`ip route show exact failed (exit ${res.code}): ${res.stderr.trim()}`);
      // In batch mode every command prints its own JSON array on its own line.
      return res.stdout.split('\n').flatMap((line) => parseRouteJson(line));
    },
    async applyBatch(lines) {
      if (lines.length === 0) return { failedLines: [], errors: new Map() };
      for (const line of lines) {
        if (/[\n\r]/.test(line)) throw new IpCommandError('batch line contains a line break');
      }
      const res = await run(['-force', '-batch', '-'], lines.join('\n') + '\n');
      const parsed = parseBatchErrors(res.stderr);
      if (res.code !== 0 && parsed.failedLines.length === 0) {
        throw new IpCommandError(`ip -batch failed (exit ${res.code}): ${res.stderr.trim()}`);
      }
      return parsed;
    },
  };
}

/**
 * iproute2 prints the error text, then `Command failed -:<line>`, for each failing line. Errors
 * are attributed to the next "Command failed" marker that follows them.
 */
export function parseBatchErrors(stderr: string): BatchResult {
  const failedLines: number[] = [];
  const errors = new Map<number, string>();
  let pending: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^Command failed (?:-|\S*):(\d+)$/.exec(line);
    if (m) {
      const n = Number(m[1]);
      failedLines.push(n);
      errors.set(n, pending.join('; '));
      pending = [];
    } else {
      pending.push(line);
    }
  }
  return { failedLines, errors };
}

function runProcess(binary: string, args: readonly string[], stdin?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new IpCommandError(`cannot run ${binary}: ${e.message}`)));
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    // EPIPE if ip exits early is reported through 'close' with its exit code instead.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}
