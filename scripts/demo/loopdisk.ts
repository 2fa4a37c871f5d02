// An emulated ECS disk made real on this host: when the Alibaba Cloud emulator attaches a disk to
// the demo's own instance, a sparse file of the disk's size becomes a loop device, published the
// way udev publishes a virtio cloud disk (<devRoot>/disk/by-id/virtio-<serial>). Detach removes
// it. Needs root and losetup.
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AlicloudEmulator, Disk } from '../../emulators/alicloud/index.js';
import type { Cleanup } from './cleanup.js';

const run = promisify(execFile);
const SBIN = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

export const NOT_ROOT = 'not running as root (loop devices, mounts and network namespaces need root)';

/** Why loop devices cannot be used here, or undefined when they can. */
export function loopUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return NOT_ROOT;
  if (!existsSync('/dev/loop-control')) return '/dev/loop-control is missing (no loop device support)';
  for (const tool of ['losetup', 'blkid', 'mkfs.ext4', 'findmnt', 'umount']) {
    try {
      execFileSync('which', [tool], { env: SBIN, stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  try {
    // Finds (without using) a free loop device: fails in containers without access to them.
    execFileSync('losetup', ['--find'], { env: SBIN, stdio: 'ignore', timeout: 5000 });
  } catch {
    return 'no free loop device can be set up here (losetup --find failed)';
  }
  return undefined;
}

export class LoopDisks {
  readonly devRoot: string;
  private readonly backing: string;
  private readonly active = new Map<string, string>();
  private closed = false;
  constructor(
    root: string,
    private readonly cleanup: Cleanup,
  ) {
    this.devRoot = join(root, 'dev');
    this.backing = join(root, 'disks');
    mkdirSync(join(this.devRoot, 'disk/by-id'), { recursive: true });
    mkdirSync(this.backing, { recursive: true });
    cleanup.add('loop devices', () => this.releaseAll());
  }

  /** The by-id name the driver looks for: the disk id without "d-", at most 20 characters. */
  private link(diskId: string): string {
    return join(this.devRoot, 'disk/by-id', `virtio-${diskId.replace(/^d-/, '').slice(0, 20)}`);
  }

  device(diskId: string): string | undefined {
    return this.active.get(diskId);
  }

  backingFile(diskId: string): string {
    return join(this.backing, `${diskId}.img`);
  }

  private async attach(disk: Disk): Promise<void> {
    if (this.active.has(disk.DiskId)) return;
    const file = this.backingFile(disk.DiskId);
    if (!existsSync(file)) {
      // Sparse: a "20 GiB" disk costs only what the filesystem writes.
      writeFileSync(file, '');
      truncateSync(file, disk.Size * 1024 ** 3);
    }
    const { stdout } = await run('losetup', ['--find', '--show', file], { env: SBIN });
    const dev = stdout.trim();
    this.active.set(disk.DiskId, dev);
    this.cleanup.created.loop.push(`${dev}=${file}`);
    if (this.closed) {
      // The demo was interrupted while this attach was in flight.
      await this.detach(disk.DiskId);
      return;
    }
    rmSync(this.link(disk.DiskId), { force: true });
    symlinkSync(dev, this.link(disk.DiskId));
  }

  private async detach(diskId: string): Promise<void> {
    rmSync(this.link(diskId), { force: true });
    const dev = this.active.get(diskId);
    if (!dev) return;
    this.active.delete(diskId);
    await run('losetup', ['--detach', dev], { env: SBIN });
  }

  /** Mirror the emulator's attach/detach of disks to `instanceId` onto this host. */
  wire(emu: AlicloudEmulator, instanceId: string): void {
    emu.hooks.onDiskAttached = (disk, inst) =>
      inst.InstanceId === instanceId ? this.attach(disk) : undefined;
    emu.hooks.onDiskDetached = (disk, inst) =>
      inst.InstanceId === instanceId ? this.detach(disk.DiskId) : undefined;
  }

  /** Unmount whatever is still mounted from our loop devices, then free them. */
  async releaseAll(): Promise<void> {
    this.closed = true;
    const devs = new Set(this.active.values());
    if (devs.size === 0) return;
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 6)
      .map((f) => ({ point: f[4]!.replace(/\\040/g, ' '), source: f[f.indexOf('-', 6) + 2] ?? '' }))
      .filter((m) => devs.has(m.source))
      .reverse();
    for (const m of mounts) await run('umount', [m.point], { env: SBIN });
    for (const id of [...this.active.keys()]) await this.detach(id);
  }
}
