// Bundles the FlexVolume driver. The kubelet execs it for every call-out (`init` at every plugin
// probe), so what a call loads before it answers is the driver's cost, and the build is shaped by it:
//
//  - driver.mjs: src/flexvolume/main.ts alone, which answers init/mount/unmount/getvolumename. It
//    must contain no import statement: each one is a module to resolve, read and link before the
//    first line runs (measured: an entry with one `import … from 'node:fs'` costs ~20% more than
//    one without). Builtins come from process.getBuiltinModule; the build fails if one is imported.
//  - driver-node-<hash>.mjs (src/flexvolume/node-entry.ts: the host calls) and driver-cloud-<hash>.mjs
//    (cloud-entry.ts: the ECS calls), each one self-contained file, so the host calls never parse
//    the cloud client, the cloud calls never parse the mount code, and neither links more than one
//    module. (esbuild's splitting would share their common code through extra files, each another
//    module to load.) The entry imports them by their content-hashed names, so an entry and the
//    files of another build can never be combined (the installer ships them before driver.mjs).
//
// Inside the calls files two more things would cost every call a few milliseconds; the plugins
// below remove them:
//  - esbuild hoists `import … from 'node:*'` to the top of each file, so node:http/https/stream
//    (which drag in tls) would load eagerly: builtins are routed through a tiny CommonJS shim,
//    which esbuild evaluates only when the importing module is initialised.
//  - pop-core's index also loads its ROA client (xml2js, xmlbuilder, sax: ~220 KB to parse);
//    the driver only signs RPC, and `lib/rpc.js` exports the very same class as the index.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';

const entry = 'src/flexvolume/main.ts';
const callEntries = { node: 'src/flexvolume/node-entry.ts', cloud: 'src/flexvolume/cloud-entry.ts' };
const outDir = 'dist/flexvolume';
/** Names of the split files; install.ts ships every file the entry reaches by these names. */
const SPLIT_FILE = /^driver-[a-z]+-[A-Za-z0-9]+\.mjs$/;

const popCoreRpcOnly = {
  name: 'pop-core-rpc-only',
  setup(b) {
    b.onResolve({ filter: /^@alicloud\/pop-core$/ }, (args) =>
      b.resolve('@alicloud/pop-core/lib/rpc.js', { kind: args.kind, resolveDir: args.resolveDir }),
    );
  },
};

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // Less to parse on every start; identifiers are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

if (!existsSync(entry)) {
  console.log(`bundle-flexvolume: ${entry} not present yet, nothing to bundle`);
} else {
  mkdirSync(outDir, { recursive: true });
  // Split files of earlier builds would otherwise be shipped by nothing and pile up.
  for (const name of readdirSync(outDir)) if (SPLIT_FILE.test(name)) rmSync(`${outDir}/${name}`);
  const calls = await build({
    ...common,
    entryPoints: callEntries,
    outdir: outDir,
    entryNames: 'driver-[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    plugins: [popCoreRpcOnly, lazyBuiltins],
    // CommonJS dependencies (pop-core, httpx, pino) and the builtin shims call require(), and
    // everything they require that esbuild could not inline is a builtin. createRequire would load
    // node:module and import.meta support (measured: ~5% of a host call) for nothing more.
    banner: {
      js: 'const require = (id) => { const m = process.getBuiltinModule(id); if (m === undefined) throw new Error(`the driver bundle cannot require ${id}`); return m; };',
    },
  });
  const fileOf = (source) => {
    const out = Object.entries(calls.metafile.outputs).find(([, o]) => o.entryPoint === source)?.[0];
    if (!out) throw new Error(`bundle-flexvolume: esbuild produced no output for ${source}`);
    return `./${basename(out)}`;
  };
  const callFiles = {
    './node-entry.js': fileOf(callEntries.node),
    './cloud-entry.js': fileOf(callEntries.cloud),
  };
  const noImports = {
    name: 'entry-without-imports',
    setup(b) {
      b.onResolve({ filter: /^\.\/(node|cloud)-entry\.js$/ }, (args) => ({
        path: callFiles[args.path],
        external: true,
      }));
      b.onResolve({ filter: /^node:|^[a-z@]/ }, (args) => ({
        errors: [
          {
            text: `${args.importer} imports ${args.path}: the driver entry must not import modules (use process.getBuiltinModule)`,
          },
        ],
      }));
    },
  };
  await build({
    ...common,
    entryPoints: [entry],
    outfile: `${outDir}/driver.mjs`,
    plugins: [noImports],
  });
}

// The static launcher the installer places as the driver (see src/flexvolume/launcher.c for why it
// is static). Needs a C compiler and a static libc (Debian: gcc, libc6-dev); without them the build
// still succeeds and says so, and alicloud-flexvolume-install refuses to run until it is built.
const launcherSource = 'src/flexvolume/launcher.c';
const launcherOut = 'dist/flexvolume/launcher';
const cc = process.env.CC || 'cc';
mkdirSync(outDir, { recursive: true });
const compiled = spawnSync(
  cc,
  ['-static', '-Os', '-s', '-Wall', '-Wextra', '-Werror', '-o', launcherOut, launcherSource],
  { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
);
if (compiled.error || compiled.status !== 0) {
  const why = compiled.error
    ? `${cc}: ${compiled.error.code ?? compiled.error.message}`
    : compiled.stderr.trim().split('\n').slice(-3).join(' | ');
  if (process.env.LAUNCHER_REQUIRED === '1') {
    console.error(`bundle-flexvolume: cannot build ${launcherOut}: ${why}`);
    process.exit(1);
  }
  console.warn(`bundle-flexvolume: ${launcherOut} not built (${why}); install gcc and libc6-dev to build it`);
}
