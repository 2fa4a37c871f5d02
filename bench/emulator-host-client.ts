// The parent's side of bench/emulator-host.ts: forks it (under tsx, as the bench itself runs) and
// turns its IPC messages into typed promises.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostOps } from './emulator-host.js';

const HOST = fileURLToPath(new URL('./emulator-host.ts', import.meta.url));

export interface EmulatorHost {
  pid: number;
  call<K extends keyof HostOps>(op: K, args: HostOps[K]['args']): Promise<HostOps[K]['result']>;
  /** Asks the host to close its emulators and waits for it to exit. */
  close(): Promise<void>;
}

/** `nodeOptions`: extra Node flags for the host, e.g. `--cpu-prof --cpu-prof-dir=…` to profile the emulators. */
export function startEmulatorHost(nodeOptions: string[] = []): EmulatorHost {
  const child: ChildProcess = fork(HOST, [], {
    execArgv: ['--import', 'tsx', ...nodeOptions],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `emulator host exited (${signal ?? code})`;
      for (const w of waiting.values()) w.reject(new Error(exited));
      waiting.clear();
      resolve();
    }),
  );
  child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(m.error));
  });
  return {
    pid: child.pid!,
    call(op, args) {
      if (exited) return Promise.reject(new Error(exited));
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve, reject });
        child.send({ id, op, args });
      });
    },
    async close() {
      if (exited) return;
      await this.call('shutdown', {}).catch(() => undefined);
      await gone;
    },
  };
}
