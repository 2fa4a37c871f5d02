// The emulated NLB's behaviour over the wire: provisioning, jobs that lock and may fail, the
// conflict a locked resource answers with, ClientToken replay, NextToken paging and quotas.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { lbParams, network, nlbCall } from './nlb-raw.js';

async function ok(
  p: Promise<{ status: number; body: Record<string, unknown> }>,
): Promise<Record<string, unknown>> {
  const res = await p;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

describe('emulator: Nlb state', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(() => t.close());

  const getLb = (id: string) =>
    ok(nlbCall(t, 'GetLoadBalancerAttribute', {}, { query: { LoadBalancerId: id } }));
  const jobStatus = async (id: string) =>
    (await ok(nlbCall(t, 'GetJobStatus', {}, { query: { JobId: id } }))).Status;

  async function activeLb(extra: Record<string, string> = {}): Promise<string> {
    const id = String((await ok(nlbCall(t, 'CreateLoadBalancer', lbParams(t, extra)))).LoadbalancerId);
    await t.emu.flushTransitions();
    return id;
  }

  async function serverGroup(name = 'sg-a'): Promise<string> {
    const body = await ok(
      nlbCall(t, 'CreateServerGroup', { ServerGroupName: name, VpcId: network(t).vpcId, Protocol: 'TCP' }),
    );
    await t.emu.flushTransitions();
    return String(body.ServerGroupId);
  }

  it('provisions an instance, then reports it Active with addresses in each zone', async () => {
    t.emu.state.nlb.config.provisionMs = 60_000;
    const created = await ok(
      nlbCall(t, 'CreateLoadBalancer', lbParams(t, { 'Tag.1.Key': 'owner', 'Tag.1.Value': 'k8s' })),
    );
    const id = String(created.LoadbalancerId);
    assert.match(id, /^nlb-/);
    assert.equal((await getLb(id)).LoadBalancerStatus, 'Provisioning');
    const early = await nlbCall(t, 'UpdateLoadBalancerAttribute', {
      LoadBalancerId: id,
      LoadBalancerName: 'x',
    });
    assert.equal(early.body.Code, 'IncorrectStatus.loadBalancer');
    await t.emu.flushTransitions();
    const lb = await getLb(id);
    assert.equal(lb.LoadBalancerStatus, 'Active');
    assert.match(String(lb.DNSName), new RegExp(`^${id}\\.`));
    const zones = lb.ZoneMappings as { LoadBalancerAddresses: { PrivateIPv4Address: string }[] }[];
    assert.equal(zones.length, 2);
    assert.ok(zones.every((z) => /^192\.168\./.test(z.LoadBalancerAddresses[0]!.PrivateIPv4Address)));
    assert.deepEqual(lb.Tags, [{ TagKey: 'owner', TagValue: 'k8s' }]);
  });

  it('returns the same instance for a repeated ClientToken and refuses it for another request', async () => {
    const a = await ok(nlbCall(t, 'CreateLoadBalancer', lbParams(t, { ClientToken: 'tok-1' })));
    const b = await ok(nlbCall(t, 'CreateLoadBalancer', lbParams(t, { ClientToken: 'tok-1' })));
    assert.equal(a.LoadbalancerId, b.LoadbalancerId);
    assert.equal(Object.keys(t.emu.state.nlb.loadBalancers).length, 1);
    const other = await nlbCall(
      t,
      'CreateLoadBalancer',
      lbParams(t, { ClientToken: 'tok-1', LoadBalancerName: 'lb-b' }),
    );
    assert.equal(other.body.Code, 'IdempotentParameterMismatch');
  });

  it('locks a resource while its job runs: Configuring, Conflict.Lock, then Succeeded', async () => {
    const lbId = await activeLb();
    const sgId = await serverGroup();
    t.emu.state.nlb.config.jobMs = 60_000;
    const [inst] = seedInstances(t.emu, 1).instanceIds;
    const add = await ok(
      nlbCall(t, 'AddServersToServerGroup', {
        ServerGroupId: sgId,
        'Servers.1.ServerId': inst!,
        'Servers.1.ServerType': 'Ecs',
        'Servers.1.Port': '80',
      }),
    );
    const jobId = String(add.JobId);
    assert.equal(await jobStatus(jobId), 'Processing');
    const groups = await ok(nlbCall(t, 'ListServerGroups', { 'ServerGroupIds.1': sgId }));
    assert.equal(
      (groups.ServerGroups as { ServerGroupStatus: string }[])[0]!.ServerGroupStatus,
      'Configuring',
    );
    const second = await nlbCall(t, 'UpdateServerGroupAttribute', {
      ServerGroupId: sgId,
      ServerGroupName: 'x',
    });
    assert.equal(second.status, 409);
    assert.equal(second.body.Code, 'Conflict.Lock');
    const listener = await ok(
      nlbCall(t, 'CreateListener', {
        LoadBalancerId: lbId,
        ListenerProtocol: 'TCP',
        ListenerPort: '80',
        ServerGroupId: sgId,
      }),
    );
    assert.equal((await getLb(lbId)).LoadBalancerStatus, 'Configuring');
    const jobs = await ok(
      nlbCall(t, 'ListAsynJobs', {}, { query: { 'JobIds.1': jobId, 'JobIds.2': String(listener.JobId) } }),
    );
    assert.equal(jobs.TotalCount, '2');
    await t.emu.flushTransitions();
    assert.equal(await jobStatus(jobId), 'Succeeded');
    assert.equal((await getLb(lbId)).LoadBalancerStatus, 'Active');
    const servers = await ok(nlbCall(t, 'ListServerGroupServers', { ServerGroupId: sgId }));
    assert.deepEqual(
      (servers.Servers as { ServerId: string; Port: number }[]).map((s) => [s.ServerId, s.Port]),
      [[inst, 80]],
    );
  });

  it('ends a job Failed under fault injection and undoes its change', async () => {
    const sgId = await serverGroup();
    const [inst] = seedInstances(t.emu, 1).instanceIds;
    t.emu.setFaults({ 'Nlb.AddServersToServerGroup': { jobFails: true, times: 1 } });
    const add = await ok(
      nlbCall(t, 'AddServersToServerGroup', {
        ServerGroupId: sgId,
        'Servers.1.ServerId': inst!,
        'Servers.1.ServerType': 'Ecs',
        'Servers.1.Port': '80',
      }),
    );
    await t.emu.flushTransitions();
    assert.equal(await jobStatus(String(add.JobId)), 'Failed');
    assert.equal(t.emu.state.nlb.serverGroups[sgId]!.Servers.length, 0);
    assert.deepEqual(t.emu.state.nlb.locks, {});
  });

  it('pages listings with NextToken and MaxResults', async () => {
    t.emu.state.nlb.config.provisionMs = 0;
    for (let i = 0; i < 5; i++)
      await ok(nlbCall(t, 'CreateLoadBalancer', lbParams(t, { LoadBalancerName: `lb-${i}` })));
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await ok(
        nlbCall(
          t,
          'ListLoadBalancers',
          {},
          { query: { MaxResults: '2', ...(token ? { NextToken: token } : {}) } },
        ),
      );
      assert.equal(res.TotalCount, 5);
      seen.push(...(res.LoadBalancers as { LoadBalancerName: string }[]).map((l) => l.LoadBalancerName));
      token = typeof res.NextToken === 'string' ? res.NextToken : '';
      if (!token) break;
    }
    assert.deepEqual(seen.sort(), ['lb-0', 'lb-1', 'lb-2', 'lb-3', 'lb-4']);
    const bad = await nlbCall(t, 'ListLoadBalancers', {}, { query: { MaxResults: '101' } });
    assert.equal(bad.body.Code, 'InvalidParameter');
  });

  it("answers ListLoadBalancers' id filter for at most 20 ids per call, as the API reference says", async () => {
    t.emu.state.nlb.config.provisionMs = 0;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++)
      ids.push(String((await ok(nlbCall(t, 'CreateLoadBalancer', lbParams(t)))).LoadbalancerId));
    const asked = (n: number) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`LoadBalancerIds.${i + 1}`, ids[i] ?? `nlb-absent${i}`]),
      );
    const twenty = await ok(nlbCall(t, 'ListLoadBalancers', {}, { query: asked(20) }));
    assert.deepEqual(
      (twenty.LoadBalancers as { LoadBalancerId: string }[]).map((l) => l.LoadBalancerId).sort(),
      [...ids].sort(),
      'absent ids are simply missing from the answer',
    );
    const bad = await nlbCall(t, 'ListLoadBalancers', {}, { query: asked(21) });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.Code, 'IllegalParam.LoadBalancerIds');
  });

  it('enforces quotas adjustable through the admin API', async () => {
    const lbId = await activeLb();
    const sgId = await serverGroup();
    const res = await fetch(`${t.url}/_emulator/nlb/config`, {
      method: 'POST',
      body: JSON.stringify({ listenersPerLoadBalancer: 1, serversPerServerGroup: 1, jobMs: 0 }),
    });
    assert.equal(res.status, 200);
    const bad = await fetch(`${t.url}/_emulator/nlb/config`, {
      method: 'POST',
      body: JSON.stringify({ listenersPerLb: 1 }),
    });
    assert.equal(bad.status, 400);
    await ok(
      nlbCall(t, 'CreateListener', {
        LoadBalancerId: lbId,
        ListenerProtocol: 'TCP',
        ListenerPort: '80',
        ServerGroupId: sgId,
      }),
    );
    await t.emu.flushTransitions();
    const second = await nlbCall(t, 'CreateListener', {
      LoadBalancerId: lbId,
      ListenerProtocol: 'TCP',
      ListenerPort: '443',
      ServerGroupId: sgId,
    });
    assert.equal(second.body.Code, 'QuotaExceeded.ListenersNum');
    const ids = seedInstances(t.emu, 2).instanceIds;
    const servers = await nlbCall(t, 'AddServersToServerGroup', {
      ServerGroupId: sgId,
      'Servers.1.ServerId': ids[0]!,
      'Servers.1.ServerType': 'Ecs',
      'Servers.1.Port': '80',
      'Servers.2.ServerId': ids[1]!,
      'Servers.2.ServerType': 'Ecs',
      'Servers.2.Port': '80',
    });
    assert.equal(servers.body.Code, 'QuotaExceeded.ServersNum');
    const inspect = (await (await fetch(`${t.url}/_emulator/nlb`)).json()) as {
      listeners: Record<string, unknown>;
    };
    assert.equal(Object.keys(inspect.listeners).length, 1);
  });

  it('refuses to delete a protected instance or a server group a listener uses', async () => {
    const lbId = await activeLb({ 'DeletionProtectionConfig.Enabled': 'true' });
    const del = await nlbCall(t, 'DeleteLoadBalancer', { LoadBalancerId: lbId });
    assert.equal(del.body.Code, 'IllegalParam.LoadBalancerId');
    const sgId = await serverGroup();
    await ok(
      nlbCall(t, 'CreateListener', {
        LoadBalancerId: lbId,
        ListenerProtocol: 'TCP',
        ListenerPort: '80',
        ServerGroupId: sgId,
      }),
    );
    await t.emu.flushTransitions();
    const inUse = await nlbCall(t, 'DeleteServerGroup', { ServerGroupId: sgId });
    assert.equal(inUse.body.Code, 'IllegalParam.ServerGroupId');
  });

  it('persists NLB state, and a restart finishes what was in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlb-state-'));
    try {
      const file = join(dir, 'state.json');
      const first = await startTestEmulator({ stateFile: file });
      first.emu.state.nlb.config.provisionMs = 60_000;
      const lb = await nlbCall(first, 'CreateLoadBalancer', lbParams(first));
      first.emu.state.nlb.config.jobMs = 60_000;
      const sg = await nlbCall(first, 'CreateServerGroup', {
        ServerGroupName: 'p',
        VpcId: network(first).vpcId,
      });
      await first.close();
      const second = await startTestEmulator({
        stateFile: file,
        accessKeyId: first.accessKeyId,
        accessKeySecret: first.accessKeySecret,
      });
      try {
        const nlb = second.emu.state.nlb;
        assert.equal(nlb.loadBalancers[String(lb.body.LoadbalancerId)]?.Provisioned, true);
        assert.equal(nlb.jobs[String(sg.body.JobId)]?.Status, 'Succeeded');
        assert.deepEqual(nlb.locks, {});
        assert.equal(nlb.config.jobMs, 60_000);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
