// /proc/self/mountinfo is the kernel's own view of mounts (unlike /etc/mtab or `mount` output), so
// "is this path mounted, and from which device" is answered without running a command.
import { readFileSync } from 'node:fs';

export interface MountEntry {
  devId: string; // "major:minor"
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;
}

function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f.length < sep + 3) continue;
    out.push({
      devId: f[2]!,
      root: unescape(f[3]!),
      mountPoint: unescape(f[4]!),
      options: f[5]!,
      fsType: f[sep + 1]!,
      source: unescape(f[sep + 2]!),
    });
  }
  return out;
}

export function readMounts(path = '/proc/self/mountinfo'): MountEntry[] {
  return parseMountInfo(readFileSync(path, 'utf8'));
}

export function devIdOf(rdev: number): string {
  // Linux dev_t encoding (glibc's gnu_dev_major/minor).
  const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
  return `${major}:${minor}`;
}
