// The only place that runs iproute2. Reads (`route show …`, printed as JSON with numeric
// protocols) and writes (`route replace|del …`) all go to one long-lived `ip -batch` process
// (ip-session.ts), so neither thousands of routes nor a single change cost a process spawn.
import { errorText } from '../util/errors.js';
import { IpSession } from './ip-session.js';
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
  /** Ends the helper process, if any. */
  close?(): void;
}

/** Requests up to this many lines go to the long-lived process: a Node event's worth. */
const SMALL_REQUEST = 64;

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

export function createIpRouteTable(options: IpOptions = {}): RouteTable {
  const binary = options.binary ?? 'ip';
  const globalArgs = options.globalArgs ?? [];
  const session = new IpSession(binary, globalArgs);
  const isShow = (line: string) => line.startsWith('route show ');
  const checkTable = (table: string) => {
    if (!TABLE_RE.test(table)) throw new IpCommandError(`invalid table ${JSON.stringify(table)}`);
  };
  const wrap = (err: unknown) => {
    throw new IpCommandError(errorText(err));
  };
  // Whole-table dumps and batches of thousands of lines grow iproute2's heap by megabytes it
  // never returns (20 MiB at 5000 routes, measured); they go to a process of their own, once per
  // cold start or resync, so the long-lived one that serves single changes stays small.
  const runOnce = (lines: readonly string[]) => {
    const once = new IpSession(binary, globalArgs);
    return once
      .run(lines, isShow)
      .catch(wrap)
      .finally(() => {
        once.close();
        // Start the long-lived process now, so the first Node event does not wait for a spawn.
        session.run([], isShow).catch(() => undefined);
      });
  };
  const run = (lines: readonly string[]) =>
    lines.length > SMALL_REQUEST ? runOnce(lines) : session.run(lines, isShow).catch(wrap);

  return {
    async read(table) {
      checkTable(table);
      const own = table === 'main' || table === '254';
      const lines = [
        `route show table ${table}`,
        ...(own ? [] : ['route show table main']),
        'route show table local type local',
      ];
      const res = await runOnce(lines);
      if (res.failedLines.length > 0) {
        const n = res.failedLines[0]!;
        throw new IpCommandError(`ip ${lines[n - 1]} failed: ${res.errors.get(n) ?? ''}`);
      }
      const [routes = [], second = [], third = []] = res.shows.map((l) => parseRouteJson(l));
      return own
        ? { table: routes, main: routes, local: second }
        : { table: routes, main: second, local: third };
    },
    async readExact(table, dsts) {
      checkTable(table);
      if (dsts.length === 0) return [];
      const lines = dsts.map((d) => {
        if (!CANONICAL_DST.test(d)) throw new IpCommandError(`refusing destination ${JSON.stringify(d)}`);
        return `route show table ${table} exact ${d}`;
      });
      const res = await run(lines);
      if (res.failedLines.length > 0) {
        const n = res.failedLines[0]!;
        throw new IpCommandError(`ip route show exact failed: ${res.errors.get(n) ?? ''}`);
      }
      return res.shows.flatMap((line) => parseRouteJson(line));
    },
    async applyBatch(lines) {
      if (lines.length === 0) return { failedLines: [], errors: new Map() };
      for (const line of lines) {
        if (/[\n\r]/.test(line)) throw new IpCommandError('batch line contains a line break');
        // A `show` would print a line nobody reads; only changes belong in a batch.
        if (isShow(line)) throw new IpCommandError('batch line is a read');
      }
      const res = await run(lines);
      return { failedLines: res.failedLines, errors: res.errors };
    },
    close() {
      session.close();
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
