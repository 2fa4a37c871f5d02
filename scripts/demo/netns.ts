// A network namespace that stands in for the worker's host network: a dummy eth0 with the
// worker's InternalIP (198.18.0.0/15 only) and a way back to the Kubernetes API emulator. The root
// namespace's links and routes are never touched. Processes started in it are stopped, and the
// namespace deleted, by the cleanup stack.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { REPO } from './bundle.js';
import type { Cleanup } from './cleanup.js';

const run = promisify(execFile);
const SBIN = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

export function ip(args: readonly string[]): Promise<string> {
  return run('ip', [...args], { env: SBIN, timeout: 10_000 }).then((r) => r.stdout);
}

/** Why a network namespace cannot be made here, or undefined when it can (probed, not assumed). */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0)
    return 'not running as root (loop devices, mounts and network namespaces need root)';
  const probe = `kademo-probe-${randomBytes(3).toString('hex')}`;
  try {
    await ip(['netns', 'add', probe]);
  } catch (err) {
    return `ip netns add failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`;
  }
  await ip(['netns', 'delete', probe]).catch(() => undefined);
  return undefined;
}

export interface NsProcess {
  child: ChildProcess;
  /** The first JSON line the process printed on stdout. */
  ready: Record<string, unknown>;
  stderr(): string;
}

export class DemoNetns {
  private constructor(
    readonly name: string,
    private readonly cleanup: Cleanup,
  ) {}

  static async create(cleanup: Cleanup, address: string): Promise<DemoNetns> {
    const name = `kademo-${randomBytes(4).toString('hex')}`;
    await ip(['netns', 'add', name]);
    cleanup.add(`network namespace ${name}`, () => ip(['netns', 'delete', name]).then(() => undefined), {
      kind: 'netns',
      id: name,
    });
    const ns = new DemoNetns(name, cleanup);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
    // A veth pair with both ends inside the namespace: nothing appears in the root namespace, and
    // unlike a dummy link it needs no extra kernel module.
    await ip(['-n', name, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0peer']);
    await ip(['-n', name, 'addr', 'add', address, 'dev', 'eth0']);
    await ip(['-n', name, 'link', 'set', 'eth0peer', 'up']);
    await ip(['-n', name, 'link', 'set', 'eth0', 'up']);
    return ns;
  }

  /** Starts `argv` inside the namespace (cwd: the repository) and waits for its first JSON line. */
  async spawn(what: string, argv: readonly string[]): Promise<NsProcess> {
    const child = spawn('ip', ['netns', 'exec', this.name, ...argv], {
      cwd: REPO,
      env: { ...SBIN, HOME: process.env.HOME ?? '/' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.cleanup.add(
      `${what} (pid ${child.pid})`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
      { kind: 'process', id: String(child.pid) },
    );
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not the ready line
        }
      });
      void exited.then(() =>
        reject(
          new Error(
            `${what} exited (${child.exitCode ?? child.signalCode}) before it was ready: ${err.slice(-2000)}`,
          ),
        ),
      );
    });
    return { child, ready, stderr: () => err };
  }

  /**
   * An apiserver URL that works inside the namespace: a Unix socket in `dir` forwarded to
   * `target` (host:port on the root namespace's loopback), and the forwarder in the namespace.
   */
  async apiserverURL(dir: string, target: URL, forwarder: string): Promise<string> {
    const socketPath = join(dir, `${this.name}.sock`);
    const open = new Set<net.Socket>();
    const bridge = net.createServer((c) => {
      const up = net.connect(Number(target.port), target.hostname);
      open.add(c);
      c.once('close', () => open.delete(c));
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      bridge.once('error', reject);
      bridge.listen(socketPath, resolve);
    });
    this.cleanup.add('apiserver bridge socket', () => {
      bridge.close();
      for (const c of open) c.destroy();
      rmSync(socketPath, { force: true });
    });
    const fwd = await this.spawn('apiserver forwarder', [process.execPath, forwarder, socketPath]);
    return `http://127.0.0.1:${String(fwd.ready.port)}`;
  }
}
