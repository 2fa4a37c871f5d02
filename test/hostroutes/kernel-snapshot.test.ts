import assert from 'node:assert/strict';
import type { KernelState } from '../../src/hostroutes/diff.js';
import { parseCidr } from '../../src/util/ipv4.js';
import { afterApplying, sameRoutes, withDestinations } from '../../src/hostroutes/kernel-snapshot.js';
import type { KernelRoute } from '../../src/hostroutes/kernel-routes.js';

const route = (dst: string, protocol: string, gateway?: string, metric = 0): KernelRoute => ({
  dst,
  cidr: parseCidr(dst)!,
  protocol,
  metric,
  type: 'unicast',
  ...(gateway ? { gateway } : {}),
});
const show = (rs: readonly KernelRoute[]) =>
  rs.map((r) => `${r.dst} ${r.protocol} ${r.gateway ?? '-'} ${r.metric}`).sort();

describe('hostroutes/kernel-snapshot', () => {
  const table = [
    route('10.0.0.0/24', '2'),
    route('10.244.1.0/24', '200', '10.0.0.2'),
    route('10.244.1.0/24', '200', '10.0.0.2', 100),
    route('10.244.2.0/24', '200', '10.0.0.3'),
    route('10.244.9.0/24', '4', '10.0.0.9'),
  ];
  // Programming `main`: the on-link view is the same list.
  const state: KernelState = { table, main: table, local: [route('10.0.0.1/32', '2')] };

  it('afterApplying: replace rewrites our metric-0 route, delete removes the exact one, others stay', () => {
    const next = afterApplying(
      state,
      [
        { kind: 'replace', dst: '10.244.1.0/24', gateway: '10.0.0.22', node: 'a', rewrites: true },
        { kind: 'delete', dst: '10.244.1.0/24', gateway: '10.0.0.2', metric: 100, why: 'wrong metric' },
        { kind: 'delete', dst: '10.244.2.0/24', gateway: '10.0.0.3', metric: 0, why: 'not desired' },
        { kind: 'replace', dst: '10.244.3.0/24', gateway: '10.0.0.4', node: 'c', rewrites: false },
      ],
      200,
    );
    assert.deepEqual(show(next.table), [
      '10.0.0.0/24 2 - 0',
      '10.244.1.0/24 200 10.0.0.22 0',
      '10.244.3.0/24 200 10.0.0.4 0',
      '10.244.9.0/24 4 10.0.0.9 0',
    ]);
    assert.equal(next.main, next.table, 'main follows the programmed table');
    assert.equal(next.local, state.local);
    assert.equal(afterApplying(state, [], 200), state, 'nothing applied, nothing copied');
  });

  it('withDestinations swaps in a re-read of exactly those destinations', () => {
    const fresh = [route('10.244.1.0/24', '4', '10.0.0.7'), route('10.244.5.0/24', '200', '10.0.0.5')];
    const next = withDestinations(state, new Set(['10.244.1.0/24', '10.244.5.0/24']), fresh);
    assert.deepEqual(show(next.table), [
      '10.0.0.0/24 2 - 0',
      '10.244.1.0/24 4 10.0.0.7 0',
      '10.244.2.0/24 200 10.0.0.3 0',
      '10.244.5.0/24 200 10.0.0.5 0',
      '10.244.9.0/24 4 10.0.0.9 0',
    ]);
    assert.equal(next.main, next.table);
    const other = withDestinations(
      { table, main: [route('10.0.0.0/24', '2')], local: [] },
      new Set(['10.244.1.0/24']),
      [],
    );
    assert.equal(other.main.length, 1, 'a separate main table is left alone');
  });

  it('sameRoutes ignores order, not content', () => {
    assert.ok(sameRoutes([table[1]!, table[3]!], [table[3]!, table[1]!]));
    assert.ok(!sameRoutes([table[1]!], [table[2]!]), 'metric differs');
    assert.ok(!sameRoutes([table[1]!], [table[1]!, table[1]!]));
  });
});
