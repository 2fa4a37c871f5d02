// How tests start the controller-manager: from the build (`npm test` builds first) when dist/ is
// at least as new as every source file, else through tsx on the source. A process start through
// tsx costs several seconds of compiling on a busy machine, and the suite starts the manager
// dozens of times; a stale build must never be what a test measures, hence the freshness check.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let cached: string[] | undefined;

/** Node arguments that run src/manager/main.ts, built or not. */
export function managerEntry(): string[] {
  if (cached) return cached;
  const built = join(ROOT, 'dist/manager/main.js');
  let fresh: boolean;
  try {
    fresh = statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'));
  } catch {
    fresh = false; // not built
  }
  cached = fresh ? [built] : ['--import', 'tsx', join(ROOT, 'src/manager/main.ts')];
  return cached;
}
