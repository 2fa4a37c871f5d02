// Bundles the FlexVolume driver into one file so `init` starts without loading the controller's
// dependency tree (the kubelet runs the driver for every probe). Skipped until the driver exists.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const entry = 'src/flexvolume/main.ts';
if (!existsSync(entry)) {
  console.log(`bundle-flexvolume: ${entry} not present yet, nothing to bundle`);
} else {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: 'dist/flexvolume/driver.mjs',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
}
