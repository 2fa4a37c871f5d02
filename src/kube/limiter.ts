// A counting semaphore for requests to the apiserver. Without it a burst (5000 route Events after
// a first route pass, a status write per Node) opens one keep-alive socket per request: 1600+
// sockets with their parsers and buffers cost ~100 MiB of RSS that V8 and malloc never hand back.
// Waiters are served in arrival order so no caller starves.
export class RequestLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`request limiter: max must be a positive integer, got ${max}`);
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `fn` once a slot is free; the slot is released however `fn` ends. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal, abortError?: () => Error): Promise<T> {
    await this.acquire(signal, abortError);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal, abortError?: () => Error): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      // An aborted waiter leaves the queue at once rather than holding its place until a slot frees.
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError?.() ?? new Error('aborted while waiting for a request slot'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
