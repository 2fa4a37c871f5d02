import { strict as assert } from 'node:assert';
import { rawCall, seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import type { Disk, Instance } from '../../../emulators/alicloud/index.js';

describe('emulator/alicloud disks', () => {
  let t: TestEmulator;
  let inst: string[];
  let zone: string;
  beforeEach(async () => {
    t = await startTestEmulator();
    t.emu.mergeState({ config: { diskTransitionMs: 600_000 } });
    inst = seedInstances(t.emu, 2).instanceIds;
    zone = t.emu.state.instances[inst[0]!]!.ZoneId;
  });
  afterEach(() => t.close());

  async function create(params: Record<string, string> = {}): Promise<string> {
    const r = await rawCall(t, 'Ecs', 'CreateDisk', {
      ZoneId: zone,
      DiskCategory: 'cloud_ssd',
      Size: '20',
      ...params,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.DiskId as string;
  }

  async function describe1(id: string): Promise<Record<string, unknown>> {
    const r = await rawCall(t, 'Ecs', 'DescribeDisks', { DiskIds: JSON.stringify([id]) });
    assert.equal(r.status, 200);
    const disks = (r.body.Disks as { Disk: Record<string, unknown>[] }).Disk;
    assert.equal(disks.length, 1);
    return disks[0]!;
  }

  it('enforces category size limits', async () => {
    for (const [cat, size, code] of [
      ['cloud', '4', 'InvalidDiskSize.TooSmall'],
      ['cloud', '2001', 'InvalidDiskSize.TooLarge'],
      ['cloud_efficiency', '19', 'InvalidDiskSize.TooSmall'],
      ['cloud_essd', '32769', 'InvalidDiskSize.TooLarge'],
      ['local_hdd', '100', 'InvalidDiskCategory.ValueNotSupported'],
    ] as const) {
      const r = await rawCall(t, 'Ecs', 'CreateDisk', { ZoneId: zone, DiskCategory: cat, Size: size });
      assert.equal(r.body.Code, code, `${cat} ${size}`);
    }
    assert.ok(await create({ DiskCategory: 'cloud', Size: '5' }));
  });

  it('makes one disk per ClientToken and refuses the token for different parameters', async () => {
    const a = await create({ ClientToken: 'tok-1' });
    const b = await create({ ClientToken: 'tok-1' });
    assert.equal(a, b);
    assert.equal(Object.keys(t.emu.state.disks).length, 1);
    const r = await rawCall(t, 'Ecs', 'CreateDisk', {
      ZoneId: zone,
      DiskCategory: 'cloud_ssd',
      Size: '30',
      ClientToken: 'tok-1',
    });
    assert.equal(r.body.Code, 'IdempotentParameterMismatch');
  });

  it('attaches through Attaching to In_use with device names, running the hook before In_use', async () => {
    const seen: string[] = [];
    t.emu.hooks.onDiskAttached = async (disk: Disk, instance: Instance) => {
      seen.push(`${disk.DiskId}:${disk.Status}:${instance.InstanceId}:${disk.Device}`);
    };
    const d1 = await create({ DiskName: 'pv-a' });
    const d2 = await create();
    assert.equal((await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d1, InstanceId: inst[0]! })).status, 200);
    assert.equal((await describe1(d1)).Status, 'Attaching');
    const again = await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d1, InstanceId: inst[0]! });
    assert.equal(again.body.Code, 'IncorrectDiskStatus');
    assert.equal((await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d2, InstanceId: inst[0]! })).status, 200);
    await t.emu.flushTransitions();
    const a = await describe1(d1);
    const b = await describe1(d2);
    assert.deepEqual([a.Status, a.InstanceId, a.Device], ['In_use', inst[0], '/dev/xvdb']);
    assert.deepEqual([b.Status, b.Device], ['In_use', '/dev/xvdc']);
    assert.equal(a.SerialNumber, d1.slice(2));
    assert.deepEqual(
      seen.sort(),
      [`${d1}:Attaching:${inst[0]}:/dev/xvdb`, `${d2}:Attaching:${inst[0]}:/dev/xvdc`].sort(),
    );
    const byInstance = await rawCall(t, 'Ecs', 'DescribeDisks', { InstanceId: inst[0]!, DiskName: 'pv-*' });
    assert.equal((byInstance.body.Disks as { Disk: unknown[] }).Disk.length, 1);
  });

  it('detaches through Detaching to Available and guards wrong states', async () => {
    let detached = '';
    t.emu.hooks.onDiskDetached = (disk) => {
      detached = `${disk.DiskId}:${disk.Status}`;
    };
    const d = await create();
    assert.equal(
      (await rawCall(t, 'Ecs', 'DetachDisk', { DiskId: d, InstanceId: inst[0]! })).body.Code,
      'IncorrectDiskStatus',
    );
    await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d, InstanceId: inst[0]! });
    await t.emu.flushTransitions();
    assert.equal(
      (await rawCall(t, 'Ecs', 'DetachDisk', { DiskId: d, InstanceId: inst[1]! })).body.Code,
      'IncorrectDiskStatus',
    );
    assert.equal((await rawCall(t, 'Ecs', 'DeleteDisk', { DiskId: d })).body.Code, 'IncorrectDiskStatus');
    assert.equal((await rawCall(t, 'Ecs', 'DetachDisk', { DiskId: d, InstanceId: inst[0]! })).status, 200);
    assert.equal((await describe1(d)).Status, 'Detaching');
    await t.emu.flushTransitions();
    const after = await describe1(d);
    assert.deepEqual([after.Status, after.InstanceId, after.Device], ['Available', '', '']);
    assert.equal(detached, `${d}:Detaching`);
    assert.equal((await rawCall(t, 'Ecs', 'DeleteDisk', { DiskId: d })).status, 200);
    const gone = await rawCall(t, 'Ecs', 'DeleteDisk', { DiskId: d });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.Code, 'InvalidDiskId.NotFound');
  });

  it('refuses attach across zones, to missing or transitional instances', async () => {
    const other = t.emu.state.zones.find((z) => z.ZoneId !== zone)!.ZoneId;
    const d = await create({ ZoneId: other });
    assert.equal(
      (await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d, InstanceId: inst[0]! })).body.Code,
      'OperationDenied.ZoneNotMatch',
    );
    const d2 = await create();
    assert.equal(
      (await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d2, InstanceId: 'i-missing' })).body.Code,
      'InvalidInstanceId.NotFound',
    );
    t.emu.mergeState({ Instances: [{ InstanceId: inst[0], Status: 'Stopping' }] });
    assert.equal(
      (await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d2, InstanceId: inst[0]! })).body.Code,
      'IncorrectInstanceStatus',
    );
  });

  it('resizes within limits and filters by tag', async () => {
    const d = await create({ 'Tag.1.Key': 'pv', 'Tag.1.Value': 'x' });
    await create();
    assert.equal(
      (await rawCall(t, 'Ecs', 'ResizeDisk', { DiskId: d, NewSize: '10' })).body.Code,
      'InvalidDiskSize.TooSmall',
    );
    assert.equal((await rawCall(t, 'Ecs', 'ResizeDisk', { DiskId: d, NewSize: '40' })).status, 200);
    const r = await rawCall(t, 'Ecs', 'DescribeDisks', { 'Tag.1.Key': 'pv', 'Tag.1.Value': 'x' });
    const disks = (
      r.body.Disks as { Disk: { DiskId: string; Size: number; Tags: { Tag: { TagKey: string }[] } }[] }
    ).Disk;
    assert.deepEqual(
      disks.map((x) => [x.DiskId, x.Size, x.Tags.Tag[0]!.TagKey]),
      [[d, 40, 'pv']],
    );
  });

  it('releases disks with an instance terminated through the admin API', async () => {
    const d = await create();
    await rawCall(t, 'Ecs', 'AttachDisk', { DiskId: d, InstanceId: inst[0]! });
    await t.emu.flushTransitions();
    const res = await fetch(`${t.url}/_emulator/instances/${inst[0]}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(t.emu.state.instances[inst[0]!], undefined);
    assert.equal((await describe1(d)).Status, 'Available');
  });
});
