import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ownershipOf, planChanges, planDeletion } from '../../../src/controllers/service/diff/changes.js';
import { match } from '../../../src/controllers/service/diff/match.js';
import type { Plan, PlanAction } from '../../../src/controllers/service/plan.js';
import type { DesiredLoadBalancer, RemoteLoadBalancer } from '../../../src/controllers/service/types.js';
import {
  P,
  build,
  expectGolden,
  newNode,
  newService,
  slices,
  withAnnotations,
  withIngress,
  withLocal,
  withPorts,
} from './fixtures.js';
import { GRANT, USAGE_EXAMPLES } from './model.test.js';
import { simulate } from './simulate.js';

const kinds = (p: Plan): string[] => p.actions.map((a) => a.kind);
const converge = (d: DesiredLoadBalancer, remote?: RemoteLoadBalancer): RemoteLoadBalancer => {
  const plan = planChanges(d, remote, ownershipOf(d));
  assert.deepEqual(plan.conflicts, []);
  return simulate(plan, remote)!;
};
const ID = {
  namespace: 'default',
  name: 'nginx',
  uid: '5e4dbfc9-c2ae-4d0b-9a8e-0123456789ab',
  clusterId: 'c-test',
};

function userLb(): RemoteLoadBalancer {
  return {
    attributes: {
      loadBalancerId: 'lb-user1',
      address: '47.1.1.1',
      addressType: 'internet',
      addressIpVersion: 'ipv4',
      deleteProtection: 'off',
    },
    tags: { owner: 'alice' },
    listeners: [
      {
        port: 80,
        protocol: 'tcp',
        description: 'alice-web',
        vGroupId: 'rsp-user80',
        status: 'running',
        settings: { Scheduler: 'wrr' },
      },
      {
        port: 8443,
        protocol: 'https',
        description: 'alice-admin',
        vGroupId: 'rsp-admin',
        status: 'running',
        settings: { ServerCertificateId: 'c1' },
      },
    ],
    vgroups: [
      {
        name: 'user-group',
        id: 'rsp-user80',
        backends: [{ serverId: 'i-db', port: 3306, weight: 50, type: 'ecs', description: 'alice' }],
      },
      {
        name: 'admin',
        id: 'rsp-admin',
        backends: [{ serverId: 'i-adm', port: 443, weight: 100, type: 'ecs' }],
      },
    ],
  };
}

describe('service diff', () => {
  describe('match', () => {
    const key = { desired: (d: { k: string }) => d.k, remote: (r: { k: string }) => r.k };
    const table: Array<
      [string, string[], string[], { matched: string[]; toCreate: string[]; toDelete: string[] }]
    > = [
      ['both empty', [], [], { matched: [], toCreate: [], toDelete: [] }],
      ['all new', ['a', 'b'], [], { matched: [], toCreate: ['a', 'b'], toDelete: [] }],
      ['all stale', [], ['a'], { matched: [], toCreate: [], toDelete: ['a'] }],
      ['mixed', ['a', 'b'], ['b', 'c'], { matched: ['b'], toCreate: ['a'], toDelete: ['c'] }],
      ['duplicate desired key', ['a', 'a'], ['a'], { matched: ['a'], toCreate: ['a'], toDelete: [] }],
      ['duplicate remote key', ['a'], ['a', 'a'], { matched: ['a'], toCreate: [], toDelete: ['a'] }],
    ];
    for (const [title, d, r, want] of table) {
      it(title, () => {
        const got = match(
          d.map((k) => ({ k })),
          r.map((k) => ({ k })),
          key,
        );
        assert.deepEqual(
          {
            matched: got.matched.map((m) => m.desired.k),
            toCreate: got.toCreate.map((x) => x.k),
            toDelete: got.toDelete.map((x) => x.k),
          },
          want,
        );
      });
    }
  });

  describe('golden plans from nothing, then zero actions at steady state', () => {
    for (const [name, tweaks] of Object.entries(USAGE_EXAMPLES)) {
      if (name.startsWith('reuse')) continue;
      it(name, () => {
        const d = build(newService(...tweaks));
        const plan = planChanges(d, undefined, ownershipOf(d));
        expectGolden(`plan-${name}`, plan);
        const after = simulate(plan, undefined)!;
        assert.deepEqual(planChanges(d, after, ownershipOf(d)), {
          loadBalancerId: 'lb-sim',
          actions: [],
          conflicts: [],
        });
      });
    }
  });

  it('orders a create: SLB, groups with backends, listeners, start', () => {
    const d = build(
      newService(
        withPorts(
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 443, nodePort: 30443, protocol: 'TCP' },
        ),
        withAnnotations({
          [P + 'protocol-port']: 'http:80,https:443',
          [P + 'cert-id']: 'c',
          [P + 'forward-port']: '80:443',
        }),
      ),
    );
    const plan = planChanges(d, undefined, ownershipOf(d));
    const idx = (k: string, f: (a: PlanAction) => boolean = () => true) =>
      plan.actions.findIndex((a) => a.kind === k && f(a));
    assert.equal(idx('CreateLoadBalancer'), 0);
    assert.ok(idx('CreateVServerGroup') < idx('CreateListener'));
    const https = idx(
      'CreateListener',
      (a) => a.kind === 'CreateListener' && a.listener.protocol === 'https',
    );
    const http = idx('CreateListener', (a) => a.kind === 'CreateListener' && a.listener.protocol === 'http');
    assert.ok(https < http, 'the forwarder is created after its HTTPS target');
    const create = plan.actions[0]!;
    assert.ok(create.kind === 'CreateLoadBalancer');
    assert.deepEqual(create.tags, {
      'kubernetes.do.not.delete': 'a5e4dbfc9c2ae4d0b9a8e0123456789a',
      'ack.aliyun.com': 'c-test',
    });
    assert.equal(create.attributes.deleteProtection, 'on');
  });

  it('a protocol change deletes the old listener before creating the new one', () => {
    const before = converge(build(newService()));
    const d = build(newService(withAnnotations({ [P + 'protocol-port']: 'http:80' })));
    const plan = planChanges(d, before, ownershipOf(d));
    assert.deepEqual(kinds(plan), ['DeleteListener', 'CreateListener', 'StartListener']);
    assert.ok(plan.actions[0]!.stage < plan.actions[1]!.stage);
    const after = simulate(plan, before)!;
    assert.deepEqual(planChanges(d, after, ownershipOf(d)).actions, []);
  });

  it('turning forwarding on re-creates the HTTP listener', () => {
    const ports = withPorts(
      { port: 80, nodePort: 30080, protocol: 'TCP' },
      { port: 443, nodePort: 30443, protocol: 'TCP' },
    );
    const base = { [P + 'protocol-port']: 'http:80,https:443', [P + 'cert-id']: 'c' };
    const before = converge(build(newService(ports, withAnnotations(base))));
    const d = build(newService(ports, withAnnotations({ ...base, [P + 'forward-port']: '80:443' })));
    const plan = planChanges(d, before, ownershipOf(d));
    assert.deepEqual(kinds(plan), ['DeleteListener', 'CreateListener', 'StartListener']);
  });

  it('listener settings are sticky: removing an annotation reverts nothing, changing one sends only it', () => {
    const before = converge(
      build(newService(withAnnotations({ [P + 'scheduler']: 'wrr', [P + 'healthy-threshold']: '4' }))),
    );
    const removed = build(newService());
    assert.deepEqual(planChanges(removed, before, ownershipOf(removed)).actions, []);
    const changed = build(
      newService(withAnnotations({ [P + 'scheduler']: 'wlc', [P + 'healthy-threshold']: '4' })),
    );
    const plan = planChanges(changed, before, ownershipOf(changed));
    assert.deepEqual(
      plan.actions.map((a) => (a.kind === 'SetListenerAttribute' ? a.changes : a.kind)),
      [{ Scheduler: 'wlc' }],
    );
  });

  it('ACL ids compare as a set', () => {
    const a = { [P + 'acl-status']: 'on', [P + 'acl-type']: 'white' };
    const before = converge(build(newService(withAnnotations({ ...a, [P + 'acl-id']: 'acl-a,acl-b' }))));
    before.listeners[0]!.settings.AclId = 'acl-b,acl-a';
    const d = build(newService(withAnnotations({ ...a, [P + 'acl-id']: 'acl-b, acl-a' })));
    assert.deepEqual(planChanges(d, before, ownershipOf(d)).actions, []);
  });

  it('a stopped listener is started; a hand-edited one is repaired (drift)', () => {
    const d = build(newService(withAnnotations({ [P + 'scheduler']: 'wrr' })));
    const remote = converge(d);
    remote.listeners[0]!.status = 'stopped';
    remote.listeners[0]!.settings.Scheduler = 'rr';
    assert.deepEqual(kinds(planChanges(d, remote, ownershipOf(d))), [
      'StartListener',
      'SetListenerAttribute',
    ]);
  });

  describe('backends', () => {
    it('a node leaving removes only its backend; a node joining adds only its backend', () => {
      const before = converge(build(newService()));
      const fewer = build(newService(), { nodes: [newNode('w1'), newNode('w2')] });
      const p1 = planChanges(fewer, before, ownershipOf(fewer));
      assert.deepEqual(
        p1.actions.map((a) => [a.kind, 'backends' in a ? a.backends.map((b) => b.serverId) : []]),
        [['RemoveVServerGroupBackends', ['i-w3']]],
      );
      const more = build(newService(), {
        nodes: [newNode('w1'), newNode('w2'), newNode('w3'), newNode('w4')],
      });
      const p2 = planChanges(more, before, ownershipOf(more));
      assert.deepEqual(
        p2.actions.map((a) => [a.kind, 'backends' in a ? a.backends.map((b) => b.serverId) : []]),
        [['AddVServerGroupBackends', ['i-w4']]],
      );
    });
    it('Local: a pod moving changes weights with one update call', () => {
      const before = converge(build(newService(withLocal)));
      const s = slices();
      s[0]!.endpoints[1]!.nodeName = 'w2';
      const d = build(newService(withLocal), { endpointSlices: s });
      const plan = planChanges(d, before, ownershipOf(d));
      assert.deepEqual(
        plan.actions.map((a) => [
          a.kind,
          'backends' in a ? a.backends.map((b) => `${b.serverId}:${b.weight}`) : [],
        ]),
        [['SetVServerGroupBackends', ['i-w1:1', 'i-w2:2']]],
      );
    });
    it('ignore-weight-update suppresses weight-only updates', () => {
      const before = converge(build(newService(withLocal)));
      const s = slices();
      s[0]!.endpoints[1]!.nodeName = 'w2';
      const d = build(newService(withLocal, withAnnotations({ [P + 'ignore-weight-update']: 'on' })), {
        endpointSlices: s,
      });
      assert.deepEqual(planChanges(d, before, ownershipOf(d)).actions, []);
    });
    it('user backends in our group are never removed or updated', () => {
      const before = converge(build(newService()));
      before.vgroups[0]!.backends.push({
        serverId: 'i-user',
        port: 1234,
        weight: 7,
        type: 'ecs',
        description: 'hand-made',
      });
      const d = build(newService());
      assert.deepEqual(planChanges(d, before, ownershipOf(d)).actions, []);
    });
  });

  describe('tags', () => {
    it('adds the additional tags; a console tag survives; only tags we set earlier are removed', () => {
      const d1 = build(
        newService(withAnnotations({ [P + 'additional-resource-tags']: 'team=web,env=prod' })),
      );
      const remote = converge(d1);
      remote.tags['console'] = 'x';
      const d2 = build(newService(withAnnotations({ [P + 'additional-resource-tags']: 'team=api' })), {
        previouslyManagedTagKeys: ['team', 'env'],
      });
      const plan = planChanges(d2, remote, ownershipOf(d2));
      assert.deepEqual(
        plan.actions.map((a) =>
          a.kind === 'TagResources' ? a.tags : a.kind === 'UntagResources' ? a.keys : a.kind,
        ),
        [{ team: 'api' }, ['env']],
      );
    });
    it('re-adds the default-name marker on an owned SLB that lost it', () => {
      const d = build(newService());
      const remote = converge(d);
      delete remote.tags['kubernetes.do.not.delete'];
      assert.deepEqual(
        planChanges(d, remote, ownershipOf(d)).actions.map((a) => a.kind === 'TagResources' && a.tags),
        [{ 'kubernetes.do.not.delete': 'a5e4dbfc9c2ae4d0b9a8e0123456789a' }],
      );
    });
  });

  describe('safety', () => {
    it('an immutable change is a conflict and nothing is planned', () => {
      const remote = converge(build(newService()));
      const d = build(newService(withAnnotations({ [P + 'address-type']: 'intranet' })));
      const plan = planChanges(d, remote, ownershipOf(d));
      assert.deepEqual(plan.actions, []);
      assert.match(plan.conflicts[0]!.reason, /address type is internet and cannot be changed to intranet/);
    });
    it('the SLB vanished while the Service publishes an IP: no silent re-create', () => {
      const d = build(newService(withIngress('47.0.0.1')));
      const plan = planChanges(d, undefined, ownershipOf(d));
      assert.deepEqual(plan.actions, []);
      assert.match(plan.conflicts[0]!.reason, /deleted by hand/);
    });
    it('an SLB tagged for another cluster is not adopted', () => {
      const d = build(newService());
      const remote = converge(d);
      remote.tags['ack.aliyun.com'] = 'other-cluster';
      assert.match(
        planChanges(d, remote, ownershipOf(d)).conflicts[0]!.reason,
        /belongs to cluster "other-cluster"/,
      );
    });
    it('owned stale listeners are deleted, foreign ones never', () => {
      const d = build(newService());
      const remote = converge(d);
      remote.listeners.push({
        port: 9000,
        protocol: 'tcp',
        description: 'k8s/9000/nginx/default/c-test',
        vGroupId: remote.vgroups[0]!.id,
        settings: {},
      });
      remote.listeners.push({
        port: 9001,
        protocol: 'tcp',
        description: 'k8s/9001/other/default/c-test',
        settings: {},
      });
      remote.listeners.push({
        port: 9002,
        protocol: 'tcp',
        description: 'k8s/9002/nginx/default/other-cluster',
        settings: {},
      });
      remote.listeners.push({ port: 9003, protocol: 'tcp', description: 'manual', settings: {} });
      const plan = planChanges(d, remote, ownershipOf(d));
      assert.deepEqual(
        plan.actions.map((a) => a.kind === 'DeleteListener' && a.port),
        [9000],
      );
    });
    it('a port taken by a foreign listener is a conflict, not a takeover', () => {
      const d = build(newService());
      const remote = converge(d);
      remote.listeners = [{ port: 80, protocol: 'http', description: 'manual', settings: {} }];
      assert.match(
        planChanges(d, remote, ownershipOf(d)).conflicts[0]!.reason,
        /port 80 is taken by a http listener/,
      );
    });
    it('an unused owned group still referenced by a user listener is emptied, not deleted', () => {
      const before = converge(build(newService()));
      const oldId = before.vgroups[0]!.id!;
      before.listeners.push({
        port: 7000,
        protocol: 'tcp',
        description: 'manual',
        vGroupId: oldId,
        settings: {},
      });
      const d = build(
        newService(withPorts({ port: 80, protocol: 'TCP', nodePort: 31000, targetPort: 8080 })),
      );
      const plan = planChanges(d, before, ownershipOf(d));
      assert.ok(!kinds(plan).includes('DeleteVServerGroup'));
      assert.ok(plan.actions.some((a) => a.kind === 'RemoveVServerGroupBackends' && a.vgroup.id === oldId));
    });
    it('a nodePort change creates the new group, repoints the listener, then deletes the old group', () => {
      const before = converge(build(newService()));
      const d = build(
        newService(withPorts({ port: 80, protocol: 'TCP', nodePort: 31000, targetPort: 8080 })),
      );
      const plan = planChanges(d, before, ownershipOf(d));
      assert.deepEqual(kinds(plan), [
        'CreateVServerGroup',
        'AddVServerGroupBackends',
        'SetListenerAttribute',
        'DeleteVServerGroup',
      ]);
      const after = simulate(plan, before)!;
      assert.deepEqual(
        after.vgroups.map((g) => g.name),
        ['k8s/31000/nginx/default/c-test'],
      );
    });
  });

  describe('reused SLB', () => {
    const reuse = {
      reusedLoadBalancer: {
        loadBalancerId: 'lb-user1',
        tags: { owner: 'alice', [GRANT]: 'default' },
        address: '47.1.1.1',
        vgroups: [{ id: 'rsp-user80', name: 'user-group' }],
      },
    };
    it('without force-override: our group and backends only, plus the reuse marker tag; listeners untouched', () => {
      const d = build(newService(withAnnotations({ [P + 'id']: 'lb-user1' })), reuse);
      const plan = planChanges(d, userLb(), ownershipOf(d));
      expectGolden('plan-reuse-without-force', plan);
      assert.deepEqual(kinds(plan), ['TagResources', 'CreateVServerGroup', 'AddVServerGroupBackends']);
    });
    it('with force-override: takes over the same port+protocol listener, leaves the others', () => {
      const d = build(
        newService(withAnnotations({ [P + 'id']: 'lb-user1', [P + 'force-override-listeners']: 'true' })),
        reuse,
      );
      const plan = planChanges(d, userLb(), ownershipOf(d));
      expectGolden('plan-reuse-force-override', plan);
      const set = plan.actions.find((a) => a.kind === 'SetListenerAttribute');
      assert.ok(
        set &&
          set.kind === 'SetListenerAttribute' &&
          set.port === 80 &&
          set.description === 'k8s/80/nginx/default/c-test',
      );
      assert.ok(!kinds(plan).includes('DeleteListener'));
    });
    it('vgroup-port fills the user group without touching its user backends', () => {
      const d = build(
        newService(withAnnotations({ [P + 'id']: 'lb-user1', [P + 'vgroup-port']: 'rsp-user80:80' })),
        reuse,
      );
      const plan = planChanges(d, userLb(), ownershipOf(d));
      assert.deepEqual(kinds(plan), ['TagResources', 'AddVServerGroupBackends']);
      const after = simulate(plan, userLb())!;
      assert.equal(after.vgroups[0]!.backends.length, 4);
      assert.deepEqual(planChanges(d, after, ownershipOf(d)).actions, []);
    });
    it('refuses an SLB carrying cluster ownership tags', () => {
      const d = build(newService(withAnnotations({ [P + 'id']: 'lb-user1' })));
      const remote = userLb();
      remote.tags['kubernetes.do.not.delete'] = 'aXYZ';
      assert.match(planChanges(d, remote, ownershipOf(d)).conflicts[0]!.reason, /cannot be reused/);
    });
    it('a missing reused SLB is a conflict, never a create', () => {
      const d = build(newService(withAnnotations({ [P + 'id']: 'lb-user1' })));
      const plan = planChanges(d, undefined, ownershipOf(d));
      assert.deepEqual(plan.actions, []);
      assert.equal(plan.conflicts.length, 1);
    });
  });

  describe('planDeletion', () => {
    it('owned SLB: delete protection off, then delete', () => {
      const d = build(newService());
      const remote = converge(d);
      const plan = planDeletion(remote, ownershipOf(d));
      assert.deepEqual(
        plan.actions.map((a) =>
          a.kind === 'SetLoadBalancerDeleteProtection' ? `protection ${a.deleteProtection}` : a.kind,
        ),
        ['protection off', 'DeleteLoadBalancer'],
      );
      assert.equal(simulate(plan, remote), undefined);
    });
    it('owned SLB with preserve-lb-on-delete: emptied and un-owned, kept', () => {
      const d = build(newService(withAnnotations({ [P + 'preserve-lb-on-delete']: 'true' })));
      const remote = converge(d);
      remote.tags['console'] = 'keep';
      const plan = planDeletion(remote, ownershipOf(d));
      expectGolden('plan-delete-preserved', plan);
      const after = simulate(plan, remote)!;
      assert.deepEqual(after.listeners, []);
      assert.deepEqual(after.vgroups, []);
      assert.deepEqual(after.tags, { console: 'keep' });
      assert.equal(after.attributes.deleteProtection, 'off');
    });
    it('reused SLB: only our listeners, groups and backends go; the SLB and user parts stay', () => {
      const d = build(
        newService(
          withAnnotations({
            [P + 'id']: 'lb-user1',
            [P + 'force-override-listeners']: 'true',
            [P + 'vgroup-port']: 'rsp-user80:80',
          }),
        ),
      );
      const remote = simulate(planChanges(d, userLb(), ownershipOf(d)), userLb())!;
      const plan = planDeletion(remote, ownershipOf(d));
      assert.ok(!kinds(plan).includes('DeleteLoadBalancer'));
      const after = simulate(plan, remote)!;
      assert.deepEqual(
        after.listeners.map((l) => l.port),
        [8443],
      );
      assert.deepEqual(
        after.vgroups.find((g) => g.id === 'rsp-user80')!.backends.map((b) => b.serverId),
        ['i-db'],
      );
    });
    it('nothing to do when the SLB is gone', () =>
      assert.deepEqual(
        planDeletion(undefined, { identity: ID, forceOverrideListeners: false, preserveOnDelete: false }),
        { actions: [], conflicts: [] },
      ));
  });

  it('property: whatever the annotations and nodes, plan → apply → plan is empty', () => {
    const annos = fc.record(
      {
        scheduler: fc.constantFrom('rr', 'wrr', 'wlc'),
        proto: fc.constantFrom('tcp:80', 'http:80'),
        hc: fc.integer({ min: 2, max: 10 }),
        tags: fc.constantFrom('a=1', 'a=1,b=2', 'c'),
        bw: fc.integer({ min: 1, max: 5120 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(annos, fc.subarray(['w1', 'w2', 'w3', 'w4', 'w5']), fc.boolean(), (a, nodeNames, local) => {
        const ann: Record<string, string> = {};
        if (a.scheduler) ann[P + 'scheduler'] = a.scheduler;
        if (a.proto) ann[P + 'protocol-port'] = a.proto;
        if (a.hc) ann[P + 'healthy-threshold'] = String(a.hc);
        if (a.tags) ann[P + 'additional-resource-tags'] = a.tags;
        if (a.bw) ann[P + 'bandwidth'] = String(a.bw);
        const svc = newService(withAnnotations(ann), ...(local ? [withLocal] : []));
        const d = build(svc, { nodes: nodeNames.map((n) => newNode(n)) });
        const after = converge(d);
        return planChanges(d, after, ownershipOf(d)).actions.length === 0;
      }),
      { numRuns: 200 },
    );
  });
});
