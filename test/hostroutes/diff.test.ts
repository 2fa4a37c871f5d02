import assert from 'node:assert/strict';
import { computeDesired } from '../../src/hostroutes/desired.js';
import { batchLine, planRoutes, type KernelState } from '../../src/hostroutes/diff.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import type { NodeFacts } from '../../src/hostroutes/node-facts.js';

// Kernel listings in the shape `ip -4 -N -j route show` prints them (protocol/scope numeric).
const CONNECTED = {
  dst: '10.0.0.0/24',
  dev: 'eth0',
  protocol: '2',
  scope: '253',
  prefsrc: '10.0.0.1',
  flags: [],
};
const DEFAULT = { dst: 'default', gateway: '10.0.0.254', dev: 'eth0', protocol: '4', flags: [] };
const POD_BRIDGE = {
  dst: '10.244.0.0/24',
  dev: 'cbr0',
  protocol: '2',
  scope: '253',
  prefsrc: '10.244.0.1',
  flags: [],
};
const LOCAL = [
  { type: 'local', dst: '10.0.0.1', dev: 'eth0', protocol: '2', scope: '254', flags: [] },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', protocol: '2', scope: '254', flags: [] },
];
const ours = (dst: string, gateway: string, extra: Record<string, unknown> = {}) => ({
  dst,
  gateway,
  dev: 'eth0',
  protocol: '200',
  flags: [],
  ...extra,
});

function kernel(table: unknown[]): KernelState {
  const routes = parseRouteJson(JSON.stringify(table));
  return { table: routes, main: routes, local: parseRouteJson(JSON.stringify(LOCAL)) };
}

const n = (name: string, cidr: string, ips: string[]): NodeFacts => ({
  name,
  podCIDRs: [cidr],
  internalIPs: ips,
});
const SELF = n('self', '10.244.0.0/24', ['10.0.0.1']);
const OPTS = { protocol: 200, table: 'main' };

function plan(nodes: NodeFacts[], table: unknown[]) {
  return planRoutes(computeDesired([SELF, ...nodes], 'self').routes, kernel(table), OPTS);
}

describe('hostroutes/diff', () => {
  interface Case {
    name: string;
    nodes: NodeFacts[];
    table: unknown[];
    lines: string[];
    rejected?: Record<string, string>;
    conflicts?: string[];
  }
  const base = [CONNECTED, DEFAULT, POD_BRIDGE];
  const cases: Case[] = [
    {
      name: 'cold start: one replace per other node',
      nodes: [n('b', '10.244.1.0/24', ['10.0.0.2']), n('c', '10.244.2.0/24', ['10.0.0.3'])],
      table: base,
      lines: [
        'route replace 10.244.1.0/24 via 10.0.0.2 proto 200 table main',
        'route replace 10.244.2.0/24 via 10.0.0.3 proto 200 table main',
      ],
    },
    {
      name: 'steady state: nothing to do',
      nodes: [n('b', '10.244.1.0/24', ['10.0.0.2'])],
      table: [...base, ours('10.244.1.0/24', '10.0.0.2')],
      lines: [],
    },
    {
      name: 'stale owned route of a departed node is deleted by protocol',
      nodes: [],
      table: [...base, ours('10.244.9.0/24', '10.0.0.9')],
      lines: ['route del 10.244.9.0/24 via 10.0.0.9 metric 0 proto 200 table main'],
    },
    {
      name: 'changed InternalIP: replace in place, no delete gap',
      nodes: [n('b', '10.244.1.0/24', ['10.0.0.22'])],
      table: [...base, ours('10.244.1.0/24', '10.0.0.2')],
      lines: ['route replace 10.244.1.0/24 via 10.0.0.22 proto 200 table main'],
    },
    {
      name: 'changed podCIDR: old deleted, new added',
      nodes: [n('b', '10.244.5.0/24', ['10.0.0.2'])],
      table: [...base, ours('10.244.1.0/24', '10.0.0.2')],
      lines: [
        'route del 10.244.1.0/24 via 10.0.0.2 metric 0 proto 200 table main',
        'route replace 10.244.5.0/24 via 10.0.0.2 proto 200 table main',
      ],
    },
    {
      name: 'owned route with a wrong metric counts as extra',
      nodes: [n('b', '10.244.1.0/24', ['10.0.0.2'])],
      table: [...base, ours('10.244.1.0/24', '10.0.0.2', { metric: 7 })],
      lines: [
        'route del 10.244.1.0/24 via 10.0.0.2 metric 7 proto 200 table main',
        'route replace 10.244.1.0/24 via 10.0.0.2 proto 200 table main',
      ],
    },
    {
      name: 'foreign route with the same destination: untouched and reported, our own copy held',
      nodes: [n('b', '10.244.1.0/24', ['10.0.0.2']), n('c', '10.244.2.0/24', ['10.0.0.3'])],
      table: [
        ...base,
        { dst: '10.244.1.0/24', gateway: '10.0.0.50', dev: 'eth0', protocol: '4', metric: 10, flags: [] },
        ours('10.244.1.0/24', '10.0.0.2'),
      ],
      lines: ['route replace 10.244.2.0/24 via 10.0.0.3 proto 200 table main'],
      conflicts: ['10.244.1.0/24'],
    },
    {
      name: 'off-link node is skipped; so is a gateway behind a router',
      nodes: [n('b', '10.244.1.0/24', ['172.16.0.2']), n('c', '10.244.2.0/24', ['10.0.0.3'])],
      table: base,
      lines: ['route replace 10.244.2.0/24 via 10.0.0.3 proto 200 table main'],
      rejected: { 'b|10.244.1.0/24': 'not-on-link' },
    },
    {
      name: 'first on-link InternalIP wins',
      nodes: [n('b', '10.244.1.0/24', ['172.16.0.2', '10.0.0.2'])],
      table: base,
      lines: ['route replace 10.244.1.0/24 via 10.0.0.2 proto 200 table main'],
    },
    {
      name: "a node claiming this host's address as its InternalIP is refused (self-route bug)",
      nodes: [n('impostor', '10.244.1.0/24', ['10.0.0.1'])],
      table: base,
      lines: [],
      rejected: { 'impostor|10.244.1.0/24': 'gateway-is-local' },
    },
    {
      name: 'a pod CIDR overlapping a connected subnet is refused',
      nodes: [n('b', '10.0.0.128/25', ['10.0.0.2'])],
      table: base,
      lines: [],
      rejected: { 'b|10.0.0.128/25': 'overlaps-local' },
    },
    {
      name: 'a kernel connected route with the exact destination is a conflict, never replaced',
      nodes: [n('b', '10.244.7.0/24', ['10.0.0.2'])],
      table: [...base, { dst: '10.244.7.0/24', dev: 'cni0', protocol: '2', scope: '253', flags: [] }],
      lines: [],
      conflicts: ['10.244.7.0/24'],
    },
    {
      name: 'our own stale route does not make its gateway look on-link',
      nodes: [n('b', '10.244.1.0/24', ['10.244.9.5'])],
      table: [...base, ours('10.244.9.0/24', '10.0.0.9')],
      lines: ['route del 10.244.9.0/24 via 10.0.0.9 metric 0 proto 200 table main'],
      rejected: { 'b|10.244.1.0/24': 'not-on-link' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.nodes, c.table);
      assert.deepEqual(p.lines, c.lines);
      assert.deepEqual(
        Object.fromEntries(p.rejected.map((r) => [`${r.node}|${r.dst}`, r.reason])),
        c.rejected ?? {},
      );
      assert.deepEqual(
        p.conflicts.map((x) => x.dst),
        c.conflicts ?? [],
      );
    });
  }

  it('never puts a non-canonical value into a batch line', () => {
    assert.throws(() =>
      batchLine(
        { kind: 'replace', dst: '10.0.0.0/24\nroute flush', gateway: '10.0.0.2', node: 'x', rewrites: false },
        OPTS,
      ),
    );
    assert.throws(() =>
      batchLine(
        { kind: 'replace', dst: '10.1.0.0/24', gateway: '10.0.0.2 onlink', node: 'x', rewrites: false },
        OPTS,
      ),
    );
    assert.throws(() =>
      batchLine(
        { kind: 'delete', dst: '10.1.0.0/24', metric: 0, why: 'x' },
        { protocol: 200, table: 'main; x' },
      ),
    );
  });

  it('handles 5000 nodes in one plan', () => {
    const nodes = Array.from({ length: 5000 }, (_, i) =>
      n(`n${i}`, `172.${16 + (i >> 8)}.${i & 255}.0/24`, [`10.0.${1 + (i >> 8)}.${i & 255}`]),
    );
    const wide = { dst: '10.0.0.0/16', dev: 'eth0', protocol: '2', scope: '253', flags: [] };
    const p = planRoutes(computeDesired([SELF, ...nodes], 'self').routes, kernel([wide, POD_BRIDGE]), OPTS);
    assert.equal(p.lines.length, 5000);
    assert.equal(p.rejected.length, 0);
  });
});
