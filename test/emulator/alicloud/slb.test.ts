import { strict as assert } from 'node:assert';
import RPCClient from '@alicloud/pop-core';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';

describe('emulator/alicloud SLB', () => {
  let t: TestEmulator;
  let inst: string[];
  let vsw: string;
  beforeEach(async () => {
    t = await startTestEmulator();
    const s = seedInstances(t.emu, 3);
    inst = s.instanceIds;
    vsw = s.vswitchIds[0]!;
  });
  afterEach(() => t.close());

  async function ok(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const r = await rawCall(t, 'Slb', action, params);
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  it('creates idempotently by ClientToken with real-looking addresses', async () => {
    const a = await ok('CreateLoadBalancer', {
      AddressType: 'internet',
      LoadBalancerName: 'svc-a',
      ClientToken: 'c1',
    });
    const b = await ok('CreateLoadBalancer', {
      AddressType: 'internet',
      LoadBalancerName: 'svc-a',
      ClientToken: 'c1',
    });
    assert.equal(a.LoadBalancerId, b.LoadBalancerId);
    assert.match(a.Address as string, /^203\.0\.113\.\d+$/);
    const c = await ok('CreateLoadBalancer', { AddressType: 'intranet', VSwitchId: vsw, ClientToken: 'c2' });
    assert.match(c.Address as string, /^192\.168\.0\.\d+$/);
    assert.equal(c.VpcId, t.emu.state.vswitches[vsw]!.VpcId);
    assert.equal(Object.keys(t.emu.state.loadBalancers).length, 2);
  });

  it('creates exactly one LB when the response to a create is lost and the client retries', async () => {
    t.emu.setFaults({ CreateLoadBalancer: { loseResponse: true, times: 1 } });
    await assert.rejects(
      rawCall(t, 'Slb', 'CreateLoadBalancer', { ClientToken: 'lost-1', LoadBalancerName: 'x' }),
    );
    assert.equal(Object.keys(t.emu.state.loadBalancers).length, 1);
    const retry = await ok('CreateLoadBalancer', { ClientToken: 'lost-1', LoadBalancerName: 'x' });
    assert.equal(retry.LoadBalancerId, Object.keys(t.emu.state.loadBalancers)[0]);
    assert.equal(Object.keys(t.emu.state.loadBalancers).length, 1);
    assert.deepEqual(
      t.emu.calls().map((c) => c.code),
      ['ResponseLost', 'Success'],
    );
  });

  it('filters DescribeLoadBalancers by JSON Tags, name and address type, and pages', async () => {
    for (let i = 0; i < 12; i++) {
      await ok('CreateLoadBalancer', {
        LoadBalancerName: `lb-${i}`,
        AddressType: i % 2 ? 'intranet' : 'internet',
        ...(i % 2 ? { VSwitchId: vsw } : {}),
        'Tag.1.Key': 'kubernetes.do.not.delete',
        'Tag.1.Value': `svc-${i}`,
      });
    }
    const byTag = await ok('DescribeLoadBalancers', {
      Tags: JSON.stringify([{ TagKey: 'kubernetes.do.not.delete', TagValue: 'svc-3' }]),
    });
    const lbs = (
      byTag.LoadBalancers as {
        LoadBalancer: { LoadBalancerName: string; Tags: { Tag: { TagKey: string }[] } }[];
      }
    ).LoadBalancer;
    assert.deepEqual(
      lbs.map((l) => l.LoadBalancerName),
      ['lb-3'],
    );
    assert.equal(lbs[0]!.Tags.Tag[0]!.TagKey, 'kubernetes.do.not.delete');
    const page2 = await ok('DescribeLoadBalancers', {
      AddressType: 'internet',
      PageSize: '4',
      PageNumber: '2',
    });
    assert.equal(page2.TotalCount, 6);
    assert.equal((page2.LoadBalancers as { LoadBalancer: unknown[] }).LoadBalancer.length, 2);
    const byName = await ok('DescribeLoadBalancers', { LoadBalancerName: 'lb-1' });
    assert.equal(byName.TotalCount, 1);
  });

  it('runs listeners, backends and VServer groups with the real constraints', async () => {
    const id = (await ok('CreateLoadBalancer', { AddressType: 'intranet', VSwitchId: vsw }))
      .LoadBalancerId as string;
    const g = await ok('CreateVServerGroup', {
      LoadBalancerId: id,
      VServerGroupName: 'k8s/80/svc',
      BackendServers: JSON.stringify(
        inst.map((s) => ({ serverId: s, port: 30080, weight: 100, type: 'ecs' })),
      ),
    });
    const gid = g.VServerGroupId as string;
    assert.equal((g.BackendServers as { BackendServer: unknown[] }).BackendServer.length, 3);
    await ok('CreateLoadBalancerTCPListener', {
      LoadBalancerId: id,
      ListenerPort: '80',
      VServerGroupId: gid,
      Bandwidth: '-1',
      healthCheckInterval: '5',
      Description: 'svc/80',
    });
    const clash = await rawCall(t, 'Slb', 'CreateLoadBalancerHTTPListener', {
      LoadBalancerId: id,
      ListenerPort: '80',
      BackendServerPort: '80',
    });
    assert.equal(clash.body.Code, 'ListenerAlreadyExists');
    await ok('CreateLoadBalancerUDPListener', {
      LoadBalancerId: id,
      ListenerPort: '80',
      BackendServerPort: '53',
    });
    const attr = await ok('DescribeLoadBalancerTCPListenerAttribute', {
      LoadBalancerId: id,
      ListenerPort: '80',
    });
    assert.deepEqual(
      [attr.Status, attr.VServerGroupId, attr.HealthCheckInterval, attr.Description],
      ['stopped', gid, 5, 'svc/80'],
    );
    await ok('StartLoadBalancerListener', {
      LoadBalancerId: id,
      ListenerPort: '80',
      ListenerProtocol: 'tcp',
    });
    const listeners = await ok('DescribeLoadBalancerListeners', {
      'LoadBalancerId.1': id,
      ListenerProtocol: 'tcp',
    });
    const l = (
      listeners.Listeners as { Status: string; TCPListenerConfig: { HealthCheckInterval: number } }[]
    )[0]!;
    assert.deepEqual([l.Status, l.TCPListenerConfig.HealthCheckInterval], ['running', 5]);
    const inUse = await rawCall(t, 'Slb', 'DeleteVServerGroup', { VServerGroupId: gid });
    assert.equal(inUse.body.Code, 'ResourceInUse.VServerGroup');
    await ok('RemoveVServerGroupBackendServers', {
      VServerGroupId: gid,
      BackendServers: JSON.stringify([{ ServerId: inst[0], Port: 30080 }]),
    });
    const after = await ok('DescribeVServerGroupAttribute', { VServerGroupId: gid });
    assert.equal((after.BackendServers as { BackendServer: unknown[] }).BackendServer.length, 2);
    const lbAttr = await ok('DescribeLoadBalancerAttribute', { LoadBalancerId: id });
    const pp = (
      lbAttr.ListenerPortsAndProtocol as {
        ListenerPortAndProtocol: { ListenerPort: number; ListenerProtocol: string }[];
      }
    ).ListenerPortAndProtocol;
    assert.deepEqual(pp.map((x) => `${x.ListenerProtocol}/${x.ListenerPort}`).sort(), ['tcp/80', 'udp/80']);
    await ok('DeleteLoadBalancerListener', {
      LoadBalancerId: id,
      ListenerPort: '80',
      ListenerProtocol: 'tcp',
    });
    await ok('DeleteVServerGroup', { VServerGroupId: gid });
    await ok('AddBackendServers', {
      LoadBalancerId: id,
      BackendServers: JSON.stringify([{ ServerId: inst[1], Weight: '50' }]),
    });
    const bad = await rawCall(t, 'Slb', 'AddBackendServers', {
      LoadBalancerId: id,
      BackendServers: JSON.stringify([{ ServerId: 'i-nope', Weight: '50' }]),
    });
    assert.equal(bad.body.Code, 'InvalidBackendServers.ServerIdNotExist');
  });

  it('honours delete protection and reports missing LBs like the real API', async () => {
    const id = (await ok('CreateLoadBalancer', { DeleteProtection: 'on' })).LoadBalancerId as string;
    const denied = await rawCall(t, 'Slb', 'DeleteLoadBalancer', { LoadBalancerId: id });
    assert.equal(denied.body.Code, 'OperationDenied.DeleteProtection');
    await ok('SetLoadBalancerDeleteProtection', { LoadBalancerId: id, DeleteProtection: 'off' });
    await ok('DeleteLoadBalancer', { LoadBalancerId: id });
    const gone = await rawCall(t, 'Slb', 'DescribeLoadBalancerAttribute', { LoadBalancerId: id });
    assert.equal(gone.body.Code, 'InvalidLoadBalancerId.NotFound');
    assert.match(gone.body.Message as string, /LoadBalancerId does not exist/);
  });

  it('manages tags through both tag APIs, via pop-core POST', async () => {
    const c = new RPCClient({
      endpoint: t.url,
      apiVersion: '2014-05-15',
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
    });
    const { LoadBalancerId: id } = await c.request<{ LoadBalancerId: string }>(
      'CreateLoadBalancer',
      { LoadBalancerName: 'tagged' },
      { method: 'POST' },
    );
    await c.request(
      'AddTags',
      {
        LoadBalancerId: id,
        Tags: JSON.stringify([
          { TagKey: 'a', TagValue: '1' },
          { TagKey: 'b', TagValue: '2' },
        ]),
      },
      { method: 'POST' },
    );
    await c.request(
      'UntagResources',
      { ResourceType: 'instance', ResourceId: [id], TagKey: ['a'] },
      { method: 'POST' },
    );
    const r = await c.request<{ TagResources: { TagResource: { TagKey: string }[] } }>(
      'ListTagResources',
      { ResourceType: 'instance', ResourceId: [id] },
      { method: 'POST' },
    );
    assert.deepEqual(
      r.TagResources.TagResource.map((x) => x.TagKey),
      ['b'],
    );
  });
});
