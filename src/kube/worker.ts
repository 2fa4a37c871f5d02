// Bounded-concurrency workers draining a WorkQueue, applying outcomeOf() to every result:
// success/terminal → forget, retryAfter → fixed delay, anything else → per-key backoff.
import type { Registry } from 'prom-client';
import type { Logger } from '../util/log.js';
import { silentLogger } from '../util/log.js';
import { redactSecrets } from '../util/secrets.js';
import { counter } from './metrics.js';
import { outcomeOf, type Outcome } from './outcome.js';
import type { WorkQueue } from './workqueue.js';

export type Reconcile = (key: string, signal: AbortSignal) => Promise<void>;

export interface WorkerOptions {
  /** Controller name, used as the metric label. */
  controller: string;
  workers: number;
  signal: AbortSignal;
  logger?: Logger;
  registry?: Registry;
  /** Called for terminal failures (e.g. to record a Warning event); the key is not retried. */
  onTerminal?: (key: string, error: Error) => void;
  /** Observer for tests and metrics. */
  onOutcome?: (key: string, outcome: Outcome) => void;
}

/** Runs until the signal aborts (which shuts the queue down); resolves when all workers stopped. */
export async function runWorkers(queue: WorkQueue, reconcile: Reconcile, opts: WorkerOptions): Promise<void> {
  const logger = opts.logger ?? silentLogger;
  const outcomes = opts.registry
    ? counter(
        opts.registry,
        'kube_alicloud_reconcile_total',
        'Reconcile results per controller and outcome.',
        ['controller', 'outcome'],
      )
    : undefined;
  const stop = () => queue.shutdown();
  if (opts.signal.aborted) stop();
  opts.signal.addEventListener('abort', stop, { once: true });
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      let outcome: Outcome;
      try {
        await reconcile(key, opts.signal);
        outcome = { kind: 'success' };
      } catch (err) {
        outcome = outcomeOf(err);
      }
      apply(queue, key, outcome, opts, logger);
      outcomes?.inc({ controller: opts.controller, outcome: outcome.kind });
      opts.onOutcome?.(key, outcome);
      queue.done(key);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.workers) }, worker));
  } finally {
    opts.signal.removeEventListener('abort', stop);
  }
}

function apply(queue: WorkQueue, key: string, outcome: Outcome, opts: WorkerOptions, logger: Logger): void {
  switch (outcome.kind) {
    case 'success':
      queue.forget(key);
      return;
    case 'terminal':
      queue.forget(key);
      logger.warn(
        { key, err: redactSecrets(outcome.error.message) },
        'reconcile failed; waiting for a change',
      );
      opts.onTerminal?.(key, outcome.error);
      return;
    case 'retryAfter':
      queue.forget(key);
      queue.addAfter(key, outcome.delayMs);
      return;
    case 'backoff':
      if (opts.signal.aborted) return;
      logger.info(
        {
          key,
          retries: queue.numRequeues(key) + 1,
          err: redactSecrets(outcome.error.message),
        },
        'reconcile failed; backing off',
      );
      queue.addRateLimited(key);
      return;
  }
}
