// Attach records: `detach` and `unmountdevice` only receive the volume (PV) name, so attach and
// waitforattach write `<stateDir>/volumes/<volumeName>.json` with the disk id. Writes are atomic
// (temp file + rename) so a killed process never leaves half a record.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkVolumeName, isDiskId } from './validate.js';

export interface AttachRecord {
  volumeName: string;
  diskId: string;
  instanceId?: string;
  device?: string;
  /** Set by detach. The record is kept so a repeated detach still knows the disk. */
  detached?: boolean;
  updatedAt: string;
}

function recordPath(stateDir: string, volumeName: string): string {
  return join(stateDir, 'volumes', `${checkVolumeName(volumeName)}.json`);
}

export function writeRecord(stateDir: string, input: Omit<AttachRecord, 'updatedAt'> & { updatedAt?: string }): void {
  const { updatedAt: _old, ...rec } = input;
  void _old;
  const path = recordPath(stateDir, rec.volumeName);
  mkdirSync(join(stateDir, 'volumes'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ ...rec, updatedAt: new Date().toISOString() }), { mode: 0o600 });
  renameSync(tmp, path);
}

export function readRecord(stateDir: string, volumeName: string): AttachRecord | undefined {
  try {
    const v = JSON.parse(readFileSync(recordPath(stateDir, volumeName), 'utf8')) as Partial<AttachRecord>;
    if (typeof v.diskId === 'string' && isDiskId(v.diskId) && v.volumeName === volumeName) return v as AttachRecord;
  } catch {
    // missing or corrupt: the caller falls back to the cloud
  }
  return undefined;
}

export function markDetached(stateDir: string, volumeName: string): void {
  const rec = readRecord(stateDir, volumeName);
  if (rec) writeRecord(stateDir, { ...rec, detached: true });
}

export function removeRecord(stateDir: string, volumeName: string): void {
  rmSync(recordPath(stateDir, volumeName), { force: true });
}
