// The demo runs the controller-manager, alicloud-hostroutes and its namespace forwarder from the
// current source, bundled by esbuild into dist/demo/ (dependencies stay external and load from
// node_modules). On a busy machine a bundle starts several times faster than the same source
// under tsx's loader, which keeps the whole demo well inside a minute; the code is the same.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Cleanup } from './cleanup.js';

/** The repository root, whatever directory the demo was started from. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface DemoPrograms {
  manager: string;
  hostroutes: string;
  forwarder: string;
}

/**
 * Bundles into a directory of this run's own under dist/demo/ (inside the repository, so the
 * bundles' imports find node_modules), removed at cleanup: two demos at once never share a file.
 */
export async function bundlePrograms(cleanup: Cleanup, repo = REPO): Promise<DemoPrograms> {
  const outdir = join(repo, 'dist/demo', `run-${process.pid}-${randomBytes(3).toString('hex')}`);
  cleanup.add(`bundles in ${outdir}`, () => rm(outdir, { recursive: true, force: true }), {
    kind: 'path',
    id: outdir,
  });
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
  return {
    manager: join(outdir, 'manager.mjs'),
    hostroutes: join(outdir, 'hostroutes.mjs'),
    forwarder: join(outdir, 'forwarder.mjs'),
  };
}
