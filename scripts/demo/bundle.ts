// The demo runs the controller-manager, alicloud-hostroutes and its namespace forwarder from the
// current source, bundled by esbuild into dist/demo/ (dependencies stay external and load from
// node_modules). On a busy machine a bundle starts several times faster than the same source
// under tsx's loader, which keeps the whole demo well inside a minute; the code is the same.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root, whatever directory the demo was started from. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface DemoPrograms {
  manager: string;
  hostroutes: string;
  forwarder: string;
}

export async function bundlePrograms(repo = REPO): Promise<DemoPrograms> {
  const outdir = join(repo, 'dist/demo');
  await build({
    entryPoints: {
      manager: join(repo, 'src/manager/main.ts'),
      hostroutes: join(repo, 'src/hostroutes/main.ts'),
      forwarder: join(repo, 'scripts/demo/netns-forward.ts'),
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir,
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    logLevel: 'error',
  });
  return { manager: join(outdir, 'manager.mjs'), hostroutes: join(outdir, 'hostroutes.mjs'), forwarder: join(outdir, 'forwarder.mjs') };
}
