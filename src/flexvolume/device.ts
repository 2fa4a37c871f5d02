// Finding the block device of a cloud disk on this host. The disk serial (disk id without "d-",
// at most 20 characters) is the reliable identity: udev publishes it as a by-id link, sysfs as
// /sys/block/<dev>/serial. The API's device name (/dev/xvdX) is only a fallback, and only when
// the candidate device has no serial to contradict it. The system disk is never returned.
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DriverError } from './protocol.js';
import { devIdOf, readMounts, type MountEntry } from './mountinfo.js';

export function serialOf(diskId: string): string {
  return diskId.replace(/^d-/, '').slice(0, 20);
}

export function byIdPaths(devRoot: string, diskId: string): string[] {
  const serial = serialOf(diskId);
  return [
    join(devRoot, 'disk/by-id', `virtio-${serial}`),
    join(devRoot, 'disk/by-id', `nvme-Alibaba_Cloud_Elastic_Block_Storage_${serial}`),
  ];
}

/** `/dev/xvdc` → `<devRoot>/vdc` (KVM guests see virtio names). */
export function mapApiDevice(devRoot: string, apiDevice: string): string | undefined {
  const m = /^\/dev\/(?:xvd|vd)([a-z]{1,2})$/.exec(apiDevice);
  return m ? join(devRoot, `vd${m[1]}`) : undefined;
}

export function blockDevId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return st.isBlockDevice() ? devIdOf(st.rdev) : undefined;
  } catch {
    return undefined;
  }
}

/** Device ids that hold `/`: the root filesystem's device and, for a partition, its whole disk. */
export function systemDevIds(sysRoot: string, mounts: MountEntry[]): Set<string> {
  const ids = new Set<string>();
  const root = mounts.filter((m) => m.mountPoint === '/').pop();
  if (!root) return ids;
  ids.add(root.devId);
  const src = blockDevId(root.source);
  if (src) ids.add(src);
  for (const id of [...ids]) {
    try {
      // /sys/dev/block/M:m is a link into the device tree; a partition's parent dir is its disk.
      const real = realpathSync(join(sysRoot, 'dev/block', id));
      if (existsSync(join(real, 'partition'))) ids.add(readFileSync(join(real, '..', 'dev'), 'utf8').trim());
    } catch {
      // no sysfs entry (overlay, tmpfs root): nothing more to add
    }
  }
  return ids;
}

export function assertNotSystemDisk(device: string, devId: string, sysRoot: string): void {
  if (systemDevIds(sysRoot, readMounts()).has(devId))
    throw new DriverError(`${device} holds the root filesystem; refusing to use it`);
}

function sysfsSerial(sysRoot: string, device: string): string | undefined {
  const name = basename(device);
  for (const p of [join(sysRoot, 'block', name, 'serial'), join(sysRoot, 'block', name, 'device/serial')]) {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** Scan sysfs for a device whose serial matches, for hosts where udev links are missing. */
function scanSysfs(sysRoot: string, devRoot: string, serial: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(join(sysRoot, 'block'));
  } catch {
    return undefined;
  }
  for (const n of names) if (sysfsSerial(sysRoot, n) === serial) return join(devRoot, n);
  return undefined;
}

export interface FoundDevice {
  path: string;
  devId: string;
  via: 'by-id' | 'sysfs' | 'api-device';
}

/**
 * One look for the device; undefined when it is not (yet) visible. `apiDevice` is the attach-time
 * hint, used only if that device exists and carries no serial of its own.
 */
export function findDevice(
  devRoot: string,
  sysRoot: string,
  diskId: string,
  apiDevice?: string,
): FoundDevice | undefined {
  const serial = serialOf(diskId);
  for (const link of byIdPaths(devRoot, diskId)) {
    if (!existsSync(link)) continue;
    const path = realpathSync(link);
    const devId = blockDevId(path);
    if (devId) return { path, devId, via: 'by-id' };
  }
  const scanned = scanSysfs(sysRoot, devRoot, serial);
  if (scanned) {
    const devId = blockDevId(scanned);
    if (devId) return { path: scanned, devId, via: 'sysfs' };
  }
  const mapped = apiDevice ? mapApiDevice(devRoot, apiDevice) : undefined;
  if (mapped && sysfsSerial(sysRoot, mapped) === undefined) {
    const devId = blockDevId(mapped);
    if (devId) return { path: mapped, devId, via: 'api-device' };
  }
  return undefined;
}
