// Runs one call that needs the configuration: reads it, opens the log, runs the handler. Used by
// node-entry.ts and cloud-entry.ts, each with its own handler table, so the host calls never load
// the cloud client and the cloud calls never load the mount code (init and the other calls main.ts
// answers itself never get here).
import { loadConfig } from './config.js';
import { errorText } from '../util/errors.js';
import { createFileLog, noLog, type FileLog } from './filelog.js';
import { DriverError, failure, notSupported, type DriverReply } from './protocol.js';
import { silenceStderr } from './stderr.js';
import type { CallContext } from './context.js';

export type Handler = (ctx: CallContext) => Promise<DriverReply>;

/** What main.ts imports: the handlers of one kind of call, and the redaction that knows their secrets. */
export interface CallsModule {
  run(argv: string[], env: NodeJS.ProcessEnv, driverPath: string | undefined): Promise<DriverReply>;
  redactSecrets(text: string): string;
}

export async function dispatch(
  handlers: Readonly<Record<string, Handler>>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  driverPath: string | undefined,
): Promise<DriverReply> {
  const [call, ...args] = argv;
  const handler = call === undefined ? undefined : handlers[call];
  if (!handler)
    return notSupported(
      `call ${JSON.stringify(String(call ?? '')).slice(0, 80)} is not implemented by this driver`,
    );
  const cfg = loadConfig(env, driverPath);
  const log: FileLog = cfg.logFile ? createFileLog(cfg.logFile, call!, cfg.logMaxBytes) : noLog;
  try {
    const reply = await handler({ cfg, log, args });
    log.info('reply', { status: reply.status });
    return reply;
  } catch (err) {
    log.error('call failed', { error: errorText(err) });
    throw err;
  }
}

/**
 * dispatch() with every error turned into a reply. It runs here, not in main.ts: in the build the
 * entry is a separate file with its own copy of protocol.ts, so only this side's `instanceof
 * DriverError` recognises what the handlers throw.
 */
export async function run(
  handlers: Readonly<Record<string, Handler>>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  driverPath: string | undefined,
): Promise<DriverReply> {
  silenceStderr();
  try {
    return await dispatch(handlers, argv, env, driverPath);
  } catch (err) {
    return failure(err instanceof DriverError ? err.message : `internal error: ${errorText(err)}`);
  }
}
