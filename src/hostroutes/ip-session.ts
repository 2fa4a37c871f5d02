// One long-lived `ip -4 -N -j -force -batch -` process that every read and write goes through.
// A process spawn costs more than a whole single-Node change (5–30 ms on a busy node, and the
// fork of a Node.js process grows with its heap), so the agent keeps one and feeds it lines.
//
// iproute2 reads stdin line by line and answers as it goes: each `show` prints one JSON array on
// its own line (flushed), each failing line prints its error and `Command failed -:<n>` on stderr,
// where n counts every line since the process started. The end of a request is marked by a line
// naming an unknown object, which iproute2 rejects without touching anything; its failure report
// is the last thing a request produces on stderr. stdout and stderr are separate pipes, so a
// request is complete only when that marker is seen AND every successful `show` has printed its
// line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The object name no iproute2 version knows; its line only ever fails. */
const MARKER = 'hostroutes-end-of-request';

export interface SessionResult {
  /** Output lines of the `show` commands that succeeded, in order. */
  readonly shows: readonly string[];
  /** 1-based line numbers (within the request) that iproute2 reported as failed. */
  readonly failedLines: readonly number[];
  /** iproute2's error text per failed line. */
  readonly errors: ReadonlyMap<number, string>;
}

export class IpSessionError extends Error {
  override name = 'IpSessionError';
}

interface Pending {
  readonly first: number;
  readonly marker: number;
  readonly showLines: ReadonlySet<number>;
  readonly failed: number[];
  readonly errors: Map<number, string>;
  markerSeen: boolean;
  readonly resolve: (r: SessionResult) => void;
  readonly reject: (e: Error) => void;
}

export class IpSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  /** Lines written to the current child so far (iproute2's line counter). */
  private sent = 0;
  private stdout = '';
  private stderr = '';
  private errorText: string[] = [];
  private readonly shows: string[] = [];
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly binary: string,
    private readonly globalArgs: readonly string[],
  ) {}

  /**
   * Runs `lines` (iproute2 batch syntax, no line breaks inside) in order; `isShow(line)` tells
   * which of them print a JSON line. Requests run one at a time.
   */
  run(lines: readonly string[], isShow: (line: string) => boolean): Promise<SessionResult> {
    const next = this.queue.then(() => this.execute(lines, isShow));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the process; requests after this fail. */
  close(): void {
    this.closed = true;
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
  }

  private execute(lines: readonly string[], isShow: (line: string) => boolean): Promise<SessionResult> {
    if (this.closed) return Promise.reject(new IpSessionError('ip session closed'));
    for (const line of lines) {
      if (/[\n\r]/.test(line)) return Promise.reject(new IpSessionError('batch line contains a line break'));
    }
    const child = this.child ?? this.start();
    const first = this.sent + 1;
    const showLines = new Set<number>();
    lines.forEach((l, i) => isShow(l) && showLines.add(first + i));
    this.sent += lines.length + 1;
    return new Promise<SessionResult>((resolve, reject) => {
      this.pending = {
        first,
        marker: this.sent,
        showLines,
        failed: [],
        errors: new Map(),
        markerSeen: false,
        resolve,
        reject,
      };
      this.hold(child, true);
      child.stdin.write(lines.length > 0 ? `${lines.join('\n')}\n${MARKER}\n` : `${MARKER}\n`);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.binary, [...this.globalArgs, '-4', '-N', '-j', '-force', '-batch', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.sent = 0;
    this.stdout = '';
    this.stderr = '';
    this.errorText = [];
    this.shows.length = 0;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => this.onStdout(s));
    child.stderr.on('data', (s: string) => this.onStderr(s));
    // EPIPE after an early exit is reported through 'exit' below.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => this.fail(child, `cannot run ${this.binary}: ${e.message}`));
    child.on('exit', (code, signal) =>
      this.fail(child, `${this.binary} -batch exited (${signal ?? `code ${code}`}): ${this.stderr.trim()}`),
    );
    this.hold(child, false);
    return child;
  }

  /**
   * An idle helper must not keep the program alive (tests and the bench build route tables they
   * never close); one with a request in flight must, or an awaited answer could be abandoned.
   */
  private hold(child: ChildProcessWithoutNullStreams, busy: boolean): void {
    for (const h of [child, child.stdin, child.stdout, child.stderr] as { ref(): void; unref(): void }[])
      if (busy) h.ref();
      else h.unref();
  }

  private fail(child: ChildProcessWithoutNullStreams, message: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new IpSessionError(message));
  }

  private onStdout(chunk: string): void {
    this.stdout += chunk;
    let nl: number;
    while ((nl = this.stdout.indexOf('\n')) >= 0) {
      this.shows.push(this.stdout.slice(0, nl));
      this.stdout = this.stdout.slice(nl + 1);
    }
    this.settle();
  }

  private onStderr(chunk: string): void {
    this.stderr += chunk;
    let nl: number;
    while ((nl = this.stderr.indexOf('\n')) >= 0) {
      const line = this.stderr.slice(0, nl).trim();
      this.stderr = this.stderr.slice(nl + 1);
      if (line === '') continue;
      const m = /^Command failed \S*:(\d+)$/.exec(line);
      if (!m) {
        this.errorText.push(line);
        continue;
      }
      const n = Number(m[1]);
      const text = this.errorText.join('; ');
      this.errorText = [];
      const p = this.pending;
      if (!p) continue;
      if (n === p.marker) p.markerSeen = true;
      else if (n >= p.first && n < p.marker) {
        p.failed.push(n - p.first + 1);
        p.errors.set(n - p.first + 1, text);
      }
    }
    this.settle();
  }

  private settle(): void {
    const p = this.pending;
    if (!p?.markerSeen) return;
    let expected = p.showLines.size;
    for (const f of p.failed) if (p.showLines.has(f + p.first - 1)) expected -= 1;
    if (this.shows.length < expected) return;
    this.pending = undefined;
    if (this.child) this.hold(this.child, false);
    p.resolve({ shows: this.shows.splice(0, expected), failedLines: p.failed, errors: p.errors });
  }
}
