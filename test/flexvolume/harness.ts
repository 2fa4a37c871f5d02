// Runs the built driver exactly as the kubelet / controller-manager do: a fresh process per call,
// argv `<call> <args…>`, options as one JSON argument, reply read from stdout (and stderr must stay
// empty, since the kubelet parses both together).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverReply } from '../../src/flexvolume/protocol.js';
import { diskRecord, type Disk } from '../../emulators/alicloud/index.js';
import type { Tag } from '../../emulators/alicloud/state.js';
import { DEFAULT_CLUSTER_ID, TAG_CLUSTER_ID } from '../../src/cloud/ownership.js';
import type { TestEmulator } from '../helpers/alicloud.js';

export const DRIVER = join(process.cwd(), 'bin/alicloud-flexvolume');

let bundled = false;
/** Bundle src/flexvolume into dist/flexvolume/driver.mjs so the test runs the current code. */
export function ensureBundle(): void {
  if (bundled) return;
  execFileSync(process.execPath, ['scripts/bundle-flexvolume.mjs'], { stdio: 'ignore' });
  bundled = true;
}

export interface DriverRun {
  code: number;
  stdout: string;
  stderr: string;
  reply: DriverReply;
}

export function runDriver(
  args: string[],
  configPath: string,
  extraEnv: Record<string, string> = {},
): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ALICLOUD_FLEXVOLUME_CONFIG: configPath,
      ...extraEnv,
    };
    execFile(process.execPath, [DRIVER, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : -1
        : 0;
      let reply: DriverReply;
      try {
        reply = JSON.parse(stdout) as DriverReply;
      } catch {
        reject(
          new Error(
            `driver output is not one JSON object: ${JSON.stringify(stdout)} stderr=${JSON.stringify(stderr)}`,
          ),
        );
        return;
      }
      resolve({ code, stdout, stderr, reply });
    });
  });
}

export function writeConfig(dir: string, name: string, body: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

export function opts(diskId: string, volumeName: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({
    diskId,
    'kubernetes.io/fsType': 'ext4',
    'kubernetes.io/readwrite': 'rw',
    'kubernetes.io/pvOrVolumeName': volumeName,
    ...extra,
  });
}

/** The driver's default cluster id (cloud-config's default too), which addDisk tags disks with. */
export const CLUSTER_ID = DEFAULT_CLUSTER_ID;
export const OWNED: Tag[] = [{ Key: TAG_CLUSTER_ID, Value: CLUSTER_ID }];

let diskSeq = 0;
/** Puts an Available data disk of this cluster (tagged as the provisioner does) straight into the emulator's state. */
export function addDisk(t: TestEmulator, zoneId: string, extra: Partial<Disk> = {}): string {
  diskSeq++;
  const id = `d-flexv${String(diskSeq).padStart(3, '0')}${Math.random().toString(36).slice(2, 12)}`.slice(
    0,
    22,
  );
  t.emu.state.disks[id] = diskRecord(t.emu.state, {
    DiskId: id,
    ZoneId: zoneId,
    Category: 'cloud_essd',
    PerformanceLevel: 'PL1',
    Tags: [...OWNED],
    ...extra,
  });
  return id;
}
