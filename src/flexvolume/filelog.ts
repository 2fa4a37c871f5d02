// Debug log for the driver. The kubelet merges stdout and stderr into the reply, so the driver
// never writes to either; lines go to a file (or nowhere) and are scrubbed of registered secrets.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactSecrets } from '../util/secrets.js';

export interface FileLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createFileLog(path: string, call: string): FileLog {
  let broken = path === '';
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (broken) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, call, msg, ...fields });
    try {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, redactSecrets(line) + '\n', { mode: 0o600 });
    } catch {
      // An unwritable log must never fail a volume operation.
      broken = true;
    }
  };
  return { info: (m, f) => write('info', m, f), error: (m, f) => write('error', m, f) };
}

export const noLog: FileLog = { info: () => undefined, error: () => undefined };
