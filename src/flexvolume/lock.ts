// Host-wide mutual exclusion between driver processes (one process per call, several in parallel).
// A lock is a file created with O_EXCL holding the owner's pid and process start time; a lock whose
// owner is gone (or whose pid was reused by another process) is stale and is taken over, so a
// SIGKILLed call never blocks the volume forever.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DriverError } from './protocol.js';
import { intervals, sleep } from './poll.js';

interface Owner {
  pid: number;
  start: string;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); '' when unknown. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? '';
  } catch {
    return '';
  }
}

function alive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return start === '' || owner.start === '' || start === owner.start;
}

function readOwner(path: string): Owner | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    if (typeof v.pid === 'number' && typeof v.start === 'string') return { pid: v.pid, start: v.start };
  } catch {
    // fall through: unreadable or half-written
  }
  return undefined;
}

export interface Lock {
  release(): void;
}

function tryCreate(path: string, me: Owner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Waits (bounded) for the lock `name` in `dir`. A lock file that stays unreadable across two
 * checks (its writer died between create and write) is treated as stale too.
 */
export async function acquireLock(dir: string, name: string, timeoutMs: number): Promise<Lock> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${name}.lock`);
  const me: Owner = { pid: process.pid, start: processStart(process.pid) };
  const deadline = Date.now() + timeoutMs;
  const gen = intervals({ firstMs: 20, maxMs: 500 });
  let unreadableSeen = false;
  for (;;) {
    if (tryCreate(path, me)) {
      return {
        release: () => {
          const owner = readOwner(path);
          if (owner && owner.pid === me.pid && owner.start === me.start) unlinkSync(path);
        },
      };
    }
    const owner = readOwner(path);
    const stale = owner ? !alive(owner) : unreadableSeen;
    unreadableSeen = owner === undefined;
    if (stale) {
      // Move the stale file aside atomically so two waiters cannot both delete a fresh lock.
      const aside = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, aside);
        const moved = readOwner(aside);
        if (owner && (!moved || moved.pid !== owner.pid || moved.start !== owner.start)) {
          // We moved someone's fresh lock: put it back if the name is still free.
          try {
            renameSync(aside, path);
          } catch {
            /* the new owner will find out via its own release check */
          }
        } else unlinkSync(aside);
      } catch {
        /* another waiter handled it */
      }
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0)
      throw new DriverError(
        `timed out after ${timeoutMs} ms waiting for lock ${name} held by pid ${owner?.pid ?? 'unknown'}`,
      );
    await sleep(Math.min(gen.next().value, left));
  }
}

export async function withLock<T>(
  dir: string,
  name: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(dir, name, timeoutMs);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
