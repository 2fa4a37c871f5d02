// The one way tests start alicloud-controller-manager as a real child process: from the build
// when dist/ is at least as new as every source file, else through tsx on the source. A start
// through tsx costs seconds of compiling on a busy machine and the suite starts the manager
// dozens of times; a stale build must never be what a test measures, hence the freshness check.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let cachedEntry: string[] | undefined;

/** Node arguments that run src/manager/main.ts, built or not. */
export function managerEntry(): string[] {
  if (cachedEntry) return cachedEntry;
  const built = join(ROOT, 'dist/manager/main.js');
  let fresh: boolean;
  try {
    fresh = statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'));
  } catch {
    fresh = false; // not built
  }
  cachedEntry = fresh ? [built] : ['--import', 'tsx', join(ROOT, 'src/manager/main.ts')];
  return cachedEntry;
}

export interface ManagerProcess {
  proc: ChildProcess;
  /** Resolves with the health server URL once the listening line is printed. */
  listening: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  stdout(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the manager with `args` and an environment of PATH, HOME and `env` only, so nothing
 * from the developer's shell (credentials, kubeconfig) leaks into a test.
 */
export function spawnManager(args: string[], env: NodeJS.ProcessEnv = {}): ManagerProcess {
  const proc = spawn(process.execPath, [...managerEntry(), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Keep metadata look-ups off the real link-local address: a closed loopback port fails fast.
      METADATA_ENDPOINT: 'http://127.0.0.1:9',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      out += line + '\n';
      try {
        const ev = JSON.parse(line) as { event?: string; url?: string };
        if (ev.event === 'listening' && ev.url) resolve(ev.url);
      } catch {
        // not JSON: keep reading
      }
    });
    void exited.then(({ code }) =>
      reject(new Error(`manager exited (${code}) before listening: ${err.slice(-2000)}`)),
    );
  });
  listening.catch(() => undefined);
  const stop = async (graceMs = 5000): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { proc, listening, exited, stderr: () => err, stdout: () => out, stop };
}

/** Runs the manager to completion (for flag/config errors) with a bounded wait. */
export async function runManagerToExit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<{ code: number | null; stderr: string }> {
  const m = spawnManager(args, env);
  const timer = setTimeout(() => m.proc.kill('SIGKILL'), timeoutMs);
  const { code } = await m.exited;
  clearTimeout(timer);
  return { code, stderr: m.stderr() };
}
