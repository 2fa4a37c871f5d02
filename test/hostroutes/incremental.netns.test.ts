// Event-driven (incremental) passes against a real routing table: after any sequence of Node
// changes, the kernel holds exactly what a full pass would leave (a full pass finds nothing to do)
// and the pass reports the same rejections and conflicts a full pass reports.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { silentLogger } from '../../src/util/log.js';
import { createIpRouteTable, type RouteTable } from '../../src/hostroutes/ip.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import { createMetrics } from '../../src/hostroutes/metrics.js';
import type { NodeFacts } from '../../src/hostroutes/node-facts.js';
import { parseCidr } from '../../src/util/ipv4.js';
import { Reconciler, type SyncReport } from '../../src/hostroutes/reconciler.js';
import { ip, netnsUnavailable, Topology } from './netns.js';

const PROTO = 200;
type Via = 'list' | 'changes';

/** The names whose facts differ between two listings, and a lookup into the newer one. */
function changesBetween(prev: readonly NodeFacts[], next: readonly NodeFacts[]) {
  const before = new Map(prev.map((f) => [f.name, JSON.stringify(f)]));
  const after = new Map(next.map((f) => [f.name, f]));
  const names = new Set<string>();
  for (const f of next) if (before.get(f.name) !== JSON.stringify(f)) names.add(f.name);
  for (const name of before.keys()) if (!after.has(name)) names.add(name);
  return { names, get: (name: string) => after.get(name) };
}
const FOREIGN = '198.19.7.0/24';

describe('hostroutes incremental passes equal full passes (netns)', function () {
  let topo: Topology | undefined;
  let ns = '';
  let kernel: RouteTable;

  const owned = async () =>
    parseRouteJson(await ip(['-n', ns, '-4', '-N', '-j', 'route', 'show', 'proto', String(PROTO)]))
      .map((r) => `${r.dst} via ${r.gateway}`)
      .sort();
  const outcome = (r: SyncReport) => ({
    desired: r.desired,
    rejected: r.rejected.map((x) => `${x.node}|${x.dst ?? ''}|${x.reason}`).sort(),
    conflicts: r.conflicts.map((c) => `${c.dst}|${c.node}|${c.protocol}`).sort(),
  });
  const full = () =>
    new Reconciler(
      { nodeName: 'self', protocol: PROTO, table: 'main', clusterCIDRs: [parseCidr('198.19.0.0/16')!] },
      kernel,
      createMetrics(),
      silentLogger,
    );

  before(async function () {
    const why = await netnsUnavailable();
    if (why) {
      console.warn(`SKIPPING hostroutes incremental netns tests: ${why}`);
      this.skip();
    }
    topo = await Topology.create(1);
    ns = topo.nodes[0]!.ns;
    kernel = createIpRouteTable({ globalArgs: ['-n', ns] });
    // Someone else's route on a prefix a Node may claim: never replaced, always reported.
    await ip(['-n', ns, 'route', 'add', FOREIGN, 'via', '198.18.0.3', 'proto', 'static']);
  });

  after(async () => {
    await topo?.destroy();
  });

  /**
   * One event pass, then proof that it left the fixpoint of a full pass. `via: 'changes'` passes it
   * only the changed Nodes' names, as the agent's loop does (falling back, as the loop does, to a
   * pass over the list when the reconciler cannot decide from those alone).
   */
  async function checkStep(
    r: Reconciler,
    nodes: readonly NodeFacts[],
    via: Via = 'list',
    prev: readonly NodeFacts[] = [],
  ): Promise<SyncReport> {
    const event =
      via === 'changes'
        ? ((await r.syncChanged(changesBetween(prev, nodes))) ?? (await r.sync(nodes, { fresh: false })))
        : await r.sync(nodes, { fresh: false });
    assert.equal(event.failed.length, 0, JSON.stringify(event.failed));
    const before = await owned();
    const check = await full().sync(nodes);
    assert.deepEqual(
      check.applied,
      [],
      `a full pass after the ${event.mode} pass still had work: ${JSON.stringify(check.applied)}`,
    );
    assert.deepEqual(await owned(), before);
    assert.deepEqual(outcome(event), outcome(check));
    return event;
  }

  const n = (name: string, podCIDRs: string[], internalIPs: string[]): NodeFacts => ({
    name,
    podCIDRs,
    internalIPs,
  });
  const self = n('self', ['198.19.1.0/24'], ['198.18.0.1']);

  for (const via of ['list', 'changes'] as const) {
    it(`table (${via}): re-address, move, add, delete, overlap and its release, foreign prefix`, async () => {
      const r = full();
      let nodes = [
        self,
        n('a', ['198.19.2.0/24'], ['198.18.0.2']),
        n('b', ['198.19.3.0/24'], ['198.18.0.3']),
      ];
      await r.sync(nodes);
      const steps: Array<{
        name: string;
        change: (xs: NodeFacts[]) => NodeFacts[];
        mode: SyncReport['mode'];
        owned: string[];
      }> = [
        {
          name: 're-address a',
          change: (xs) => xs.map((x) => (x.name === 'a' ? n('a', ['198.19.2.0/24'], ['198.18.0.22']) : x)),
          mode: 'incremental',
          owned: ['198.19.2.0/24 via 198.18.0.22', '198.19.3.0/24 via 198.18.0.3'],
        },
        {
          name: 'move b to another CIDR',
          change: (xs) => xs.map((x) => (x.name === 'b' ? n('b', ['198.19.5.0/24'], ['198.18.0.3']) : x)),
          mode: 'incremental',
          owned: ['198.19.2.0/24 via 198.18.0.22', '198.19.5.0/24 via 198.18.0.3'],
        },
        {
          name: 'c claims the foreign prefix',
          change: (xs) => [...xs, n('c', [FOREIGN], ['198.18.0.4'])],
          mode: 'incremental',
          owned: ['198.19.2.0/24 via 198.18.0.22', '198.19.5.0/24 via 198.18.0.3'],
        },
        {
          name: 'd is off-link',
          change: (xs) => [...xs, n('d', ['198.19.8.0/24'], ['203.0.113.9'])],
          mode: 'incremental',
          owned: ['198.19.2.0/24 via 198.18.0.22', '198.19.5.0/24 via 198.18.0.3'],
        },
        {
          name: 'e overlaps b',
          change: (xs) => [...xs, n('e', ['198.19.4.0/23'], ['198.18.0.5'])],
          mode: 'full',
          owned: ['198.19.2.0/24 via 198.18.0.22'],
        },
        {
          name: 'e leaves: b is routable again',
          change: (xs) => xs.filter((x) => x.name !== 'e'),
          mode: 'full',
          owned: ['198.19.2.0/24 via 198.18.0.22', '198.19.5.0/24 via 198.18.0.3'],
        },
        {
          name: 'a is deleted',
          change: (xs) => xs.filter((x) => x.name !== 'a'),
          mode: 'incremental',
          owned: ['198.19.5.0/24 via 198.18.0.3'],
        },
        {
          name: "self takes b's CIDR",
          change: (xs) =>
            xs.map((x) => (x.name === 'self' ? n('self', ['198.19.5.0/24'], ['198.18.0.1']) : x)),
          mode: 'full',
          owned: [],
        },
      ];
      for (const s of steps) {
        const prev = nodes;
        nodes = s.change(nodes);
        const report = await checkStep(r, nodes, via, prev);
        assert.equal(report.mode, s.mode, s.name);
        assert.deepEqual(await owned(), s.owned, s.name);
      }
    });

    it(`an owned route changed by hand at a touched destination is repaired by the event pass (${via})`, async () => {
      const r = full();
      const nodes = [self, n('a', ['198.19.2.0/24'], ['198.18.0.2'])];
      await r.sync(nodes);
      await ip(['-n', ns, 'route', 'replace', '198.19.2.0/24', 'via', '198.18.0.9', 'proto', String(PROTO)]);
      const moved = [self, n('a', ['198.19.2.0/24'], ['198.18.0.2', '198.18.0.12'])];
      const report = await checkStep(r, moved, via, nodes);
      assert.equal(report.mode, 'incremental');
      assert.deepEqual(await owned(), ['198.19.2.0/24 via 198.18.0.2']);
    });

    it(`random sequences of Node changes (property, ${via})`, async () => {
      const cidrArb = fc.constantFrom(
        '198.19.1.0/24',
        '198.19.2.0/24',
        '198.19.3.0/24',
        '198.19.3.0/25',
        '198.19.4.0/23',
        '198.19.5.0/24',
        FOREIGN,
        'fd00:1::/64',
      );
      const ipArb = fc.constantFrom('198.18.0.2', '198.18.0.3', '198.18.0.1', '203.0.113.9');
      const factsArb = (name: string) =>
        fc
          .record({
            podCIDRs: fc.array(cidrArb, { maxLength: 2 }),
            internalIPs: fc.array(ipArb, { minLength: 1, maxLength: 2 }),
          })
          .map((f) => n(name, f.podCIDRs, f.internalIPs));
      const names = ['a', 'b', 'c', 'd', 'e'];
      const editArb = fc.oneof(
        {
          weight: 8,
          arbitrary: fc
            .constantFrom(...names)
            .chain((name) => factsArb(name).map((facts) => ({ name, facts: facts }))),
        },
        {
          weight: 2,
          arbitrary: fc
            .constantFrom(...names)
            .map((name) => ({ name, facts: undefined as NodeFacts | undefined })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('198.19.1.0/24', '198.19.2.0/24')
            .map((c) => ({ name: 'self', facts: n('self', [c], ['198.18.0.1']) })),
        },
      );
      const startArb = fc.tuple(...names.map((name) => fc.option(factsArb(name), { nil: undefined })));
      let incremental = 0;
      await fc.assert(
        fc.asyncProperty(
          startArb,
          fc.array(editArb, { minLength: 1, maxLength: 5 }),
          async (start, edits) => {
            const nodes = new Map<string, NodeFacts>([['self', self]]);
            for (const f of start) if (f) nodes.set(f.name, f);
            const r = full();
            await r.sync([...nodes.values()]);
            for (const e of edits) {
              const prev = [...nodes.values()];
              if (e.facts) nodes.set(e.name, e.facts);
              else nodes.delete(e.name);
              const report = await checkStep(r, [...nodes.values()], via, prev);
              if (report.mode === 'incremental') incremental += 1;
            }
          },
        ),
        { numRuns: 25 },
      );
      assert.ok(incremental >= 10, `the incremental path ran ${incremental} times`);
    });
  }
});
