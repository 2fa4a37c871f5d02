// End to end: three "node" namespaces on a bridge, the Kubernetes emulator, and one real
// alicloud-hostroutes process per namespace (`ip netns exec`). Packets between pod addresses
// prove the routes work; the root namespace is never changed.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import { BRIDGE_IP, ip, netnsUnavailable, TOOLS, Topology, type NodeNs } from './netns.js';
import { settled } from '../helpers/eventually.js';

const BIN = fileURLToPath(new URL('../../bin/alicloud-hostroutes', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/hostroutes/main.mjs', import.meta.url));
const PROTO = 200;

interface AgentProc {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
}

describe('alicloud-hostroutes agents in network namespaces', function () {
  let topo: Topology | undefined;
  let emu: KubeEmulator | undefined;
  let bridge: net.Server | undefined;
  let socketPath = '';
  let apiURL = '';
  const agents = new Map<string, AgentProc>();
  const echoPorts = new Map<string, number>();

  const owned = async (ns: string) =>
    parseRouteJson(await ip(['-n', ns, '-4', '-N', '-j', 'route', 'show']))
      .filter((r) => r.protocol === String(PROTO))
      .map((r) => `${r.dst} via ${r.gateway}`)
      .sort();
  const routeTo = async (ns: string, dst: string) =>
    parseRouteJson(await ip(['-n', ns, '-4', '-N', '-j', 'route', 'show'])).filter((r) => r.dst === dst);
  const node = (i: number): NodeNs => topo!.nodes[i - 1]!;

  async function createNode(name: string, podCIDR: string, internalIP: string): Promise<void> {
    emu!.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: { podCIDR, podCIDRs: [podCIDR] },
    });
    emu!.store.patch(
      'nodes',
      name,
      {
        status: {
          addresses: [
            { type: 'InternalIP', address: internalIP },
            { type: 'Hostname', address: name },
          ],
        },
      },
      { subresource: 'status' },
    );
  }

  async function probe(from: NodeNs, to: NodeNs): Promise<{ ok: boolean; detail: string }> {
    const res = await topo!.execIn(from.ns, [
      'node',
      TOOLS,
      'probe',
      from.podIP,
      to.podIP,
      String(echoPorts.get(to.ns)),
    ]);
    const line = res.stdout.trim().split('\n').pop() ?? '{}';
    return JSON.parse(line) as { ok: boolean; detail: string };
  }

  async function startAgent(n: NodeNs): Promise<void> {
    const logs: Record<string, unknown>[] = [];
    const { child, first } = await topo!.spawnIn(
      n.ns,
      [
        process.execPath,
        BIN,
        '--master',
        apiURL,
        '--node-name',
        n.name,
        '--cluster-cidr',
        '198.19.0.0/16',
        '--port',
        '0',
        '--bind-address',
        '127.0.0.1',
        '--resync-period',
        '1s',
        '--debounce',
        '10ms',
      ],
      (line) => {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ raw: line });
        }
      },
    );
    assert.equal(first.event, 'listening');
    agents.set(n.ns, { child, url: String(first.url), logs });
  }

  before(async function () {
    const why =
      (await netnsUnavailable()) ??
      (existsSync(DIST) ? undefined : `${DIST} missing (run npm run build first)`);
    if (why) {
      console.warn(`SKIPPING hostroutes agent netns test: ${why}`);
      this.skip();
    }
    topo = await Topology.create(3);
    emu = await startKubeEmulator({ port: 0 });
    const emuPort = Number(new URL(emu.url).port);
    // The namespaces cannot reach 127.0.0.1 of the root namespace; a Unix socket (a path) can
    // cross, so a proxy in the bridge namespace forwards TCP to this socket, which forwards on.
    socketPath = join(tmpdir(), `hostroutes-${topo.suffix}.sock`);
    bridge = net.createServer((c) => {
      const up = net.connect(emuPort, '127.0.0.1');
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => bridge!.listen(socketPath, resolve));
    const proxy = await topo.spawnIn(topo.bridgeNs, [
      process.execPath,
      TOOLS,
      'proxy',
      BRIDGE_IP,
      socketPath,
    ]);
    apiURL = `http://${BRIDGE_IP}:${String(proxy.first.port)}`;

    for (const n of topo.nodes) {
      await createNode(n.name, n.podCIDR, n.nodeIP);
      const echo = await topo.spawnIn(n.ns, [process.execPath, TOOLS, 'echo', n.podIP, '0']);
      echoPorts.set(n.ns, Number(echo.first.port));
    }
    // Node 1 restarts after a crash: one of its old routes is stale, and an admin route exists.
    await ip([
      '-n',
      node(1).ns,
      'route',
      'add',
      '198.19.99.0/24',
      'via',
      '198.18.0.2',
      'proto',
      String(PROTO),
    ]);
    await ip(['-n', node(1).ns, 'route', 'add', '198.19.98.0/24', 'via', '198.18.0.3', 'proto', 'static']);
    for (const n of topo.nodes) await startAgent(n);
  });

  after(async () => {
    await topo?.destroy();
    bridge?.close();
    await emu?.close();
    if (socketPath) await rm(socketPath, { force: true });
  });

  it("programs every other node's pod CIDR via its InternalIP, with our protocol", async () => {
    for (const n of topo!.nodes) {
      const want = topo!.nodes
        .filter((o) => o !== n)
        .map((o) => `${o.podCIDR} via ${o.nodeIP}`)
        .sort();
      const got = await settled(
        () => owned(n.ns),
        (r) => JSON.stringify(r) === JSON.stringify(want),
        { tries: 100, intervalMs: 100 },
      );
      assert.deepEqual(got, want, `routes in ${n.ns}`);
    }
  });

  it('startup removed the stale owned route and left the admin route alone', async () => {
    assert.deepEqual(await routeTo(node(1).ns, '198.19.99.0/24'), []);
    const admin = await routeTo(node(1).ns, '198.19.98.0/24');
    assert.equal(admin.length, 1);
    assert.equal(admin[0]!.protocol, '4');
  });

  it('packets flow between pod addresses on different nodes', async () => {
    for (const [a, b] of [
      [1, 2],
      [2, 3],
      [3, 1],
    ] as const) {
      const r = await probe(node(a), node(b));
      assert.ok(r.ok, `pod ${node(a).podIP} → pod ${node(b).podIP}: ${r.detail}`);
    }
  });

  it('a route deleted by hand is restored', async () => {
    await ip(['-n', node(1).ns, 'route', 'del', node(2).podCIDR, 'proto', String(PROTO)]);
    const got = await settled(
      () => owned(node(1).ns),
      (r) => r.includes(`${node(2).podCIDR} via ${node(2).nodeIP}`),
      { tries: 100, intervalMs: 100 },
    );
    assert.ok(got.includes(`${node(2).podCIDR} via ${node(2).nodeIP}`), got.join(', '));
    assert.ok((await probe(node(1), node(2))).ok);
  });

  it('a foreign route with the same destination is untouched and reported', async () => {
    await ip(['-n', node(2).ns, 'route', 'add', '198.19.4.0/24', 'via', node(1).nodeIP, 'proto', 'static']);
    await createNode(`node-4-${topo!.suffix}`, '198.19.4.0/24', '198.18.0.4');
    const onNode1 = await settled(
      () => owned(node(1).ns),
      (r) => r.includes('198.19.4.0/24 via 198.18.0.4'),
      { tries: 100, intervalMs: 100 },
    );
    assert.ok(onNode1.includes('198.19.4.0/24 via 198.18.0.4'), 'other nodes do program it');
    const agent2 = agents.get(node(2).ns)!;
    await settled(
      async () => agent2.logs.some((l) => l.event === 'foreign-route' && l.dst === '198.19.4.0/24'),
      (x) => x,
      { tries: 100, intervalMs: 100 },
    );
    assert.ok(
      agent2.logs.some((l) => l.event === 'foreign-route' && l.dst === '198.19.4.0/24' && l.protocol === '4'),
      'conflict logged',
    );
    const onNode2 = await routeTo(node(2).ns, '198.19.4.0/24');
    assert.deepEqual(
      onNode2.map((r) => [r.protocol, r.gateway]),
      [['4', node(1).nodeIP]],
    );
    const metrics = await topo!.execIn(node(2).ns, ['curl', '-sf', `${agent2.url}/metrics`]);
    assert.match(metrics.stdout, /^hostroutes_foreign_conflicts 1$/m);
  });

  it('a node that is not on a directly connected subnet is skipped and reported', async () => {
    await createNode(`node-5-${topo!.suffix}`, '198.19.5.0/24', '203.0.113.5');
    const agent1 = agents.get(node(1).ns)!;
    await settled(
      async () => agent1.logs.some((l) => l.event === 'route-skipped' && l.reason === 'not-on-link'),
      (x) => x,
      { tries: 100, intervalMs: 100 },
    );
    assert.ok(
      agent1.logs.some(
        (l) => l.event === 'route-skipped' && l.dst === '198.19.5.0/24' && l.reason === 'not-on-link',
      ),
    );
    assert.deepEqual(await routeTo(node(1).ns, '198.19.5.0/24'), []);
    const metrics = await topo!.execIn(node(1).ns, ['curl', '-sf', `${agent1.url}/metrics`]);
    assert.match(metrics.stdout, /^hostroutes_skipped_routes\{reason="not-on-link"\} 1$/m);
  });

  it("a removed node's route disappears everywhere and its pods become unreachable", async () => {
    emu!.store.delete('nodes', node(3).name);
    for (const n of [node(1), node(2)]) {
      const got = await settled(
        () => owned(n.ns),
        (r) => !r.some((x) => x.startsWith(node(3).podCIDR)),
        { tries: 100, intervalMs: 100 },
      );
      assert.ok(!got.some((x) => x.startsWith(node(3).podCIDR)), `${n.ns}: ${got.join(', ')}`);
    }
    assert.equal((await probe(node(1), node(3))).ok, false, 'no route, no packets');
  });

  it('SIGTERM stops the agent and leaves its routes in place', async () => {
    const a = agents.get(node(1).ns)!;
    const before = await owned(node(1).ns);
    const code = await topo!.stop(a.child, 'SIGTERM');
    assert.equal(code, 0);
    assert.deepEqual(await owned(node(1).ns), before);
    assert.ok(before.length > 0);
  });
});
