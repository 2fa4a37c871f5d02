// Plan → apply → observe round trips against an in-memory NLB (fake-cloud.ts): each plan, once
// applied, must leave a cloud that the next plan finds converged, and cleanup must leave nothing.
import assert from 'node:assert/strict';
import { applyNlbPlan, ApplyError } from '../../../src/controllers/nlb/apply.js';
import { ownershipOf, planChanges, planDeletion } from '../../../src/controllers/nlb/diff/index.js';
import { observeNlb } from '../../../src/controllers/nlb/inputs.js';
import type { DesiredNlb } from '../../../src/controllers/nlb/types.js';
import type { ServiceLike } from '../../../src/controllers/service/inputs/objects.js';
import { FakeNlbCloud } from './fake-cloud.js';
import { buildNlb, nlbService, P, withAnnotations, withLocal } from './fixtures.js';

const CTX = { vpcId: 'vpc-main', clientToken: 'token-1' };

async function sync(cloud: FakeNlbCloud, d: DesiredNlb) {
  const remote = await observeNlb(cloud, { ownership: ownershipOf(d) });
  const plan = planChanges(d, remote);
  assert.deepEqual(plan.conflicts, []);
  await applyNlbPlan(cloud, plan, CTX);
  return plan;
}

async function converges(cloud: FakeNlbCloud, svc: ServiceLike) {
  const d = buildNlb(svc);
  await sync(cloud, d);
  cloud.calls = [];
  const again = await sync(cloud, d);
  assert.deepEqual(again.actions, [], 'the second plan must be empty');
  assert.deepEqual(cloud.writes(), [], 'a converged sync makes no write');
}

describe('NLB apply (in-memory cloud)', () => {
  it('create → converged → update → delete leaves nothing behind', async () => {
    const cloud = new FakeNlbCloud();
    await converges(cloud, nlbService());
    assert.equal(cloud.lbs.size, 1);
    const [lb] = [...cloud.lbs.values()];
    assert.equal(lb!.tags['ack.aliyun.com'], 'c-test');
    assert.equal(cloud.listeners.size, 1);
    const [group] = [...cloud.groups.values()];
    assert.deepEqual(
      group!.servers.map((s) => s.serverId),
      ['i-w1', 'i-w2', 'i-w3'],
    );

    // Update: Local traffic + a TCPSSL port + settings.
    await converges(
      cloud,
      nlbService(
        withLocal,
        withAnnotations({
          [P + 'scheduler']: 'rr',
          [P + 'idle-timeout']: '60',
          [P + 'security-group-ids']: 'sg-a',
        }),
      ),
    );
    const [g2] = [...cloud.groups.values()];
    assert.deepEqual(
      g2!.servers.map((s) => [s.serverId, s.weight]),
      [
        ['i-w1', 2],
        ['i-w2', 1],
      ],
    );
    assert.equal(g2!.settings.scheduler, 'rr');
    assert.equal([...cloud.listeners.values()][0]!.settings.idleTimeout, 60);
    assert.deepEqual([...cloud.lbs.values()][0]!.attributes.securityGroupIds, ['sg-a']);

    // Delete: deletion protection (on by default) must be lifted first, groups go after the NLB.
    const d = buildNlb(nlbService());
    const plan = planDeletion(ownershipOf(d), await observeNlb(cloud, { ownership: ownershipOf(d) }));
    await applyNlbPlan(cloud, plan, CTX);
    assert.equal(cloud.lbs.size, 0);
    assert.equal(cloud.listeners.size, 0);
    assert.equal(cloud.groups.size, 0);
  });

  it('a failure half-way stops the plan; the next sync finishes from what is really there', async () => {
    const cloud = new FakeNlbCloud();
    cloud.failOn = 'createListener';
    const d = buildNlb(nlbService());
    const remote = await observeNlb(cloud, { ownership: ownershipOf(d) });
    await assert.rejects(applyNlbPlan(cloud, planChanges(d, remote), CTX), (err: unknown) => {
      assert.ok(err instanceof ApplyError);
      assert.equal(err.done, 3);
      assert.match(err.message, /create listener k8s\.80\.TCP/);
      return true;
    });
    const retry = await sync(cloud, d);
    assert.deepEqual(
      retry.actions.map((a) => a.kind),
      ['CreateListener'],
    );
    assert.equal(cloud.lbs.size, 1, 'no second NLB');
    assert.equal(cloud.groups.size, 1, 'no second server group');
  });

  it('switching to another Service port moves the listener and frees the old group', async () => {
    const cloud = new FakeNlbCloud();
    await converges(cloud, nlbService());
    await converges(
      cloud,
      nlbService((s) => {
        s.spec!.ports = [{ name: 'web', protocol: 'TCP', port: 8080, nodePort: 30081, targetPort: 8080 }];
      }),
    );
    assert.deepEqual(
      [...cloud.listeners.values()].map((l) => l.port),
      [8080],
    );
    assert.deepEqual(
      [...cloud.groups.values()].map((g) => g.name),
      ['k8s.30081.TCP.nginx.default.c-test'],
    );
  });

  it("reusing a hand-made NLB: our listener comes and goes, the user's listener and NLB stay", async () => {
    const cloud = new FakeNlbCloud();
    const grant = { 'kube-alicloud.io/reusable/c-test': 'default' };
    cloud.lbs.set('nlb-user', {
      attributes: { loadBalancerId: 'nlb-user', name: 'mine', addressType: 'Internet' },
      tags: { ...grant },
    });
    cloud.groups.set('sgp-u', {
      name: 'user group',
      id: 'sgp-u',
      type: 'Instance',
      protocol: 'UDP',
      settings: {},
      servers: [],
    });
    cloud.listeners.set('lsn-u', {
      lb: 'nlb-user',
      protocol: 'UDP',
      port: 53,
      description: 'dns',
      listenerId: 'lsn-u',
      serverGroupId: 'sgp-u',
      settings: {},
    });
    const svc = nlbService(withAnnotations({ [P + 'id']: 'nlb-user' }));
    const d = buildNlb(svc, { reusedTags: grant });
    await sync(cloud, d);
    assert.equal(cloud.listeners.size, 2);
    assert.deepEqual(cloud.lbs.get('nlb-user')!.tags, grant, 'no ownership tag on the user NLB');
    const plan = planDeletion(ownershipOf(d), await observeNlb(cloud, { ownership: ownershipOf(d) }));
    await applyNlbPlan(cloud, plan, CTX);
    assert.ok(cloud.lbs.has('nlb-user'));
    assert.deepEqual([...cloud.listeners.keys()], ['lsn-u']);
    assert.deepEqual([...cloud.groups.keys()], ['sgp-u']);
  });
});
