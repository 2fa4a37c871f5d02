// Kubelet-side calls that touch only this host: waitforattach, mountdevice, unmountdevice, expandfs.
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { DriverError, success, type DriverReply } from './protocol.js';
import type { CallContext } from './context.js';
import { assertNotSystemDisk, blockDevId, findDevice } from './device.js';
import { run } from './exec.js';
import { deviceSize, growFs, looksBlank, mkfs, preen, probe } from './filesystem.js';
import { readMounts } from './mountinfo.js';
import { parseVolumeOptions, requireDiskId } from './options.js';
import { pollUntil } from './poll.js';
import { checkPath, checkSize, type FsType } from './validate.js';

function argCount(args: string[], n: number, usage: string): void {
  if (args.length < n) throw new DriverError(`missing arguments, expected: ${usage}`);
}

export async function waitForAttach({ cfg, log, args }: CallContext): Promise<DriverReply> {
  argCount(args, 2, '<devicePath> <json>');
  const hint = args[0] ?? '';
  if (hint !== '') checkPath(hint, 'device path');
  const opts = parseVolumeOptions(args[1]);
  const diskId = requireDiskId(opts);
  const found = await pollUntil(
    () => Promise.resolve(findDevice(cfg.devRoot, cfg.sysRoot, diskId, hint || undefined)),
    { timeoutMs: cfg.deviceTimeoutMs, firstMs: 50, maxMs: 1000 },
  );
  if (!found)
    throw new DriverError(`disk ${diskId} did not appear on this host within ${cfg.deviceTimeoutMs} ms`);
  assertNotSystemDisk(found.path, found.devId, cfg.sysRoot);
  log.info('device found', { diskId, device: found.path, via: found.via });
  return success({ device: found.path });
}

function mountedAt(path: string) {
  return readMounts().filter((m) => m.mountPoint === path);
}

export async function mountDevice({ cfg, log, args }: CallContext): Promise<DriverReply> {
  argCount(args, 3, '<deviceMountPath> <devicePath> <json>');
  const target = checkPath(args[0]!, 'device mount path');
  const device = checkPath(args[1]!, 'device path');
  const opts = parseVolumeOptions(args[2]);
  const devId = blockDevId(device);
  if (!devId) throw new DriverError(`${device} is not a block device`);
  if (opts.diskId) {
    // Cross-check with the serial so a stale or wrong device path can never be formatted.
    const bySerial = findDevice(cfg.devRoot, cfg.sysRoot, opts.diskId);
    if (bySerial && bySerial.devId !== devId)
      throw new DriverError(`${device} is not disk ${opts.diskId} (that disk is ${bySerial.path})`);
  }
  assertNotSystemDisk(device, devId, cfg.sysRoot);

  const mounts = readMounts();
  const atTarget = mounts.filter((m) => m.mountPoint === target);
  if (atTarget.length > 0) {
    if (atTarget.every((m) => m.devId === devId))
      return success({ message: `${device} already mounted at ${target}` });
    throw new DriverError(`${target} is already a mount of another device`);
  }
  const elsewhere = mounts.find((m) => m.devId === devId);
  if (elsewhere) throw new DriverError(`${device} is already mounted at ${elsewhere.mountPoint}`);

  const found = await probe(device);
  if (found.ptType)
    throw new DriverError(
      `${device} carries a ${found.ptType} partition table; refusing to format or mount the whole disk`,
    );
  let fsType: string;
  if (found.type) {
    if (opts.fsType && found.type !== opts.fsType)
      throw new DriverError(
        `${device} holds a ${found.type} filesystem but fsType ${opts.fsType} was requested; not reformatting`,
      );
    fsType = found.type;
    if (!opts.readOnly) await preen(device, fsType);
  } else {
    if (opts.readOnly)
      throw new DriverError(`${device} has no filesystem and the volume is read-only; not formatting`);
    if (!(await looksBlank(device)))
      throw new DriverError(`unrecognized data on ${device}, refusing to format`);
    const want: FsType = opts.fsType ?? 'ext4';
    log.info('formatting', { device, fsType: want });
    await mkfs(device, want);
    fsType = want;
  }
  mkdirSync(target, { recursive: true, mode: 0o750 });
  const mountOpts = [opts.readOnly ? 'ro' : 'rw', ...opts.mountFlags].join(',');
  const r = await run('mount', ['-t', fsType, '-o', mountOpts, device, target]);
  if (r.code !== 0)
    throw new DriverError(
      `mount of ${device} on ${target} failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
    );
  log.info('mounted', { device, target, fsType, mountOpts });
  return success();
}

export async function unmountDevice({ log, args }: CallContext): Promise<DriverReply> {
  argCount(args, 1, '<deviceMountPath>');
  const target = checkPath(args[0]!, 'device mount path');
  if (!existsSync(target)) return success({ message: `${target} does not exist` });
  for (let i = 0; i < 8; i++) {
    const here = mountedAt(target);
    if (here.length === 0) break;
    const devIds = new Set(here.map((m) => m.devId));
    // Pods' bind mounts of the global mount share its device; unmounting under them would leave
    // them on a disk that is about to be detached.
    const others = readMounts().filter(
      (m) => devIds.has(m.devId) && m.mountPoint !== target && !m.mountPoint.startsWith(`${target}/`),
    );
    if (others.length > 0)
      throw new DriverError(
        `device of ${target} is still mounted at ${others.map((m) => m.mountPoint).join(', ')}`,
      );
    const r = await run('umount', [target]);
    if (r.code !== 0)
      throw new DriverError(`umount ${target} failed (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
    log.info('unmounted', { target });
  }
  if (mountedAt(target).length > 0) throw new DriverError(`${target} is still mounted`);
  try {
    rmdirSync(target);
  } catch (err) {
    // A non-empty directory that is not a mount holds data written to the wrong place; keep it.
    log.info('mount point kept', { target, code: (err as NodeJS.ErrnoException).code });
  }
  return success();
}

export async function expandFs({ cfg, log, args }: CallContext): Promise<DriverReply> {
  argCount(args, 5, '<json> <devicePath> <podVolumeDir> <newSize> <oldSize>');
  const opts = parseVolumeOptions(args[0]);
  let device = checkPath(args[1]!, 'device path');
  const podDir = checkPath(args[2]!, 'pod volume dir');
  const newSize = checkSize(args[3], 'new size');
  checkSize(args[4], 'old size');
  if (opts.diskId) device = findDevice(cfg.devRoot, cfg.sysRoot, opts.diskId, device)?.path ?? device;
  const devId = blockDevId(device);
  if (!devId) throw new DriverError(`${device} is not a block device`);
  assertNotSystemDisk(device, devId, cfg.sysRoot);
  const size = await deviceSize(device);
  if (size < newSize)
    throw new DriverError(
      `${device} is ${size} bytes, smaller than the requested ${newSize}; the cloud disk has not been resized yet`,
    );
  const { type } = await probe(device);
  if (!type) throw new DriverError(`${device} has no filesystem to grow`);
  const mounts = readMounts().filter((m) => m.devId === devId);
  const mountPoint = (mounts.find((m) => m.mountPoint === podDir) ?? mounts[0])?.mountPoint;
  await growFs(device, type, mountPoint);
  log.info('filesystem grown', { device, type, size });
  return success();
}
