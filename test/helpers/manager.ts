// Runs alicloud-controller-manager as a real child process (built, or via tsx when the build is
// stale: entry.ts)
// and exposes its listening URL, its stderr, and its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { managerEntry } from './entry.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ManagerProcess {
  proc: ChildProcess;
  /** Resolves with the health server URL once the listening line is printed. */
  listening: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  stdout(): string;
}

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
  return { proc, listening, exited, stderr: () => err, stdout: () => out };
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
