// The FlexVolume driver as a cluster has it: bundled, placed in a kubelet plugin directory by the
// real installer program (alicloud-flexvolume-install, with the flags the installer DaemonSet
// passes), and exec'd through the installed `alicloud~disk/disk` launcher the way the kubelet and
// kube-controller-manager exec it — a fresh process per call, argv `<call> <args…>`, the options
// as one JSON argument, one JSON reply on stdout and nothing on stderr.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { DRIVER_NAMES } from '../../src/flexvolume/install.js';
import { REPO } from './bundle.js';
import type { Cleanup } from './cleanup.js';
import { checkpoint } from './poll.js';

const run = promisify(execFile);

export interface DriverReply {
  status: string;
  message?: string;
  device?: string;
  attached?: boolean;
  capabilities?: Record<string, boolean>;
}

/**
 * Builds the driver bundle (and whatever else scripts/bundle-flexvolume.mjs builds next to it)
 * from the current source, and the installer program into the same directory, so the installer's
 * defaults find all of it exactly as they do in the image. Returns the installer's path.
 */
export async function buildDriverAndInstaller(cleanup: Cleanup): Promise<string> {
  execFileSync(process.execPath, ['scripts/bundle-flexvolume.mjs'], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // A name of this run's own: another demo running at the same time never sees it half-written.
  const installer = join(
    REPO,
    'dist/flexvolume',
    `.demo-install-${process.pid}-${randomBytes(3).toString('hex')}.mjs`,
  );
  cleanup.add('installer bundle', () => rm(installer, { force: true }), { kind: 'path', id: installer });
  await build({
    entryPoints: [join(REPO, 'src/flexvolume/install-main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: installer,
    packages: 'external',
    logLevel: 'error',
  });
  return installer;
}

export class InstalledDriver {
  readonly launcher: string;

  constructor(
    readonly pluginDir: string,
    /** Who runs it, for the printed command (kube-controller-manager on a master, or the kubelet). */
    readonly caller: string,
  ) {
    this.launcher = join(pluginDir, DRIVER_NAMES.primary);
  }

  /**
   * Runs the installer into `pluginDir`, with `config` written to `configFrom` first (where the
   * installer DaemonSet mounts its Secret); returns the driver and the installer's JSON line.
   */
  static async install(
    installer: string,
    pluginDir: string,
    configFrom: string,
    config: Record<string, unknown>,
    caller: string,
  ): Promise<{ driver: InstalledDriver; argv: string[]; result: { written?: string[] } }> {
    checkpoint();
    mkdirSync(pluginDir, { recursive: true });
    writeFileSync(configFrom, JSON.stringify(config, null, 2), { mode: 0o600 });
    const argv = ['--plugin-dir', pluginDir, '--config-from', configFrom];
    const { stdout } = await run(process.execPath, [installer, ...argv], {
      cwd: REPO,
      timeout: 60_000,
    }).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`alicloud-flexvolume-install failed: ${err.stderr?.trim() || err.message}`);
    });
    const line = stdout.trim().split('\n').pop() ?? '{}';
    return {
      driver: new InstalledDriver(pluginDir, caller),
      argv,
      result: JSON.parse(line) as { written?: string[] },
    };
  }

  call(
    args: readonly string[],
  ): Promise<{ reply: DriverReply; stdout: string; stderr: string; code: number }> {
    checkpoint();
    return new Promise((resolve, reject) => {
      // The kubelet's environment, minus anything that could change the driver's behaviour.
      const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
      execFile(this.launcher, [...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1
          : 0;
        try {
          resolve({ reply: JSON.parse(stdout) as DriverReply, stdout: stdout.trim(), stderr, code });
        } catch {
          reject(
            new Error(
              `driver ${args[0]}: reply is not one JSON object: ${JSON.stringify(stdout.slice(0, 500))} stderr=${JSON.stringify(stderr.slice(0, 500))}`,
            ),
          );
        }
      });
    });
  }
}

/** The options JSON the kubelet builds for a PV: its kubernetes.io/* keys, then the PV's flexVolume.options. */
export function kubeletOptions(pvName: string, fsType: string, flexOptions: Record<string, string>): string {
  return JSON.stringify({
    'kubernetes.io/fsType': fsType,
    'kubernetes.io/readwrite': 'rw',
    'kubernetes.io/pvOrVolumeName': pvName,
    ...flexOptions,
  });
}
