// The FlexVolume driver as a cluster has it: bundled, installed by the installer's own install()
// into a kubelet plugin directory (runtime, bundle, config.json, launchers), and exec'd through
// the `alicloud~disk/disk` launcher the way the kubelet and kube-controller-manager exec it — a
// fresh process per call, argv `<call> <args…>`, the options as one JSON argument, one JSON
// reply on stdout and nothing on stderr.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVER_NAMES, install } from '../../src/flexvolume/install.js';
import { REPO } from './bundle.js';
import { checkpoint } from './poll.js';

export interface DriverReply {
  status: string;
  message?: string;
  device?: string;
  attached?: boolean;
  capabilities?: Record<string, boolean>;
}

/** Builds dist/flexvolume/driver.mjs from the current source (well under a second). */
export function bundleDriver(): string {
  execFileSync(process.execPath, ['scripts/bundle-flexvolume.mjs'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  return join(REPO, 'dist/flexvolume/driver.mjs');
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
   * Installs into `pluginDir`, with `config` written to `configFrom` first (where the installer
   * DaemonSet mounts its Secret) and installed as config.json; returns the files written.
   */
  static install(pluginDir: string, bundle: string, configFrom: string, config: Record<string, unknown>, caller: string): { driver: InstalledDriver; written: string[] } {
    mkdirSync(pluginDir, { recursive: true });
    writeFileSync(configFrom, JSON.stringify(config, null, 2), { mode: 0o600 });
    const result = install({ pluginDir, driverBundle: bundle, nodeBinary: process.execPath, configFrom, alias: true });
    return { driver: new InstalledDriver(pluginDir, caller), written: result.written };
  }

  call(args: readonly string[]): Promise<{ reply: DriverReply; stdout: string; stderr: string; code: number }> {
    checkpoint();
    return new Promise((resolve, reject) => {
      // The kubelet's environment, minus anything that could change the driver's behaviour.
      const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
      execFile(this.launcher, [...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        try {
          resolve({ reply: JSON.parse(stdout) as DriverReply, stdout: stdout.trim(), stderr, code });
        } catch {
          reject(new Error(`driver ${args[0]}: reply is not one JSON object: ${JSON.stringify(stdout.slice(0, 500))} stderr=${JSON.stringify(stderr.slice(0, 500))}`));
        }
      });
    });
  }
}

/** The options JSON the kubelet builds for a PV: its kubernetes.io/* keys, then the PV's flexVolume.options. */
export function kubeletOptions(pvName: string, fsType: string, flexOptions: Record<string, string>): string {
  return JSON.stringify({ 'kubernetes.io/fsType': fsType, 'kubernetes.io/readwrite': 'rw', 'kubernetes.io/pvOrVolumeName': pvName, ...flexOptions });
}
