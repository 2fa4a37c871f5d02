// Unit tests for the driver's pure helpers and host-local primitives (no cloud, no root).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createFileLog } from '../../src/flexvolume/filelog.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { acquireLock, withLock } from '../../src/flexvolume/lock.js';
import { parseMountInfo, devIdOf } from '../../src/flexvolume/mountinfo.js';
import { parseVolumeOptions } from '../../src/flexvolume/options.js';
import { intervals, pollUntil } from '../../src/flexvolume/poll.js';
import { attachmentKey, attachmentTags, findAttachment } from '../../src/flexvolume/attachments.js';
import { assertAttachable, grantFor } from '../../src/flexvolume/ownership.js';
import { TAG_ATTACHED_NODE, TAG_CLUSTER_ID, TAG_DISK_OPEN_PREFIX } from '../../src/cloud/ownership.js';
import { checkPath, checkDiskId } from '../../src/flexvolume/validate.js';
import { byIdPaths, mapApiDevice, serialOf } from '../../src/flexvolume/device.js';
import { instanceFromProviderId } from '../../src/flexvolume/identity.js';
import { jsonAndNode } from '../../src/flexvolume/cloud-calls.js';
import { toDiskRecord } from '../../src/cloud/ecs-disk.js';
import { observe } from '../../src/controllers/disk/cloudport.js';
import type { EcsDisk } from '../../src/cloud/ecs-types.js';
import {
  PV_NAME_TAG,
  type CloudDisk,
  type DiskCloud,
  type DiskQuery,
} from '../../src/flexvolume/cloud/types.js';

describe('flexvolume helpers', () => {
  it('reads an ECS disk through the one record the disk controller reads too', () => {
    const sparse = toDiskRecord({ DiskId: 'd-1' });
    assert.deepEqual(sparse, {
      diskId: 'd-1',
      diskName: '',
      status: '',
      instanceId: '',
      device: '',
      serialNumber: '',
      zoneId: '',
      category: '',
      sizeGiB: 0,
      type: '',
      tags: {},
    });
    const full = {
      DiskId: 'd-2',
      Status: 'In_use',
      InstanceId: 'i-1',
      ZoneId: 'z',
      Category: 'cloud_essd',
      Size: '40',
      Tags: { Tag: [{ TagKey: 'k', TagValue: 'v' }] },
    } as unknown as EcsDisk;
    const r = toDiskRecord(full);
    assert.equal(r.sizeGiB, 40, 'a size passed through as a string still reads as a number');
    assert.deepEqual(r.tags, { k: 'v' });
    const o = observe(full);
    for (const k of ['diskId', 'status', 'instanceId', 'zoneId', 'category', 'sizeGiB', 'tags'] as const)
      assert.deepEqual(o[k], r[k], `controller and driver agree on ${k}`);
  });

  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexv-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('validation', () => {
    it('accepts only safe absolute paths', () => {
      assert.equal(
        checkPath('/var/lib/kubelet/plugins/kubernetes.io/flexvolume/alicloud/disk/mounts/pv-1', 'p'),
        '/var/lib/kubelet/plugins/kubernetes.io/flexvolume/alicloud/disk/mounts/pv-1',
      );
      for (const bad of [
        'relative/x',
        '/a/../b',
        '/a/./b',
        '/a b',
        '/a;b',
        '/a$(x)',
        '/a`x`',
        '/a|b',
        '/a\nb',
        '/a\0b',
        '/a&b',
        "/a'b",
        '/a"b',
        '/a>b',
        '',
      ]) {
        assert.throws(() => checkPath(bad, 'p'), `${JSON.stringify(bad)} must be refused`);
      }
    });

    it('refuses any disk id with a character outside [a-z0-9] (property)', () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 30 }), (tail) => {
          const id = `d-${tail}`;
          const ok = /^[a-z0-9]+$/.test(tail);
          if (ok) assert.equal(checkDiskId(id), id);
          else assert.throws(() => checkDiskId(id));
        }),
      );
    });

    it('reads diskId or volumeId, fsType, readwrite and allowed flags', () => {
      const o = parseVolumeOptions(
        JSON.stringify({
          volumeId: 'd-abc',
          'kubernetes.io/fsType': '',
          'kubernetes.io/readwrite': 'ro',
          'kubernetes.io/pvOrVolumeName': 'pv-x',
          flags: 'noatime, nodev',
        }),
      );
      assert.deepEqual(
        [o.diskId, o.fsType, o.readOnly, o.volumeName, o.mountFlags],
        ['d-abc', undefined, true, 'pv-x', ['noatime', 'nodev']],
      );
      assert.throws(() => parseVolumeOptions('{"kubernetes.io/readwrite":"rwx"}'), /readwrite/);
      assert.throws(() => parseVolumeOptions('{"diskId":{"a":1}}'), /must be a string/);
      assert.throws(
        () => parseVolumeOptions('{"kubernetes.io/pvOrVolumeName":"../etc"}'),
        /invalid volume name/,
      );
    });

    it('finds the JSON argument of attach/isattached in either order', () => {
      assert.deepEqual(jsonAndNode(['{"diskId":"d-a"}', 'node-1']), ['{"diskId":"d-a"}', 'node-1']);
      assert.deepEqual(jsonAndNode(['node-1', '{"diskId":"d-a"}']), ['{"diskId":"d-a"}', 'node-1']);
    });
  });

  describe('device naming', () => {
    it('derives the serial and by-id links from the disk id', () => {
      assert.equal(serialOf('d-bp1abcdefghijklmnopqrstu'), 'bp1abcdefghijklmnopq');
      assert.deepEqual(byIdPaths('/dev', 'd-bp1x'), [
        '/dev/disk/by-id/virtio-bp1x',
        '/dev/disk/by-id/nvme-Alibaba_Cloud_Elastic_Block_Storage_bp1x',
      ]);
      assert.equal(mapApiDevice('/dev', '/dev/xvdc'), '/dev/vdc');
      assert.equal(mapApiDevice('/dev', '/dev/sda;x'), undefined);
    });

    it('parses provider ids', () => {
      assert.equal(instanceFromProviderId('alicloud://cn-hangzhou.i-abc123'), 'i-abc123');
      assert.equal(instanceFromProviderId('cn-hangzhou.i-abc123'), 'i-abc123');
      assert.equal(instanceFromProviderId('aws:///us-east-1a/i-0abc'), undefined);
    });

    it('parses mountinfo including escaped spaces and optional fields', () => {
      const text = [
        '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
        '90 22 7:3 / /var/lib/kubelet/mounts/pv\\0401 rw,relatime shared:40 master:2 - ext4 /dev/loop3 rw',
      ].join('\n');
      const m = parseMountInfo(text);
      assert.equal(m.length, 2);
      assert.deepEqual(
        [m[1]!.devId, m[1]!.mountPoint, m[1]!.fsType, m[1]!.source],
        ['7:3', '/var/lib/kubelet/mounts/pv 1', 'ext4', '/dev/loop3'],
      );
      assert.equal(devIdOf(7 * 256 + 3), '7:3');
      assert.equal(devIdOf(259 * 256 + 0), '259:0');
    });
  });

  describe('polling', () => {
    it('starts short and grows to the cap', () => {
      const g = intervals({ firstMs: 100, maxMs: 1000, factor: 2 });
      assert.deepEqual(
        Array.from({ length: 6 }, () => g.next().value),
        [100, 200, 400, 800, 1000, 1000],
      );
    });

    it('returns undefined at the bound and the value when ready', async () => {
      let n = 0;
      assert.equal(
        await pollUntil(() => Promise.resolve(++n >= 3 ? 'ok' : undefined), { timeoutMs: 5000, firstMs: 1 }),
        'ok',
      );
      assert.equal(
        await pollUntil(() => Promise.resolve(undefined), { timeoutMs: 30, firstMs: 5 }),
        undefined,
      );
    });
  });

  describe('host log', () => {
    it('is rotated by size to <log>.1 (one old file kept), so it stays bounded', () => {
      const path = join(dir, 'log', 'driver.log');
      for (let i = 0; i < 40; i++)
        createFileLog(path, 'attach', 1000).info('line', { i, pad: 'x'.repeat(100) });
      const size = statSync(path).size;
      assert.ok(size < 1000 + 200, `current log ${size} bytes`);
      assert.ok(statSync(`${path}.1`).size >= 1000);
      assert.deepEqual(readdirSync(join(dir, 'log')).sort(), ['driver.log', 'driver.log.1']);
      const last = readFileSync(path, 'utf8').trim().split('\n').pop()!;
      assert.equal((JSON.parse(last) as { i: number }).i, 39);
    });
  });

  describe('host lock', () => {
    it('serialises holders', async () => {
      const order: string[] = [];
      const slow = withLock(dir, 'i-1', 5000, async () => {
        order.push('a-start');
        await new Promise((r) => setTimeout(r, 50));
        order.push('a-end');
      });
      await new Promise((r) => setTimeout(r, 5));
      const fast = withLock(dir, 'i-1', 5000, () => {
        order.push('b');
        return Promise.resolve();
      });
      await Promise.all([slow, fast]);
      assert.deepEqual(order, ['a-start', 'a-end', 'b']);
      assert.equal(existsSync(join(dir, 'i-1.lock')), false);
    });

    it('takes over a lock whose owner died', async () => {
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
        encoding: 'utf8',
      });
      writeFileSync(join(dir, 'i-2.lock'), JSON.stringify({ pid: Number(child.stdout), start: '1' }));
      const lock = await acquireLock(dir, 'i-2', 2000);
      lock.release();
      assert.equal(existsSync(join(dir, 'i-2.lock')), false);
    });

    it('times out on a live holder', async () => {
      const held = await acquireLock(dir, 'i-3', 1000);
      await assert.rejects(acquireLock(dir, 'i-3', 100), /timed out/);
      held.release();
    });
  });

  describe('ownership and durable attachment records', () => {
    const cfg = { clusterId: 'c-test', kubeAliyunDisks: ['d-listed'] };
    function fakeCloud(disks: CloudDisk[]): DiskCloud & { queries: DiskQuery[] } {
      const queries: DiskQuery[] = [];
      const none = () => Promise.reject(new Error('not used'));
      return {
        queries,
        describeDisks: (q) => {
          queries.push(q);
          return Promise.resolve(
            disks.filter(
              (d) =>
                (!q.tag || d.tags[q.tag.key] === q.tag.value) &&
                (!q.diskName || d.diskName === q.diskName) &&
                (!q.diskIds || q.diskIds.includes(d.diskId)),
            ),
          );
        },
        attachDisk: none,
        detachDisk: none,
        resizeDisk: none,
        tagDisk: none,
        describeInstances: none,
      };
    }
    const disk = (id: string, extra: Partial<CloudDisk>): CloudDisk => ({
      diskId: id,
      diskName: '',
      status: 'In_use',
      instanceId: 'i-1',
      device: '',
      serialNumber: '',
      zoneId: 'z',
      sizeGiB: 20,
      type: 'data',
      tags: {},
      ...extra,
    });
    const ours = { [TAG_CLUSTER_ID]: 'c-test' };

    it('grants the cluster tag, the open-to tag and the kube-aliyun list, and nothing else', () => {
      assert.equal(grantFor(cfg, disk('d-a', { tags: ours })), 'cluster-tag');
      assert.equal(
        grantFor(cfg, disk('d-b', { tags: { [`${TAG_DISK_OPEN_PREFIX}c-test`]: 'true' } })),
        'open-tag',
      );
      assert.equal(grantFor(cfg, disk('d-listed', {})), 'kube-aliyun-list');
      assert.equal(grantFor(cfg, disk('d-c', { tags: { [TAG_CLUSTER_ID]: 'c-other' } })), undefined);
      assert.equal(
        grantFor(cfg, disk('d-d', { tags: { [`${TAG_DISK_OPEN_PREFIX}c-other`]: 'true' } })),
        undefined,
      );
      assert.throws(
        () => assertAttachable(cfg, disk('d-c', { tags: { [TAG_CLUSTER_ID]: 'c-other' } }), 'v'),
        /does not belong to cluster c-test \(it is tagged ack.aliyun.com=c-other\).*open-to\/c-test=true/,
      );
      assert.throws(() => assertAttachable(cfg, disk('d-e', {}), 'v'), /it has no ack.aliyun.com tag/);
      assert.throws(
        () => assertAttachable(cfg, disk('d-f', { tags: ours, type: 'system' }), 'v'),
        /system disk/,
      );
    });

    it('attaches a provisioned disk only under the PV it was made for', () => {
      const d = disk('d-p', { tags: { ...ours, [PV_NAME_TAG]: 'pvc-1' } });
      assert.equal(assertAttachable(cfg, d, 'pvc-1'), 'cluster-tag');
      assert.throws(() => assertAttachable(cfg, d, 'data'), /provisioned for PV pvc-1/);
    });

    it('keys records by cluster, node and volume', () => {
      const k = attachmentKey('c', 'n1', 'data');
      assert.match(k, /^[0-9a-f]{40}$/);
      assert.notEqual(k, attachmentKey('c', 'n2', 'data'));
      assert.notEqual(k, attachmentKey('c', 'n1', 'data2'));
      assert.notEqual(k, attachmentKey('c2', 'n1', 'data'));
      assert.notEqual(attachmentKey('c', 'a\nb', 'c'), attachmentKey('c', 'a', 'b\nc'));
      const tags = attachmentTags('c', 'n'.repeat(200), 'v');
      assert.equal(tags[TAG_ATTACHED_NODE]!.length, 128);
    });

    it('finds a disk by its record, then by the cluster PV tag, then the kube-aliyun list; never by a disk-id-like name', async () => {
      const cloud = fakeCloud([
        disk('d-r1', { tags: { ...ours, ...attachmentTags('c-test', 'n1', 'data') } }),
        disk('d-r2', { tags: { ...ours, ...attachmentTags('c-test', 'n2', 'data') }, instanceId: 'i-2' }),
        disk('d-t1', { tags: { ...ours, [PV_NAME_TAG]: 'pvc-1' } }),
        disk('d-foreign', { tags: { [TAG_CLUSTER_ID]: 'c-other', [PV_NAME_TAG]: 'pvc-9' } }),
        disk('d-forged', { tags: attachmentTags('c-test', 'n1', 'forged') }),
        disk('d-listed', { diskName: 'pvc-kubeup' }),
      ]);
      assert.equal((await findAttachment(cfg, cloud, 'data', 'n1', 'i-1'))?.disk.diskId, 'd-r1');
      assert.equal((await findAttachment(cfg, cloud, 'data', 'n2', 'i-2'))?.disk.diskId, 'd-r2');
      assert.equal((await findAttachment(cfg, cloud, 'pvc-1', 'n1', 'i-1'))?.via, 'pv-name-tag');
      assert.equal((await findAttachment(cfg, cloud, 'pvc-kubeup', 'n1', 'i-1'))?.via, 'kube-aliyun-list');
      assert.equal(
        await findAttachment(cfg, cloud, 'pvc-9', 'n1', 'i-1'),
        undefined,
        "another cluster's disk",
      );
      assert.equal(
        await findAttachment(cfg, cloud, 'forged', 'n1', 'i-1'),
        undefined,
        'a record on a disk that is not ours',
      );
      assert.equal(
        await findAttachment(cfg, cloud, 'd-r1', 'n1', 'i-1'),
        undefined,
        'a name that is a disk id',
      );
    });

    it('with one (node, volume) recorded on several disks over time, picks the one attached there, else any (nothing to detach)', async () => {
      const rec = { ...ours, ...attachmentTags('c-test', 'n1', 'data') };
      const old = disk('d-old', { tags: rec, status: 'Available', instanceId: '' });
      const cur = disk('d-cur', { tags: rec, instanceId: 'i-1' });
      assert.equal(
        (await findAttachment(cfg, fakeCloud([old, cur]), 'data', 'n1', 'i-1'))?.disk.diskId,
        'd-cur',
      );
      assert.ok(
        await findAttachment(
          cfg,
          fakeCloud([old, { ...cur, status: 'Available', instanceId: '' }]),
          'data',
          'n1',
          'i-1',
        ),
      );
      await assert.rejects(
        findAttachment(cfg, fakeCloud([{ ...old, instanceId: 'i-1' }, cur]), 'data', 'n1', 'i-1'),
        /matches 2 disks attached there/,
      );
    });
  });
});
