// Unit tests for the driver's pure helpers and host-local primitives (no cloud, no root).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { acquireLock, withLock } from '../../src/flexvolume/lock.js';
import { parseMountInfo, devIdOf } from '../../src/flexvolume/mountinfo.js';
import { parseVolumeOptions } from '../../src/flexvolume/options.js';
import { intervals, pollUntil } from '../../src/flexvolume/poll.js';
import { markDetached, readRecord, writeRecord } from '../../src/flexvolume/records.js';
import { resolveDisk } from '../../src/flexvolume/resolve.js';
import { checkPath, checkDiskId } from '../../src/flexvolume/validate.js';
import { byIdPaths, mapApiDevice, serialOf } from '../../src/flexvolume/device.js';
import { instanceFromProviderId } from '../../src/flexvolume/identity.js';
import { jsonAndNode } from '../../src/flexvolume/cloud-calls.js';
import { PV_NAME_TAG, type CloudDisk, type DiskCloud, type DiskQuery } from '../../src/flexvolume/cloud/types.js';

describe('flexvolume helpers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexv-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('validation', () => {
    it('accepts only safe absolute paths', () => {
      assert.equal(checkPath('/var/lib/kubelet/plugins/kubernetes.io/flexvolume/alicloud/disk/mounts/pv-1', 'p'), '/var/lib/kubelet/plugins/kubernetes.io/flexvolume/alicloud/disk/mounts/pv-1');
      for (const bad of ['relative/x', '/a/../b', '/a/./b', '/a b', '/a;b', '/a$(x)', '/a`x`', '/a|b', '/a\nb', '/a\0b', '/a&b', "/a'b", '/a"b', '/a>b', '']) {
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
      const o = parseVolumeOptions(JSON.stringify({ volumeId: 'd-abc', 'kubernetes.io/fsType': '', 'kubernetes.io/readwrite': 'ro', 'kubernetes.io/pvOrVolumeName': 'pv-x', flags: 'noatime, nodev' }));
      assert.deepEqual([o.diskId, o.fsType, o.readOnly, o.volumeName, o.mountFlags], ['d-abc', undefined, true, 'pv-x', ['noatime', 'nodev']]);
      assert.throws(() => parseVolumeOptions('{"kubernetes.io/readwrite":"rwx"}'), /readwrite/);
      assert.throws(() => parseVolumeOptions('{"diskId":{"a":1}}'), /must be a string/);
      assert.throws(() => parseVolumeOptions('{"kubernetes.io/pvOrVolumeName":"../etc"}'), /invalid volume name/);
    });

    it('finds the JSON argument of attach/isattached in either order', () => {
      assert.deepEqual(jsonAndNode(['{"diskId":"d-a"}', 'node-1']), ['{"diskId":"d-a"}', 'node-1']);
      assert.deepEqual(jsonAndNode(['node-1', '{"diskId":"d-a"}']), ['{"diskId":"d-a"}', 'node-1']);
    });
  });

  describe('device naming', () => {
    it('derives the serial and by-id links from the disk id', () => {
      assert.equal(serialOf('d-bp1abcdefghijklmnopqrstu'), 'bp1abcdefghijklmnopq');
      assert.deepEqual(byIdPaths('/dev', 'd-bp1x'), ['/dev/disk/by-id/virtio-bp1x', '/dev/disk/by-id/nvme-Alibaba_Cloud_Elastic_Block_Storage_bp1x']);
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
      assert.deepEqual([m[1]!.devId, m[1]!.mountPoint, m[1]!.fsType, m[1]!.source], ['7:3', '/var/lib/kubelet/mounts/pv 1', 'ext4', '/dev/loop3']);
      assert.equal(devIdOf(7 * 256 + 3), '7:3');
      assert.equal(devIdOf(259 * 256 + 0), '259:0');
    });
  });

  describe('polling', () => {
    it('starts short and grows to the cap', () => {
      const g = intervals({ firstMs: 100, maxMs: 1000, factor: 2 });
      assert.deepEqual(Array.from({ length: 6 }, () => g.next().value), [100, 200, 400, 800, 1000, 1000]);
    });

    it('returns undefined at the bound and the value when ready', async () => {
      let n = 0;
      assert.equal(await pollUntil(() => Promise.resolve(++n >= 3 ? 'ok' : undefined), { timeoutMs: 5000, firstMs: 1 }), 'ok');
      assert.equal(await pollUntil(() => Promise.resolve(undefined), { timeoutMs: 30, firstMs: 5 }), undefined);
    });

  });

  describe('attach records', () => {
    it('writes atomically, reads back, and survives detach marking', () => {
      writeRecord(dir, { volumeName: 'pv-1', diskId: 'd-abc', instanceId: 'i-1' });
      assert.equal(readRecord(dir, 'pv-1')?.diskId, 'd-abc');
      markDetached(dir, 'pv-1');
      assert.equal(readRecord(dir, 'pv-1')?.detached, true);
      assert.deepEqual(readdirSync(join(dir, 'volumes')), ['pv-1.json'], 'no temp files left');
    });

    it('ignores corrupt records', () => {
      writeRecord(dir, { volumeName: 'pv-2', diskId: 'd-abc' });
      writeFileSync(join(dir, 'volumes', 'pv-2.json'), '{"volumeName":"pv-2","diskId":"d-;x"}');
      assert.equal(readRecord(dir, 'pv-2'), undefined);
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
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
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

  describe('volume → disk resolution', () => {
    function fakeCloud(disks: CloudDisk[]): DiskCloud & { queries: DiskQuery[] } {
      const queries: DiskQuery[] = [];
      const none = () => Promise.reject(new Error('not used'));
      return {
        queries,
        describeDisks: (q) => {
          queries.push(q);
          return Promise.resolve(disks.filter((d) => (!q.tag || d.tags[q.tag.key] === q.tag.value) && (!q.diskName || d.diskName === q.diskName)));
        },
        attachDisk: none,
        detachDisk: none,
        resizeDisk: none,
        describeInstances: none,
      };
    }
    const disk = (id: string, extra: Partial<CloudDisk>): CloudDisk => ({ diskId: id, diskName: '', status: 'In_use', instanceId: 'i-1', device: '', serialNumber: '', zoneId: 'z', sizeGiB: 20, type: 'data', tags: {}, ...extra });

    it('prefers the record, then a disk-id name, without cloud calls', async () => {
      const cloud = fakeCloud([]);
      writeRecord(dir, { volumeName: 'pv-rec', diskId: 'd-rec' });
      assert.deepEqual(await resolveDisk(dir, cloud, 'pv-rec', 'i-1'), { diskId: 'd-rec', source: 'record' });
      assert.deepEqual(await resolveDisk(dir, cloud, 'd-named', 'i-1'), { diskId: 'd-named', source: 'name' });
      assert.equal(cloud.queries.length, 0);
    });

    it('finds provisioned disks by tag, then by name, and picks the one on this instance', async () => {
      const cloud = fakeCloud([
        disk('d-t1', { tags: { [PV_NAME_TAG]: 'pvc-1' }, instanceId: 'i-9' }),
        disk('d-t2', { tags: { [PV_NAME_TAG]: 'pvc-1' }, instanceId: 'i-1' }),
        disk('d-n1', { diskName: 'pvc-2' }),
      ]);
      assert.equal((await resolveDisk(dir, cloud, 'pvc-1', 'i-1'))?.diskId, 'd-t2');
      assert.equal((await resolveDisk(dir, cloud, 'pvc-2', 'i-1'))?.diskId, 'd-n1');
      assert.equal(await resolveDisk(dir, cloud, 'pvc-3', 'i-1'), undefined);
      await assert.rejects(resolveDisk(dir, cloud, 'pvc-1', 'i-5'), /refusing to guess/);
    });
  });
});
