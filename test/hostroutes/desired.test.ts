import assert from 'node:assert/strict';
import { computeDesired } from '../../src/hostroutes/desired.js';
import { parseCidr } from '../../src/util/ipv4.js';
import { nodeFacts, type NodeFacts } from '../../src/hostroutes/node-facts.js';

const n = (name: string, podCIDRs: string[], internalIPs: string[]): NodeFacts => ({
  name,
  podCIDRs,
  internalIPs,
});

describe('hostroutes/desired', () => {
  interface Case {
    name: string;
    nodes: NodeFacts[];
    cluster?: string[];
    routes: Record<string, string>; // dst -> first gateway
    rejected?: Record<string, string>; // node|dst -> reason
  }
  const cases: Case[] = [
    {
      name: 'routes every other node, skips self by name',
      nodes: [
        n('a', ['10.244.0.0/24'], ['10.0.0.1']),
        n('b', ['10.244.1.0/24'], ['10.0.0.2']),
        n('c', ['10.244.2.0/24'], ['10.0.0.3']),
      ],
      routes: { '10.244.1.0/24': '10.0.0.2', '10.244.2.0/24': '10.0.0.3' },
    },
    {
      name: 'missing pieces are reported, not guessed',
      nodes: [
        n('a', ['10.244.0.0/24'], ['10.0.0.1']),
        n('b', [], ['10.0.0.2']),
        n('c', ['10.244.2.0/24'], []),
      ],
      routes: {},
      rejected: { 'b|': 'no-pod-cidr', 'c|10.244.2.0/24': 'no-internal-ip' },
    },
    {
      name: 'malformed and /0 CIDRs never become routes',
      nodes: [
        n('a', [], ['10.0.0.1']),
        n('b', ['garbage'], ['10.0.0.2']),
        n('c', ['0.0.0.0/0'], ['10.0.0.3']),
        n('d', ['10.244.3.7/24'], ['10.0.0.4']),
      ],
      routes: {},
      rejected: {
        'b|garbage': 'invalid-cidr',
        'c|0.0.0.0/0': 'invalid-cidr',
        'd|10.244.3.7/24': 'invalid-cidr',
      },
    },
    {
      name: 'dual-stack: IPv4 CIDR via IPv4 InternalIP, IPv6 reported',
      nodes: [n('a', [], []), n('b', ['10.244.1.0/24', 'fd00:1::/64'], ['fd00::2', '10.0.0.2'])],
      routes: { '10.244.1.0/24': '10.0.0.2' },
      rejected: { 'b|fd00:1::/64': 'unsupported-family' },
    },
    {
      name: 'duplicate and nested CIDRs: neither side is programmed',
      nodes: [
        n('a', [], []),
        n('b', ['10.244.1.0/24'], ['10.0.0.2']),
        n('c', ['10.244.1.0/24'], ['10.0.0.3']),
        n('d', ['10.245.0.0/16'], ['10.0.0.4']),
        n('e', ['10.245.7.0/24'], ['10.0.0.5']),
        n('f', ['10.246.0.0/24'], ['10.0.0.6']),
      ],
      routes: { '10.246.0.0/24': '10.0.0.6' },
      rejected: {
        'b|10.244.1.0/24': 'overlapping-cidr',
        'c|10.244.1.0/24': 'overlapping-cidr',
        'd|10.245.0.0/16': 'overlapping-cidr',
        'e|10.245.7.0/24': 'overlapping-cidr',
      },
    },
    {
      name: "a CIDR overlapping this node's own is refused",
      nodes: [n('a', ['10.244.0.0/24'], ['10.0.0.1']), n('b', ['10.244.0.0/23'], ['10.0.0.2'])],
      routes: {},
      rejected: { 'b|10.244.0.0/23': 'overlaps-self' },
    },
    {
      name: 'cluster CIDR bounds pod CIDRs',
      cluster: ['10.244.0.0/16'],
      nodes: [
        n('a', [], []),
        n('b', ['10.244.1.0/24'], ['10.0.0.2']),
        n('c', ['192.168.0.0/24'], ['10.0.0.3']),
        n('d', ['10.0.0.0/8'], ['10.0.0.4']),
      ],
      routes: { '10.244.1.0/24': '10.0.0.2' },
      rejected: { 'c|192.168.0.0/24': 'outside-cluster-cidr', 'd|10.0.0.0/8': 'outside-cluster-cidr' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = computeDesired(c.nodes, 'a', {
        clusterCIDRs: (c.cluster ?? []).map((t) => parseCidr(t)!),
      });
      const routes = Object.fromEntries([...state.routes.values()].map((r) => [r.dst, r.gateways[0]]));
      assert.deepEqual(routes, c.routes);
      const rejected = Object.fromEntries(state.rejected.map((r) => [`${r.node}|${r.dst ?? ''}`, r.reason]));
      assert.deepEqual(rejected, c.rejected ?? {});
    });
  }

  it('is independent of node order', () => {
    const nodes = Array.from({ length: 50 }, (_, i) =>
      n(`n${i}`, [`10.${i % 7}.${i}.0/24`], [`192.168.0.${i + 1}`]),
    );
    const a = computeDesired(nodes, 'n0');
    const b = computeDesired([...nodes].reverse(), 'n0');
    assert.deepEqual([...a.routes.keys()].sort(), [...b.routes.keys()].sort());
  });

  it('extracts facts from Node objects, preferring spec.podCIDRs', () => {
    const facts = nodeFacts({
      metadata: { name: 'x' },
      spec: { podCIDR: '10.1.0.0/24', podCIDRs: ['10.1.0.0/24', 'fd00::/64'] },
      status: {
        addresses: [
          { type: 'Hostname', address: 'x' },
          { type: 'InternalIP', address: '10.0.0.9' },
          { type: 'ExternalIP', address: '1.2.3.4' },
        ],
      },
    });
    assert.deepEqual(facts, { name: 'x', podCIDRs: ['10.1.0.0/24', 'fd00::/64'], internalIPs: ['10.0.0.9'] });
    assert.deepEqual(nodeFacts({ metadata: { name: 'y' }, spec: { podCIDR: '10.2.0.0/24' } })?.podCIDRs, [
      '10.2.0.0/24',
    ]);
  });
});
