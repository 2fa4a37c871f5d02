// The NLB facade against the emulator end to end: ACS3-signed calls, every async write waiting for
// its job, batching of servers, typed errors for failed and overdue jobs.
import assert from 'node:assert/strict';
import { CloudError, NlbJobError, NlbJobTimeoutError } from '../../src/cloud/index.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { cloudFor, type TestCloud } from './fixtures.js';

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('NLB facade ↔ emulator', () => {
  let t: TestEmulator;
  let tc: TestCloud | undefined;

  beforeEach(async () => {
    t = await startTestEmulator();
    t.emu.state.nlb.config.jobMs = 20;
    t.emu.state.nlb.config.provisionMs = 30;
  });
  afterEach(async () => {
    tc?.cloud.close();
    tc = undefined;
    await t.close();
  });

  function nlbCloud(timeoutMs = 10_000): TestCloud {
    tc = cloudFor(t, { nlbWait: { pollMs: 5, maxPollMs: 20, timeoutMs, sleep: realSleep } });
    return tc;
  }

  function zones(): { ZoneId: string; VSwitchId: string }[] {
    return Object.values(t.emu.state.vswitches).map((v) => ({ ZoneId: v.ZoneId, VSwitchId: v.VSwitchId }));
  }

  it('creates an instance, listener, server group and servers, then deletes them, each after its job', async () => {
    const seeded = seedInstances(t.emu, 45);
    const { cloud } = nlbCloud();
    const nlb = cloud.nlb;
    const lbId = await nlb.createLoadBalancer({
      LoadBalancerName: 'svc-a',
      AddressType: 'Internet',
      VpcId: seeded.vpcId,
      ZoneMappings: zones().slice(0, 2),
      Tags: [{ Key: 'kubernetes.do.not.delete', Value: 'svc-a' }],
      ClientToken: 'token-svc-a',
    });
    assert.ok(lbId);
    const lb = await nlb.getLoadBalancer(lbId);
    assert.equal(lb?.LoadBalancerStatus, 'Active');
    assert.deepEqual(lb?.Tags, [{ Key: 'kubernetes.do.not.delete', Value: 'svc-a' }]);
    // Same token: same instance (a create retried after a lost answer leaves no second NLB).
    assert.equal(
      await nlb.createLoadBalancer({
        LoadBalancerName: 'svc-a',
        AddressType: 'Internet',
        VpcId: seeded.vpcId,
        ZoneMappings: zones().slice(0, 2),
        Tags: [{ Key: 'kubernetes.do.not.delete', Value: 'svc-a' }],
        ClientToken: 'token-svc-a',
      }),
      lbId,
    );

    const sgId = await nlb.createServerGroup({
      ServerGroupName: 'svc-a-80',
      VpcId: seeded.vpcId,
      Protocol: 'TCP',
      HealthCheckConfig: {
        HealthCheckEnabled: true,
        HealthCheckType: 'HTTP',
        HealthCheckUrl: '/healthz',
        HealthCheckHttpCode: ['http_2xx', 'http_3xx'],
      },
    });
    assert.ok(sgId);
    const servers = seeded.instanceIds.map((id) => ({
      ServerId: id,
      ServerType: 'Ecs',
      Port: 30080,
      Weight: 50,
    }));
    await nlb.addServers(sgId, servers);
    assert.deepEqual(t.emu.state.nlb.locks, {}, 'every job finished before addServers resolved');
    assert.equal((await nlb.listServers(sgId)).length, 45);
    const adds = t.emu.calls().filter((c) => c.action === 'AddServersToServerGroup');
    assert.equal(adds.length, 2, 'servers go in batches of 40');

    const lsnId = await nlb.createListener(lbId, {
      ListenerProtocol: 'TCP',
      ListenerPort: 80,
      ServerGroupId: sgId,
      ProxyProtocolEnabled: true,
      ProxyProtocolV2Config: { Ppv2VpcIdEnabled: true },
    });
    assert.ok(lsnId);
    const [listener] = await nlb.listListeners([lbId]);
    assert.equal(listener?.ListenerStatus, 'Running');
    assert.deepEqual(listener?.ProxyProtocolV2Config, { Ppv2VpcIdEnabled: true });
    const [group] = await nlb.listServerGroups({ ServerGroupIds: [sgId] });
    assert.deepEqual(group?.HealthCheck?.HealthCheckHttpCode, ['http_2xx', 'http_3xx']);
    assert.deepEqual(group?.RelatedLoadBalancerIds, [lbId]);

    await nlb.updateServers(sgId, [
      { ServerId: seeded.instanceIds[0]!, ServerType: 'Ecs', Port: 30080, Weight: 0 },
    ]);
    assert.equal((await nlb.listServers(sgId)).find((s) => s.ServerId === seeded.instanceIds[0])?.Weight, 0);
    await nlb.removeServers(sgId, servers.slice(0, 41));
    assert.equal((await nlb.listServers(sgId)).length, 4);
    await nlb.joinSecurityGroups(lbId, ['sg-abc']);
    assert.deepEqual((await nlb.getLoadBalancer(lbId))?.SecurityGroupIds, ['sg-abc']);
    await nlb.tagResources('servergroup', [sgId], [{ Key: 'owner', Value: 'svc-a' }]);
    assert.deepEqual(
      (await nlb.listTagResources('servergroup', [sgId])).map((r) => [r.TagKey, r.TagValue]),
      [['owner', 'svc-a']],
    );

    await nlb.deleteListener(lsnId);
    await nlb.deleteServerGroup(sgId);
    await nlb.deleteLoadBalancer(lbId);
    assert.equal(await nlb.getLoadBalancer(lbId), undefined);
    assert.deepEqual(await nlb.listServerGroups({ ServerGroupIds: [sgId] }), []);
    // Every write waited for its job: the log shows a Succeeded poll after each async call.
    const polls = t.emu.calls().filter((c) => c.action === 'GetJobStatus' && c.code === 'Success');
    assert.ok(polls.length >= 8, `${polls.length} job polls`);
    assert.ok(t.emu.calls().every((c) => c.product === 'Nlb'));
    const failed = t.emu
      .calls()
      .filter((c) => c.code !== 'Success' && c.code !== 'ResourceNotFound.loadBalancer');
    assert.deepEqual(failed, [], 'no call was refused (signature, parameters, locks)');
  });

  it('pages through listings and batches id filters', async () => {
    t.emu.state.nlb.config.provisionMs = 0;
    const { cloud } = nlbCloud();
    const vpcId = Object.keys(t.emu.state.vpcs)[0]!;
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(
        (await cloud.nlb.createLoadBalancer({
          LoadBalancerName: `lb-${i}`,
          AddressType: 'Intranet',
          VpcId: vpcId,
          ZoneMappings: zones().slice(0, 1),
        }))!,
      );
    assert.equal((await cloud.nlb.listLoadBalancers()).length, 25);
    const some = await cloud.nlb.listLoadBalancers({ LoadBalancerIds: ids });
    assert.deepEqual(some.map((l) => l.LoadBalancerId).sort(), [...ids].sort());
    const lists = t.emu.calls().filter((c) => c.action === 'ListLoadBalancers');
    assert.ok(
      lists.some(
        (c) => c.params['LoadBalancerIds.20'] !== undefined && c.params['LoadBalancerIds.21'] === undefined,
      ),
    );
  });

  it('rejects with NlbJobError naming the action and job when a job fails', async () => {
    const { cloud } = nlbCloud();
    t.emu.setFaults({ 'Nlb.CreateServerGroup': { jobFails: true, times: 1 } });
    const err = await cloud.nlb
      .createServerGroup({ ServerGroupName: 'x', VpcId: Object.keys(t.emu.state.vpcs)[0]! })
      .then(
        () => assert.fail('expected rejection'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof NlbJobError);
    assert.equal(err.action, 'CreateServerGroup');
    assert.match(err.message, /job [0-9a-f-]{36} of CreateServerGroup ended Failed/);
    assert.deepEqual(t.emu.state.nlb.serverGroups, {}, 'a failed create leaves nothing behind');
  });

  it('rejects with NlbJobTimeoutError when the job outlives the wait, and maps Conflict.Lock', async () => {
    const { cloud } = nlbCloud(150);
    t.emu.state.nlb.config.jobMs = 60_000;
    const vpcId = Object.keys(t.emu.state.vpcs)[0]!;
    const err = await cloud.nlb.createServerGroup({ ServerGroupName: 'slow', VpcId: vpcId }).then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NlbJobTimeoutError);
    assert.equal(err.retryable, true);
    const sgId = Object.keys(t.emu.state.nlb.serverGroups)[0]!;
    const conflict = await cloud.nlb.updateServerGroup(sgId, { ServerGroupName: 'renamed' }).then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e,
    );
    assert.ok(conflict instanceof CloudError);
    assert.equal(conflict.code, 'Conflict.Lock');
    assert.equal(conflict.product, 'Nlb');
  });

  it('signs with STS credentials the emulator accepts, and is refused with a wrong token', async () => {
    t.emu.addStsCredentials('STS.nlbtest', 'sts-secret', 'sts-token', new Date(Date.now() + 3600_000));
    tc = cloudFor(t, {
      accessKeyId: 'STS.nlbtest',
      accessKeySecret: 'sts-secret',
      securityToken: 'sts-token',
    });
    assert.ok((await tc.cloud.nlb.describeZones()).length > 0);
    tc.cloud.close();
    tc = cloudFor(t, {
      accessKeyId: 'STS.nlbtest',
      accessKeySecret: 'sts-secret',
      securityToken: 'other-token',
    });
    const err = await tc.cloud.nlb.describeZones().then(
      () => assert.fail('expected rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CloudError);
    assert.equal(err.code, 'InvalidSecurityToken.MismatchWithAccessKey');
    assert.ok(!err.message.includes('sts-secret') && !err.message.includes('other-token'));
    assert.ok(tc.log.lines.every((l) => !l.includes('sts-secret') && !l.includes('other-token')));
  });

  it('sends nothing and waits for nothing in dry-run mode', async () => {
    tc = cloudFor(t, { dryRun: true, nlbWait: { sleep: realSleep } });
    const vpcId = Object.keys(t.emu.state.vpcs)[0]!;
    assert.equal(await tc.cloud.nlb.createServerGroup({ ServerGroupName: 'x', VpcId: vpcId }), undefined);
    assert.equal(t.emu.calls().length, 0);
  });
});
