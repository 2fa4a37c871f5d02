// Bundles the FlexVolume driver into one file so `init` starts without loading the controller's
// dependency tree (the kubelet runs the driver for every probe). Skipped until the driver exists.
//
// The cloud calls use src/cloud (pop-core, pino, prom-client), which is only reached through a
// dynamic import; esbuild then initialises those modules lazily, but two things would still cost
// every `init` a few milliseconds, so the plugins below remove them:
//  - esbuild hoists `import … from 'node:*'` to the top of the bundle, so node:http/https/stream
//    (which drag in tls) would load eagerly: builtins are routed through a tiny CommonJS shim,
//    which esbuild evaluates only when the importing module is initialised.
//  - pop-core's index also loads its ROA client (xml2js, xmlbuilder, sax: ~220 KB to parse);
//    the driver only signs RPC, and `lib/rpc.js` exports the very same class as the index.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const entry = 'src/flexvolume/main.ts';

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

if (!existsSync(entry)) {
  console.log(`bundle-flexvolume: ${entry} not present yet, nothing to bundle`);
} else {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile: 'dist/flexvolume/driver.mjs',
    // Less to parse on every start; identifiers are kept so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [popCoreRpcOnly, lazyBuiltins],
    // CommonJS dependencies (pop-core, httpx, pino) and the builtin shims call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

// The static launcher the installer places as the driver (see src/flexvolume/launcher.c for why it
// is static). Needs a C compiler and a static libc (Debian: gcc, libc6-dev); without them the build
// still succeeds and says so, and alicloud-flexvolume-install refuses to run until it is built.
const launcherSource = 'src/flexvolume/launcher.c';
const launcherOut = 'dist/flexvolume/launcher';
const cc = process.env.CC || 'cc';
mkdirSync('dist/flexvolume', { recursive: true });
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
