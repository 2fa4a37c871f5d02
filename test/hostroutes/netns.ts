// Test topology in network namespaces the test creates and deletes: a bridge namespace and N
// "node" namespaces joined by veth pairs. Nodes use 198.18.0.<i>/24, pods 198.19.<i>.0/24 (a veth
// inside each node namespace stands in for the pod bridge). The root namespace is never changed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const TOOLS = fileURLToPath(new URL('./fixtures/netns-tools.mjs', import.meta.url));
export const BRIDGE_IP = '198.18.0.254';

/** Why namespace tests cannot run here, or undefined when they can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  const probe = `hrprobe-${randomBytes(3).toString('hex')}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'del', probe]);
    await run('ip', ['-N', '-j', 'route', 'show'], { timeout: 5000 });
  } catch (err) {
    return `ip netns / ip -json not usable: ${(err as Error).message}`;
  }
  return undefined;
}

export async function ip(args: readonly string[]): Promise<string> {
  const { stdout } = await run('ip', [...args], { timeout: 10_000 });
  return stdout;
}

export interface NodeNs {
  readonly index: number;
  readonly ns: string;
  readonly name: string;
  readonly nodeIP: string;
  readonly podCIDR: string;
  readonly podIP: string;
}

export class Topology {
  readonly nodes: NodeNs[] = [];
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();

  private constructor(
    readonly suffix: string,
    readonly bridgeNs: string,
  ) {}

  static async create(nodeCount: number): Promise<Topology> {
    const suffix = randomBytes(3).toString('hex');
    const t = new Topology(suffix, `hrbr-${suffix}`);
    try {
      await t.addNs(t.bridgeNs);
      await ip(['-n', t.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
      await ip(['-n', t.bridgeNs, 'addr', 'add', `${BRIDGE_IP}/24`, 'dev', 'br0']);
      await ip(['-n', t.bridgeNs, 'link', 'set', 'br0', 'up']);
      for (let i = 1; i <= nodeCount; i++) await t.addNode(i);
    } catch (err) {
      await t.destroy();
      throw err;
    }
    return t;
  }

  private async addNs(name: string): Promise<void> {
    await ip(['netns', 'add', name]);
    this.namespaces.push(name);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  }

  private async addNode(i: number): Promise<void> {
    const ns = `hrn${i}-${this.suffix}`;
    await this.addNs(ns);
    // Both ends are created directly in their namespaces: nothing ever appears in the root one.
    await ip([
      '-n',
      ns,
      'link',
      'add',
      'eth0',
      'type',
      'veth',
      'peer',
      'name',
      `port${i}`,
      'netns',
      this.bridgeNs,
    ]);
    await ip(['-n', this.bridgeNs, 'link', 'set', `port${i}`, 'master', 'br0', 'up']);
    await ip(['-n', ns, 'addr', 'add', `198.18.0.${i}/24`, 'dev', 'eth0']);
    await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', ns, 'link', 'add', 'pod0', 'type', 'veth', 'peer', 'name', 'pod0p']);
    await ip(['-n', ns, 'addr', 'add', `198.19.${i}.1/24`, 'dev', 'pod0']);
    await ip(['-n', ns, 'link', 'set', 'pod0', 'up']);
    await ip(['-n', ns, 'link', 'set', 'pod0p', 'up']);
    this.nodes.push({
      index: i,
      ns,
      name: `node-${i}-${this.suffix}`,
      nodeIP: `198.18.0.${i}`,
      podCIDR: `198.19.${i}.0/24`,
      podIP: `198.19.${i}.1`,
    });
  }

  /** Starts a long-running process inside `ns` and resolves with it and its first stdout JSON line. */
  async spawnIn(
    ns: string,
    argv: readonly string[],
    onStderr?: (line: string) => void,
  ): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    let errText = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      errText += chunk;
      const lines = errText.split('\n');
      errText = lines.pop() ?? '';
      for (const l of lines) onStderr?.(l);
    });
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
      });
      child.once('exit', (code) =>
        reject(new Error(`${argv.join(' ')} in ${ns} exited ${code} before it was ready: ${errText}`)),
      );
    });
    return { child, first };
  }

  /** Runs a short command inside `ns`; resolves with its exit code and stdout. */
  async execIn(ns: string, argv: readonly string[]): Promise<{ code: number; stdout: string }> {
    try {
      const { stdout } = await run('ip', ['netns', 'exec', ns, ...argv], { timeout: 10_000 });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code?: number; stdout?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '' };
    }
  }

  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  }

  async destroy(): Promise<void> {
    for (const child of [...this.children]) await this.stop(child, 'SIGKILL').catch(() => undefined);
    for (const ns of this.namespaces.splice(0).reverse())
      await ip(['netns', 'del', ns]).catch(() => undefined);
  }
}
