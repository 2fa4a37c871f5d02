// Hostile podCIDRs (issue #14, hostroutes part): every attack of chaos/lib/hostile-routes.ts is
// refused with its specific reason, counted in hostroutes_skipped_routes and never programmed —
// first against a kernel state written down here, then (as root) against a real routing table in
// a namespace made for the test, whose every table must be byte-for-byte unchanged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { replayRouteAttack, ROUTE_ARENA, ROUTE_ATTACKS } from '../../chaos/lib/hostile-routes.js';
import type { KernelState } from '../../src/hostroutes/diff.js';
import { createIpRouteTable, type RouteTable } from '../../src/hostroutes/ip.js';
import { parseCidr } from '../../src/util/ipv4.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import { createMetrics, type HostroutesMetrics } from '../../src/hostroutes/metrics.js';
import { Reconciler } from '../../src/hostroutes/reconciler.js';
import { RESERVED_RANGES } from '../../src/hostroutes/reserved.js';
import { silentLogger } from '../../src/util/log.js';
import { ip, netnsUnavailable, Topology } from './netns.js';

const PROTO = 200;
const CLUSTER = [parseCidr(ROUTE_ARENA.clusterCIDR)!];

/** The kernel of node "self" as `ip -j` prints it: its subnet, a default route, its addresses. */
function fakeKernel(): RouteTable & { batches: string[][] } {
  const main = parseRouteJson(
    JSON.stringify([
      {
        dst: ROUTE_ARENA.nodeSubnet,
        dev: 'eth0',
        protocol: '2',
        scope: '253',
        prefsrc: '198.18.0.1',
        flags: [],
      },
      { dst: 'default', gateway: '198.18.0.254', dev: 'eth0', protocol: '4', flags: [] },
    ]),
  );
  const local = parseRouteJson(
    JSON.stringify([
      { type: 'local', dst: '198.18.0.1', dev: 'eth0', protocol: '2', scope: '254', flags: [] },
      { type: 'local', dst: '127.0.0.0/8', dev: 'lo', protocol: '2', scope: '254', flags: [] },
    ]),
  );
  const batches: string[][] = [];
  const state: KernelState = { table: main, main, local };
  return {
    batches,
    read: async () => state,
    readExact: async (_t, dsts) => main.filter((r) => dsts.includes(r.dst)),
    applyBatch: async (lines) => {
      batches.push([...lines]);
      return { failedLines: [], errors: new Map() };
    },
  };
}

async function skipped(metrics: HostroutesMetrics, reason: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric('hostroutes_skipped_routes')!.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('hostroutes: hostile podCIDRs', () => {
  it('refuses to exist without a cluster CIDR', () => {
    assert.throws(
      () =>
        new Reconciler(
          { nodeName: 'self', protocol: PROTO, table: 'main', clusterCIDRs: [] },
          fakeKernel(),
          createMetrics(),
          silentLogger,
        ),
      /cluster CIDR/,
    );
  });

  it('docs/hostroutes.md lists every reserved range and the reason it is skipped with', () => {
    const doc = readFileSync(new URL('../../docs/hostroutes.md', import.meta.url), 'utf8');
    for (const r of RESERVED_RANGES) assert.ok(doc.includes(`\`${r.text}\``), r.text);
    for (const reason of new Set(ROUTE_ATTACKS.map((a) => a.expect)))
      assert.ok(doc.includes(`\`${reason}\``), reason);
  });

  describe('model and plan (no kernel)', () => {
    for (const attack of ROUTE_ATTACKS) {
      it(`${attack.name}: ${attack.podCIDR} → ${attack.expect}`, async () => {
        const kernel = fakeKernel();
        const metrics = createMetrics();
        const r = new Reconciler(
          { nodeName: 'self', protocol: PROTO, table: 'main', clusterCIDRs: CLUSTER },
          kernel,
          metrics,
          silentLogger,
        );
        assert.deepEqual(await replayRouteAttack(r, attack), []);
        // The honest peer is still routed; nothing else is sent.
        assert.deepEqual(kernel.batches.flat(), [
          `route replace ${ROUTE_ARENA.peer.podCIDRs[0]} via 198.18.0.2 proto ${PROTO} table main`,
        ]);
        if (attack.expect !== 'foreign-route') assert.equal(await skipped(metrics, attack.expect), 1);
      });
    }
  });

  describe('against a real routing table (netns)', function () {
    let topo: Topology | undefined;
    let ns = '';

    before(async function () {
      const why = await netnsUnavailable();
      if (why) {
        if (process.env.CI === 'true')
          throw new Error(`hostroutes netns tests need root and ip netns under CI: ${why}`);
        console.warn(`SKIPPING hostroutes hostile netns tests: ${why}`);
        this.skip();
      }
      topo = await Topology.create(1);
      ns = topo.nodes[0]!.ns;
    });
    after(async () => {
      await topo?.destroy();
    });

    // IPv4 only: IPv6 link-local routes appear on their own once DAD completes.
    const everyTable = async () => ip(['-n', ns, '-4', '-N', '-j', 'route', 'show', 'table', 'all']);

    it('every attack is refused and leaves every table byte-for-byte as it was', async function () {
      this.timeout(60_000);
      const metrics = createMetrics();
      const r = new Reconciler(
        { nodeName: 'self', protocol: PROTO, table: 'main', clusterCIDRs: CLUSTER },
        createIpRouteTable({ globalArgs: ['-n', ns] }),
        metrics,
        silentLogger,
      );
      // The honest peer's route goes in first; every attack must leave the result exactly so.
      await r.sync([ROUTE_ARENA.self, ROUTE_ARENA.peer]);
      const baseline = await everyTable();
      assert.match(baseline, /198\.19\.2\.0\/24/);
      const problems: string[] = [];
      for (const attack of ROUTE_ATTACKS) {
        problems.push(...(await replayRouteAttack(r, attack)).map((p) => `${attack.name}: ${p}`));
        const now = await everyTable();
        if (now !== baseline) problems.push(`${attack.name}: the routing tables changed`);
      }
      assert.deepEqual(problems, []);
    });
  });
});
