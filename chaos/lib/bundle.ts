// The programs the suite runs — the controller-manager and the FlexVolume driver — bundled from
// source with esbuild once per suite process. Starting them through tsx transforms every source
// file on every spawn (~1.3 s each; the suite spawns dozens: kills, replicas, bad flags, driver
// calls); one bundle starts in about half that, and it is always built from the current sources
// (unlike dist/, which may be stale when a single test file runs). Dependencies stay external, so
// the bundle lives under the project's node_modules/.cache where they resolve.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ROOT } from './root.js';

export interface Programs {
  manager: string;
  driver: string;
}

let built: Programs | undefined;

const STALE_MS = 6 * 3600_000;

/** Bundles of suites that were killed before their exit hook ran (older than any suite run). */
function removeStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(parent, n);
    try {
      if (Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // gone meanwhile
    }
  }
}

function bundle(): Programs {
  const parent = join(ROOT, 'node_modules', '.cache', 'kube-alicloud-chaos');
  removeStale(parent);
  // One directory per suite process: parallel suites never overwrite each other's bundle.
  const dir = join(parent, `${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // Synchronous (about 0.1 s, once) so spawning stays synchronous for the process wrappers.
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: { manager: 'src/manager/main.ts', driver: 'src/flexvolume/main.ts' },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  return { manager: join(dir, 'manager.mjs'), driver: join(dir, 'driver.mjs') };
}

/** The bundled programs (built on first use, then shared by every spawn of this process). */
export function programs(): Programs {
  built ??= bundle();
  return built;
}
