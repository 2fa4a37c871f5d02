// Debug log for the driver. The kubelet merges stdout and stderr into the reply, so the driver
// never writes to either; lines go to a file (or nowhere) and are scrubbed of registered secrets.
import { appendFileSync, mkdirSync } from 'node:fs';
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

export function createFileLog(path: string, call: string): FileLog {
  let broken = path === '';
  const append = (text: string) => {
    if (broken) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, redactSecrets(text.replace(/\n+$/, '')) + '\n', { mode: 0o600 });
    } catch {
      // An unwritable log must never fail a volume operation.
      broken = true;
    }
  };
  const write = (level: string, msg: string, fields?: Record<string, unknown>) =>
    append(JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, call, msg, ...fields }));
  return { enabled: !broken, info: (m, f) => write('info', m, f), error: (m, f) => write('error', m, f), line: append };
}

export const noLog: FileLog = { enabled: false, info: () => undefined, error: () => undefined, line: () => undefined };
