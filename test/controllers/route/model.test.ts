import assert from 'node:assert/strict';
import { buildModel, parseClusterCidrs, type NodeLike } from '../../../src/controllers/route/model/index.js';
import { parseProviderId } from '../../../src/controllers/providerid.js';

type Tweak = (n: NodeLike) => void;
const node = (name: string, ...tweaks: Tweak[]): NodeLike => {
  const n: NodeLike = { metadata: { name }, spec: {} };
  for (const t of tweaks) t(n);
  return n;
};
const podCIDR =
  (c: string): Tweak =>
  (n) =>
    void (n.spec!.podCIDR = c);
const podCIDRs =
  (...c: string[]): Tweak =>
  (n) =>
    void (n.spec!.podCIDRs = c);
const provider =
  (p: string): Tweak =>
  (n) =>
    void (n.spec!.providerID = p);

const clusterCidrs = parseClusterCidrs('10.0.0.0/16');

describe('route model', () => {
  describe('parseProviderId', () => {
    const cases: Array<[string | undefined, string | undefined]> = [
      ['cn-hangzhou.i-abc123', 'i-abc123'],
      ['alicloud://cn-hangzhou.i-abc123', 'i-abc123'],
      ['ack-hybrid://cn-hangzhou.i-abc123', undefined],
      ['aws:///us-east-1a/i-123', undefined],
      ['i-abc123', 'i-abc123'], // a bare id, as some kubelets set it, is read as in our region
      ['cn-hangzhou.', undefined],
      [undefined, undefined],
    ];
    for (const [text, want] of cases) {
      it(`${String(text)} → ${String(want)}`, () => assert.equal(parseProviderId(text)?.instanceId, want));
    }
  });

  it('gives every routable Node one normalized route to its instance', () => {
    const m = buildModel({
      clusterCidrs,
      nodes: [
        node('b', podCIDR('10.0.2.9/24'), provider('cn-hangzhou.i-b')),
        node('a', podCIDRs('fd00::/64', '10.0.1.0/24'), provider('alicloud://cn-hangzhou.i-a')),
      ],
    });
    assert.deepEqual(m.desired, [
      { nodeName: 'a', cidr: '10.0.1.0/24', instanceId: 'i-a' },
      { nodeName: 'b', cidr: '10.0.2.0/24', instanceId: 'i-b' },
    ]);
    assert.deepEqual([...m.clusterInstances].sort(), ['i-a', 'i-b']);
    assert.deepEqual(m.unroutable, []);
  });

  const unroutableCases: Array<[string, NodeLike[], string]> = [
    ['no pod CIDR', [node('n', provider('cn-hangzhou.i-1'))], 'NoPodCIDR'],
    ['IPv6-only pod CIDR', [node('n', podCIDRs('fd00::/64'), provider('cn-hangzhou.i-1'))], 'NoPodCIDR'],
    ['garbage pod CIDR', [node('n', podCIDR('banana'), provider('cn-hangzhou.i-1'))], 'InvalidPodCIDR'],
    [
      'pod CIDR outside cluster CIDR',
      [node('n', podCIDR('192.168.0.0/24'), provider('cn-hangzhou.i-1'))],
      'PodCIDROutsideClusterCIDR',
    ],
    ['no providerID', [node('n', podCIDR('10.0.1.0/24'))], 'NoInstance'],
  ];
  for (const [title, nodes, reason] of unroutableCases) {
    it(`reports ${title} as ${reason} and wants no route`, () => {
      const m = buildModel({ clusterCidrs, nodes });
      assert.deepEqual(m.desired, []);
      assert.equal(m.unroutable[0]?.reason, reason);
      assert.ok(m.nodeNames.has('n'));
    });
  }

  // The official CCM's needSyncRoute: excluded, Ready Unknown or being deleted → no route.
  const ready =
    (status: string): Tweak =>
    (n) =>
      void (n.status = { conditions: [{ type: 'Ready', status }] });
  const label =
    (k: string): Tweak =>
    (n) =>
      void (n.metadata!.labels = { [k]: '' });
  const deleting: Tweak = (n) => void (n.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z');
  const routed = [podCIDR('10.0.1.0/24'), provider('cn-hangzhou.i-1')];
  const skipCases: Array<[string, Tweak[], string | undefined]> = [
    ['Ready True', [ready('True')], undefined],
    ['NotReady (False): the official CCM still routes it', [ready('False')], undefined],
    ['no Ready condition yet', [], undefined],
    ['Ready Unknown', [ready('Unknown')], 'Ready is Unknown'],
    [
      'label service.alibabacloud.com/exclude-node',
      [label('service.alibabacloud.com/exclude-node')],
      'exclude-node',
    ],
    [
      'label service.beta.kubernetes.io/exclude-node',
      [label('service.beta.kubernetes.io/exclude-node')],
      'exclude-node',
    ],
    [
      'label node.kubernetes.io/exclude-from-external-load-balancers: load balancers only',
      [label('node.kubernetes.io/exclude-from-external-load-balancers')],
      undefined,
    ],
    ['being deleted', [deleting], 'being deleted'],
    ['hybrid node', [provider('ack-hybrid://r.i-1')], 'hybrid'],
  ];
  for (const [title, tweaks, skip] of skipCases) {
    it(`${title} → ${skip ? 'skipped, no route, no condition' : 'routed'}`, () => {
      const m = buildModel({ clusterCidrs, nodes: [node('n', ...routed, ...tweaks)] });
      assert.deepEqual(m.unroutable, []);
      if (skip) {
        assert.deepEqual(m.desired, []);
        assert.match(m.skipped[0]?.why ?? '', new RegExp(skip));
        assert.ok(m.nodeNames.has('n'));
      } else {
        assert.equal(m.desired.length, 1);
        assert.deepEqual(m.skipped, []);
      }
    });
  }

  it('a skipped Node does not claim its pod CIDR from another Node', () => {
    const m = buildModel({
      clusterCidrs,
      nodes: [
        node('a', podCIDR('10.0.1.0/24'), provider('cn-hangzhou.i-a'), ready('Unknown')),
        node('b', podCIDR('10.0.1.0/24'), provider('cn-hangzhou.i-b')),
      ],
    });
    assert.deepEqual(
      m.desired.map((d) => d.nodeName),
      ['b'],
    );
  });

  it('gives a duplicated pod CIDR to the first Node by name only', () => {
    const m = buildModel({
      clusterCidrs,
      nodes: [
        node('z', podCIDR('10.0.1.0/24'), provider('cn-hangzhou.i-z')),
        node('a', podCIDR('10.0.1.0/24'), provider('cn-hangzhou.i-a')),
      ],
    });
    assert.deepEqual(
      m.desired.map((d) => d.nodeName),
      ['a'],
    );
    assert.deepEqual(
      m.unroutable.map((u) => [u.nodeName, u.reason]),
      [['z', 'DuplicatePodCIDR']],
    );
  });

  it('uses a looked-up instance when providerID is unset, providerID when both exist', () => {
    const m = buildModel({
      clusterCidrs,
      nodes: [
        node('a', podCIDR('10.0.1.0/24')),
        node('b', podCIDR('10.0.2.0/24'), provider('cn-hangzhou.i-b')),
      ],
      instanceByNode: new Map([
        ['a', 'i-looked-up'],
        ['b', 'i-wrong'],
      ]),
    });
    assert.deepEqual(
      m.desired.map((d) => d.instanceId),
      ['i-looked-up', 'i-b'],
    );
  });

  it('parses several cluster CIDRs and skips IPv6 ones, rejects garbage', () => {
    assert.equal(parseClusterCidrs('10.0.0.0/16, fd00::/48,172.16.0.0/12').length, 2);
    assert.throws(() => parseClusterCidrs('10.0.0.0/16,nope'), /nope/);
  });
});
