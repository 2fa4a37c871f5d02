// Safe format-and-mount. A device is formatted only when blkid's low-level probe finds neither a
// filesystem nor a partition table AND its first and last MiB read back as zeros; an existing
// filesystem is mounted as is (after a preen fsck for ext*), or refused if its type differs.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { DriverError } from './protocol.js';
import { run } from './exec.js';
import type { FsType } from './validate.js';

export interface Probe {
  type: string | undefined;
  ptType: string | undefined;
}

export async function probe(device: string): Promise<Probe> {
  const r = await run('blkid', ['-p', '-s', 'TYPE', '-s', 'PTTYPE', '-o', 'export', device]);
  // Exit 2 means "nothing found" — but also "could not read", which the zero check below catches.
  if (r.code === 2) return { type: undefined, ptType: undefined };
  if (r.code !== 0) throw new DriverError(`blkid failed on ${device} (exit ${r.code})`);
  const kv = Object.fromEntries(
    r.stdout
      .split('\n')
      .map((l) => l.split('='))
      .filter((p) => p.length >= 2)
      .map(([k, ...v]): [string, string] => [k ?? '', v.join('=')]),
  );
  return { type: kv.TYPE || undefined, ptType: kv.PTTYPE || undefined };
}

/** Size in bytes; block devices report size 0 through stat, so ask the kernel via blockdev. */
export async function deviceSize(device: string): Promise<number> {
  const r = await run('blockdev', ['--getsize64', device]);
  const n = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isSafeInteger(n)) throw new DriverError(`cannot read the size of ${device}`);
  return n;
}

function allZero(buf: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[i] !== 0) return false;
  return true;
}

/** True only if the first and last MiB were read in full and are all zero. */
export async function looksBlank(device: string): Promise<boolean> {
  const size = await deviceSize(device);
  const span = 1 << 20;
  const buf = Buffer.alloc(span);
  const fd = openSync(device, 'r');
  try {
    if (!fstatSync(fd).isBlockDevice()) return false;
    for (const offset of size > span ? [0, size - span] : [0]) {
      const want = Math.min(span, size - offset);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got !== want || !allZero(buf, want)) return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

export async function mkfs(device: string, fsType: FsType): Promise<void> {
  // ext: -F because the target is a whole disk, -m0 because reserved blocks waste a data volume.
  // xfs: no -f, so mkfs.xfs itself refuses to overwrite an existing filesystem.
  const r =
    fsType === 'xfs'
      ? await run('mkfs.xfs', ['-q', device], 600_000)
      : await run(`mkfs.${fsType}`, ['-F', '-m0', '-q', device], 600_000);
  if (r.code === 127) throw new DriverError(`mkfs.${fsType} is not installed on this node`);
  if (r.code !== 0)
    throw new DriverError(
      `mkfs.${fsType} failed on ${device} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
    );
}

/** Preen check before a read-write mount of ext*; exit codes 0-2 mean clean or fixed. */
export async function preen(device: string, type: string): Promise<void> {
  if (!type.startsWith('ext')) return;
  const r = await run('e2fsck', ['-p', device], 600_000);
  if (r.code === 127) return;
  if (r.code > 2)
    throw new DriverError(
      `filesystem check of ${device} found errors it cannot fix automatically (e2fsck exit ${r.code})`,
    );
}

export async function growFs(device: string, type: string, mountPoint: string | undefined): Promise<void> {
  if (type.startsWith('ext')) {
    // Offline growth requires a freshly checked filesystem; online growth (mounted) does not.
    if (!mountPoint) {
      const f = await run('e2fsck', ['-f', '-p', device], 600_000);
      if (f.code > 2)
        throw new DriverError(`filesystem check of ${device} before resize failed (e2fsck exit ${f.code})`);
    }
    const r = await run('resize2fs', [device], 600_000);
    if (r.code !== 0)
      throw new DriverError(
        `resize2fs failed on ${device} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
      );
    return;
  }
  if (type === 'xfs') {
    if (!mountPoint) throw new DriverError(`xfs on ${device} can only grow while mounted`);
    const r = await run('xfs_growfs', [mountPoint], 600_000);
    if (r.code !== 0)
      throw new DriverError(
        `xfs_growfs failed on ${mountPoint} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
      );
    return;
  }
  throw new DriverError(`cannot grow a ${type} filesystem`);
}
