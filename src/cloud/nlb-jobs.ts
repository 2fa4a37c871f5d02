// Nlb answers 21 of its writes with a JobId and applies them in the background; the instance
// stays locked (Conflict.Lock for the next write) until the job ends. So an async write is done
// only when GetJobStatus says Succeeded. Unlike the CCM's wait we stop on Failed at once, and a
// job that outlives the deadline is an error too, never a silent success.
import type { RpcClient } from './client.js';
import { CloudError } from './errors.js';
import { realSleep, systemClock, type Clock, type Sleep } from './timing.js';

/** A job the service reports as Failed: the change did not happen. */
export class NlbJobError extends CloudError {
  readonly jobId: string;
  constructor(action: string, jobId: string) {
    super({
      code: 'JobFailed',
      message: `job ${jobId} of ${action} ended Failed`,
      action,
      product: 'Nlb',
      retryable: false,
    });
    this.name = 'NlbJobError';
    this.jobId = jobId;
  }
}

/** A job still Processing when the wait gave up; it may yet finish. */
export class NlbJobTimeoutError extends CloudError {
  readonly jobId: string;
  constructor(action: string, jobId: string, waitedMs: number, lastStatus: string) {
    super({
      code: 'JobTimeout',
      message: `job ${jobId} of ${action} still ${lastStatus} after ${waitedMs} ms`,
      action,
      product: 'Nlb',
      retryable: true,
    });
    this.name = 'NlbJobTimeoutError';
    this.jobId = jobId;
  }
}

export interface NlbWaitOptions {
  /** First pause between polls; doubles up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Give up on a job (or a Provisioning instance) after this long. */
  timeoutMs?: number;
  clock?: Clock;
  sleep?: Sleep;
}

export const DEFAULT_NLB_WAIT = { pollMs: 100, maxPollMs: 3000, timeoutMs: 180_000 } as const;

export class NlbJobWaiter {
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;

  constructor(
    private readonly rpc: RpcClient,
    opts: NlbWaitOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? DEFAULT_NLB_WAIT.pollMs;
    this.maxPollMs = opts.maxPollMs ?? DEFAULT_NLB_WAIT.maxPollMs;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_NLB_WAIT.timeoutMs;
    this.clock = opts.clock ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
  }

  now(): number {
    return this.clock.now();
  }

  /** Poll `probe` until it returns a value; the first probe is immediate. */
  async until<T>(probe: () => Promise<T | undefined>, onTimeout: () => Error): Promise<T> {
    const start = this.clock.now();
    let pause = this.pollMs;
    for (;;) {
      const done = await probe();
      if (done !== undefined) return done;
      const waited = this.clock.now() - start;
      if (waited + pause > this.timeoutMs) throw onTimeout();
      await this.sleep(pause);
      pause = Math.min(this.maxPollMs, pause * 2);
    }
  }

  /** Resolves when the job Succeeded; NlbJobError when it Failed, NlbJobTimeoutError at the deadline. */
  async job(action: string, jobId: string | undefined): Promise<void> {
    // Dry-run writes send nothing and so have no job to wait for.
    if (jobId === undefined) return;
    if (jobId === '')
      throw new CloudError({
        code: 'InvalidResponse',
        message: 'asynchronous action answered without a JobId',
        action,
        product: 'Nlb',
        retryable: false,
      });
    let last = 'Processing';
    const start = this.clock.now();
    // A job is never done the moment it is accepted: an immediate poll would only spend the
    // GetJobStatus quota, the busiest action when many Services are created at once.
    await this.sleep(this.pollMs);
    await this.until(
      async () => {
        const res = await this.rpc.read<{ Status?: string }>('GetJobStatus', { JobId: jobId });
        last = res.Status ?? 'Processing';
        if (last === 'Succeeded') return true;
        if (last === 'Failed') throw new NlbJobError(action, jobId);
        return undefined;
      },
      () => new NlbJobTimeoutError(action, jobId, this.clock.now() - start, last),
    );
  }
}
