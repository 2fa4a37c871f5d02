import assert from 'node:assert/strict';
import { ManualClock, flushMicrotasks } from '../../src/util/clock.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { LeaderElector, LeaderElectionConfigError, validateLeaderTiming } from '../../src/kube/leader.js';
import type { Lease, LeaseStore } from '../../src/kube/lease.js';

/** One lease shared by all candidates, with optimistic concurrency; `down` makes calls fail or hang. */
class MemoryLease {
  lease: Lease | undefined;
  rv = 0;
  writes: string[] = [];
  store(who: string): LeaseStore & { down: 'no' | 'fail' | 'hang' } {
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the fake's methods close over the shared lease
    const s = {
      description: 'mem/lease',
      down: 'no' as 'no' | 'fail' | 'hang',
      async get() {
        await s.gate();
        return self.lease && structuredClone(self.lease);
      },
      async create(l: Lease) {
        await s.gate();
        if (self.lease) throw new KubeApiError(409, 'AlreadyExists', 'exists');
        self.lease = { ...structuredClone(l), metadata: { resourceVersion: String(++self.rv) } };
        self.writes.push(who);
        return structuredClone(self.lease);
      },
      async update(l: Lease) {
        await s.gate();
        if (self.lease?.metadata?.resourceVersion !== l.metadata?.resourceVersion)
          throw new KubeApiError(409, 'Conflict', 'stale');
        self.lease = { ...structuredClone(l), metadata: { resourceVersion: String(++self.rv) } };
        self.writes.push(who);
        return structuredClone(self.lease);
      },
      async gate(): Promise<void> {
        if (s.down === 'fail') throw new KubeApiError(0, 'ConnectionError', 'down');
        if (s.down === 'hang') await new Promise(() => {});
      },
    };
    return s;
  }
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidate(mem: MemoryLease, clock: ManualClock, id: string, log: string[]) {
  const lock = mem.store(id);
  let leadingSignal: AbortSignal | undefined;
  const ac = new AbortController();
  const el = new LeaderElector({
    ...timing,
    lock,
    identity: id,
    clock,
    random: () => 0,
    onStartedLeading: (s) => {
      leadingSignal = s;
      log.push(`${id}:start`);
    },
    onStoppedLeading: () => log.push(`${id}:stop`),
  });
  const done = el.run(ac.signal);
  return { el, lock, ac, done, signal: () => leadingSignal };
}

describe('kube/leader', () => {
  it('validates timing like client-go', () => {
    assert.throws(
      () => validateLeaderTiming({ leaseDurationMs: 10, renewDeadlineMs: 10, retryPeriodMs: 1 }),
      /lease-duration/,
    );
    assert.throws(
      () => validateLeaderTiming({ leaseDurationMs: 15, renewDeadlineMs: 2, retryPeriodMs: 2 }),
      /renew-deadline/,
    );
    assert.throws(
      () => validateLeaderTiming({ leaseDurationMs: 15, renewDeadlineMs: 10, retryPeriodMs: 0 }),
      LeaderElectionConfigError,
    );
    validateLeaderTiming(timing);
  });

  it('one of two candidates leads; the other takes over only after a full lease duration of silence', async () => {
    const clock = new ManualClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const a = candidate(mem, clock, 'a', log);
    await flushMicrotasks();
    const b = candidate(mem, clock, 'b', log);
    await flushMicrotasks();
    assert.deepEqual(log, ['a:start']);
    assert.equal(a.el.isLeader(), true);
    assert.equal(b.el.isLeader(), false);
    assert.equal(b.el.leader(), 'a');
    for (let i = 0; i < 10; i++) await clock.advance(2_000);
    assert.deepEqual(log, ['a:start'], 'renewals keep b out');
    // a is partitioned (its calls hang): it must stop acting by renewDeadline...
    a.lock.down = 'hang';
    const cut = clock.now();
    let stoppedAt = 0;
    a.signal()!.addEventListener('abort', () => (stoppedAt = clock.now()));
    for (let i = 0; i < 20 && !log.includes('b:start'); i++) await clock.advance(1_000);
    assert.ok(
      stoppedAt > 0 && stoppedAt - cut <= timing.renewDeadlineMs,
      `a stopped ${stoppedAt - cut}ms after the cut`,
    );
    assert.equal(a.el.isLeader(), false);
    assert.ok(log.includes('b:start'));
    // ...and b takes over only after lease duration since it last saw a renewal.
    const bStarted = clock.now();
    assert.ok(
      bStarted - cut >= timing.leaseDurationMs - timing.retryPeriodMs,
      `b took over ${bStarted - cut}ms after a's last renewal`,
    );
    assert.ok(stoppedAt < bStarted, 'the old leader stopped before the new one started');
    b.ac.abort();
    await b.done;
  });

  it('releases the lease on shutdown so the standby takes over without waiting', async () => {
    const clock = new ManualClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const a = candidate(mem, clock, 'a', log);
    await flushMicrotasks();
    const b = candidate(mem, clock, 'b', log);
    await flushMicrotasks();
    a.ac.abort();
    assert.equal(await a.done, 'stopped');
    assert.equal(mem.lease?.spec?.holderIdentity, null);
    assert.equal(a.signal()!.aborted, true);
    await clock.advance(3_000);
    assert.deepEqual(log, ['a:start', 'a:stop', 'b:start']);
    assert.equal(mem.lease?.spec?.holderIdentity, 'b');
    assert.equal(mem.lease?.spec?.leaseTransitions, 1);
    b.ac.abort();
    await b.done;
  });

  it('gives up leadership when renewals keep failing, and run() resolves "lost"', async () => {
    const clock = new ManualClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const a = candidate(mem, clock, 'a', log);
    await flushMicrotasks();
    a.lock.down = 'fail';
    for (let i = 0; i < 10; i++) await clock.advance(1_000);
    assert.equal(await a.done, 'lost');
    assert.deepEqual(log, ['a:start', 'a:stop']);
    assert.equal(a.signal()!.aborted, true);
  });

  it('a renewal racing a foreign write loses on resourceVersion, never overwrites', async () => {
    const clock = new ManualClock();
    const mem = new MemoryLease();
    const log: string[] = [];
    const a = candidate(mem, clock, 'a', log);
    await flushMicrotasks();
    // Someone else steals the lease behind a's back (e.g. an operator edit).
    mem.lease = {
      ...mem.lease!,
      spec: { ...mem.lease!.spec, holderIdentity: 'intruder', renewTime: 'x' },
      metadata: { resourceVersion: String(++mem.rv) },
    };
    for (let i = 0; i < 12; i++) await clock.advance(1_000);
    assert.equal(a.el.isLeader(), false);
    assert.equal(mem.lease?.spec?.holderIdentity, 'intruder', 'a did not overwrite a valid foreign claim');
    a.ac.abort();
    await a.done;
  });
});
