// Lease-based leader election with client-go's timing contract:
//   - a candidate takes the lease only when the record it observed has not changed for a full
//     leaseDuration (measured on its own clock from when it saw the change, so clock skew
//     between hosts does not matter);
//   - the leader renews every retryPeriod and, if no renewal succeeded for renewDeadline
//     (< leaseDuration), stops acting at once — a watchdog aborts the leading signal even while
//     a renewal request is still hanging — so it has stopped before anyone else may take over;
//   - on shutdown the lease is released (holder cleared) so a successor need not wait.
import type { Registry } from 'prom-client';
import type { Logger } from '../util/log.js';
import { silentLogger } from '../util/log.js';
import { realClock, sleep, type Clock, type TimerHandle } from '../util/clock.js';
import { isAlreadyExists, isConflict } from './errors.js';
import { microTime, type Lease, type LeaseStore } from './lease.js';
import { gauge } from './metrics.js';

export interface LeaderElectionOptions {
  lock: LeaseStore;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Called once leadership is acquired; `signal` aborts the moment leadership is lost or released. */
  /** May return the leading work's promise: it is awaited (up to renewDeadline) before the lease is released. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  onNewLeader?(identity: string): void;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  /** Clear the holder when run()'s signal aborts while leading (default true). */
  releaseOnCancel?: boolean;
  /** Jitter factor for the candidate's retry period, as client-go (default 1.2). */
  jitter?: number;
  random?: () => number;
}

export class LeaderElectionConfigError extends Error {
  override name = 'LeaderElectionConfigError';
}

export function validateLeaderTiming(
  o: Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs' | 'jitter'>,
): void {
  const jitter = o.jitter ?? 1.2;
  if (!(o.retryPeriodMs > 0))
    throw new LeaderElectionConfigError('--leader-elect-retry-period: must be greater than zero');
  if (!(o.leaseDurationMs > o.renewDeadlineMs))
    throw new LeaderElectionConfigError(
      '--leader-elect-lease-duration: must be greater than --leader-elect-renew-deadline',
    );
  if (!(o.renewDeadlineMs > jitter * o.retryPeriodMs)) {
    throw new LeaderElectionConfigError(
      `--leader-elect-renew-deadline: must be greater than ${jitter} x --leader-elect-retry-period`,
    );
  }
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private observed: Lease | undefined;
  private observedAt = 0;
  private lastRenewAt = 0;
  private leading = false;
  private leaderSignal: AbortController | undefined;
  private watchdog: TimerHandle | undefined;
  private reportedLeader: string | undefined;
  private lastContactAt = Number.NEGATIVE_INFINITY;
  private work: Promise<void> = Promise.resolve();
  private readonly status?: (v: number) => void;

  constructor(private readonly o: LeaderElectionOptions) {
    validateLeaderTiming(o);
    if (!o.identity) throw new LeaderElectionConfigError('leader election: identity must not be empty');
    this.clock = o.clock ?? realClock;
    this.logger = (o.logger ?? silentLogger).child({ lease: o.lock.description, identity: o.identity });
    if (o.registry) {
      const g = gauge(o.registry, 'leader_election_master_status', '1 while this process holds the lease.', [
        'name',
      ]);
      this.status = (v) => g.set({ name: o.lock.description }, v);
      this.status(0);
    }
  }

  /** True only while leading and within renewDeadline of the last successful renewal. */
  isLeader(): boolean {
    return this.leading && this.clock.now() - this.lastRenewAt < this.o.renewDeadlineMs;
  }

  /** Leader within its renew deadline, or a standby that reached the lease within the last lease duration. */
  healthy(): boolean {
    if (this.leading) return this.isLeader();
    return this.clock.now() - this.lastContactAt < this.o.leaseDurationMs;
  }

  /** The holder as last observed (may be another process). */
  leader(): string | undefined {
    return this.observed?.spec?.holderIdentity ?? undefined;
  }

  /**
   * Campaigns until leading, leads until the lease is lost or `signal` aborts. Resolves after
   * onStoppedLeading ran (and after the release, on abort). Never throws for API errors.
   */
  async run(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    if (!(await this.acquire(signal))) return 'stopped';
    this.becomeLeader();
    const outcome = await this.renewLoop(signal);
    await this.stopLeading(outcome === 'stopped' && (this.o.releaseOnCancel ?? true));
    return outcome;
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    const jitter = this.o.jitter ?? 1.2;
    const random = this.o.random ?? Math.random;
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      const wait = this.o.retryPeriodMs * (1 + random() * (jitter - 1));
      await sleep(this.clock, wait, signal);
    }
    return false;
  }

  private becomeLeader(): void {
    this.leading = true;
    this.lastRenewAt = this.clock.now();
    this.leaderSignal = new AbortController();
    this.armWatchdog();
    this.status?.(1);
    this.logger.info('acquired leadership');
    try {
      this.work = Promise.resolve(this.o.onStartedLeading(this.leaderSignal.signal)).catch((err: unknown) => {
        this.logger.error({ err: String(err) }, 'leading work failed');
      });
    } catch (err) {
      this.logger.error({ err: String(err) }, 'onStartedLeading threw');
    }
  }

  private async renewLoop(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    const lost = this.leaderSignal!.signal;
    while (!signal.aborted && !lost.aborted) {
      await sleep(this.clock, this.o.retryPeriodMs, anySignal(signal, lost));
      if (signal.aborted || lost.aborted) break;
      if (await this.tryAcquireOrRenew(lost)) {
        this.lastRenewAt = this.clock.now();
        this.armWatchdog();
      } else if (this.clock.now() - this.lastRenewAt >= this.o.renewDeadlineMs) {
        this.loseLeadership('renew deadline passed');
      }
    }
    return signal.aborted && !lost.aborted ? 'stopped' : 'lost';
  }

  /** Fires renewDeadline after the last success, whatever the in-flight request is doing. */
  private armWatchdog(): void {
    this.watchdog?.cancel();
    const due = this.lastRenewAt + this.o.renewDeadlineMs - this.clock.now();
    this.watchdog = this.clock.setTimer(due, () =>
      this.loseLeadership('no successful renewal within renew deadline'),
    );
  }

  private loseLeadership(why: string): void {
    if (!this.leading || this.leaderSignal?.signal.aborted) return;
    this.logger.error({ why }, 'lost leadership; stopping all work');
    this.leaderSignal?.abort(new Error(`leadership lost: ${why}`));
  }

  private async stopLeading(release: boolean): Promise<void> {
    this.watchdog?.cancel();
    const stillHeld = !this.leaderSignal?.signal.aborted;
    this.leaderSignal?.abort(new Error('leadership released'));
    this.leading = false;
    this.status?.(0);
    // Release only after the work stopped: a write still in flight must not land after the
    // lease says nobody (or somebody else) holds it.
    if (release && stillHeld) {
      const settled = await Promise.race([
        this.work.then(() => true),
        sleep(this.clock, this.o.renewDeadlineMs).then(() => false),
      ]);
      if (settled) await this.release();
      else this.logger.warn('work did not stop within renew deadline; leaving the lease to expire');
    }
    try {
      this.o.onStoppedLeading?.();
    } catch (err) {
      this.logger.error({ err: String(err) }, 'onStoppedLeading threw');
    }
  }

  /** Clears the holder so a successor can take over immediately (client-go's ReleaseOnCancel). */
  private async release(): Promise<void> {
    const current = this.observed;
    if (!current || current.spec?.holderIdentity !== this.o.identity) return;
    const now = microTime(this.clock.now());
    const released: Lease = {
      ...current,
      spec: {
        ...current.spec,
        holderIdentity: null,
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      },
    };
    try {
      this.observed = await this.o.lock.update(
        released,
        AbortSignal.timeout(Math.max(1000, this.o.retryPeriodMs)),
      );
      this.logger.info('released lease');
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'could not release lease; it will expire');
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const nowMs = this.clock.now();
    const now = microTime(nowMs);
    const durationSeconds = Math.max(1, Math.ceil(this.o.leaseDurationMs / 1000));
    let current: Lease | undefined;
    try {
      current = await this.o.lock.get(timeoutSignal(signal, this.o.renewDeadlineMs));
      this.lastContactAt = this.clock.now();
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'cannot read lease');
      return false;
    }
    if (!current) {
      try {
        const created = await this.o.lock.create(
          {
            metadata: {},
            spec: {
              holderIdentity: this.o.identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
          timeoutSignal(signal, this.o.renewDeadlineMs),
        );
        this.observe(created, this.clock.now());
        return true;
      } catch (err) {
        if (!isAlreadyExists(err)) this.logger.warn({ err: String(err) }, 'cannot create lease');
        return false;
      }
    }
    if (this.recordChanged(current)) this.observe(current, nowMs);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const mine = holder === this.o.identity;
    // The holder's own duration decides how long its claim lasts; a released lease (holder
    // cleared) is free at once.
    const heldFor = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && !mine && this.observedAt + heldFor > nowMs) return false;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.o.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: mine ? spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      },
    };
    try {
      const updated = await this.o.lock.update(next, timeoutSignal(signal, this.o.renewDeadlineMs));
      this.observe(updated, this.clock.now());
      return true;
    } catch (err) {
      if (!isConflict(err)) this.logger.warn({ err: String(err) }, 'cannot update lease');
      return false;
    }
  }

  private recordChanged(lease: Lease): boolean {
    const a = this.observed?.spec;
    const b = lease.spec;
    return (
      !a ||
      a.holderIdentity !== b?.holderIdentity ||
      a.renewTime !== b?.renewTime ||
      a.leaseDurationSeconds !== b?.leaseDurationSeconds
    );
  }

  private observe(lease: Lease, at: number): void {
    this.observed = lease;
    this.observedAt = at;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.logger.info({ leader: holder }, 'new leader observed');
      try {
        this.o.onNewLeader?.(holder);
      } catch {
        // observer errors must not affect the election
      }
    }
  }
}

function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  return AbortSignal.any([a, b]);
}

function timeoutSignal(signal: AbortSignal, ms: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, ms))]);
}
