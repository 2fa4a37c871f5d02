import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Labels, parseNodeNameType } from '../../../src/controllers/node/types.js';
import { TAINT_SHUTDOWN, TAINT_UNINITIALIZED } from '../../../src/kube/labels.js';
import { fromEcs } from '../../../src/controllers/node/cloudport.js';
import { kubeletLiveness } from '../../../src/controllers/node/plan/liveness.js';
import { InstanceIndex, lookupKeys, matchInstance } from '../../../src/controllers/node/inputs.js';
import {
  addressesFor,
  labelsFor,
  wouldChange,
  setLabels,
  removeTaint,
  addTaint,
} from '../../../src/controllers/node/plan/modifiers.js';
import { formatProviderId, parseProviderId } from '../../../src/controllers/providerid.js';
import { address, annotate, inst, node, provider, ready, tainted } from './fixtures.js';

describe('node controller: pure parts', () => {
  describe('parseProviderId', () => {
    const cases: Array<[string | undefined, { region?: string; instanceId: string } | undefined]> = [
      ['cn-hangzhou.i-bp1abc', { region: 'cn-hangzhou', instanceId: 'i-bp1abc' }],
      ['alicloud://cn-beijing.i-2zeabc', { region: 'cn-beijing', instanceId: 'i-2zeabc' }],
      ['i-bp1abc', { instanceId: 'i-bp1abc' }],
      ['ack-hybrid://cn-hangzhou.i-bp1abc', undefined],
      ['aws:///us-east-1a/i-123', undefined],
      ['cn-hangzhou.', undefined],
      ['.i-abc', undefined],
      ['', undefined],
      [undefined, undefined],
      ['node-1', undefined],
    ];
    for (const [text, want] of cases)
      it(`${String(text)}`, () => assert.deepEqual(parseProviderId(text), want));
    it('round-trips what we write', () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[a-z]{2}-[a-z]{3,10}(-[0-9])?$/),
          fc.stringMatching(/^i-[a-z0-9]{6,20}$/),
          (region, id) => {
            assert.deepEqual(parseProviderId(formatProviderId(region, id)), { region, instanceId: id });
          },
        ),
      );
    });
    it('never throws', () => fc.assert(fc.property(fc.string(), (s) => void parseProviderId(s))));
  });

  describe('ALIYUN_NODE_NAME_TYPE', () => {
    it('accepts the kube-aliyun spellings and rejects the rest', () => {
      assert.equal(parseNodeNameType(undefined), 'auto');
      assert.equal(parseNodeNameType('private-ip'), 'private-ip');
      assert.equal(parseNodeNameType('HOSTNAME'), 'hostname');
      assert.equal(parseNodeNameType('instance-id'), 'instance-id');
      assert.throws(() => parseNodeNameType('dns'), /ALIYUN_NODE_NAME_TYPE/);
    });
  });

  describe('matching a Node to its instance', () => {
    const a = inst('i-aaaaaa1', { privateIps: ['10.0.0.1'], hostName: 'iZaaaZ' });
    const b = inst('i-bbbbbb2', { privateIps: ['10.0.0.2'], hostName: 'worker-b' });
    const dupe = inst('i-cccccc3', { privateIps: ['10.0.0.3'], hostName: 'worker-b' });
    const index = new InstanceIndex();
    index.add([a, b]);

    it('uses the providerID only, when set', () => {
      const n = node('10.0.0.2', provider('cn-hangzhou.i-aaaaaa1'));
      const m = matchInstance(lookupKeys(n, 'auto'), index);
      assert.equal(m.instance?.id, 'i-aaaaaa1');
      const missing = matchInstance(lookupKeys(node('x', provider('cn-hangzhou.i-zzzzzz9')), 'auto'), index);
      assert.equal(missing.instance, undefined);
      assert.match((missing as { reason: string }).reason, /i-zzzzzz9.*providerID/);
    });
    it('private-ip: by node name or InternalIP address', () => {
      assert.equal(
        matchInstance(lookupKeys(node('10.0.0.1'), 'private-ip'), index).instance?.id,
        'i-aaaaaa1',
      );
      assert.equal(
        matchInstance(lookupKeys(node('worker', address('InternalIP', '10.0.0.2')), 'private-ip'), index)
          .instance?.id,
        'i-bbbbbb2',
      );
      // private-ip mode never falls back to names.
      assert.equal(matchInstance(lookupKeys(node('worker-b'), 'private-ip'), index).instance, undefined);
    });
    it('hostname: case-insensitive, FQDN first label, kubelet Hostname address', () => {
      assert.equal(matchInstance(lookupKeys(node('izaaaz'), 'hostname'), index).instance?.id, 'i-aaaaaa1');
      assert.equal(
        matchInstance(lookupKeys(node('worker-b.cluster.internal'), 'hostname'), index).instance?.id,
        'i-bbbbbb2',
      );
      assert.equal(
        matchInstance(lookupKeys(node('n1', address('Hostname', 'iZaaaZ')), 'hostname'), index).instance?.id,
        'i-aaaaaa1',
      );
      assert.equal(matchInstance(lookupKeys(node('10.0.0.1'), 'hostname'), index).instance, undefined);
    });
    it('auto: instance-id name, then IP, then hostname', () => {
      assert.equal(matchInstance(lookupKeys(node('i-bbbbbb2'), 'auto'), index).instance?.id, 'i-bbbbbb2');
      assert.equal(matchInstance(lookupKeys(node('10.0.0.1'), 'auto'), index).instance?.id, 'i-aaaaaa1');
      assert.equal(matchInstance(lookupKeys(node('worker-b'), 'auto'), index).instance?.id, 'i-bbbbbb2');
    });
    it('refuses to guess between two instances', () => {
      const idx = new InstanceIndex();
      idx.add([a, b, dupe]);
      const m = matchInstance(lookupKeys(node('worker-b'), 'hostname'), idx);
      assert.equal(m.instance, undefined);
      assert.match((m as { reason: string }).reason, /ambiguous.*i-bbbbbb2.*i-cccccc3/);
    });
    it('explains a Node with nothing to match by', () => {
      const m = matchInstance(lookupKeys(node('worker-x'), 'private-ip'), index);
      assert.match((m as { reason: string }).reason, /nothing to match/);
    });
  });

  describe('addresses', () => {
    it('orders InternalIP, ExternalIP (public, EIP), Hostname', () => {
      const r = addressesFor(
        node('n'),
        inst('i-aaaaaa1', {
          privateIps: ['10.0.0.1'],
          publicIps: ['47.1.1.1'],
          eip: '47.2.2.2',
          hostName: 'iZAbcZ',
        }),
      );
      assert.deepEqual(r, {
        addresses: [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'ExternalIP', address: '47.1.1.1' },
          { type: 'ExternalIP', address: '47.2.2.2' },
          { type: 'Hostname', address: 'izabcz' },
        ],
      });
    });
    it("keeps the kubelet's own Hostname", () => {
      const r = addressesFor(node('n', address('Hostname', 'worker-7')), inst('i-aaaaaa1'));
      assert.ok('addresses' in r);
      assert.deepEqual(
        r.addresses.filter((a) => a.type === 'Hostname'),
        [{ type: 'Hostname', address: 'worker-7' }],
      );
    });
    it('provided-node-ip: must belong to the instance and becomes the only address of its type', () => {
      const i = inst('i-aaaaaa1', { privateIps: ['10.0.0.1', '10.0.0.9'] });
      const ok = addressesFor(node('n', annotate('alpha.kubernetes.io/provided-node-ip', '10.0.0.9')), i);
      assert.ok('addresses' in ok);
      assert.deepEqual(
        ok.addresses.filter((a) => a.type === 'InternalIP'),
        [{ type: 'InternalIP', address: '10.0.0.9' }],
      );
      const bad = addressesFor(node('n', annotate('alpha.kubernetes.io/provided-node-ip', '10.9.9.9')), i);
      assert.ok('error' in bad);
      assert.match(bad.error, /10\.9\.9\.9 is not an address of instance i-aaaaaa1/);
    });
  });

  describe('labels and modifiers', () => {
    it('sets GA and beta topology/instance-type labels and billing facts', () => {
      const l = labelsFor(
        inst('i-aaaaaa1', {
          spotStrategy: 'SpotAsPriceGo',
          tags: { 'ack.alibabacloud.com/nodepool-id': 'np-1' },
        }),
      );
      assert.equal(l[Labels.region], 'cn-hangzhou');
      assert.equal(l[Labels.betaRegion], 'cn-hangzhou');
      assert.equal(l[Labels.zone], 'cn-hangzhou-h');
      assert.equal(l[Labels.betaZone], 'cn-hangzhou-h');
      assert.equal(l[Labels.instanceType], 'ecs.g6.large');
      assert.equal(l[Labels.betaInstanceType], 'ecs.g6.large');
      assert.equal(l[Labels.spotStrategy], 'SpotAsPriceGo');
      assert.equal(l[Labels.nodepoolId], 'np-1');
    });
    it('skips values the apiserver would reject instead of failing the write', () => {
      const l = labelsFor(
        inst('i-aaaaaa1', { tags: { 'ack.alibabacloud.com/nodepool-id': 'not a label value!' } }),
      );
      assert.equal(l[Labels.nodepoolId], undefined);
    });
    it('detects no-op changes so steady state writes nothing', () => {
      const n = node('n', tainted(TAINT_SHUTDOWN));
      n.metadata!.labels = { a: '1', b: '2' };
      assert.equal(
        wouldChange(n, [setLabels({ b: '2' }), addTaint({ key: TAINT_SHUTDOWN, effect: 'NoSchedule' })]),
        false,
      );
      assert.equal(wouldChange(n, [setLabels({ b: '3' })]), true);
      assert.equal(wouldChange(n, [removeTaint(TAINT_UNINITIALIZED)]), false);
      assert.equal(wouldChange(n, [removeTaint(TAINT_SHUTDOWN)]), true);
    });
  });

  describe('kubelet liveness', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    const grace = 300_000;
    const cases: Array<[string, Parameters<typeof ready>, boolean]> = [
      ['Unknown', ['Unknown'], true],
      ['False with a fresh heartbeat', ['False', '2024-05-01T11:59:30Z'], false],
      ['True with a fresh heartbeat', ['True', '2024-05-01T11:59:30Z'], false],
      ['True with a stale heartbeat', ['True', '2024-05-01T11:00:00Z'], true],
      ['False with a stale heartbeat', ['False', '2024-05-01T11:00:00Z'], true],
    ];
    for (const [what, args, stopped] of cases)
      it(what, () => assert.equal(kubeletLiveness(node('n', ready(...args)), now, grace).stopped, stopped));
    it('no Ready condition is not evidence', () =>
      assert.equal(kubeletLiveness(node('n'), now, grace).stopped, false));
  });

  describe('fromEcs', () => {
    it('flattens the DescribeInstances shape', () => {
      const i = fromEcs(
        {
          InstanceId: 'i-x1',
          RegionId: 'cn-beijing',
          ZoneId: 'cn-beijing-a',
          Status: 'Stopped',
          HostName: 'h',
          VpcAttributes: { PrivateIpAddress: { IpAddress: ['10.1.1.1', ''] } },
          PublicIpAddress: { IpAddress: [] },
          EipAddress: { IpAddress: '' },
          NetworkInterfaces: {
            NetworkInterface: [
              { NetworkInterfaceId: 'eni-2', Type: 'Secondary' },
              { NetworkInterfaceId: 'eni-1', Type: 'Primary' },
            ],
          },
          Tags: { Tag: [{ TagKey: 'k', TagValue: 'v' }] },
        },
        'cn-hangzhou',
      );
      assert.equal(i.region, 'cn-beijing');
      assert.deepEqual(i.privateIps, ['10.1.1.1']);
      assert.equal(i.eip, undefined);
      assert.equal(i.primaryEniId, 'eni-1');
      assert.deepEqual(i.tags, { k: 'v' });
    });
  });
});
