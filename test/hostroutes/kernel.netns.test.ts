// The reconciler, loop and ip port against a real kernel routing table in a namespace made here.
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/util/log.js';
import { startStatusServer, type StatusServer } from '../../src/hostroutes/http.js';
import { createIpRouteTable, type RouteTable } from '../../src/hostroutes/ip.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import { SyncLoop } from '../../src/hostroutes/loop.js';
import { createMetrics, type HostroutesMetrics } from '../../src/hostroutes/metrics.js';
import type { NodeFacts } from '../../src/hostroutes/node-facts.js';
import { parseCidr } from '../../src/util/ipv4.js';
import { Reconciler, type SyncReport } from '../../src/hostroutes/reconciler.js';
import { ip, netnsUnavailable, Topology } from './netns.js';
import { settled } from '../helpers/eventually.js';

const PROTO = 200;

describe('hostroutes against a real routing table (netns)', function () {
  let topo: Topology | undefined;
  let ns = '';
  let kernel: RouteTable;
  let metrics: HostroutesMetrics;
  let reconciler: Reconciler;
  let nodes: NodeFacts[];

  const routes = async (...filter: string[]) =>
    parseRouteJson(await ip(['-n', ns, '-4', '-N', '-j', 'route', 'show', ...filter]));
  const owned = async () =>
    (await routes('proto', String(PROTO))).map((r) => `${r.dst} via ${r.gateway}`).sort();
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = await metrics.registry.getSingleMetric(name)!.get();
    return m.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
  };

  before(async function () {
    const why = await netnsUnavailable();
    if (why) {
      console.warn(`SKIPPING hostroutes netns tests: ${why}`);
      this.skip();
    }
    topo = await Topology.create(2);
    ns = topo.nodes[0]!.ns;
    kernel = createIpRouteTable({ globalArgs: ['-n', ns] });
    metrics = createMetrics();
    nodes = [
      { name: 'self', podCIDRs: ['198.19.1.0/24'], internalIPs: ['198.18.0.1'] },
      { name: 'peer', podCIDRs: ['198.19.2.0/24'], internalIPs: ['198.18.0.2'] },
      { name: 'ghost', podCIDRs: ['198.19.50.0/24'], internalIPs: ['198.18.0.50'] },
      { name: 'far', podCIDRs: ['198.19.60.0/24'], internalIPs: ['203.0.113.9'] },
      { name: 'contested', podCIDRs: ['198.19.70.0/24'], internalIPs: ['198.18.0.70'] },
    ];
    reconciler = new Reconciler(
      { nodeName: 'self', protocol: PROTO, table: 'main', clusterCIDRs: [parseCidr('198.19.0.0/16')!] },
      kernel,
      metrics,
      silentLogger,
    );
    // Left over from an earlier run (ours), a foreign route on a desired prefix, an admin's route.
    await ip(['-n', ns, 'route', 'add', '198.19.99.0/24', 'via', '198.18.0.2', 'proto', String(PROTO)]);
    await ip(['-n', ns, 'route', 'add', '198.19.70.0/24', 'via', '198.18.0.2', 'proto', 'static']);
    await ip(['-n', ns, 'route', 'add', '198.19.98.0/24', 'via', '198.18.0.2']);
  });

  after(async () => {
    await topo?.destroy();
  });

  it('first pass: adds, removes stale owned routes, leaves and reports foreign ones, skips off-link', async () => {
    const report = await reconciler.sync(nodes);
    assert.deepEqual(await owned(), ['198.19.2.0/24 via 198.18.0.2', '198.19.50.0/24 via 198.18.0.50']);
    const all = await routes();
    const find = (dst: string) => all.find((r) => r.dst === dst);
    assert.equal(find('198.19.70.0/24')?.protocol, '4', 'foreign static route untouched');
    assert.equal(find('198.19.70.0/24')?.gateway, '198.18.0.2');
    assert.equal(find('198.19.98.0/24')?.protocol, '3', "admin's boot route untouched");
    assert.equal(find('198.19.99.0/24'), undefined, 'stale owned route removed');
    assert.deepEqual(
      report.conflicts.map((c) => [c.dst, c.protocol]),
      [['198.19.70.0/24', '4']],
    );
    assert.deepEqual(
      report.rejected.map((r) => [r.node, r.reason]),
      [['far', 'not-on-link']],
    );
    assert.equal(report.failed.length, 0);
    assert.equal(await metric('hostroutes_routes_desired'), 2);
    assert.equal(await metric('hostroutes_routes_present'), 2);
    assert.equal(await metric('hostroutes_foreign_conflicts'), 1);
    assert.equal(await metric('hostroutes_skipped_routes', { reason: 'not-on-link' }), 1);
  });

  it('steady state sends nothing to the kernel', async () => {
    const report = await reconciler.sync(nodes);
    assert.equal(report.applied.length, 0);
    assert.equal(report.presentBefore, 2);
  });

  it('an event-driven pass reuses the snapshot of the last pass; a fresh one re-reads', async () => {
    let reads = 0;
    const counting: RouteTable = {
      read: (t) => (reads++, kernel.read(t)),
      readExact: (t, d) => kernel.readExact(t, d),
      applyBatch: (l) => kernel.applyBatch(l),
    };
    const r = new Reconciler(
      { nodeName: 'self', protocol: PROTO, table: 'main', clusterCIDRs: [parseCidr('198.19.0.0/16')!] },
      counting,
      createMetrics(),
      silentLogger,
    );
    await r.sync(nodes);
    const moved = nodes.map((n) => (n.name === 'ghost' ? { ...n, internalIPs: ['198.18.0.51'] } : n));
    const report = await r.sync(moved, { fresh: false });
    assert.equal(reads, 1, 'second pass used the snapshot');
    assert.deepEqual(
      report.applied.map((o) => o.kind),
      ['replace'],
    );
    assert.ok((await owned()).includes('198.19.50.0/24 via 198.18.0.51'));
    const back = await r.sync(nodes, { fresh: false });
    assert.deepEqual(
      back.applied.map((o) => o.kind),
      ['replace'],
      'snapshot reflects what the previous pass applied',
    );
    await r.sync(nodes, { fresh: true });
    assert.equal(reads, 2);

    // A foreign route appears after the snapshot was taken; the event pass must not clobber it.
    await ip(['-n', ns, 'route', 'add', '198.19.51.0/24', 'via', '198.18.0.2', 'proto', 'static']);
    const late = await r.sync(
      [...nodes, { name: 'late', podCIDRs: ['198.19.51.0/24'], internalIPs: ['198.18.0.9'] }],
      { fresh: false },
    );
    assert.deepEqual(late.applied, []);
    assert.ok(
      late.conflicts.some((c) => c.dst === '198.19.51.0/24'),
      'reported as a conflict',
    );
    const held = (await routes()).filter((x) => x.dst === '198.19.51.0/24');
    assert.deepEqual(
      held.map((x) => [x.protocol, x.gateway]),
      [['4', '198.18.0.2']],
    );
    await ip(['-n', ns, 'route', 'del', '198.19.51.0/24', 'proto', 'static']);
  });

  it('the loop repairs a route deleted by hand and follows node changes; /healthz /readyz /metrics', async () => {
    let current = nodes;
    const loop = new SyncLoop(
      reconciler,
      () => current,
      { debounceMs: 5, resyncMs: 150, retryMinMs: 50 },
      silentLogger,
    );
    const passes: (SyncReport | Error)[] = [];
    loop.onPass((r) => passes.push(r));
    let status: StatusServer | undefined;
    try {
      status = await startStatusServer('127.0.0.1', 0, loop, metrics.registry);
      assert.equal((await fetch(`${status.url}/readyz`)).status, 503, 'not ready before the cache synced');
      loop.markSynced();
      await settled(
        async () => passes.length,
        (n) => n > 0,
        { tries: 100, intervalMs: 100 },
      );
      assert.equal((await fetch(`${status.url}/readyz`)).status, 200);
      assert.equal((await fetch(`${status.url}/healthz`)).status, 200);
      const text = await (await fetch(`${status.url}/metrics`)).text();
      assert.match(text, /hostroutes_routes_desired 2/);

      await ip(['-n', ns, 'route', 'del', '198.19.2.0/24', 'proto', String(PROTO)]);
      const repaired = await settled(owned, (r) => r.includes('198.19.2.0/24 via 198.18.0.2'), {
        tries: 100,
        intervalMs: 100,
      });
      assert.ok(
        repaired.includes('198.19.2.0/24 via 198.18.0.2'),
        `route not restored: ${repaired.join(', ')}`,
      );

      // The peer is re-addressed and the ghost node leaves, in one burst.
      current = nodes
        .filter((n) => n.name !== 'ghost')
        .map((n) => (n.name === 'peer' ? { ...n, internalIPs: ['198.18.0.22'] } : n));
      loop.trigger();
      const after = await settled(owned, (r) => r.length === 1 && r[0] === '198.19.2.0/24 via 198.18.0.22', {
        tries: 100,
        intervalMs: 100,
      });
      assert.deepEqual(after, ['198.19.2.0/24 via 198.18.0.22']);
    } finally {
      await loop.stop();
      await status?.close();
    }
  });

  it('attributes failed batch lines to their line numbers', async () => {
    const res = await kernel.applyBatch([
      'route replace 198.19.80.0/24 via 198.18.0.2 proto 200 table main',
      'route del 198.19.81.0/24 proto 200 table main',
      'route replace 198.19.82.0/24 via 198.18.0.2 proto 200 table main',
    ]);
    assert.deepEqual(res.failedLines, [2]);
    assert.match(res.errors.get(2) ?? '', /No such process/);
    const now = await owned();
    assert.ok(now.includes('198.19.82.0/24 via 198.18.0.2'), 'lines after a failure still run (-force)');
  });
});
