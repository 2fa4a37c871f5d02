// The typed facades read the emulator's real-shaped responses correctly.
import assert from 'node:assert/strict';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { cloudFor, type TestCloud } from './fixtures.js';

describe('cloud facades against the emulator', () => {
  let t: TestEmulator;
  let tc: TestCloud;
  beforeEach(async () => {
    t = await startTestEmulator();
    tc = cloudFor(t);
  });
  afterEach(async () => {
    tc.cloud.close();
    await t.close();
  });

  it('VPC: finds the route table and creates, lists and deletes route entries', async () => {
    const seeded = seedInstances(t.emu, 2);
    const [vpc] = await tc.cloud.vpc.describeVpcs({ vpcId: seeded.vpcId });
    assert.ok(vpc?.VRouterId);
    const tables = await tc.cloud.vpc.describeRouteTables({ vRouterId: vpc.VRouterId });
    assert.ok(tables.some((rt) => rt.RouteTableId === seeded.routeTableId));
    const id = await tc.cloud.vpc.createRouteEntry({
      routeTableId: seeded.routeTableId,
      destinationCidrBlock: '172.20.1.0/24',
      nextHopId: seeded.instanceIds[0]!,
    });
    assert.ok(id);
    // The table rejects changes while an entry is Pending (IncorrectRouteEntryStatus), as the real one does.
    await t.emu.idle();
    const batch = await tc.cloud.vpc.createRouteEntries([
      { routeTableId: seeded.routeTableId, dstCidrBlock: '172.20.2.0/24', nextHop: seeded.instanceIds[1]! },
    ]);
    assert.equal(batch?.SuccessCount, 1);
    await t.emu.idle();
    const custom = await tc.cloud.vpc.describeRouteEntryList({
      routeTableId: seeded.routeTableId,
      routeEntryType: 'Custom',
    });
    assert.deepEqual(custom.map((r) => r.DestinationCidrBlock).sort(), ['172.20.1.0/24', '172.20.2.0/24']);
    const del = await tc.cloud.vpc.deleteRouteEntries(
      custom.map((r) => ({ routeTableId: seeded.routeTableId, routeEntryId: r.RouteEntryId! })),
    );
    assert.equal(del?.FailedCount ?? 0, 0);
  });

  it('ECS: creates, tags, attaches and detaches a disk', async () => {
    const seeded = seedInstances(t.emu, 1);
    const instanceId = seeded.instanceIds[0]!;
    const [inst] = await tc.cloud.ecs.describeInstancesByIds([instanceId]);
    assert.ok(inst?.ZoneId);
    const diskId = await tc.cloud.ecs.createDisk({
      zoneId: inst.ZoneId,
      diskCategory: 'cloud_efficiency',
      size: 20,
      diskName: 'pv-a',
      tags: [{ Key: 'kubernetes.io/created-for/pv/name', Value: 'pv-a' }],
    });
    assert.ok(diskId);
    const tagged = await tc.cloud.ecs.describeDisks({
      tags: [{ Key: 'kubernetes.io/created-for/pv/name', Value: 'pv-a' }],
    });
    assert.deepEqual(
      tagged.map((d) => d.DiskId),
      [diskId],
    );
    await tc.cloud.ecs.attachDisk({ instanceId, diskId });
    await t.emu.idle();
    const attached = await tc.cloud.ecs.describeDisk(diskId);
    assert.equal(attached?.Status, 'In_use');
    assert.equal(attached?.InstanceId, instanceId);
    assert.match(attached?.Device ?? '', /^\/dev\/xvd[b-z]$/);
    await tc.cloud.ecs.detachDisk(instanceId, diskId);
    await t.emu.idle();
    assert.equal((await tc.cloud.ecs.describeDisk(diskId))?.Status, 'Available');
    await tc.cloud.ecs.deleteDisk(diskId);
    assert.equal(await tc.cloud.ecs.describeDisk(diskId), undefined);
  });

  it('SLB: load balancer with a VServer group, a TCP listener and tags', async () => {
    const seeded = seedInstances(t.emu, 2);
    const lb = await tc.cloud.slb.createLoadBalancer({
      LoadBalancerName: 'a-svc',
      AddressType: 'intranet',
      VpcId: seeded.vpcId,
      VSwitchId: seeded.vswitchIds[0]!,
      tags: [{ Key: 'kubernetes.do.not.delete', Value: 'a-svc' }],
    });
    const lbId = lb!.LoadBalancerId;
    const vg = await tc.cloud.slb.vgroups.create(
      lbId,
      'k8s/30080/svc/ns/c',
      seeded.instanceIds.map((id) => ({ ServerId: id, Port: 30080, Weight: 100, Type: 'ecs' })),
    );
    assert.ok(vg);
    await tc.cloud.slb.listeners.create(lbId, 'tcp', {
      ListenerPort: 80,
      BackendServerPort: 30080,
      VServerGroupId: vg,
      Bandwidth: -1,
      Description: 'k8s/80/svc/ns/c',
      HealthCheckInterval: 2,
    });
    await tc.cloud.slb.listeners.start(lbId, 80, 'tcp');
    const listeners = await tc.cloud.slb.listeners.describe([lbId]);
    assert.equal(listeners.length, 1);
    assert.equal(listeners[0]!.ListenerPort, 80);
    assert.equal(listeners[0]!.VServerGroupId, vg);
    const attr = await tc.cloud.slb.vgroups.describeAttribute(vg);
    assert.equal(attr.BackendServers?.BackendServer?.length, 2);
    await tc.cloud.slb.vgroups.removeBackends(vg, [{ ServerId: seeded.instanceIds[0]!, Port: 30080 }]);
    assert.equal((await tc.cloud.slb.vgroups.describeAttribute(vg)).BackendServers?.BackendServer?.length, 1);
    const tags = await tc.cloud.slb.listTagResources([lbId]);
    assert.ok(tags.some((tg) => tg.TagKey === 'kubernetes.do.not.delete' && tg.TagValue === 'a-svc'));
    await tc.cloud.slb.listeners.set(lbId, 'tcp', {
      ListenerPort: 80,
      BackendServerPort: 30080,
      VServerGroupId: vg,
      Description: 'k8s/80/svc/ns/c',
      HealthCheckInterval: 5,
    });
    await tc.cloud.slb.listeners.delete(lbId, 80, 'tcp');
    await tc.cloud.slb.vgroups.delete(vg);
    await tc.cloud.slb.deleteLoadBalancer(lbId);
    assert.deepEqual(await tc.cloud.slb.describeLoadBalancers({ loadBalancerId: lbId }), []);
  });
});
