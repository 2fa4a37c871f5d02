// The disk controller in-process against both emulators: provisioning, binding, reclaim,
// foreign-disk safety, WaitForFirstConsumer, bad parameters, restart mid-provision, expansion.
import assert from 'node:assert/strict';
import { Resources } from '../../../src/kube/resources.js';
import { ContentType } from '../../../src/kube/rest.js';
import { createInstance } from '../../../emulators/alicloud/index.js';
import type { Volume } from '../../../src/controllers/disk/types.js';
import { createDiskCloudPort } from '../../../src/controllers/disk/cloudport.js';
import { PVC_FINALIZER } from '../../../src/controllers/disk/types.js';
import { desiredDisk } from '../../../src/controllers/disk/model/index.js';
import { parseClassParameters } from '../../../src/controllers/disk/annotations.js';
import { addFinalizer } from '../../../src/kube/patch.js';
import { CLUSTER_ID, DiskHarness, ZONE } from './harness.js';
import { eventually } from '../../helpers/eventually.js';

const tagsOf = (d: { Tags: Array<{ Key: string; Value: string }> }) =>
  Object.fromEntries(d.Tags.map((t) => [t.Key, t.Value]));

describe('disk controller (both emulators)', function () {
  this.timeout(60_000);
  let h: DiskHarness;

  beforeEach(async () => {
    h = new DiskHarness();
    await h.start();
  });
  afterEach(() => h.close());

  it('provisions a tagged disk and a bound PV for a claim, once', async () => {
    await h.createClass('disk', { parameters: { type: 'cloud_efficiency', tags: 'team=storage' } });
    h.startController();
    const claim = await h.createClaim('data', 'disk', '1Gi');
    const bound = await h.waitBound('data');
    const pvName = `pvc-${claim.metadata!.uid}`;
    assert.equal(bound.spec?.volumeName, pvName);
    assert.equal(bound.status?.capacity?.storage, '20Gi', 'cloud_efficiency minimum is 20 GiB');
    // Binding and releasing the provisioning finalizer are two writes; the second may land just after Bound.
    await eventually(
      async () => ((await h.getClaim('data')).metadata?.finalizers ?? []).length === 0,
      'provisioning finalizer released',
      { tries: 600 },
    );

    const disks = h.disks();
    assert.equal(disks.length, 1);
    const disk = disks[0]!;
    assert.equal(disk.Size, 20);
    assert.equal(disk.Category, 'cloud_efficiency');
    assert.equal(disk.ZoneId, ZONE);
    assert.equal(disk.DiskName, pvName);
    assert.deepEqual(tagsOf(disk), {
      'ack.aliyun.com': CLUSTER_ID,
      'kubernetes.io/created-for/pv/name': pvName,
      'kubernetes.io/created-for/pvc/namespace': 'default',
      'kubernetes.io/created-for/pvc/name': 'data',
      team: 'storage',
    });

    const pv = (await h.getVolume(pvName))!;
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'alicloud/disk');
    assert.ok(pv.metadata?.finalizers?.includes('alicloud.kubernetes.io/disk-protection'));
    assert.deepEqual(pv.spec?.flexVolume, {
      driver: 'alicloud/disk',
      fsType: 'ext4',
      options: { volumeId: disk.DiskId, diskId: disk.DiskId },
    });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(pv.spec?.accessModes, ['ReadWriteOnce']);
    assert.equal(pv.spec?.claimRef?.uid, claim.metadata!.uid);
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [ZONE] }] },
    ]);
    await eventually(
      async () => (await h.events('ProvisioningSucceeded')).length === 1,
      'ProvisioningSucceeded event',
      { tries: 600 },
    );

    // A relabel of the claim re-runs reconcile; nothing in the cloud changes.
    await h.client.patch(
      Resources.persistentvolumeclaims,
      'default',
      'data',
      { metadata: { labels: { touched: 'yes' } } },
      ContentType.merge,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.calls('CreateDisk'), 1);
    assert.equal(h.disks().length, 1);
  });

  it('deletes the disk and the PV when the claim is deleted (reclaim Delete)', async () => {
    await h.createClass('disk');
    h.startController();
    const claim = await h.createClaim('scratch', 'disk');
    await h.waitBound('scratch');
    const pvName = `pvc-${claim.metadata!.uid}`;
    assert.equal(h.disks().length, 1);
    await h.client.delete(Resources.persistentvolumeclaims, 'default', 'scratch');
    await eventually(() => h.disks().length === 0, 'disk deleted', { tries: 600 });
    await eventually(async () => (await h.getVolume(pvName)) === undefined, 'PV deleted', { tries: 600 });
    assert.equal((await h.events('VolumeDeleted')).length, 1);
  });

  it('keeps the disk with reclaim Retain and marks the PV Released', async () => {
    await h.createClass('keep', { reclaimPolicy: 'Retain' });
    h.startController();
    const claim = await h.createClaim('keep', 'keep');
    await h.waitBound('keep');
    const pvName = `pvc-${claim.metadata!.uid}`;
    await h.client.delete(Resources.persistentvolumeclaims, 'default', 'keep');
    await eventually(async () => (await h.getVolume(pvName))?.status?.phase === 'Released', 'PV Released', {
      tries: 600,
    });
    assert.equal(h.disks().length, 1);
    assert.equal(h.calls('DeleteDisk'), 0);
    // Deleting the PV by hand lets it go (finalizer released) and still keeps the disk.
    await h.client.delete(Resources.persistentvolumes, undefined, pvName);
    await eventually(async () => (await h.getVolume(pvName)) === undefined, 'PV gone', { tries: 600 });
    assert.equal(h.disks().length, 1);
  });

  it('never deletes a foreign disk (no cluster tag) bound to a PV with reclaim Delete', async () => {
    const ecs = h.cloud().ecs;
    const foreign = (await ecs.createDisk({
      zoneId: ZONE,
      diskCategory: 'cloud_ssd',
      size: 40,
      diskName: 'precious',
      tags: [{ Key: 'owner', Value: 'dba' }],
    }))!;
    h.startController();
    const claim = await h.createClaim('imported', '', '40Gi');
    const pv: Volume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'imported-pv', annotations: { 'pv.kubernetes.io/provisioned-by': 'alicloud/disk' } },
      spec: {
        capacity: { storage: '40Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: 'default',
          name: 'imported',
          uid: claim.metadata!.uid!,
        },
        flexVolume: { driver: 'alicloud/disk', options: { volumeId: foreign } },
      },
    };
    await h.client.create(Resources.persistentvolumes, undefined, pv);
    await h.client.patch(
      Resources.persistentvolumeclaims,
      'default',
      'imported',
      { spec: { volumeName: 'imported-pv' } },
      ContentType.merge,
    );
    await eventually(
      async () =>
        Boolean(
          (await h.getVolume('imported-pv'))?.metadata?.finalizers?.includes(
            'alicloud.kubernetes.io/disk-protection',
          ),
        ),
      'finalizer added to our PV',
      { tries: 600 },
    );
    await h.client.delete(Resources.persistentvolumeclaims, 'default', 'imported');
    await eventually(async () => (await h.getVolume('imported-pv')) === undefined, 'PV deleted', {
      tries: 600,
    });
    assert.ok(h.cloudEmu.emu.state.disks[foreign], 'foreign disk still exists');
    assert.equal(h.calls('DeleteDisk'), 0);
    const kept = await h.events('DiskKept');
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.type, 'Warning');
    assert.match(kept[0]!.message, new RegExp(`${foreign}.*not owned by this cluster`));
  });

  it('waits while a released disk is attached, then deletes it once detached', async () => {
    await h.createClass('disk');
    const inst = createInstance(h.cloudEmu.emu.state, {
      InstanceName: 'node-a',
      VSwitchId: Object.values(h.cloudEmu.emu.state.vswitches).find((v) => v.ZoneId === ZONE)!.VSwitchId,
    });
    h.cloudEmu.emu.mergeState({ config: { diskTransitionMs: 10 } });
    h.startController();
    const claim = await h.createClaim('busy', 'disk');
    await h.waitBound('busy');
    const diskId = h.disks()[0]!.DiskId;
    const ecs = h.cloud().ecs;
    await ecs.attachDisk({ instanceId: inst.InstanceId, diskId });
    await eventually(() => h.cloudEmu.emu.state.disks[diskId]?.Status === 'In_use', 'attached', {
      tries: 600,
    });
    await h.client.delete(Resources.persistentvolumeclaims, 'default', 'busy');
    await eventually(
      async () => (await h.events('DiskKept')).some((e) => /In_use/.test(e.message)),
      'kept-while-attached event',
      { tries: 600 },
    );
    assert.ok(h.cloudEmu.emu.state.disks[diskId]);
    assert.ok(await h.getVolume(`pvc-${claim.metadata!.uid}`), 'PV stays while the disk is attached');
    await ecs.detachDisk(inst.InstanceId, diskId);
    await eventually(() => !h.cloudEmu.emu.state.disks[diskId], 'disk deleted after detach', { tries: 600 });
    await eventually(
      async () => (await h.getVolume(`pvc-${claim.metadata!.uid}`)) === undefined,
      'PV deleted',
      { tries: 600 },
    );
  });

  it("WaitForFirstConsumer: provisions only after selected-node, in that node's zone", async () => {
    await h.createClass('wffc', {
      volumeBindingMode: 'WaitForFirstConsumer',
      parameters: { diskCategory: 'cloud_ssd' },
    });
    await h.client.create(Resources.nodes, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-i', labels: { 'topology.kubernetes.io/zone': 'cn-hangzhou-i' } },
    });
    h.startController();
    await h.createClaim('late', 'wffc', '25Gi');
    await eventually(
      async () => (await h.events('WaitForFirstConsumer')).length === 1,
      'WaitForFirstConsumer event',
      { tries: 600 },
    );
    assert.equal(h.disks().length, 0);
    await h.client.patch(
      Resources.persistentvolumeclaims,
      'default',
      'late',
      { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'worker-i' } } },
      ContentType.merge,
    );
    const bound = await h.waitBound('late');
    const disk = h.disks()[0]!;
    assert.equal(disk.ZoneId, 'cn-hangzhou-i');
    assert.equal(disk.Size, 25);
    const pv = (await h.getVolume(bound.spec!.volumeName!))!;
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [
      'cn-hangzhou-i',
    ]);
  });

  it('refuses invalid parameters with a ProvisioningFailed event naming them, creating nothing', async () => {
    await h.createClass('bad', {
      parameters: { type: 'cloud_ultra', performanceLevel: 'PL9', encrypted: 'yes', colour: 'blue' },
    });
    h.startController();
    await h.createClaim('nope', 'bad');
    await eventually(
      async () => (await h.events('ProvisioningFailed')).length > 0,
      'ProvisioningFailed event',
      { tries: 600 },
    );
    const [ev] = await h.events('ProvisioningFailed');
    assert.equal(ev!.type, 'Warning');
    for (const needle of [
      'type="cloud_ultra"',
      'cloud, cloud_efficiency, cloud_ssd, cloud_essd',
      'performanceLevel',
      'encrypted',
      'colour',
    ]) {
      assert.ok(ev!.message.includes(needle), `event names ${needle}: ${ev!.message}`);
    }
    assert.equal(h.calls('CreateDisk'), 0);
    assert.equal(h.disks().length, 0);
    assert.equal((await h.getClaim('nope')).status?.phase, 'Pending');
  });

  it('a lost CreateDisk answer is retried with the same ClientToken and makes no second disk', async () => {
    await h.createClass('disk');
    h.cloudEmu.emu.setFaults({ CreateDisk: { loseResponse: true, times: 1 } });
    h.startController({ maxAttempts: 1 });
    await h.createClaim('lost', 'disk');
    await h.waitBound('lost');
    assert.equal(h.disks().length, 1);
    const tokens = new Set(
      h.cloudEmu.emu
        .calls()
        .filter((c) => c.action === 'CreateDisk')
        .map((c) => c.params.ClientToken),
    );
    assert.equal(tokens.size, 1, 'every CreateDisk attempt carried one token');
  });

  it('a restart after CreateDisk succeeded but before the PV existed adopts the disk', async () => {
    await h.createClass('disk');
    const claim = await h.createClaim('crash', 'disk');
    // The state a crash right after CreateDisk leaves: the claim holds our provisioning
    // finalizer and a disk exists, made with this claim's ClientToken and tags; no PV.
    await addFinalizer(h.client, Resources.persistentvolumeclaims, claim, PVC_FINALIZER);
    const parsed = parseClassParameters({});
    assert.ok(parsed.ok);
    const desired = desiredDisk(claim, parsed.value, ZONE, CLUSTER_ID);
    assert.ok(typeof desired !== 'string');
    const diskId = await createDiskCloudPort(h.cloud().ecs).create(desired);
    h.cloudEmu.emu.clearCalls();

    h.startController();
    const bound = await h.waitBound('crash');
    assert.equal(h.disks().length, 1, 'the restarted controller adopted the disk');
    assert.equal(h.calls('CreateDisk'), 0);
    const pv = (await h.getVolume(bound.spec!.volumeName!))!;
    assert.equal(pv.spec?.flexVolume?.options?.volumeId, diskId);
    await eventually(
      async () => !(await h.getClaim('crash')).metadata?.finalizers?.includes(PVC_FINALIZER),
      'provisioning finalizer released',
      { tries: 600 },
    );
  });

  it('cleans up the disk of a claim deleted mid-provision', async () => {
    await h.createClass('disk');
    const claim = await h.createClaim('gone', 'disk');
    await addFinalizer(h.client, Resources.persistentvolumeclaims, claim, PVC_FINALIZER);
    const parsed = parseClassParameters({});
    assert.ok(parsed.ok);
    const desired = desiredDisk(claim, parsed.value, ZONE, CLUSTER_ID);
    assert.ok(typeof desired !== 'string');
    await createDiskCloudPort(h.cloud().ecs).create(desired);
    await h.client.delete(Resources.persistentvolumeclaims, 'default', 'gone');
    h.startController();
    await eventually(() => h.disks().length === 0, 'orphan disk deleted', { tries: 600 });
    await eventually(
      async () => (await h.getClaim('gone').catch(() => undefined)) === undefined,
      'claim gone',
      { tries: 600 },
    );
  });

  it('expands a bound claim on a class with allowVolumeExpansion', async () => {
    await h.createClass('grow', { allowVolumeExpansion: true, parameters: { type: 'cloud_essd' } });
    h.startController();
    await h.createClaim('db', 'grow', '20Gi');
    const bound = await h.waitBound('db');
    await h.client.patch(
      Resources.persistentvolumeclaims,
      'default',
      'db',
      { spec: { resources: { requests: { storage: '50Gi' } } } },
      ContentType.merge,
    );
    await eventually(() => h.disks()[0]?.Size === 50, 'disk resized', { tries: 600 });
    await eventually(
      async () => (await h.getVolume(bound.spec!.volumeName!))?.spec?.capacity?.storage === '50Gi',
      'PV capacity',
      { tries: 600 },
    );
    await eventually(
      async () =>
        ((await h.getClaim('db')).status?.conditions ?? []).some(
          (c) => c.type === 'FileSystemResizePending' && c.status === 'True',
        ),
      'FileSystemResizePending',
      { tries: 600 },
    );
    const resize = h.cloudEmu.emu.calls().filter((c) => c.action === 'ResizeDisk');
    assert.equal(resize.length, 1);
    assert.equal(resize[0]!.params.Type, 'offline', 'a detached disk is resized offline');
  });

  it('refuses expansion when the class does not allow it', async () => {
    await h.createClass('fixed');
    h.startController();
    await h.createClaim('fixed', 'fixed', '20Gi');
    await h.waitBound('fixed');
    await h.client.patch(
      Resources.persistentvolumeclaims,
      'default',
      'fixed',
      { spec: { resources: { requests: { storage: '40Gi' } } } },
      ContentType.merge,
    );
    await eventually(
      async () => (await h.events('VolumeResizeFailed')).some((e) => /allowVolumeExpansion/.test(e.message)),
      'VolumeResizeFailed event',
      { tries: 600 },
    );
    assert.equal(h.calls('ResizeDisk'), 0);
    assert.equal(h.disks()[0]!.Size, 20);
  });
});
