// FlexVolume installer, run by the installer DaemonSet (deploy/flexvolume-installer.yaml) with the
// kubelet plugin directory mounted from the host. It places, in this order:
//   <plugin>/.alicloud-flexvolume/node         the Node.js runtime of this image (hosts may have none)
//   <plugin>/.alicloud-flexvolume/ld.so        node's dynamic loader, and lib/ the shared libraries
//   <plugin>/.alicloud-flexvolume/lib/*        it loaded (glibc, libstdc++), copied from this image
//   <plugin>/.alicloud-flexvolume/driver.mjs   the bundled driver's entry, and the files it imports
//   <plugin>/.alicloud-flexvolume/driver-*.mjs by content-hashed name (scripts/bundle-flexvolume.mjs)
//   <plugin>/.alicloud-flexvolume/config.json  optional driver config (from a Secret), mode 0600
//   <plugin>/alicloud~disk/disk                the static launcher (src/flexvolume/launcher.c)
//   <plugin>/aliyun~flexv/flexv                the same launcher, for kube-aliyun PVs (driver aliyun/flexv)
// Why this shape: the driver must run where nothing else is provided — on a host without Node.js,
// and inside kubeadm's kube-controller-manager container, which mounts only this directory and has
// no shell or libc. So the launcher is static and node starts through the copied loader with only
// the copied libraries. The kubelet's prober ignores names starting with "." (so the runtime dir is
// never probed), and it runs `init` the moment a driver file appears, so every file is written under
// a dot-name and renamed into place (rename is atomic on one filesystem), the launcher last, after
// everything it needs exists. A new vendor~driver directory is staged whole and renamed in, so the
// prober never sees an empty one. Unchanged files are left alone (no needless re-probe).
// The launcher finds the runtime relative to its own path, so it works whatever path the host
// mounts the plugin directory at.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_PLUGIN_DIR = '/usr/libexec/kubernetes/kubelet-plugins/volume/exec';
export const RUNTIME_DIR = '.alicloud-flexvolume';

/** `vendor~driver/driver` entries the launcher is installed as. */
export const DRIVER_NAMES = { primary: 'alicloud~disk/disk', alias: 'aliyun~flexv/flexv' } as const;

export interface InstallOptions {
  pluginDir: string;
  /** Bundled driver (dist/flexvolume/driver.mjs). */
  driverBundle: string;
  /** Node.js binary to ship (default: the one running the installer). */
  nodeBinary: string;
  /** The static launcher (dist/flexvolume/launcher, built from src/flexvolume/launcher.c). */
  launcher: string;
  /** Shared objects node needs, its dynamic loader included (default: runtimeLibraries()). */
  libraries: string[];
  /** Driver config to install as config.json; skipped when absent (the Secret is optional). */
  configFrom?: string;
  /** Also install the kube-aliyun alias `aliyun~flexv/flexv` (default true). */
  alias: boolean;
}

export interface InstallResult {
  /** Paths (relative to the plugin dir) that were written; unchanged ones are not listed. */
  written: string[];
  unchanged: string[];
  /** Leftover temp names from an interrupted earlier run that were removed. */
  cleaned: string[];
  /** Files of an earlier driver build that the new one does not use, removed. */
  removed: string[];
}

export class InstallError extends Error {
  override name = 'InstallError';
}

/** Marker compiled into the launcher; uninstall() removes only launchers that carry it. */
export const LAUNCHER_MARK = 'alicloud-flexvolume launcher';

/**
 * The shared objects this process has mapped (node's DT_NEEDED closure plus its loader), read from
 * /proc/self/maps: exactly what the running node binary needed, with no ldd (which the image may
 * lack) and no ELF parsing. Call it early, before anything dlopen()s more (NSS, addons).
 */
export function runtimeLibraries(
  maps = readFileSync('/proc/self/maps', 'utf8'),
  exe = process.execPath,
): string[] {
  const seen = new Set<string>();
  for (const line of maps.split('\n')) {
    const path = line.trim().split(/\s+/)[5];
    if (!path?.startsWith('/') || path === exe || !/\.so(\.\d+)*$/.test(path)) continue;
    seen.add(path);
  }
  return [...seen].sort();
}

/** Where a library goes in the runtime dir: the loader as ld.so, others under lib/ by soname. */
export function libraryTarget(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/^ld-linux[\w.-]*\.so(\.\d+)*$/.test(base) || /^ld64\.so(\.\d+)*$/.test(base)) return 'ld.so';
  // libstdc++.so.6.0.30 is what is mapped; the binary asks for its soname libstdc++.so.6.
  return `lib/${base.replace(/(\.so\.\d+)(\.\d+)+$/, '$1')}`;
}

const TEMP_MARK = '.tmp-install-';

/** How the bundle's entry names the other files of the same build: `./driver-<kind>-<hash>.mjs`. */
const BUNDLE_PART = /["']\.\/(driver-[a-z]+-[A-Za-z0-9]+\.mjs)["']/g;
const BUNDLE_PART_NAME = /^driver-[a-z]+-[A-Za-z0-9]+\.mjs$/;

/**
 * The files of the bundle besides the entry, named by what the entry (and they) import, so the
 * installer ships exactly one build's files and never a stale one lying next to it.
 */
export function bundleParts(driverBundle: string): string[] {
  const dir = dirname(driverBundle);
  const found = new Set<string>();
  const pending = [readFileSync(driverBundle, 'utf8')];
  for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
    for (const [, name] of text.matchAll(BUNDLE_PART)) {
      if (!name || found.has(name)) continue;
      if (!existsSync(join(dir, name)))
        throw new InstallError(
          `${driverBundle} imports ${name}, which is not next to it (rebuild the driver)`,
        );
      found.add(name);
      pending.push(readFileSync(join(dir, name), 'utf8'));
    }
  }
  return [...found].sort();
}

function tempName(dir: string, base: string): string {
  return join(dir, `.${base}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
}

function digestFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function sameContent(target: string, content: Buffer | string, mode: number): boolean {
  if (!existsSync(target)) return false;
  const st = statSync(target);
  if ((st.mode & 0o777) !== mode) return false;
  const want = typeof content === 'string' ? Buffer.from(content) : content;
  return st.size === want.length && readFileSync(target).equals(want);
}

/** Write to a dot temp name in the same directory, fsync, chmod, then rename over the target. */
function atomicWrite(target: string, content: Buffer | string, mode: number): void {
  const tmp = tempName(dirname(target), target.slice(dirname(target).length + 1));
  const fd = openSync(tmp, 'wx', mode);
  try {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, target);
}

/** Same bytes and mode as `source` (size first, so a changed runtime is rarely hashed). */
function sameFile(source: string, target: string, mode: number): boolean {
  if (!existsSync(target)) return false;
  const st = statSync(target);
  return (
    (st.mode & 0o777) === mode &&
    st.size === statSync(source).size &&
    digestFile(target) === digestFile(source)
  );
}

/** Copy a large file (the runtime) the same way, without holding it in memory twice. */
function atomicCopy(source: string, target: string, mode: number): void {
  const tmp = tempName(dirname(target), target.slice(dirname(target).length + 1));
  copyFileSync(source, tmp);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, target);
}

/** Remove temp names an interrupted run left behind (they are dot-names, so harmless, but clutter). */
function cleanTemps(dir: string, rel: string, cleaned: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('.') || !name.includes(TEMP_MARK)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    cleaned.push(rel ? `${rel}/${name}` : name);
  }
}

export function install(opts: InstallOptions): InstallResult {
  const plugin = resolve(opts.pluginDir);
  const result: InstallResult = { written: [], unchanged: [], cleaned: [], removed: [] };
  if (!existsSync(opts.driverBundle)) throw new InstallError(`driver bundle not found: ${opts.driverBundle}`);
  if (!existsSync(opts.nodeBinary)) throw new InstallError(`node binary not found: ${opts.nodeBinary}`);
  const parts = bundleParts(opts.driverBundle);
  if (!existsSync(opts.launcher))
    throw new InstallError(
      `launcher not found: ${opts.launcher} (built by npm run build when a C compiler with static libc is present)`,
    );
  const launcher = readFileSync(opts.launcher);
  if (!launcher.includes(LAUNCHER_MARK))
    throw new InstallError(`${opts.launcher} is not the alicloud-flexvolume launcher`);
  const targets = opts.libraries.map((lib) => [lib, libraryTarget(lib)] as const);
  if (!targets.some(([, t]) => t === 'ld.so'))
    throw new InstallError('no dynamic loader among the runtime libraries');
  const dupe = targets.find(([, t], i) => targets.findIndex(([, u]) => u === t) !== i);
  if (dupe) throw new InstallError(`two runtime libraries would both be ${dupe[1]}`);
  for (const lib of opts.libraries)
    if (!existsSync(lib)) throw new InstallError(`runtime library not found: ${lib}`);
  mkdirSync(plugin, { recursive: true, mode: 0o755 });
  cleanTemps(plugin, '', result.cleaned);

  const runtime = join(plugin, RUNTIME_DIR);
  mkdirSync(runtime, { recursive: true, mode: 0o755 });
  cleanTemps(runtime, RUNTIME_DIR, result.cleaned);
  const track = (rel: string, changed: boolean) => (changed ? result.written : result.unchanged).push(rel);

  // 1. runtime (node, its loader and libraries), 2. bundle, 3. config — everything the launcher
  // needs, before any launcher exists.
  mkdirSync(join(runtime, 'lib'), { recursive: true, mode: 0o755 });
  cleanTemps(join(runtime, 'lib'), `${RUNTIME_DIR}/lib`, result.cleaned);
  for (const [source, rel] of [[opts.nodeBinary, 'node'] as const, ...targets]) {
    const target = join(runtime, rel);
    const same = sameFile(source, target, 0o755);
    if (!same) atomicCopy(source, target, 0o755);
    track(`${RUNTIME_DIR}/${rel}`, !same);
  }

  // The entry last: it imports the others by content-hashed name, so a driver started at any point
  // finds the files of its own build.
  const bundleDir = dirname(opts.driverBundle);
  const files: Array<[string, Buffer, number]> = [
    ...parts.map((name): [string, Buffer, number] => [name, readFileSync(join(bundleDir, name)), 0o644]),
    ['driver.mjs', readFileSync(opts.driverBundle), 0o644],
  ];
  if (opts.configFrom && existsSync(opts.configFrom))
    files.push(['config.json', readFileSync(opts.configFrom), 0o600]);
  for (const [name, content, mode] of files) {
    const target = join(runtime, name);
    const same = sameContent(target, content, mode);
    if (!same) atomicWrite(target, content, mode);
    track(`${RUNTIME_DIR}/${name}`, !same);
  }

  // Parts of earlier builds. A driver of the old build that started just before its entry was
  // replaced and has not imported its part yet fails this one call (the kubelet retries); keeping
  // every old build's files instead would grow the directory on each upgrade.
  for (const name of readdirSync(runtime)) {
    if (!BUNDLE_PART_NAME.test(name) || parts.includes(name)) continue;
    rmSync(join(runtime, name), { force: true });
    result.removed.push(`${RUNTIME_DIR}/${name}`);
  }

  // 4. launchers, last.
  const entries = opts.alias ? [DRIVER_NAMES.primary, DRIVER_NAMES.alias] : [DRIVER_NAMES.primary];
  for (const entry of entries) {
    const [vendorDir, driver] = entry.split('/') as [string, string];
    const dir = join(plugin, vendorDir);
    if (!existsSync(dir)) {
      // Stage the whole directory under a dot-name, then rename it in: the prober sees it complete.
      const staged = tempName(plugin, vendorDir);
      mkdirSync(staged, { mode: 0o755 });
      atomicWrite(join(staged, driver), launcher, 0o755);
      renameSync(staged, dir);
      track(entry, true);
      continue;
    }
    cleanTemps(dir, vendorDir, result.cleaned);
    const target = join(dir, driver);
    const same = sameContent(target, launcher, 0o755);
    if (!same) atomicWrite(target, launcher, 0o755);
    track(entry, !same);
  }
  return result;
}

/** Remove what install() placed (launchers first, so the kubelet stops probing before the runtime goes). */
export function uninstall(pluginDir: string): string[] {
  const plugin = resolve(pluginDir);
  const removed: string[] = [];
  for (const entry of [DRIVER_NAMES.primary, DRIVER_NAMES.alias]) {
    const [vendorDir, driver] = entry.split('/') as [string, string];
    const target = join(plugin, vendorDir, driver);
    if (!existsSync(target) || !readFileSync(target).includes(LAUNCHER_MARK)) continue;
    rmSync(join(plugin, vendorDir), { recursive: true, force: true });
    removed.push(entry);
  }
  if (existsSync(join(plugin, RUNTIME_DIR))) {
    rmSync(join(plugin, RUNTIME_DIR), { recursive: true, force: true });
    removed.push(RUNTIME_DIR);
  }
  return removed;
}

/** dist/flexvolume/launcher, next to this compiled file. */
export function defaultLauncher(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'launcher');
}

/** dist/flexvolume/driver.mjs, next to this compiled file. */
export function defaultBundle(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'driver.mjs');
}
