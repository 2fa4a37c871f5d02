import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeDesired, type DesiredOptions, type DesiredState } from '../../src/hostroutes/desired.js';
import { diffNodes, MAX_INCREMENTAL_CHANGES, updateDesired } from '../../src/hostroutes/incremental.js';
import { parseCidr } from '../../src/util/ipv4.js';
import type { NodeFacts } from '../../src/hostroutes/node-facts.js';

const n = (name: string, podCIDRs: string[], internalIPs: string[]): NodeFacts => ({
  name,
  podCIDRs,
  internalIPs,
});
const byName = (nodes: readonly NodeFacts[]) => new Map(nodes.map((x) => [x.name, x]));

/** Comparable form: routes with their gateways, rejections as an order-free list. */
function canonical(state: DesiredState) {
  return {
    routes: [...state.routes.values()].map((r) => `${r.dst} ${r.node} ${r.gateways.join(',')}`).sort(),
    rejected: state.rejected.map((r) => `${r.node}|${r.dst ?? ''}|${r.reason}`).sort(),
  };
}

function step(before: NodeFacts[], after: NodeFacts[], options: DesiredOptions = {}) {
  const prev = computeDesired(before, 'self', options);
  const delta = diffNodes(byName(before), after);
  assert.ok(delta, 'listing without duplicate names');
  return updateDesired(prev, byName(before), delta, 'self', options);
}

describe('hostroutes/incremental', () => {
  const base = [
    n('self', ['10.244.0.0/24'], ['10.0.0.1']),
    n('a', ['10.244.1.0/24'], ['10.0.0.2']),
    n('b', ['10.244.2.0/24'], ['10.0.0.3']),
    n('c', [], ['10.0.0.4']),
  ];
  const replace = (name: string, facts: NodeFacts | undefined) =>
    facts
      ? base
          .map((x) => (x.name === name ? facts : x))
          .concat(base.some((x) => x.name === name) ? [] : [facts])
      : base.filter((x) => x.name !== name);

  describe('diffNodes', () => {
    it('names added, removed and changed Nodes; identical facts in a new object are unchanged', () => {
      const next = [base[0]!, { ...base[1]! }, n('b', ['10.244.2.0/24'], ['10.0.0.9']), n('d', [], [])];
      const delta = diffNodes(byName(base), next);
      assert.deepEqual([...delta!.changed].sort(), ['b', 'c', 'd']);
    });
    it('refuses a listing that names a Node twice', () => {
      assert.equal(diffNodes(byName(base), [...base, base[1]!]), undefined);
    });
  });

  describe('updateDesired', () => {
    interface Case {
      name: string;
      after: NodeFacts[];
      /** undefined: must fall back to a full computation. */
      touched?: string[];
    }
    const cases: Case[] = [
      {
        name: 'gateway change touches that CIDR only',
        after: replace('a', n('a', ['10.244.1.0/24'], ['10.0.0.22'])),
        touched: ['10.244.1.0/24'],
      },
      {
        name: 'CIDR change touches old and new',
        after: replace('a', n('a', ['10.244.11.0/24'], ['10.0.0.2'])),
        touched: ['10.244.1.0/24', '10.244.11.0/24'],
      },
      {
        name: 'deletion touches what the Node held',
        after: replace('b', undefined),
        touched: ['10.244.2.0/24'],
      },
      {
        name: 'a Node getting its first CIDR',
        after: replace('c', n('c', ['10.244.3.0/24'], ['10.0.0.4'])),
        touched: ['10.244.3.0/24'],
      },
      {
        name: 'a new Node',
        after: replace('d', n('d', ['10.244.4.0/24'], ['10.0.0.5'])),
        touched: ['10.244.4.0/24'],
      },
      {
        name: 'a change that becomes a rejection still touches the old CIDR',
        after: replace('a', n('a', ['10.244.1.0/24'], [])),
        touched: ['10.244.1.0/24'],
      },
      {
        name: 'an invalid CIDR is rejected without touching anything',
        after: replace('c', n('c', ['garbage', 'fd00::/64'], ['10.0.0.4'])),
        touched: [],
      },
      {
        name: 'this node changing falls back',
        after: replace('self', n('self', ['10.244.0.0/23'], ['10.0.0.1'])),
      },
      {
        name: 'a new duplicate CIDR falls back',
        after: replace('d', n('d', ['10.244.1.0/24'], ['10.0.0.5'])),
      },
      {
        name: 'a new enclosing CIDR falls back',
        after: replace('c', n('c', ['10.244.2.0/23'], ['10.0.0.4'])),
      },
      {
        name: 'two CIDRs of one changed Node overlapping each other fall back',
        after: replace('c', n('c', ['10.244.8.0/24', '10.244.8.0/25'], ['10.0.0.4'])),
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const update = step(base, c.after);
        if (!c.touched) {
          assert.equal(update, undefined);
          return;
        }
        assert.ok(update, 'handled incrementally');
        assert.deepEqual([...update.touched].sort(), [...c.touched].sort());
        assert.deepEqual(canonical(update.state), canonical(computeDesired(c.after, 'self')));
      });
    }

    it('a Node leaving an overlap falls back, because the other side becomes routable', () => {
      const overlapping = replace('d', n('d', ['10.244.1.0/24'], ['10.0.0.5']));
      const prev = computeDesired(overlapping, 'self');
      assert.equal(prev.routes.has('10.244.1.0/24'), false);
      const after = overlapping.filter((x) => x.name !== 'd');
      assert.equal(
        updateDesired(prev, byName(overlapping), diffNodes(byName(overlapping), after)!, 'self'),
        undefined,
      );
    });

    it('a CIDR overlapping an already rejected overlap falls back', () => {
      const overlapping = replace('d', n('d', ['10.244.1.0/24'], ['10.0.0.5']));
      const after = overlapping.map((x) => (x.name === 'c' ? n('c', ['10.244.1.0/25'], ['10.0.0.4']) : x));
      const prev = computeDesired(overlapping, 'self');
      assert.equal(
        updateDesired(prev, byName(overlapping), diffNodes(byName(overlapping), after)!, 'self'),
        undefined,
      );
    });

    it('a burst larger than the bound falls back', () => {
      const many = Array.from({ length: MAX_INCREMENTAL_CHANGES + 1 }, (_, i) =>
        n(`m${i}`, [`10.250.${i}.0/24`], ['10.0.0.7']),
      );
      assert.equal(step(base, [...base, ...many]), undefined);
      assert.ok(step(base, [...base, ...many.slice(1)]));
    });

    // The contract the reconciler relies on: whenever an update is produced, it is exactly what a
    // full computation over the new listing gives, and everything that differs is in `touched`.
    it('equals a full recomputation whenever it answers (property)', () => {
      const ipArb = fc.constantFrom('10.0.0.2', '10.0.0.3', '10.0.1.9', 'fd00::5', '');
      const cidrArb = fc.constantFrom(
        '10.244.1.0/24',
        '10.244.2.0/24',
        '10.244.2.0/25',
        '10.244.3.0/24',
        '10.244.0.0/16',
        '10.244.0.0/24',
        '10.245.0.0/24',
        'garbage',
        'fd00:1::/64',
      );
      const factsArb = (name: string) =>
        fc
          .record({
            podCIDRs: fc.array(cidrArb, { maxLength: 2 }),
            internalIPs: fc.array(ipArb, { maxLength: 2 }),
          })
          .map((f) => n(name, f.podCIDRs, f.internalIPs.filter(Boolean)));
      const names = ['self', 'a', 'b', 'c', 'd', 'e'];
      const listingArb = fc
        .tuple(...names.map((name) => fc.option(factsArb(name), { nil: undefined })))
        .map((xs) => xs.filter((x): x is NodeFacts => x !== undefined));
      const clusterArb = fc.constantFrom<string[]>([], ['10.244.0.0/16']);
      // Events change one or two Nodes at a time; an edit without facts deletes the Node.
      const editArb: fc.Arbitrary<{ name: string; facts: NodeFacts | undefined }> = fc
        .tuple(fc.constantFrom(...names), fc.boolean())
        .chain(([name, keep]) =>
          (keep ? factsArb(name) : fc.constant(undefined)).map((facts) => ({ name, facts })),
        );
      const scenarioArb = fc
        .tuple(listingArb, fc.array(editArb, { minLength: 1, maxLength: 2 }))
        .map(([before, edits]) => {
          const after = new Map(before.map((x) => [x.name, x] as const));
          for (const e of edits) {
            if (e.facts) after.set(e.name, e.facts);
            else after.delete(e.name);
          }
          return { before, after: [...after.values()] };
        });
      let incremental = 0;
      fc.assert(
        fc.property(scenarioArb, clusterArb, ({ before, after }, cluster) => {
          const options = { clusterCIDRs: cluster.map((c) => parseCidr(c)!) };
          const update = step(before, after, options);
          if (!update) return;
          incremental += 1;
          const full = computeDesired(after, 'self', options);
          assert.deepEqual(canonical(update.state), canonical(full));
          const prev = computeDesired(before, 'self', options);
          for (const dst of new Set([...prev.routes.keys(), ...full.routes.keys()])) {
            const was = prev.routes.get(dst);
            const now = full.routes.get(dst);
            if (JSON.stringify(was) !== JSON.stringify(now))
              assert.ok(update.touched.has(dst), `${dst} changed but is not touched`);
          }
        }),
        { numRuns: 2000 },
      );
      assert.ok(incremental > 500, `the property exercised the incremental path (${incremental} times)`);
    });
  });
});
