// A pass that runs every period until aborted and never overlaps itself: a call while one runs
// joins it. The drift checks of both load-balancer controllers run on it.

export class PeriodicPass<R> {
  private running: Promise<R> | undefined;

  constructor(
    private readonly run: () => Promise<R>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs a pass every `periodMs` until `signal` aborts; 0 or less disables the timer (check() still works). */
  start(periodMs: number, signal: AbortSignal): void {
    if (periodMs <= 0 || signal.aborted) return;
    const timer = setInterval(() => {
      this.check().catch(this.onError);
    }, periodMs);
    timer.unref?.();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  /** One pass now, or the one already running. */
  check(): Promise<R> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }
}
