// Table and property tests for the disk controller's pure parts: parameters, sizes, decisions, model.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  classNameOf,
  expandPlan,
  isReleased,
  nextClaimStep,
  provisionerFor,
  reclaimVerdict,
  resizeMode,
} from '../../../src/controllers/disk/plan.js';
import {
  claimProblems,
  desiredDisk,
  desiredVolume,
  diskIdOf,
} from '../../../src/controllers/disk/model/index.js';
import { parseClassParameters } from '../../../src/controllers/disk/annotations.js';
import { bytesToGiB, diskSizeGiB, parseQuantity } from '../../../src/controllers/disk/model/size.js';
import { assertAttachable } from '../../../src/flexvolume/ownership.js';
import type { CloudDisk } from '../../../src/flexvolume/cloud/types.js';
import type { Claim, StorageClass, Volume } from '../../../src/controllers/disk/types.js';

const claim = (
  tweak: Partial<Claim['spec']> = {},
  meta: Partial<NonNullable<Claim['metadata']>> = {},
): Claim => ({
  metadata: { name: 'c', namespace: 'ns', uid: 'u-1', ...meta },
  spec: {
    storageClassName: 'sc',
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '10Gi' } },
    ...tweak,
  },
});

describe('disk: quantities and sizes', () => {
  const cases: Array<[string, number | undefined]> = [
    ['10Gi', 10 * 1024 ** 3],
    ['3G', 3e9],
    ['1.5Ti', 1.5 * 1024 ** 4],
    ['1e9', 1e9],
    ['500Mi', 500 * 1024 ** 2],
    ['1073741824', 1024 ** 3],
    ['ten', undefined],
    ['-1Gi', undefined],
    ['', undefined],
  ];
  for (const [text, bytes] of cases)
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(parseQuantity(text), bytes));

  it('rounds up to whole GiB and the category minimum', () => {
    assert.equal(bytesToGiB(3e9), 3); // 2.79 GiB → 3
    assert.equal(diskSizeGiB(1024 ** 3, 'cloud'), 5);
    assert.equal(diskSizeGiB(1024 ** 3, 'cloud_efficiency'), 20);
    assert.equal(diskSizeGiB(25 * 1024 ** 3 + 1, 'cloud_ssd'), 26);
    assert.equal(diskSizeGiB(100 * 1024 ** 3, 'cloud_essd', 'PL2'), 461);
  });

  it('never returns less than the request or the minimum (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 45 }),
        fc.constantFrom('cloud', 'cloud_efficiency', 'cloud_ssd', 'cloud_essd'),
        (bytes, cat) => {
          const gib = diskSizeGiB(bytes, cat);
          return Number.isInteger(gib) && gib * 1024 ** 3 >= bytes && gib >= (cat === 'cloud' ? 5 : 20);
        },
      ),
    );
  });
});

describe('disk: StorageClass parameters', () => {
  it('defaults: cloud_efficiency, ext4, not encrypted', () => {
    assert.deepEqual(parseClassParameters(undefined), {
      ok: true,
      value: { category: 'cloud_efficiency', fsType: 'ext4', encrypted: false, tags: [] },
    });
  });
  it('accepts every documented parameter', () => {
    const r = parseClassParameters({
      diskCategory: 'cloud_essd',
      performanceLevel: 'PL2',
      zoneId: 'cn-hangzhou-g',
      fsType: 'xfs',
      encrypted: 'true',
      kmsKeyId: 'key-123',
      resourceGroupId: 'rg-acfm2xyz',
      tags: 'a=1, b=two',
    });
    assert.deepEqual(r, {
      ok: true,
      value: {
        category: 'cloud_essd',
        performanceLevel: 'PL2',
        zoneId: 'cn-hangzhou-g',
        fsType: 'xfs',
        encrypted: true,
        kmsKeyId: 'key-123',
        resourceGroupId: 'rg-acfm2xyz',
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: 'two' },
        ],
      },
    });
  });
  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ type: 'ephemeral' }, 'type', /must be one of cloud, cloud_efficiency/],
    [{ type: 'cloud', diskCategory: 'cloud_ssd' }, 'diskCategory', /disagrees with type/],
    [{ type: 'cloud_ssd', performanceLevel: 'PL1' }, 'performanceLevel', /only to diskCategory cloud_essd/],
    [{ type: 'cloud_essd', performanceLevel: 'PL4' }, 'performanceLevel', /PL0, PL1, PL2, PL3/],
    [{ zoneId: 'Zone A' }, 'zoneId', /zone id/],
    [{ fsType: 'btrfs' }, 'fsType', /ext4, ext3, xfs/],
    [{ encrypted: 'yes' }, 'encrypted', /"true" or "false"/],
    [{ kmsKeyId: 'k' }, 'kmsKeyId', /needs encrypted/],
    [{ resourceGroupId: 'group' }, 'resourceGroupId', /rg-/],
    [{ tags: 'novalue' }, 'tags', /not key=value/],
    [{ tags: 'aliyun-x=1' }, 'tags', /reserves/],
    [{ tags: 'ack.aliyun.com=evil' }, 'tags', /set by the provisioner/],
    [{ tags: 'a=1,a=2' }, 'tags', /twice/],
    [{ sizeGB: '10' }, 'sizeGB', /unknown parameter/],
  ];
  for (const [params, name, why] of bad) {
    it(`rejects ${JSON.stringify(params)} naming ${name}`, () => {
      const r = parseClassParameters(params);
      assert.equal(r.ok, false);
      if (r.ok) return;
      const p = r.problems.find((x) => x.parameter === name);
      assert.ok(p, JSON.stringify(r.problems));
      assert.match(p.reason, why);
    });
  }
  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.string()),
        (p) => typeof parseClassParameters(p).ok === 'boolean',
      ),
    );
  });
});

describe('disk: decisions', () => {
  const sc = (name: string, extra: Partial<StorageClass> = {}): StorageClass => ({
    metadata: { name },
    provisioner: 'alicloud/disk',
    ...extra,
  });

  it('resolves the class: spec, beta annotation, default; "" means none', () => {
    const classes = [
      sc('a'),
      sc('def', {
        metadata: { name: 'def', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      }),
    ];
    assert.equal(classNameOf(claim({ storageClassName: 'a' }), classes), 'a');
    assert.equal(classNameOf(claim({ storageClassName: '' }), classes), undefined);
    assert.equal(
      classNameOf(
        claim(
          { storageClassName: undefined },
          { annotations: { 'volume.beta.kubernetes.io/storage-class': 'a' } },
        ),
        classes,
      ),
      'a',
    );
    assert.equal(classNameOf(claim({ storageClassName: undefined }), classes), 'def');
  });

  it('recognises both provisioner names, from the class or the PV controller annotations', () => {
    assert.equal(provisionerFor(claim(), sc('x')), 'alicloud/disk');
    assert.equal(
      provisionerFor(claim(), sc('x', { provisioner: 'archon.kubeup.com/aliyun' })),
      'archon.kubeup.com/aliyun',
    );
    assert.equal(provisionerFor(claim(), sc('x', { provisioner: 'ebs.csi.aws.com' })), undefined);
    assert.equal(
      provisionerFor(
        claim({}, { annotations: { 'volume.kubernetes.io/storage-provisioner': 'alicloud/disk' } }),
        undefined,
      ),
      'alicloud/disk',
    );
  });

  it('picks the next claim step', () => {
    const wffc = sc('w', { volumeBindingMode: 'WaitForFirstConsumer' });
    assert.equal(nextClaimStep(claim(), sc('x'), false).step, 'ignore');
    assert.equal(nextClaimStep(claim(), sc('x'), true).step, 'provision');
    assert.equal(nextClaimStep(claim(), wffc, true).step, 'waitForConsumer');
    assert.equal(
      nextClaimStep(claim({}, { annotations: { 'volume.kubernetes.io/selected-node': 'n' } }), wffc, true)
        .step,
      'provision',
    );
    assert.equal(nextClaimStep(claim({ volumeName: 'pv' }), sc('x'), true).step, 'bind');
    assert.equal(
      nextClaimStep({ ...claim({ volumeName: 'pv' }), status: { phase: 'Bound' } }, sc('x'), true).step,
      'bound',
    );
    assert.equal(
      nextClaimStep(
        claim({}, { deletionTimestamp: 'now', finalizers: ['alicloud.kubernetes.io/disk-provisioning'] }),
        sc('x'),
        true,
      ).step,
      'cleanup',
    );
    assert.equal(nextClaimStep(claim({}, { deletionTimestamp: 'now' }), sc('x'), true).step, 'ignore');
  });

  it('deletes only Available disks tagged for this cluster', () => {
    const own = { 'ack.aliyun.com': 'c1' };
    assert.deepEqual(reclaimVerdict('d-1', { status: 'Available', instanceId: '', tags: own }, 'c1'), {
      action: 'delete',
    });
    assert.equal(reclaimVerdict('d-1', undefined, 'c1').action, 'gone');
    assert.equal(
      reclaimVerdict('d-1', { status: 'In_use', instanceId: 'i-1', tags: own }, 'c1').action,
      'wait',
    );
    const foreign = reclaimVerdict('d-1', { status: 'Available', instanceId: '', tags: {} }, 'c1');
    assert.equal(foreign.action, 'keep');
    assert.equal(
      reclaimVerdict('d-1', { status: 'Available', instanceId: '', tags: { 'ack.aliyun.com': 'c2' } }, 'c1')
        .action,
      'keep',
    );
  });

  it('knows a released PV (claim gone or re-created with a new UID)', () => {
    const pv: Volume = { spec: { claimRef: { namespace: 'ns', name: 'c', uid: 'u-1' } } };
    assert.equal(isReleased(pv, undefined), true);
    assert.equal(isReleased(pv, claim()), false);
    assert.equal(isReleased(pv, claim({}, { uid: 'u-2' })), true);
    assert.equal(isReleased({ spec: {} }, undefined), false);
  });

  it('plans expansion only on a larger request and an expandable class', () => {
    const pv: Volume = { spec: { capacity: { storage: '20Gi' } } };
    assert.deepEqual(expandPlan(claim({ resources: { requests: { storage: '20Gi' } } }), pv, sc('x')), {
      action: 'none',
    });
    assert.equal(
      expandPlan(claim({ resources: { requests: { storage: '30Gi' } } }), pv, sc('x')).action,
      'refuse',
    );
    assert.deepEqual(
      expandPlan(
        claim({ resources: { requests: { storage: '30Gi' } } }),
        pv,
        sc('x', { allowVolumeExpansion: true }),
      ),
      { action: 'resize', fromGiB: 20, toGiB: 30 },
    );
    assert.deepEqual(resizeMode('cloud_ssd', 'In_use'), { type: 'online' });
    assert.deepEqual(resizeMode('cloud_ssd', 'Available'), { type: 'offline' });
    assert.ok('why' in resizeMode('cloud', 'In_use'));
  });
});

describe('disk: model', () => {
  it('refuses claims a cloud disk cannot serve', () => {
    assert.deepEqual(claimProblems(claim()), []);
    assert.match(
      claimProblems(claim({ accessModes: ['ReadWriteMany'] })).join(),
      /ReadWriteMany not supported/,
    );
    assert.match(claimProblems(claim({ volumeMode: 'Block' })).join(), /Block/);
    assert.match(claimProblems(claim({ selector: {} })).join(), /selector/);
    assert.match(
      claimProblems(claim({ resources: { requests: { storage: 'lots' } } })).join(),
      /not a valid quantity/,
    );
  });

  it('builds the disk and PV (golden)', () => {
    const parsed = parseClassParameters({ type: 'cloud_ssd', fsType: 'xfs' });
    assert.ok(parsed.ok);
    const disk = desiredDisk(claim(), parsed.value, 'cn-hangzhou-h', 'c1');
    assert.ok(typeof disk !== 'string');
    assert.deepEqual(disk, {
      zoneId: 'cn-hangzhou-h',
      category: 'cloud_ssd',
      sizeGiB: 20,
      diskName: 'pvc-u-1',
      description: 'Kubernetes PV pvc-u-1 for claim ns/c',
      encrypted: false,
      tags: [
        { key: 'ack.aliyun.com', value: 'c1' },
        { key: 'kubernetes.io/created-for/pv/name', value: 'pvc-u-1' },
        { key: 'kubernetes.io/created-for/pvc/namespace', value: 'ns' },
        { key: 'kubernetes.io/created-for/pvc/name', value: 'c' },
      ],
      clientToken: 'kube-alicloud-disk-u-1',
    });
    const pv = desiredVolume({
      claim: claim(),
      storageClass: { metadata: { name: 'sc' }, reclaimPolicy: 'Retain' },
      provisioner: 'alicloud/disk',
      diskClass: parsed.value,
      diskId: 'd-1',
      zoneId: 'cn-hangzhou-h',
      regionId: 'cn-hangzhou',
      sizeGiB: 20,
    });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pv.spec?.flexVolume?.fsType, 'xfs');
    assert.equal(diskIdOf(pv), 'd-1');
    assert.deepEqual(pv.metadata?.labels, {
      'topology.kubernetes.io/zone': 'cn-hangzhou-h',
      'topology.kubernetes.io/region': 'cn-hangzhou',
    });
    assert.equal(
      desiredDisk(
        claim({ resources: { requests: { storage: '3000Gi' } } }),
        { ...parsed.value, category: 'cloud' },
        'z',
        'c1',
      ),
      'requested 3000 GiB exceeds the 2000 GiB maximum of cloud',
    );
  });

  it('a provisioned disk is one the FlexVolume driver attaches, as its PV only; class tags cannot open disks or forge records', () => {
    const parsed = parseClassParameters({ type: 'cloud_essd' });
    assert.ok(parsed.ok);
    const disk = desiredDisk(claim(), parsed.value, 'cn-hangzhou-h', 'c1');
    assert.ok(typeof disk !== 'string');
    const pv = desiredVolume({
      claim: claim(),
      storageClass: { metadata: { name: 'sc' } },
      provisioner: 'alicloud/disk',
      diskClass: parsed.value,
      diskId: 'd-1',
      zoneId: 'cn-hangzhou-h',
      regionId: 'cn-hangzhou',
      sizeGiB: 20,
    });
    const seen: CloudDisk = {
      diskId: 'd-1',
      diskName: disk.diskName,
      status: 'Available',
      instanceId: '',
      device: '',
      serialNumber: '',
      zoneId: 'cn-hangzhou-h',
      sizeGiB: 20,
      type: 'data',
      tags: Object.fromEntries(disk.tags.map((t) => [t.key, t.value])),
    };
    assert.equal(
      assertAttachable({ clusterId: 'c1', kubeAliyunDisks: [] }, seen, pv.metadata?.name),
      'cluster-tag',
    );
    assert.throws(
      () => assertAttachable({ clusterId: 'c2', kubeAliyunDisks: [] }, seen, pv.metadata?.name),
      /does not belong to cluster c2/,
    );
    for (const key of [
      'alicloud.kubernetes.io/open-to/c9',
      'alicloud.kubernetes.io/attachment',
      'alicloud.kubernetes.io/attached-node',
    ]) {
      const r = parseClassParameters({ tags: `${key}=x` });
      assert.equal(r.ok, false, key);
    }
    assert.equal(
      parseClassParameters({ tags: Array.from({ length: 14 }, (_, i) => `k${i}=v`).join(',') }).ok,
      false,
      'at most 13 tags',
    );
    assert.equal(
      parseClassParameters({ tags: Array.from({ length: 13 }, (_, i) => `k${i}=v`).join(',') }).ok,
      true,
    );
  });
});
