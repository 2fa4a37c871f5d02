// The cloud client's logger, for the driver: its lines go to the driver's log file or nowhere, never
// to stdout or stderr (the kubelet parses them as the reply). Not pino: pino (with its redaction
// compiler and stream machinery) would be loaded and built on every cloud call of a process that
// writes three lines at most. src/cloud logs through info/warn/debug only (client.ts,
// credentials.ts); this answers those, and child()/level for anything that asks.
import type { Logger } from '../../util/log.js';
import { SECRET_FIELD_NAMES } from '../../util/secrets.js';
import type { FileLog } from '../filelog.js';

/** The same credential field names src/util/log.ts censors. */
const SECRET_KEYS = new Set(SECRET_FIELD_NAMES);

function censor(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => censor(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) ? '***' : censor(v, depth + 1);
  return out;
}

type Level = 'info' | 'warn' | 'silent';

export function cloudLogger(log: FileLog): Logger {
  const level: Level = log.enabled ? 'info' : 'silent';
  const write =
    (name: 'info' | 'warn') =>
    (fields: unknown, msg?: string): void => {
      if (level === 'silent') return;
      const [obj, text] = typeof fields === 'string' ? [{}, fields] : [censor(fields), msg ?? ''];
      log.line(
        JSON.stringify({
          level: name,
          time: new Date().toISOString(),
          pid: process.pid,
          name: 'alicloud-flexvolume.cloud',
          ...(obj as Record<string, unknown>),
          msg: text,
        }),
      );
    };
  const logger = {
    level,
    info: write('info'),
    warn: write('warn'),
    error: write('warn'),
    debug: () => undefined,
    trace: () => undefined,
    fatal: write('warn'),
    child: () => logger,
    isLevelEnabled: (l: string) => level !== 'silent' && (l === 'info' || l === 'warn'),
  };
  // The structural subset src/cloud uses; the full pino interface would mean loading pino.
  return logger as unknown as Logger;
}
