// Materialises emulated cloud disks on this host as loop devices, the way the real kernel shows an
// attached ECS disk: a block device plus the udev link <devRoot>/disk/by-id/virtio-<serial>. Each
// disk id has a sparse backing file that survives detach, so data written before a detach is there
// after the next attach. Needs root and losetup; `loopDisksAvailable()` says whether tests can run.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlicloudEmulator } from '../../emulators/alicloud/index.js';

const SBIN_PATH = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

function sh(file: string, args: string[]): string {
  return execFileSync(file, args, {
    env: SBIN_PATH,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function loopDisksAvailable(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not running as root' };
  try {
    sh('losetup', ['--version']);
  } catch {
    return { ok: false, why: 'losetup is not installed' };
  }
  if (!existsSync('/dev/loop-control')) return { ok: false, why: '/dev/loop-control is missing' };
  return { ok: true, why: '' };
}

export function toolAvailable(tool: string): boolean {
  try {
    execFileSync('which', [tool], { env: SBIN_PATH, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class LoopDisks {
  readonly root: string;
  readonly devRoot: string;
  private readonly backing: string;
  private readonly active = new Map<string, string>();

  constructor(private readonly sizeBytes = 64 << 20) {
    this.root = mkdtempSync(join(tmpdir(), 'flexv-loop-'));
    this.devRoot = join(this.root, 'dev');
    this.backing = join(this.root, 'backing');
    mkdirSync(join(this.devRoot, 'disk/by-id'), { recursive: true });
    mkdirSync(this.backing, { recursive: true });
  }

  static serial(diskId: string): string {
    return diskId.replace(/^d-/, '').slice(0, 20);
  }

  linkPath(diskId: string): string {
    return join(this.devRoot, 'disk/by-id', `virtio-${LoopDisks.serial(diskId)}`);
  }

  /** The loop device currently backing `diskId`, if attached. */
  device(diskId: string): string | undefined {
    return this.active.get(diskId);
  }

  backingFile(diskId: string): string {
    return join(this.backing, `${diskId}.img`);
  }

  /** Pre-fill a disk with bytes (e.g. data without a filesystem signature). */
  writeBacking(diskId: string, offset: number, data: Buffer): void {
    this.ensureBacking(diskId);
    const file = this.backingFile(diskId);
    const current = readFileSync(file);
    data.copy(current, offset);
    writeFileSync(file, current);
  }

  private ensureBacking(diskId: string): void {
    const file = this.backingFile(diskId);
    if (!existsSync(file)) {
      writeFileSync(file, '');
      truncateSync(file, this.sizeBytes);
    }
  }

  attach(diskId: string): string {
    const existing = this.active.get(diskId);
    if (existing) return existing;
    this.ensureBacking(diskId);
    const dev = sh('losetup', ['-f', '--show', this.backingFile(diskId)]);
    this.active.set(diskId, dev);
    rmSync(this.linkPath(diskId), { force: true });
    symlinkSync(dev, this.linkPath(diskId));
    return dev;
  }

  detach(diskId: string): void {
    const dev = this.active.get(diskId);
    rmSync(this.linkPath(diskId), { force: true });
    if (!dev) return;
    this.active.delete(diskId);
    try {
      sh('losetup', ['-d', dev]);
    } catch {
      // already gone
    }
  }

  /** Make the emulator's attach/detach of disks to `instanceId` appear/disappear on this host. */
  wire(emu: AlicloudEmulator, instanceId: string): void {
    emu.hooks.onDiskAttached = (disk, inst) => {
      if (inst.InstanceId === instanceId) this.attach(disk.DiskId);
    };
    emu.hooks.onDiskDetached = (disk, inst) => {
      if (inst.InstanceId === instanceId) this.detach(disk.DiskId);
    };
  }

  /** Unmount anything still mounted from our devices or under our root, free the loops, remove files. */
  cleanup(): void {
    const devs = new Set(this.active.values());
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 6)
      .map((f) => ({ point: f[4]!, source: f[f.indexOf('-', 6) + 2] ?? '' }));
    for (const m of mounts.reverse()) {
      if (devs.has(m.source) || m.point.startsWith(this.root)) {
        try {
          sh('umount', [m.point]);
        } catch {
          // keep going: best effort in after() hooks
        }
      }
    }
    for (const id of [...this.active.keys()]) this.detach(id);
    rmSync(this.root, { recursive: true, force: true });
  }
}
