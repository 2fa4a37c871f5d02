// JSON logs (pino) to stderr. Every line is scrubbed of registered secrets, and keys that carry
// credentials are always replaced, so neither a careless call site nor a cloud error body can
// leak an AccessKey or STS token into logs.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { redactSecrets, SECRET_FIELD_NAMES } from './secrets.js';

export type { Logger };

const SECRET_KEYS = SECRET_FIELD_NAMES;

export interface LogOptions {
  level?: LevelWithSilent;
  /** Destination stream; defaults to stderr so stdout stays free for program output. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(name: string, options: LogOptions = {}): Logger {
  const level = options.level ?? (process.env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info';
  const destination = options.destination ?? process.stderr;
  const scrubbing = {
    write(line: string) {
      destination.write(redactSecrets(line));
    },
  };
  return pino(
    {
      name,
      level,
      // pino's `name` already says which program; children add `component`/`controller` without repeating keys.
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
        censor: '***',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbing,
  );
}

/** A logger that discards everything; for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
