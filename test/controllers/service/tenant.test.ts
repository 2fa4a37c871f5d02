// Tenant boundary of the Service controller, pure parts: reuse grants, reserved tag keys, the
// order of tags at create, and listener ownership conflicts (with and without force-override).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  isReservedTagKey,
  RESERVED_TAG_KEYS,
  RESERVED_TAG_PREFIXES,
  TAG_REUSE_GRANT_PREFIX,
} from '../../../src/cloud/ownership.js';
import { ownershipOf, planChanges, planDeletion } from '../../../src/controllers/service/diff/changes.js';
import { buildDesiredModel } from '../../../src/controllers/service/model/build.js';
import { parseReuseGrants, reuseAllowed } from '../../../src/controllers/service/annotations/reuse-grant.js';
import { isValidationErrors, type RemoteLoadBalancer } from '../../../src/controllers/service/types.js';
import { parseCloudConfig } from '../../../src/manager/cloudconfig.js';
import { CONFIG, P, UID, build, inputs, newService, withAnnotations } from './fixtures.js';

const GRANT = 'kube-alicloud.io/reusable/c-test';

function sharedLb(listenerDescription: string): RemoteLoadBalancer {
  return {
    attributes: {
      loadBalancerId: 'lb-shared',
      address: '47.1.1.1',
      addressType: 'internet',
      addressIpVersion: 'ipv4',
      deleteProtection: 'off',
    },
    tags: { [GRANT]: '*', 'kubernetes.reused.by.user': 'true' },
    listeners: [
      {
        port: 80,
        protocol: 'tcp',
        description: listenerDescription,
        vGroupId: 'rsp-a',
        status: 'running',
        settings: { Scheduler: 'wrr' },
      },
    ],
    vgroups: [
      {
        name: 'k8s/30080/shop/team-a/c-test',
        id: 'rsp-a',
        backends: [
          {
            serverId: 'i-w1',
            port: 30080,
            weight: 100,
            type: 'ecs',
            description: 'k8s/30080/shop/team-a/c-test',
          },
        ],
      },
    ],
  };
}

describe('service tenant boundary', () => {
  describe('reuse grants', () => {
    const table: Array<[string, string, Array<string>, Record<string, string> | undefined, boolean]> = [
      ['no grant at all', 'team-b', [], {}, false],
      ['cloud-config opens to every namespace', 'team-b', ['lb-1'], {}, true],
      ['cloud-config opens to team-a only', 'team-b', ['lb-1/team-a'], {}, false],
      ['cloud-config opens to team-b', 'team-b', ['lb-1/team-a', 'lb-1/team-b'], {}, true],
      ['cloud-config grant for another SLB', 'team-b', ['lb-2'], {}, false],
      ['tag "*"', 'team-b', [], { [GRANT]: '*' }, true],
      ['tag lists team-b', 'team-b', [], { [GRANT]: 'team-a, team-b' }, true],
      ['tag lists team-a only', 'team-b', [], { [GRANT]: 'team-a' }, false],
      ['tag of another cluster', 'team-b', [], { 'kube-alicloud.io/reusable/other': '*' }, false],
      ['tag value is a prefix of the namespace', 'team-b', [], { [GRANT]: 'team' }, false],
      ['tags not read yet', 'team-b', [], undefined, false],
    ];
    for (const [title, ns, entries, tags, want] of table) {
      it(title, () =>
        assert.equal(reuseAllowed('lb-1', ns, 'c-test', parseReuseGrants(entries), tags).allowed, want),
      );
    }
    it('the refusal names both ways to allow it', () => {
      const d = reuseAllowed('lb-1', 'team-b', 'c-test', [], {});
      assert.match(d.detail, /reusableLoadBalancers "lb-1\/team-b"/);
      assert.match(d.detail, /kube-alicloud\.io\/reusable\/c-test=team-b/);
    });
    it('the model refuses an SLB that is not open, on the id annotation', () => {
      const m = buildDesiredModel(
        inputs(newService(withAnnotations({ [P + 'id']: 'lb-1' })), {
          reusedLoadBalancer: { loadBalancerId: 'lb-1', tags: {}, vgroups: [] },
        }),
      );
      assert.ok(isValidationErrors(m));
      assert.equal(m.errors[0]!.key, P + 'id');
      assert.match(m.errors[0]!.reason, /not open to namespace "default"/);
    });
    it('the model accepts it when cloud-config opens it', () => {
      build(newService(withAnnotations({ [P + 'id']: 'lb-1' })), {
        config: { ...CONFIG, reusableLoadBalancers: parseReuseGrants(['lb-1/default']) },
        reusedLoadBalancer: { loadBalancerId: 'lb-1', tags: {}, vgroups: [] },
      });
    });
    it('cloud-config Global.reusableLoadBalancers: string or list; bad entries name the field', () => {
      assert.deepEqual(
        parseCloudConfig('Global:\n  reusableLoadBalancers: "lb-1, lb-2/team-a"\n').reusableLoadBalancers,
        ['lb-1', 'lb-2/team-a'],
      );
      assert.deepEqual(
        parseCloudConfig('Global:\n  ReusableLoadBalancers: [lb-3/team-b]\n').reusableLoadBalancers,
        ['lb-3/team-b'],
      );
      assert.throws(
        () => parseCloudConfig('Global:\n  reusableLoadBalancers: "lb-1/Team_A"\n'),
        /Global\.reusableLoadBalancers.*lb-<id>/,
      );
      assert.throws(
        () => parseCloudConfig('Global:\n  reusableLoadBalancers: "*"\n'),
        /Global\.reusableLoadBalancers/,
      );
    });
  });

  it('docs/service-load-balancers.md names every reserved key and prefix, the grant tag and the cloud-config key', () => {
    const doc = readFileSync(new URL('../../../docs/service-load-balancers.md', import.meta.url), 'utf8');
    for (const k of [...RESERVED_TAG_KEYS, ...RESERVED_TAG_PREFIXES]) assert.ok(doc.includes(`\`${k}\``), k);
    assert.ok(doc.includes(`\`${TAG_REUSE_GRANT_PREFIX}<clusterID>\``));
    assert.ok(doc.includes('`Global.reusableLoadBalancers`'));
  });

  describe('reserved tag keys', () => {
    const reserved = [
      'kubernetes.do.not.delete',
      'ack.aliyun.com',
      'kubernetes.reused.by.user',
      'Kubernetes.Do.Not.Delete',
      'kubernetes.io/created-for/pv/name',
      'kube-alicloud.io/reusable/c-test',
      'acs:x',
      'aliyun-x',
      'k8s.io/x',
      'alicloud.kubernetes.io/disk-id',
      'service.k8s.alibaba/x',
    ];
    for (const k of reserved) it(`"${k}" is reserved`, () => assert.equal(isReservedTagKey(k), true));
    for (const k of ['team', 'env', 'cost-center', 'my.kubernetes.note'])
      it(`"${k}" is free`, () => assert.equal(isReservedTagKey(k), false));
    it('additional-resource-tags with a reserved key is an InvalidAnnotation naming the key; nothing is planned', () => {
      const m = buildDesiredModel(
        inputs(
          newService(
            withAnnotations({
              [P + 'additional-resource-tags']: 'team=web,kubernetes.do.not.delete=avictim',
            }),
          ),
        ),
      );
      assert.ok(isValidationErrors(m));
      assert.equal(m.errors.length, 1);
      assert.equal(m.errors[0]!.key, P + 'additional-resource-tags');
      assert.match(m.errors[0]!.reason, /tag key "kubernetes.do.not.delete" is reserved/);
    });
    it('ownership tags are written last at create, whatever the additional tags say', () => {
      const d = build(newService(withAnnotations({ [P + 'additional-resource-tags']: 'team=web' })));
      // Bypass the model's refusal to prove the planner's own guard.
      const forged = {
        ...d,
        tags: { ...d.tags, 'kubernetes.do.not.delete': 'avictim', 'ack.aliyun.com': 'other' },
      };
      const create = planChanges(forged, undefined, ownershipOf(forged)).actions.find(
        (a) => a.kind === 'CreateLoadBalancer',
      );
      assert.ok(create && create.kind === 'CreateLoadBalancer');
      assert.deepEqual(Object.entries(create.tags), [
        ['team', 'web'],
        ['kubernetes.do.not.delete', ('a' + UID.replace(/-/g, '')).slice(0, 32)],
        ['ack.aliyun.com', 'c-test'],
      ]);
    });
  });

  describe('listeners of another Service are never rewritten or deleted', () => {
    const evil = (force: boolean, extra: Record<string, string> = {}) =>
      build(
        newService(
          withAnnotations({
            [P + 'id']: 'lb-shared',
            ...(force ? { [P + 'force-override-listeners']: 'true' } : {}),
            ...extra,
          }),
          (s) => {
            s.metadata!.namespace = 'team-b';
            s.metadata!.name = 'evil';
          },
        ),
        { reusedLoadBalancer: { loadBalancerId: 'lb-shared', tags: { [GRANT]: '*' }, vgroups: [] } },
      );
    const victims: Array<[string, string]> = [
      ['same cluster, other namespace', 'k8s/80/shop/team-a/c-test'],
      ['same namespace and name in another cluster', 'k8s/80/evil/team-b/other-cluster'],
    ];
    for (const [title, description] of victims) {
      it(`force-override: ${title} → ownership conflict, no action`, () => {
        const d = evil(true);
        const plan = planChanges(d, sharedLb(description), ownershipOf(d));
        assert.deepEqual(plan.actions, []);
        assert.equal(plan.conflicts[0]!.kind, 'ownership');
        assert.match(plan.conflicts[0]!.reason, /listener tcp:80 belongs to Service/);
      });
    }
    it('force-override with another protocol on the same port → ownership conflict', () => {
      const d = evil(true, { [P + 'protocol-port']: 'http:80' });
      const plan = planChanges(d, sharedLb('k8s/80/shop/team-a/c-test'), ownershipOf(d));
      assert.deepEqual(plan.actions, []);
      assert.equal(plan.conflicts[0]!.kind, 'ownership');
    });
    it('without force-override: listeners are not even considered', () => {
      const d = evil(false);
      const plan = planChanges(d, sharedLb('k8s/80/shop/team-a/c-test'), ownershipOf(d));
      assert.deepEqual(plan.conflicts, []);
      assert.ok(
        !plan.actions.some((a) => /Listener/.test(a.kind)),
        plan.actions.map((a) => a.kind).join(','),
      );
    });
    it("a hand-made listener on the port is still adopted with force-override (the option's purpose)", () => {
      const d = evil(true);
      const plan = planChanges(d, sharedLb('made by hand'), ownershipOf(d));
      assert.deepEqual(plan.conflicts, []);
      assert.ok(plan.actions.some((a) => a.kind === 'SetListenerAttribute'));
    });
    it('deleting the attacker removes nothing of the victim', () => {
      const d = evil(true);
      const plan = planDeletion(sharedLb('k8s/80/shop/team-a/c-test'), ownershipOf(d));
      assert.deepEqual(plan.actions, []);
    });
  });
});
