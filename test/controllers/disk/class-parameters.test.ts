// Every StorageClass parameter the disk controller accepts reaches the CreateDisk call on the
// wire (not only the parser), for both provisioner names, against both emulators.
import assert from 'node:assert/strict';
import { DiskHarness } from './harness.js';

describe('disk controller: StorageClass parameters on the wire (both emulators)', function () {
  this.timeout(60_000);
  let h: DiskHarness;

  beforeEach(async () => {
    h = new DiskHarness();
    await h.start();
  });
  afterEach(() => h.close());

  const createDiskParams = () =>
    h.cloudEmu.emu
      .calls()
      .filter((c) => c.action === 'CreateDisk' && c.code === 'Success')
      .map((c) => c.params);

  it('alicloud/disk: category, performance level, zone, encryption, KMS key, resource group, tags and fsType', async () => {
    await h.createClass('essd', {
      parameters: {
        type: 'cloud_essd',
        performanceLevel: 'PL2',
        zoneId: 'cn-hangzhou-i',
        encrypted: 'true',
        kmsKeyId: 'key-hzz0123456789',
        resourceGroupId: 'rg-acfm0123456789',
        tags: 'team=storage,tier=gold',
        fsType: 'xfs',
      },
    });
    h.startController();
    await h.createClaim('fast', 'essd', '100Gi');
    const bound = await h.waitBound('fast');

    const [p, ...more] = createDiskParams();
    assert.equal(more.length, 0);
    assert.equal(p!.DiskCategory, 'cloud_essd');
    assert.equal(p!.PerformanceLevel, 'PL2');
    assert.equal(p!.ZoneId, 'cn-hangzhou-i', 'the class zone wins over the controller zone');
    assert.equal(p!.Encrypted, 'true');
    assert.equal(p!.KMSKeyId, 'key-hzz0123456789');
    assert.equal(p!.ResourceGroupId, 'rg-acfm0123456789');
    assert.equal(p!.Size, '461', 'rounded up to the ESSD PL2 minimum');
    const tags = new Map<string, string>();
    for (let i = 1; p![`Tag.${i}.Key`] !== undefined; i++)
      tags.set(p![`Tag.${i}.Key`]!, p![`Tag.${i}.Value`] ?? '');
    assert.equal(tags.get('team'), 'storage');
    assert.equal(tags.get('tier'), 'gold');
    assert.ok(p!.ClientToken, 'idempotent create');

    const [disk] = h.disks();
    assert.equal(disk!.PerformanceLevel, 'PL2');
    assert.equal(disk!.Encrypted, true);
    const pv = (await h.getVolume(bound.spec!.volumeName!))!;
    assert.equal(pv.spec?.flexVolume?.fsType, 'xfs');
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [
      'cn-hangzhou-i',
    ]);
  });

  it("kube-aliyun's archon.kubeup.com/aliyun provisioner and diskCategory spelling are served too", async () => {
    await h.createClass('legacy', {
      provisioner: 'archon.kubeup.com/aliyun',
      parameters: { diskCategory: 'cloud_ssd' },
    });
    h.startController();
    await h.createClaim('old', 'legacy', '1Gi');
    const bound = await h.waitBound('old');
    const [p] = createDiskParams();
    assert.equal(p!.DiskCategory, 'cloud_ssd');
    assert.equal(p!.Size, '20', 'rounded up to the cloud_ssd minimum');
    const pv = (await h.getVolume(bound.spec!.volumeName!))!;
    assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'archon.kubeup.com/aliyun');
  });
});
