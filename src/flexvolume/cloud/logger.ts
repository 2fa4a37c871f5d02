// The cloud client logs through pino. In the driver nothing may reach stdout or stderr (the
// kubelet parses them as the reply), so its lines go to the driver's log file, or nowhere.
import { Writable } from 'node:stream';
import { createLogger, silentLogger, type Logger } from '../../util/log.js';
import type { FileLog } from '../filelog.js';

export function cloudLogger(log: FileLog): Logger {
  if (!log.enabled) return silentLogger;
  const destination = new Writable({
    // Synchronous append: the driver exits right after replying and must not lose the last lines.
    write(chunk: Buffer | string, _encoding, done) {
      log.line(String(chunk));
      done();
    },
  });
  return createLogger('alicloud-flexvolume.cloud', { level: 'info', destination });
}
