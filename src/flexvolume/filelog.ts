// Debug log for the driver. The kubelet merges stdout and stderr into the reply, so the driver
// never writes to either; lines go to a file (or nowhere) and are scrubbed of registered secrets.
// The file lives on the host and nothing else rotates it: past `maxBytes` it is renamed to
// `<path>.1` (replacing the previous one), so the driver's share of the disk stays under 2 × maxBytes.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactSecrets } from '../util/secrets.js';

export interface FileLog {
  /** False for the discarding log, so callers can skip building what would be thrown away. */
  readonly enabled: boolean;
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Appends an already formatted JSON line (the cloud client's pino output). */
  line(text: string): void;
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** Renames a full log aside. Parallel driver processes may race here: rename is atomic and the loser's rename of the fresh file only moves a few lines to `.1`. */
function rotateIfFull(path: string, maxBytes: number): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size >= maxBytes) renameSync(path, `${path}.1`);
}

export function createFileLog(path: string, call: string, maxBytes = DEFAULT_LOG_MAX_BYTES): FileLog {
  let broken = path === '';
  let checked = false;
  const append = (text: string) => {
    if (broken) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      // Once per process: a driver call writes a handful of lines, so the bound overshoots by little.
      if (!checked && maxBytes > 0) rotateIfFull(path, maxBytes);
      checked = true;
      appendFileSync(path, redactSecrets(text.replace(/\n+$/, '')) + '\n', { mode: 0o600 });
    } catch {
      // An unwritable log must never fail a volume operation.
      broken = true;
    }
  };
  const write = (level: string, msg: string, fields?: Record<string, unknown>) =>
    append(JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, call, msg, ...fields }));
  return {
    enabled: !broken,
    info: (m, f) => write('info', m, f),
    error: (m, f) => write('error', m, f),
    line: append,
  };
}

export const noLog: FileLog = {
  enabled: false,
  info: () => undefined,
  error: () => undefined,
  line: () => undefined,
};
