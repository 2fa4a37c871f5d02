// The FlexVolume installer: what it places in a (temporary) kubelet plugin dir, that the installed
// static launcher runs the driver with the shipped runtime and libraries only (PATH empty, no
// ld.so.cache: no host Node.js and no host libraries needed), that every file is replaced by rename
// (readers never see a partial file), and that unchanged files are left alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleParts, DRIVER_NAMES, install, libraryTarget, RUNTIME_DIR, runtimeLibraries, uninstall } from '../../src/flexvolume/install.js';
import { ensureBundle } from '../flexvolume/harness.js';

const BUNDLE = join(process.cwd(), 'dist/flexvolume/driver.mjs');
const LAUNCHER = join(process.cwd(), 'dist/flexvolume/launcher');
const LIBRARIES = runtimeLibraries();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { PATH: '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every entry under `dir`, recursively, relative. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel))) {
    const p = rel ? `${rel}/${name}` : name;
    out.push(p);
    if (statSync(join(dir, p)).isDirectory()) out.push(...tree(dir, p));
  }
  return out.sort();
}

describe('deploy: FlexVolume installer', function () {
  this.timeout(120_000);
  let work: string;
  let plugin: string;

  before(function () {
    ensureBundle();
    if (!existsSync(LAUNCHER)) {
      const why = `${LAUNCHER} was not built (needs a C compiler and static libc: gcc, libc6-dev)`;
      if (process.env.CI === 'true') throw new Error(why);
      console.warn(`SKIPPING FlexVolume installer tests: ${why}`);
      this.skip();
    }
  });
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'flexv-install-'));
    plugin = join(work, 'exec');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const base = () => ({ pluginDir: plugin, driverBundle: BUNDLE, nodeBinary: process.execPath, launcher: LAUNCHER, libraries: LIBRARIES, alias: true });
  const runtimeFiles = () => ['node', ...LIBRARIES.map(libraryTarget)].map((f) => `${RUNTIME_DIR}/${f}`);
  /** The files driver.mjs imports (the host-call and cloud-call halves of the build). */
  const partFiles = () => bundleParts(BUNDLE).map((f) => `${RUNTIME_DIR}/${f}`);
  /** A modified entry in `work`, with the parts it imports beside it. */
  const bundleV2 = () => {
    for (const name of bundleParts(BUNDLE)) writeFileSync(join(work, name), readFileSync(join(BUNDLE, '..', name)));
    const v2 = join(work, 'driver.mjs');
    writeFileSync(v2, readFileSync(BUNDLE, 'utf8') + '\n// v2\n');
    return v2;
  };

  it('installs the runtime, its loader and libraries, the bundle and both launchers, and nothing else', () => {
    const r = install(base());
    assert.ok(runtimeFiles().includes(`${RUNTIME_DIR}/ld.so`), 'the dynamic loader is shipped');
    assert.ok(runtimeFiles().includes(`${RUNTIME_DIR}/lib/libc.so.6`), 'glibc is shipped under its soname');
    assert.deepEqual(tree(plugin), [
      RUNTIME_DIR,
      `${RUNTIME_DIR}/driver.mjs`,
      ...partFiles(),
      `${RUNTIME_DIR}/lib`,
      ...runtimeFiles(),
      'aliyun~flexv',
      DRIVER_NAMES.alias,
      'alicloud~disk',
      DRIVER_NAMES.primary,
    ].sort());
    assert.ok(partFiles().length >= 2, 'the host and cloud halves ship beside the entry');
    assert.deepEqual(r.written.sort(), [`${RUNTIME_DIR}/driver.mjs`, ...partFiles(), ...runtimeFiles(), DRIVER_NAMES.alias, DRIVER_NAMES.primary].sort());
    assert.equal(statSync(join(plugin, RUNTIME_DIR, 'node')).mode & 0o777, 0o755);
    assert.equal(statSync(join(plugin, DRIVER_NAMES.primary)).mode & 0o777, 0o755);
    assert.ok(readFileSync(join(plugin, RUNTIME_DIR, 'node')).equals(readFileSync(process.execPath)), 'runtime is a byte copy of node');
    assert.ok(readFileSync(join(plugin, RUNTIME_DIR, 'driver.mjs')).equals(readFileSync(BUNDLE)));
    assert.ok(readFileSync(join(plugin, DRIVER_NAMES.alias)).equals(readFileSync(LAUNCHER)));
  });

  it('the launcher is a static executable: it needs no interpreter or libc from where it runs', () => {
    const elf = readFileSync(LAUNCHER);
    assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF', 'an ELF binary, not a script');
    assert.equal(elf[4], 2, 'ELF64');
    const phoff = Number(elf.readBigUInt64LE(0x20));
    const phentsize = elf.readUInt16LE(0x36);
    const types = Array.from({ length: elf.readUInt16LE(0x38) }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
    assert.ok(types.includes(1), 'has PT_LOAD segments');
    assert.ok(!types.includes(3), 'no PT_INTERP: the kernel needs no dynamic loader to start it');
    assert.ok(!types.includes(2), 'no PT_DYNAMIC: no shared libraries');
  });

  it('refuses to install without the launcher or the loader, and installs nothing', () => {
    assert.throws(() => install({ ...base(), launcher: join(work, 'missing') }), /launcher not found/);
    assert.throws(() => install({ ...base(), launcher: BUNDLE }), /is not the alicloud-flexvolume launcher/);
    assert.throws(() => install({ ...base(), libraries: LIBRARIES.filter((l) => libraryTarget(l) !== 'ld.so') }), /no dynamic loader/);
    assert.ok(!existsSync(plugin), 'nothing half-installed');
  });

  it('the installed launchers answer init through the shipped runtime with an empty PATH', async () => {
    install(base());
    for (const entry of [DRIVER_NAMES.primary, DRIVER_NAMES.alias]) {
      const r = await run(join(plugin, entry), ['init']);
      assert.equal(r.code, 0, `${entry}: ${r.stdout} ${r.stderr}`);
      assert.equal(r.stderr, '', 'the kubelet parses stdout+stderr together');
      const reply = JSON.parse(r.stdout) as { status: string; capabilities?: { attach?: boolean } };
      assert.equal(reply.status, 'Success');
      assert.equal(reply.capabilities?.attach, true);
    }
  });

  it('works wherever the host mounts the plugin dir (launcher paths are relative to itself)', async () => {
    install(base());
    const moved = join(work, 'elsewhere');
    renameSync(plugin, moved); // as a different host mount point would present the same tree
    const r = await run(join(moved, DRIVER_NAMES.primary), ['init']);
    assert.equal(JSON.parse(r.stdout).status, 'Success');
  });

  it('leaves unchanged files alone on a re-run (no inode change, no kubelet re-probe)', () => {
    install(base());
    const before = [DRIVER_NAMES.primary, ...runtimeFiles(), `${RUNTIME_DIR}/driver.mjs`].map((p) => statSync(join(plugin, p)).ino);
    const r = install(base());
    assert.deepEqual(r.written, []);
    const after = [DRIVER_NAMES.primary, ...runtimeFiles(), `${RUNTIME_DIR}/driver.mjs`].map((p) => statSync(join(plugin, p)).ino);
    assert.deepEqual(after, before);
  });

  it('replaces a changed file by rename: an open reader keeps the complete old version', () => {
    install(base());
    const target = join(plugin, RUNTIME_DIR, 'driver.mjs');
    const oldIno = statSync(target).ino;
    const fd = openSync(target, 'r');
    try {
      const v2 = bundleV2();
      const r = install({ ...base(), driverBundle: v2 });
      assert.deepEqual(r.written, [`${RUNTIME_DIR}/driver.mjs`]);
      assert.notEqual(statSync(target).ino, oldIno, 'a new inode: written elsewhere and renamed, not rewritten in place');
      const size = statSync(BUNDLE).size;
      const buf = Buffer.alloc(size + 16);
      const n = readSync(fd, buf, 0, buf.length, 0);
      assert.ok(buf.subarray(0, n).equals(readFileSync(BUNDLE)), 'the reader still sees the whole old file');
    } finally {
      closeSync(fd);
    }
  });

  it('ships the files of one build only: a part the entry imports must exist, an old build\'s parts go', async () => {
    const lonely = join(work, 'lonely');
    mkdirSync(lonely);
    writeFileSync(join(lonely, 'driver.mjs'), readFileSync(BUNDLE));
    assert.throws(() => install({ ...base(), driverBundle: join(lonely, 'driver.mjs') }), /imports driver-[a-z]+-\w+\.mjs, which is not next to it/);
    assert.ok(!existsSync(plugin), 'nothing half-installed');

    install(base());
    const stale = `${RUNTIME_DIR}/driver-node-OLDBUILD.mjs`;
    writeFileSync(join(plugin, stale), 'export {};');
    const r = install(base());
    assert.deepEqual(r.removed, [stale]);
    assert.deepEqual(r.written, []);
    for (const part of partFiles()) assert.ok(existsSync(join(plugin, part)), part);
    const probe = await run(join(plugin, DRIVER_NAMES.primary), ['unmountdevice', join(work, 'never-mounted')]);
    assert.equal(JSON.parse(probe.stdout).status, 'Success', `a host call reaches its part: ${probe.stdout}`);
  });

  it('concurrent probes during repeated upgrades never see a partial launcher or bundle', async () => {
    install(base());
    const v2 = bundleV2();
    const versions = [readFileSync(BUNDLE), readFileSync(v2)];
    const launcherBytes = readFileSync(LAUNCHER);
    let stop = false;
    const bad: string[] = [];
    const reader = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        const content = readFileSync(join(plugin, RUNTIME_DIR, 'driver.mjs'));
        if (!versions.some((v) => v.equals(content))) bad.push(`read ${i}: ${content.length} bytes`);
        if (!readFileSync(join(plugin, DRIVER_NAMES.primary)).equals(launcherBytes)) bad.push(`launcher read ${i}`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const probes = (async () => {
      for (let i = 0; i < 6; i++) {
        const r = await run(join(plugin, DRIVER_NAMES.alias), ['init']);
        if (r.code !== 0 || JSON.parse(r.stdout).status !== 'Success') bad.push(`probe ${i}: ${r.stdout}`);
      }
    })();
    for (let i = 0; i < 20; i++) {
      install({ ...base(), driverBundle: i % 2 ? BUNDLE : v2 });
      await new Promise((r) => setImmediate(r));
    }
    await probes;
    stop = true;
    await reader;
    assert.deepEqual(bad, []);
    assert.deepEqual(readdirSync(join(plugin, RUNTIME_DIR)).filter((n) => n.includes('tmp')), []);
  });

  it('cleans up temp names an interrupted run left, and stages a new driver dir whole', () => {
    mkdirSync(join(plugin, RUNTIME_DIR), { recursive: true });
    writeFileSync(join(plugin, RUNTIME_DIR, '.node.tmp-install-1-dead'), 'half a binary');
    mkdirSync(join(plugin, '.alicloud~disk.tmp-install-1-beef'));
    const r = install(base());
    assert.deepEqual(r.cleaned.sort(), ['.alicloud~disk.tmp-install-1-beef', `${RUNTIME_DIR}/.node.tmp-install-1-dead`].sort());
    assert.ok(!tree(plugin).some((p) => p.includes('tmp-install')));
  });

  it('installs config.json (0600) only when the optional Secret file exists; --no-alias skips flexv', () => {
    const cfg = join(work, 'config.json');
    install({ ...base(), configFrom: cfg, alias: false });
    assert.ok(!existsSync(join(plugin, RUNTIME_DIR, 'config.json')));
    assert.ok(!existsSync(join(plugin, 'aliyun~flexv')));
    writeFileSync(cfg, JSON.stringify({ mode: 'node' }));
    install({ ...base(), configFrom: cfg, alias: false });
    assert.equal(statSync(join(plugin, RUNTIME_DIR, 'config.json')).mode & 0o777, 0o600);
  });

  it('uninstall removes its own launchers and runtime but not a foreign driver', () => {
    install(base());
    mkdirSync(join(plugin, 'other~nfs'));
    writeFileSync(join(plugin, 'other~nfs/nfs'), '#!/bin/sh\n');
    const removed = uninstall(plugin);
    assert.deepEqual(removed.sort(), [DRIVER_NAMES.alias, DRIVER_NAMES.primary, RUNTIME_DIR].sort());
    assert.deepEqual(tree(plugin), ['other~nfs', 'other~nfs/nfs']);
  });

  it('the CLI prints one JSON line naming what it wrote', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src/flexvolume/install-main.ts'), '--plugin-dir', plugin, '--driver-bundle', BUNDLE, '--launcher', LAUNCHER], { PATH: process.env.PATH ?? '' });
    assert.equal(r.code, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim()) as { event: string; written: string[] };
    assert.equal(line.event, 'installed');
    assert.ok(line.written.includes(DRIVER_NAMES.alias));
  });
});
