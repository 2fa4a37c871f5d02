import assert from 'node:assert/strict';
import { ownershipOf, planChanges, planDeletion } from '../../../src/controllers/nlb/diff/index.js';
import type { NlbModel } from '../../../src/controllers/nlb/types.js';
import { buildNlb, nlbService, P, withAnnotations } from './fixtures.js';

const NAME = 'a5e4dbfc9c2ae4d0b9a8e0123456789a';
const OURS = { 'kubernetes.do.not.delete': NAME, 'ack.aliyun.com': 'c-test' };
const GRANT = { 'kube-alicloud.io/reusable/c-test': '*' };

/** The remote side exactly as a successful sync of `desired` leaves it. */
function converged(svc = nlbService(), over: Partial<NlbModel> = {}): NlbModel {
  const d = buildNlb(svc);
  return {
    attributes: {
      ...d.attributes,
      loadBalancerId: 'nlb-1',
      addressIpVersion: 'ipv4',
      deletionProtection: true,
      modificationProtection: 'ConsoleProtection',
    },
    tags: { ...OURS },
    listeners: d.listeners.map((l, i) => ({
      ...l,
      listenerId: `lsn-${i}`,
      serverGroupId: `sgp-${i}`,
      status: 'Running',
    })),
    serverGroups: d.serverGroups.map((g, i) => ({ ...g, id: `sgp-${i}`, tags: { ...OURS } })),
    ...over,
  };
}

const kinds = (p: { actions: Array<{ kind: string }> }) => p.actions.map((a) => a.kind);

describe('NLB plan', () => {
  it('creates in dependency order: NLB, server group, its servers, then the listener', () => {
    const p = planChanges(buildNlb(nlbService()), undefined);
    assert.deepEqual(kinds(p), ['CreateLoadBalancer', 'CreateServerGroup', 'AddServers', 'CreateListener']);
    const create = p.actions[0]!;
    assert.ok(create.kind === 'CreateLoadBalancer');
    // The CCM's create defaults: deletion protection and console protection on.
    assert.equal(create.attributes.deletionProtection, true);
    assert.equal(create.attributes.modificationProtection, 'ConsoleProtection');
    assert.deepEqual(create.tags, OURS);
    assert.deepEqual(p.conflicts, []);
  });

  it('plans nothing when the NLB matches (steady state)', () => {
    const p = planChanges(buildNlb(nlbService()), converged());
    assert.deepEqual(p.actions, []);
    assert.equal(p.loadBalancerId, 'nlb-1');
  });

  it('adds new servers before removing gone ones, and never removes a server it did not add', () => {
    const remote = converged();
    const g = remote.serverGroups[0]!;
    g.servers = [
      { serverId: 'i-old', serverType: 'Ecs', port: 30080, weight: 100, description: g.name },
      { serverId: 'i-w1', serverType: 'Ecs', port: 30080, weight: 50, description: g.name },
      { serverId: 'i-hand', serverType: 'Ecs', port: 30080, weight: 100, description: 'added by hand' },
    ];
    const p = planChanges(buildNlb(nlbService()), remote);
    assert.deepEqual(kinds(p), ['AddServers', 'UpdateServers', 'RemoveServers']);
    const [add, upd, rm] = p.actions as Array<{ servers: Array<{ serverId: string }> }>;
    assert.deepEqual(
      add!.servers.map((s) => s.serverId),
      ['i-w2', 'i-w3'],
    );
    assert.deepEqual(
      upd!.servers.map((s) => s.serverId),
      ['i-w1'],
    );
    assert.deepEqual(
      rm!.servers.map((s) => s.serverId),
      ['i-old'],
    );
    const ignoring = planChanges(
      buildNlb(nlbService(withAnnotations({ [P + 'ignore-weight-update']: 'on' }))),
      remote,
    );
    assert.deepEqual(kinds(ignoring), ['AddServers', 'RemoveServers']);
  });

  it('updates only listener and group settings the user set, and restarts a stopped listener', () => {
    const remote = converged();
    remote.listeners[0]!.status = 'Stopped';
    const d = buildNlb(nlbService(withAnnotations({ [P + 'idle-timeout']: '30', [P + 'scheduler']: 'rr' })));
    const p = planChanges(d, remote);
    assert.deepEqual(kinds(p), ['UpdateServerGroup', 'UpdateListener', 'StartListener']);
    const lis = p.actions[1]!;
    assert.ok(lis.kind === 'UpdateListener');
    assert.deepEqual(lis.changes, { idleTimeout: 30 });
    assert.equal(lis.group, undefined);
  });

  it('a changed Service port replaces our listener and deletes the group no listener needs', () => {
    const remote = converged();
    const svc = nlbService((s) => {
      s.spec!.ports = [{ name: 'http', protocol: 'TCP', port: 8080, nodePort: 30081, targetPort: 8080 }];
    });
    const p = planChanges(buildNlb(svc), remote);
    assert.deepEqual(kinds(p), [
      'CreateServerGroup',
      'AddServers',
      'DeleteListener',
      'CreateListener',
      'DeleteServerGroup',
    ]);
  });

  it("refuses a listener on its port that is not this Service's, unless reusing with force-override", () => {
    const remote = converged();
    remote.listeners[0]!.description = 'made by hand';
    const p = planChanges(buildNlb(nlbService()), remote);
    assert.equal(p.conflicts.length, 1);
    assert.match(p.conflicts[0]!, /not this Service's/);
    assert.ok(!p.actions.some((a) => a.kind === 'DeleteListener'));

    const reuse = (force: boolean) =>
      nlbService(
        withAnnotations({
          [P + 'id']: 'nlb-1',
          ...(force ? { [P + 'force-override-listeners']: 'true' } : {}),
        }),
      );
    const userLb = converged(reuse(false), { tags: { ...GRANT } });
    userLb.listeners[0]!.description = 'made by hand';
    const refused = planChanges(buildNlb(reuse(false), { reusedTags: GRANT }), userLb);
    assert.match(refused.conflicts[0]!, /force-override-listeners/);
    const forced = planChanges(buildNlb(reuse(true), { reusedTags: GRANT }), userLb);
    assert.deepEqual(forced.conflicts, []);
    assert.deepEqual(
      kinds(forced).filter((k) => k.includes('Listener')),
      ['DeleteListener', 'CreateListener'],
    );
  });

  it('never writes to an NLB of another cluster or another Service', () => {
    const other = converged(nlbService(), {
      tags: { 'kubernetes.do.not.delete': NAME, 'ack.aliyun.com': 'c-other' },
    });
    const p = planChanges(buildNlb(nlbService()), other);
    assert.deepEqual(p.actions, []);
    assert.match(p.conflicts[0]!, /belongs to cluster c-other/);
    const d = planDeletion(ownershipOf(buildNlb(nlbService())), other);
    assert.deepEqual(d.actions, []);
  });

  it('reports fields fixed at create as conflicts and converts the address type in place', () => {
    const remote = converged();
    remote.attributes.addressIpVersion = 'DualStack';
    remote.attributes.addressType = 'Intranet';
    const p = planChanges(buildNlb(nlbService(withAnnotations({ [P + 'ip-version']: 'ipv4' }))), remote);
    assert.match(p.conflicts[0]!, /ip-version is fixed at create/);
    assert.deepEqual(kinds(p), ['UpdateLoadBalancerAddressType']);
  });

  it('joins and leaves security groups to match the list; absent annotation leaves them alone', () => {
    const remote = converged();
    remote.attributes.securityGroupIds = ['sg-a', 'sg-old'];
    assert.deepEqual(planChanges(buildNlb(nlbService()), remote).actions, []);
    const p = planChanges(
      buildNlb(nlbService(withAnnotations({ [P + 'security-group-ids']: 'sg-b,sg-a' }))),
      remote,
    );
    assert.deepEqual(p.actions, [
      { kind: 'JoinSecurityGroups', securityGroupIds: ['sg-b'] },
      { kind: 'LeaveSecurityGroups', securityGroupIds: ['sg-old'] },
    ]);
  });
});

describe('NLB deletion plan', () => {
  const own = ownershipOf(buildNlb(nlbService()));

  it('our NLB: protection off, delete it, then our server groups', () => {
    const p = planDeletion(own, converged());
    assert.deepEqual(kinds(p), ['UpdateLoadBalancerProtection', 'DeleteLoadBalancer', 'DeleteServerGroup']);
  });

  it('preserve-lb-on-delete: our listeners and groups go, the NLB stays without our ownership tags', () => {
    const p = planDeletion({ ...own, preserveOnDelete: true }, converged());
    assert.deepEqual(kinds(p), ['DeleteListener', 'UntagLoadBalancer', 'DeleteServerGroup']);
    assert.deepEqual((p.actions[1] as { keys: string[] }).keys, [
      'kubernetes.do.not.delete',
      'ack.aliyun.com',
    ]);
  });

  it("reused NLB: only our listeners, our servers in the user's group and our groups go", () => {
    const svc = nlbService(withAnnotations({ [P + 'id']: 'nlb-1', [P + 'vgroup-port']: 'sgp-user:80' }));
    const d = buildNlb(svc, { reusedTags: GRANT });
    const remote = converged(svc, { tags: { ...GRANT } });
    remote.listeners.push({
      protocol: 'UDP',
      port: 53,
      description: 'users',
      listenerId: 'lsn-user',
      settings: {},
    });
    const userGroup = remote.serverGroups.find((g) => g.id === 'sgp-0')!;
    Object.assign(userGroup, { id: 'sgp-user', reused: true });
    userGroup.servers.push({
      serverId: 'i-user',
      serverType: 'Ecs',
      port: 80,
      weight: 100,
      description: 'users',
    });
    const p = planDeletion(ownershipOf(d), remote);
    assert.deepEqual(kinds(p), ['DeleteListener', 'RemoveServers']);
    const rm = p.actions[1] as { servers: Array<{ serverId: string }> };
    assert.ok(!rm.servers.some((s) => s.serverId === 'i-user'));
  });

  it('no NLB: only orphan groups we tagged are deleted', () => {
    const remote = converged();
    const p = planDeletion(own, { ...remote, attributes: {}, listeners: [] });
    assert.deepEqual(kinds(p), ['DeleteServerGroup']);
  });
});

describe('NLB server identity', () => {
  it('an ECS server reported with its private IP is the same server (no churn)', () => {
    const remote = converged();
    for (const s of remote.serverGroups[0]!.servers) s.serverIp = `192.168.0.${s.serverId.length}`;
    assert.deepEqual(planChanges(buildNlb(nlbService()), remote).actions, []);
  });
});
