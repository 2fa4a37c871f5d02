// Bundles alicloud-hostroutes into dist/hostroutes/main.mjs, the file bin/alicloud-hostroutes
// loads. The agent runs on every node, so its resident memory is multiplied by the cluster size:
// one file holding only the modules its code reaches parses faster and maps less than the
// tsc output's module graph with whole packages behind it.
// The kubeconfig loader (src/kube/config.ts, auth.ts) is reached only with --kubeconfig, through
// a dynamic import; it stays outside the bundle and is loaded from tsc's output next to it
// (dist/kube/), which already uses the slim client-node bundle (scripts/bundle-client-node.mjs).
import { build } from 'esbuild';

const kubeconfigLoaderOutside = {
  name: 'kubeconfig-loader-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/kube\/(config|auth)\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && /[\\/]src[\\/]hostroutes[\\/]/.test(args.importer)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

await build({
  entryPoints: ['src/hostroutes/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  outfile: 'dist/hostroutes/main.mjs',
  // Less to parse and keep; identifiers are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [kubeconfigLoaderOutside],
  // CommonJS dependencies (pino, prom-client, commander) call require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
