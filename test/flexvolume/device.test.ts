// Device discovery against a fabricated /dev and /sys: which path wins (by-id link, sysfs serial,
// the API's xvd name), that the API name never overrides a device whose serial says it is another
// disk, and which device ids count as the system disk. Real block devices of this host are only
// stat()ed through symlinks (never opened), so nothing here touches a disk.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDevice, systemDevIds } from '../../src/flexvolume/device.js';
import { devIdOf, type MountEntry } from '../../src/flexvolume/mountinfo.js';

/** Two block devices of this host to point fake device names at, or undefined when there are none. */
function twoBlockDevices(): [string, string] | undefined {
  const found: string[] = [];
  for (const name of readdirSync('/dev').sort()) {
    try {
      if (statSync(join('/dev', name)).isBlockDevice()) found.push(join('/dev', name));
    } catch {
      // vanished or unreadable: not a candidate
    }
    if (found.length === 2) return [found[0]!, found[1]!];
  }
  return undefined;
}

describe('flexvolume device discovery (fabricated /dev and /sys)', function () {
  let root: string;
  let devRoot: string;
  let sysRoot: string;
  let blockA: string;
  let blockB: string;
  const diskId = 'd-bp1aaaaaaaaaaaaaaaaaaaa';
  const serial = 'bp1aaaaaaaaaaaaaaaaa';

  before(function () {
    const devs = twoBlockDevices();
    if (!devs) {
      console.warn('SKIPPING device discovery tests: this host shows no block devices in /dev');
      this.skip();
    }
    [blockA, blockB] = devs!;
  });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flexv-dev-'));
    devRoot = join(root, 'dev');
    sysRoot = join(root, 'sys');
    mkdirSync(join(devRoot, 'disk/by-id'), { recursive: true });
    mkdirSync(join(sysRoot, 'block'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A device node `<devRoot>/<name>` (symlink to a real block device) with an optional sysfs serial. */
  function device(name: string, target: string, sysSerial?: string): string {
    const path = join(devRoot, name);
    symlinkSync(target, path);
    mkdirSync(join(sysRoot, 'block', name), { recursive: true });
    if (sysSerial !== undefined) writeFileSync(join(sysRoot, 'block', name, 'serial'), `${sysSerial}\n`);
    return path;
  }

  it('prefers the udev by-id link over the sysfs serial and the API device name', () => {
    device('vdb', blockB, serial);
    symlinkSync(blockA, join(devRoot, 'disk/by-id', `virtio-${serial}`));
    const found = findDevice(devRoot, sysRoot, diskId, '/dev/xvdb');
    assert.equal(found?.via, 'by-id');
    assert.equal(found?.path, blockA);
    assert.equal(found?.devId, devIdOf(statSync(blockA).rdev));
  });

  it('finds the device by its sysfs serial when udev made no link', () => {
    device('vdc', blockA, 'someotherdisk0000000');
    const vdd = device('vdd', blockB, serial);
    const found = findDevice(devRoot, sysRoot, diskId, '/dev/xvdc');
    assert.deepEqual(found, { path: vdd, devId: devIdOf(statSync(blockB).rdev), via: 'sysfs' });
  });

  it('falls back to the API device name mapped xvd → vd when the device has no serial', () => {
    const vdc = device('vdc', blockA);
    const found = findDevice(devRoot, sysRoot, diskId, '/dev/xvdc');
    assert.deepEqual(found, { path: vdc, devId: devIdOf(statSync(blockA).rdev), via: 'api-device' });
  });

  it('never takes the API device name when that device serial names another disk', () => {
    device('vdc', blockA, 'someotherdisk0000000');
    assert.equal(findDevice(devRoot, sysRoot, diskId, '/dev/xvdc'), undefined);
  });

  it('answers undefined while nothing is visible yet, and ignores a hostile API name', () => {
    assert.equal(findDevice(devRoot, sysRoot, diskId), undefined);
    device('vdc', blockA);
    assert.equal(findDevice(devRoot, sysRoot, diskId, '/dev/../dev/vdc'), undefined);
    assert.equal(findDevice(devRoot, sysRoot, diskId, '/dev/sda'), undefined);
  });

  describe('systemDevIds', () => {
    const mount = (mountPoint: string, devId: string, source: string): MountEntry => ({
      devId,
      root: '/',
      mountPoint,
      fsType: 'ext4',
      source,
      options: 'rw',
    });

    it('holds the root mount, its source device, and the whole disk of a root partition', () => {
      // /sys/dev/block/<id> links into the device tree; a partition dir sits inside its disk dir.
      const disk = join(sysRoot, 'devices/virtual/block/vda');
      mkdirSync(join(disk, 'vda1'), { recursive: true });
      writeFileSync(join(disk, 'dev'), '253:0\n');
      writeFileSync(join(disk, 'vda1', 'partition'), '1\n');
      mkdirSync(join(sysRoot, 'dev/block'), { recursive: true });
      symlinkSync(join(disk, 'vda1'), join(sysRoot, 'dev/block/253:1'));
      const ids = systemDevIds(sysRoot, [
        mount('/data', '7:9', '/dev/loop9'),
        mount('/', '253:1', '/dev/vda1'),
      ]);
      assert.deepEqual([...ids].sort(), ['253:0', '253:1']);
    });

    it('adds the source block device when the root mount reports another id (e.g. btrfs)', () => {
      const ids = systemDevIds(sysRoot, [mount('/', '0:31', blockA)]);
      assert.ok(ids.has('0:31'));
      assert.ok(ids.has(devIdOf(statSync(blockA).rdev)));
      assert.equal(ids.size, 2);
    });

    it('is empty without a root mount, so it never blocks a device by accident', () => {
      assert.equal(systemDevIds(sysRoot, [mount('/data', '7:9', '/dev/loop9')]).size, 0);
    });
  });
});
