// What every call handler receives.
import type { FlexConfig } from './config.js';
import type { FileLog } from './filelog.js';

export interface CallContext {
  cfg: FlexConfig;
  log: FileLog;
  /** Arguments after the call name, exactly as the kubelet/controller passed them. */
  args: string[];
}
