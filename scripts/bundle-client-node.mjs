// Replaces dist/kube/client-node.js (tsc's output: a plain re-export of client-node's KubeConfig)
// with a bundle that leaves out client-node's generated API. Its dist/config.js imports gen/index.js
// only for createConfiguration and ServerConfiguration, yet that index pulls in every model and
// API class; loading it costs the controller-manager ~60 MiB of RSS. The plugin below serves
// config.js a two-line gen/index.js, so the bundle holds config.js, its authenticators and their
// dependencies, and nothing else from gen/.
import { build } from 'esbuild';

const slimGenIndex = {
  name: 'client-node-slim-gen-index',
  setup(b) {
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? {
            path: args.importer.replace(/config\.js$/, 'gen/slim-index.js'),
            namespace: 'client-node-slim-gen',
          }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'client-node-slim-gen' }, (args) => ({
      contents:
        "export { createConfiguration } from './configuration.js';\nexport { ServerConfiguration } from './servers.js';\n",
      resolveDir: args.path.replace(/[\\/]slim-index\.js$/, ''),
      loader: 'js',
    }));
  },
};

// client-node 2.x imports undici (~1.4 MB of code, ~25 MiB of RSS once loaded) in config.js, for
// the agents of applyToFetchOptions, and in gen/http/isomorphic-fetch.js, for the generated API's
// fetch. The product authenticates through applyToHTTPSOptions (src/kube/auth.ts) and calls no
// generated API, so the bundle gets stand-ins that load the real undici from node_modules only if
// one of them is ever used.
const lazyUndici = {
  name: 'client-node-lazy-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/.test(args.importer)
        ? { path: 'undici', namespace: 'client-node-lazy-undici' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'client-node-lazy-undici' }, () => ({
      // A computed name, so esbuild leaves the require() to run time instead of bundling undici.
      contents: [
        'const undici = () => require(["un", "dici"].join(""));',
        'export class Agent { constructor(...a) { return new (undici().Agent)(...a); } }',
        'export class ProxyAgent { constructor(...a) { return new (undici().ProxyAgent)(...a); } }',
        'export function fetch(...a) { return undici().fetch(...a); }',
        '',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: ['src/kube/client-node.ts'],
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  outfile: 'dist/kube/client-node.js',
  allowOverwrite: true,
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [slimGenIndex, lazyUndici],
  // Bundled CommonJS dependencies (node-fetch, socks, js-yaml) call require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});
// A client-node upgrade that imports gen/ some other way would silently bring the weight back.
const [output] = Object.values(result.metafile.outputs);
const genInputs = Object.entries(output?.inputs ?? {})
  .filter(
    ([p, v]) => v.bytesInOutput > 0 && /client-node[\\/]dist[\\/]gen[\\/](models|apis|types)[\\/]/.test(p),
  )
  .map(([p]) => p);
const undiciInputs = Object.keys(output?.inputs ?? {}).filter((p) =>
  /[\\/]node_modules[\\/]undici[\\/]/.test(p),
);
if (undiciInputs.length > 0) {
  console.error(
    `bundle-client-node: undici leaked into the bundle (${undiciInputs.length} files, e.g. ${undiciInputs[0]})`,
  );
  process.exit(1);
}
if (genInputs.length > 0) {
  console.error(
    `bundle-client-node: generated API files leaked into the bundle (${genInputs.length}, e.g. ${genInputs[0]})`,
  );
  process.exit(1);
}
