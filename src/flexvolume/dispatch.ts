// Call name → handler. Only this file and small helpers load eagerly; handlers are imported on
// demand so `init` stays fast and never loads cloud or mount code.
import { loadConfig } from './config.js';
import { createFileLog, noLog, type FileLog } from './filelog.js';
import { notSupported, success, type DriverReply } from './protocol.js';
import { parseOptionsJson } from './options.js';
import type { CallContext } from './context.js';

export const CAPABILITIES = {
  attach: true,
  selinuxRelabel: true,
  supportsMetrics: true,
  fsGroup: true,
  requiresFSResize: true,
};

type Handler = (ctx: CallContext) => Promise<DriverReply>;

const CALLS: Record<string, () => Promise<Handler>> = {
  attach: async () => (await import('./cloud-calls.js')).attach,
  isattached: async () => (await import('./cloud-calls.js')).isattached,
  detach: async () => (await import('./cloud-calls.js')).detach,
  expandvolume: async () => (await import('./cloud-calls.js')).expandVolume,
  waitforattach: async () => (await import('./node-calls.js')).waitForAttach,
  mountdevice: async () => (await import('./node-calls.js')).mountDevice,
  unmountdevice: async () => (await import('./node-calls.js')).unmountDevice,
  expandfs: async () => (await import('./node-calls.js')).expandFs,
};

export async function dispatch(
  argv: string[],
  env: NodeJS.ProcessEnv,
  driverPath: string | undefined,
): Promise<DriverReply> {
  const [call, ...args] = argv;
  if (call === 'init') return success({ capabilities: CAPABILITIES });
  if (call === 'mount' || call === 'unmount') return notSupported();
  if (call === 'getvolumename') {
    // The kubelet discards this answer and uses the PV/volume name; "Not supported" makes it stop
    // executing us for every unique-name computation. Bad input still fails loudly.
    parseOptionsJson(args[0]);
    return notSupported('the kubelet uses the PV or volume name');
  }
  const load = call === undefined ? undefined : CALLS[call];
  // The kubelet treats "Not supported" as "use the built-in default" and stops asking; calls added
  // to the protocol after this driver was written must get that answer, not a Failure.
  if (!load)
    return notSupported(
      `call ${JSON.stringify(String(call ?? '')).slice(0, 80)} is not implemented by this driver`,
    );
  const cfg = loadConfig(env, driverPath);
  const log: FileLog = cfg.logFile ? createFileLog(cfg.logFile, call!, cfg.logMaxBytes) : noLog;
  try {
    const reply = await (await load())({ cfg, log, args });
    log.info('reply', { status: reply.status });
    return reply;
  } catch (err) {
    log.error('call failed', { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
