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
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const entry = 'src/flexvolume/main.ts';

const popCoreRpcOnly = {
  name: 'pop-core-rpc-only',
  setup(b) {
    b.onResolve({ filter: /^@alicloud\/pop-core$/ }, (args) => b.resolve('@alicloud/pop-core/lib/rpc.js', { kind: args.kind, resolveDir: args.resolveDir }));
  },
};

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
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
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
}
