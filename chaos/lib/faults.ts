// Cloud faults for the storms: about `rate` of all calls fail. The emulator takes one rule per key,
// so the error code rotates every few hundred milliseconds (Throttling.User, ServiceUnavailable,
// HTTP 500) while dropped connections and responses lost after the change are always in the mix.
import type { AlicloudEmulator, CallRecord } from '../../emulators/alicloud/index.js';

const CODES: Array<{ code: string; httpStatus: number }> = [
  { code: 'Throttling.User', httpStatus: 400 },
  { code: 'ServiceUnavailable', httpStatus: 503 },
  { code: 'InternalError', httpStatus: 500 },
];
export const INJECTED = new Set([
  'Throttling.User',
  'ServiceUnavailable',
  'InternalError',
  'ConnectionDropped',
  'ResponseLost',
]);

export interface FaultSwitch {
  stop(): void;
}

/**
 * Splits `rate` as: 20 % dropped connections, 25 % responses lost after the change, 55 % error
 * answers; the product of misses makes the total close to `rate`.
 */
export function startCloudFaults(
  emu: AlicloudEmulator,
  rate: number,
  seed: number,
  rotateMs = 300,
): FaultSwitch {
  let i = 0;
  const apply = () => {
    const { code, httpStatus } = CODES[i % CODES.length]!;
    emu.setFaults({
      seed: seed + i,
      '*': {
        dropConnection: rate * 0.2,
        errorRate: rate * 0.55,
        code,
        httpStatus,
        loseResponse: rate * 0.25,
      },
    });
    i++;
  };
  apply();
  const timer = setInterval(apply, rotateMs);
  return {
    stop() {
      clearInterval(timer);
      emu.setFaults({});
    },
  };
}

export interface CallFigures {
  calls: number;
  writes: number;
  faults: number;
  byFault: Record<string, number>;
}

const READ = /^(Describe|List|Get|Query)/;

export function callFigures(calls: CallRecord[]): CallFigures {
  const byFault: Record<string, number> = {};
  let faults = 0;
  let writes = 0;
  for (const c of calls) {
    if (!READ.test(c.action)) writes++;
    if (INJECTED.has(c.code)) {
      faults++;
      byFault[c.code] = (byFault[c.code] ?? 0) + 1;
    }
  }
  return { calls: calls.length, writes, faults, byFault };
}

export function isWrite(c: CallRecord): boolean {
  return !READ.test(c.action);
}
