import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffRoutes, type RemoteRoute } from '../../../src/controllers/route/diff.js';
import { buildModel, parseClusterCidrs, type NodeLike } from '../../../src/controllers/route/model/index.js';
import { routeDescription } from '../../../src/controllers/route/model/ownership.js';

const clusterCidrs = parseClusterCidrs('10.0.0.0/16');
const clusterId = 'c1';
const n = (name: string, cidr: string | undefined, instance: string | undefined): NodeLike => ({
  metadata: { name },
  spec: {
    ...(cidr ? { podCIDR: cidr } : {}),
    ...(instance ? { providerID: `cn-hangzhou.${instance}` } : {}),
  },
});
let seq = 0;
const r = (cidr: string, hop: string, extra: Partial<RemoteRoute> = {}): RemoteRoute => ({
  routeEntryId: `rte-${++seq}`,
  cidr,
  nextHopType: 'Instance',
  nextHopId: hop,
  status: 'Available',
  type: 'Custom',
  ...extra,
});
const marked = (node: string, cluster = clusterId) => ({
  description: routeDescription({ clusterId: cluster, nodeName: node }),
});

function plan(nodes: NodeLike[], remote: RemoteRoute[]) {
  return diffRoutes({
    tableId: 'vtb-1',
    model: buildModel({ nodes, clusterCidrs }),
    remote,
    clusterCidrs,
    clusterId,
  });
}
const summary = (p: ReturnType<typeof plan>) => ({
  creates: p.creates.map((c) => `${c.cidr}>${c.instanceId}`),
  deletes: p.deletes.map((d) => `${d.cidr}>${d.nextHopId}:${d.reason}`),
  conflicts: p.conflicts.map((c) => `${c.nodeName}:${c.kind}:${c.remote.cidr}>${c.remote.nextHopId}`),
  satisfied: p.satisfied.map((s) => `${s.nodeName}:${s.available ? 'ok' : 'pending'}`),
  awaitGone: p.awaitGone.length,
});
const empty = { creates: [], deletes: [], conflicts: [], satisfied: [], awaitGone: 0 };

describe('route diff', () => {
  const table: Array<{
    title: string;
    nodes: NodeLike[];
    remote: RemoteRoute[];
    want: Partial<ReturnType<typeof summary>>;
  }> = [
    {
      title: 'creates the missing route of a new Node',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [],
      want: { creates: ['10.0.1.0/24>i-a'] },
    },
    {
      title: 'keeps a matching route and reports whether it is Available yet',
      nodes: [n('a', '10.0.1.0/24', 'i-a'), n('b', '10.0.2.0/24', 'i-b')],
      remote: [r('10.0.1.0/24', 'i-a'), r('10.0.2.0/24', 'i-b', { status: 'Pending' })],
      want: { satisfied: ['a:ok', 'b:pending'] },
    },
    {
      title: 'deletes the marked route of a Node that is gone (deleted while we were down)',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'i-a'), r('10.0.9.0/24', 'i-gone', marked('gone'))],
      want: { satisfied: ['a:ok'], deletes: ['10.0.9.0/24>i-gone:orphan'] },
    },
    {
      title: "leaves another cluster's marked route alone",
      nodes: [],
      remote: [r('10.0.9.0/24', 'i-x', marked('x', 'other-cluster'))],
      want: {},
    },
    {
      title: 'deletes our marked route to a current instance when the Node moved to another CIDR',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.7.0/24', 'i-a', marked('a'))],
      want: { creates: ['10.0.1.0/24>i-a'], deletes: ['10.0.7.0/24>i-a:orphan'] },
    },
    {
      title: 'leaves an unmarked route to a current instance alone (made by hand, not by us)',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.7.0/24', 'i-a')],
      want: { creates: ['10.0.1.0/24>i-a'] },
    },
    {
      title: 'leaves a hand-made aggregate inside the cluster CIDR pointing at a Node alone',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'i-a', marked('a')), r('10.0.0.0/16', 'i-a')],
      want: { satisfied: ['a:ok'] },
    },
    {
      title: 'an unmarked route to another cluster instance on a pod CIDR is a conflict, not replaced',
      nodes: [n('a', '10.0.1.0/24', 'i-a'), n('b', '10.0.2.0/24', 'i-b')],
      remote: [r('10.0.1.0/24', 'i-b'), r('10.0.2.0/24', 'i-b', marked('b'))],
      want: { conflicts: ['a:same-cidr:10.0.1.0/24>i-b'], satisfied: ['b:ok'] },
    },
    {
      title: 'replaces our route for a CIDR that now belongs to another instance of the cluster',
      nodes: [n('a', '10.0.1.0/24', 'i-new')],
      remote: [r('10.0.1.0/24', 'i-old', marked('a'))],
      want: { creates: ['10.0.1.0/24>i-new'], deletes: ['10.0.1.0/24>i-old:replaced'], awaitGone: 1 },
    },
    {
      title: 'reports a foreign route for a CIDR we need instead of deleting it',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'i-someone-else')],
      want: { conflicts: ['a:same-cidr:10.0.1.0/24>i-someone-else'] },
    },
    {
      title: 'a foreign non-instance route (e.g. to a VPN gateway) for our CIDR is a conflict too',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'vpn-1', { nextHopType: 'VpnGateway' })],
      want: { conflicts: ['a:same-cidr:10.0.1.0/24>vpn-1'] },
    },
    {
      title: 'never touches routes outside the cluster CIDR, even marked ones to cluster instances',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'i-a'), r('192.168.0.0/24', 'i-a'), r('192.168.1.0/24', 'i-x', marked('x'))],
      want: { satisfied: ['a:ok'] },
    },
    {
      title: 'leaves a foreign route inside the cluster CIDR alone when it collides with nothing',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'i-a'), r('10.0.200.0/24', 'i-foreign')],
      want: { satisfied: ['a:ok'] },
    },
    {
      title: 'a less specific foreign route covering the pod CIDR is harmless',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.0.0/16', 'i-foreign')],
      want: { creates: ['10.0.1.0/24>i-a'] },
    },
    {
      title: 'a more specific foreign route inside the pod CIDR is reported, ours still created',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.128/25', 'i-foreign')],
      want: { creates: ['10.0.1.0/24>i-a'], conflicts: ['a:more-specific:10.0.1.128/25>i-foreign'] },
    },
    {
      title: 'a more specific route of ours inside the pod CIDR is deleted',
      nodes: [n('a', '10.0.1.0/24', 'i-a'), n('b', '10.0.2.0/24', 'i-b')],
      remote: [r('10.0.1.0/24', 'i-a'), r('10.0.1.0/25', 'i-b', marked('b'))],
      want: { satisfied: ['a:ok'], creates: ['10.0.2.0/24>i-b'], deletes: ['10.0.1.0/25>i-b:shadowing'] },
    },
    {
      title: 'an unmarked more specific route to a cluster instance is reported, not deleted',
      nodes: [n('a', '10.0.1.0/24', 'i-a'), n('b', '10.0.2.0/24', 'i-b')],
      remote: [r('10.0.1.0/24', 'i-a'), r('10.0.1.0/25', 'i-b')],
      want: {
        satisfied: ['a:ok'],
        creates: ['10.0.2.0/24>i-b'],
        conflicts: ['a:more-specific:10.0.1.0/25>i-b'],
      },
    },
    {
      title: 'keeps the route of a Node that exists but lost its providerID for now',
      nodes: [n('a', '10.0.1.0/24', undefined)],
      remote: [r('10.0.1.0/24', 'i-a', marked('a'))],
      want: {},
    },
    {
      title: 'keeps the marked route of an excluded, Unknown or deleting Node and creates none for it',
      nodes: [
        { ...n('a', '10.0.1.0/24', 'i-a'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
        {
          ...n('b', '10.0.2.0/24', 'i-b'),
          metadata: { name: 'b', labels: { 'service.alibabacloud.com/exclude-node': 'true' } },
        },
        {
          ...n('c', '10.0.3.0/24', 'i-c'),
          metadata: { name: 'c', deletionTimestamp: '2026-01-01T00:00:00Z' },
        },
      ],
      remote: [r('10.0.1.0/24', 'i-a', marked('a')), r('10.0.2.0/24', 'i-b', marked('b'))],
      want: {},
    },
    {
      title: 'waits for an entry already Deleting before re-creating our CIDR, without deleting twice',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', 'i-a', { status: 'Deleting', ...marked('a') })],
      want: { creates: ['10.0.1.0/24>i-a'], awaitGone: 1 },
    },
    {
      title: 'ignores System entries and ECMP/IPv6 destinations',
      nodes: [n('a', '10.0.1.0/24', 'i-a')],
      remote: [r('10.0.1.0/24', '', { type: 'System', nextHopType: 'local' }), r('fd00::/64', 'i-a')],
      want: { creates: ['10.0.1.0/24>i-a'] },
    },
  ];
  for (const c of table) {
    it(c.title, () => assert.deepEqual(summary(plan(c.nodes, c.remote)), { ...empty, ...c.want }));
  }

  it("property: never deletes a route outside the cluster CIDR or one without this cluster's marker", () => {
    const octet = fc.integer({ min: 0, max: 3 });
    const hop = fc.constantFrom('i-a', 'i-b', 'i-c', 'i-foreign', 'i-other');
    const remoteArb = fc.array(
      fc.record({
        first: fc.constantFrom(10, 192),
        third: octet,
        prefix: fc.constantFrom(16, 24, 25),
        hop,
        mark: fc.constantFrom<string | undefined>(undefined, clusterId, 'other'),
        status: fc.constantFrom('Available', 'Pending', 'Deleting'),
      }),
      { maxLength: 12 },
    );
    const nodesArb = fc.array(fc.record({ third: octet, hop: fc.constantFrom('i-a', 'i-b', 'i-c') }), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(remoteArb, nodesArb, (rs, ns) => {
        const remote = rs.map((x) =>
          r(`${x.first}.0.${x.third}.0/${x.prefix}`, x.hop, {
            status: x.status,
            ...(x.mark ? marked('m', x.mark) : {}),
          }),
        );
        const nodes = ns.map((x, i) => n(`n${i}`, `10.0.${x.third}.0/24`, x.hop));
        const p = plan(nodes, remote);
        for (const d of p.deletes) {
          const src = remote.find((x) => x.routeEntryId === d.routeEntryId)!;
          assert.ok(src.cidr.startsWith('10.'), `deleted outside cluster CIDR: ${src.cidr}`);
          assert.ok(src.description?.includes(`cluster=${clusterId} `), 'deleted an unmarked route');
          assert.notEqual(src.status, 'Deleting');
        }
        // Every desired route ends up satisfied, created, or blocked by a reported conflict.
        for (const d of buildModel({ nodes, clusterCidrs }).desired) {
          const accounted =
            p.satisfied.some((s) => s.cidr === d.cidr) ||
            p.creates.some((c) => c.cidr === d.cidr) ||
            p.conflicts.some((c) => c.cidr === d.cidr && c.kind === 'same-cidr');
          assert.ok(accounted, `desired ${d.cidr} unaccounted`);
        }
      }),
    );
  });
});
