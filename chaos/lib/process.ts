// A real alicloud-controller-manager child process (bundled from source, so the suite needs no
// build): every output line is kept (R7 greps them; crash reports quote them), the identity it
// logs is parsed, and an exit we did not cause is recorded as a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { programs } from './bundle.js';
import { ROOT } from './root.js';

export { ROOT };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagerProcess {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  readonly listening: Promise<string>;
  /** Set when we sent the signal that ended it; an exit without it is a crash. */
  killedByUs = false;
  exit: Exit | undefined;

  constructor(
    args: string[],
    env: Record<string, string>,
    readonly label: string,
  ) {
    this.proc = spawn(process.execPath, [programs().manager, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    createInterface({ input: this.proc.stderr! }).on('line', (l) => this.lines.push(l));
    this.listening = new Promise<string>((resolve, reject) => {
      createInterface({ input: this.proc.stdout! }).on('line', (line) => {
        this.lines.push(line);
        try {
          const ev = JSON.parse(line) as { event?: string; url?: string };
          if (ev.event === 'listening' && ev.url) resolve(ev.url);
        } catch {
          // not JSON: keep reading
        }
      });
      void this.exited.then((e) =>
        reject(new Error(`${label} exited (${e.code ?? e.signal}) before listening: ${this.tail()}`)),
      );
    });
    this.listening.catch(() => undefined);
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  get crashed(): boolean {
    return this.exit !== undefined && !this.killedByUs;
  }

  /** The leader-election identity from the startup configuration line. */
  identity(): string | undefined {
    for (const l of this.lines) {
      const m = /"identity":"([^"]+)"/.exec(l);
      if (m) return m[1];
    }
    return undefined;
  }

  tail(n = 15): string {
    return this.lines.slice(-n).join('\n');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 8000): Promise<Exit> {
    if (!this.alive) return this.exit!;
    this.killedByUs = true;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const e = await this.exited;
    clearTimeout(timer);
    return e;
  }
}

/** Runs the manager to its exit (flag and config errors), killing it after `timeoutMs`. */
export async function runToExit(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ exit: Exit; output: string; timedOut: boolean }> {
  const m = new ManagerProcess(args, env, 'manager');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void m.kill('SIGKILL');
  }, timeoutMs);
  const exit = await m.exited;
  clearTimeout(timer);
  // The timer can fire in the instant between the process's own exit and our seeing it.
  if (exit.signal !== 'SIGKILL') timedOut = false;
  // Let the line readers drain.
  await new Promise((r) => setImmediate(r));
  return { exit, output: m.lines.join('\n'), timedOut };
}
