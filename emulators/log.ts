// JSON logs (pino) to stderr for the emulator programs, scrubbed of the credentials the emulator
// was given. Its own module, not the product's src/util/log.ts: emulators share no code with the
// product they stand in front of.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { redactSecrets } from './secrets.js';

export type { Logger };

export function createLogger(name: string): Logger {
  const level = (process.env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info';
  const scrubbing = { write: (line: string) => process.stderr.write(redactSecrets(line)) };
  return pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['accessKeySecret', 'AccessKeySecret', 'SecurityToken', 'Signature', '*.Signature'],
        censor: '***',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbing,
  );
}
