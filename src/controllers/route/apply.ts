// Executes one table's plan: deletes, then creates, in the largest batches the VPC accepts, one
// call at a time (the VPC rejects concurrent route changes on a table), then waits for the new
// entries to leave Pending. Returns per-route outcomes instead of throwing, so one bad entry
// does not hide what happened to the other 999.
import { isBusy, isDuplicate, isGone, isQuota, isThrottled, codeOf } from './codes.js';
import type { RouteDeletion, RoutePlan } from './diff.js';
import type { DesiredRoute } from './model.js';
import { routeDescription, routeEntryName } from './ownership.js';
import type { EntryFailure, RouteCloudPort } from './port.js';
import { redactSecrets } from '../../util/secrets.js';

export interface ApplyOptions {
  clusterId: string;
  signal?: AbortSignal;
  /** Give up waiting for Pending → Available after this long; the next pass looks again. */
  availableTimeoutMs?: number;
  /** Attempts per batch while the table is busy or we are throttled. */
  busyAttempts?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Custom entries the table held when listed; sizes the polling strategy. */
  tableSize?: number;
}

export interface RouteFailure {
  code: string;
  message: string;
}

export interface CallCounts {
  create: number;
  delete: number;
  /** Listing calls made while waiting (not the pass's own listing). */
  poll: number;
}

export interface TableOutcome {
  tableId: string;
  /** Desired CIDRs whose entry is Available. */
  available: Set<string>;
  /** Desired CIDRs whose entry exists but is not Available yet. */
  pending: Set<string>;
  /** Desired CIDRs not created because the table is full. */
  quota: Set<string>;
  failed: Map<string, RouteFailure>;
  deleted: RouteDeletion[];
  deleteFailed: Array<RouteDeletion & RouteFailure>;
  calls: CallCounts;
}

const DEFAULTS = { availableTimeoutMs: 120_000, busyAttempts: 12 };
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 5_000;

/**
 * Typical Pending → Available time seen so far; the first poll waits about this long, so a
 * fast VPC is not polled needlessly often and a slow one is not hammered. Shared across passes.
 */
let transitionEstimateMs = 300;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const failureOf = (err: unknown): RouteFailure => ({
  code: codeOf(err) ?? 'Error',
  message: redactSecrets(err instanceof Error ? err.message : String(err)),
});

export async function applyPlan(port: RouteCloudPort, plan: RoutePlan, options: ApplyOptions): Promise<TableOutcome> {
  const opts = { ...DEFAULTS, ...options };
  const sleep = opts.sleep ?? abortableSleep;
  const now = opts.now ?? Date.now;
  const out: TableOutcome = {
    tableId: plan.tableId,
    available: new Set(plan.satisfied.filter((s) => s.available).map((s) => s.cidr)),
    pending: new Set(),
    quota: new Set(),
    failed: new Map(),
    deleted: [],
    deleteFailed: [],
    calls: { create: 0, delete: 0, poll: 0 },
  };

  /**
   * Sends `items` in batches; entries the VPC calls busy, and whole calls rejected as busy or
   * throttled, are retried with backoff a bounded number of times.
   */
  async function batched<T extends { cidr: string; nextHopId: string }>(
    items: readonly T[],
    send: (batch: T[]) => Promise<EntryFailure[]>,
    onFailure: (item: T, f: RouteFailure) => void,
    stopWhen: () => boolean = () => false,
  ): Promise<T[]> {
    const done: T[] = [];
    for (const batch of chunks(items, port.maxBatch)) {
      let todo = batch;
      for (let attempt = 1; todo.length > 0; attempt++) {
        if (stopWhen()) {
          for (const item of todo) onFailure(item, { code: 'Skipped', message: 'not sent' });
          break;
        }
        let failures: EntryFailure[];
        try {
          failures = await send(todo);
        } catch (err) {
          const f = failureOf(err);
          if ((isBusy(f.code) || isThrottled(f.code)) && attempt < opts.busyAttempts) {
            await sleep(Math.min(100 * 2 ** (attempt - 1), 3_000), opts.signal);
            continue;
          }
          for (const item of todo) onFailure(item, f);
          break;
        }
        const key = (c: string, h: string) => `${c}>${h}`;
        const byKey = new Map(failures.map((f) => [key(f.cidr, f.nextHopId), f]));
        const retry: T[] = [];
        for (const item of todo) {
          const f = byKey.get(key(item.cidr, item.nextHopId));
          if (!f) done.push(item);
          else if (isBusy(f.code) && attempt < opts.busyAttempts) retry.push(item);
          else onFailure(item, f);
        }
        todo = retry;
        if (todo.length > 0) await sleep(Math.min(100 * 2 ** (attempt - 1), 3_000), opts.signal);
      }
    }
    return done;
  }

  // 1. Deletes first: they free quota and the destinations that replacements reuse.
  const deletes = plan.deletes.map((d) => ({ ...d, routeTableId: plan.tableId }));
  const deleted = await batched(
    deletes,
    (batch) => {
      out.calls.delete++;
      return port.deleteRoutes(batch);
    },
    (d, f) => {
      if (isGone(f.code)) out.deleted.push(strip(d));
      else out.deleteFailed.push({ ...strip(d), ...f });
    },
  );
  out.deleted.push(...deleted.map(strip));

  // 2. A destination is only free once its old entry is gone, not when the delete is accepted.
  let creates: DesiredRoute[] = plan.creates;
  if (plan.awaitGone.length > 0 && creates.length > 0) {
    const stuck = await waitUntilGone(plan.awaitGone);
    if (stuck.size > 0) {
      creates = creates.filter((c) => {
        if (!stuck.has(c.cidr)) return true;
        out.failed.set(c.cidr, { code: 'WaitingForDelete', message: `the previous route for ${c.cidr} is still being deleted` });
        return false;
      });
    }
  }

  // 3. Creates. A full table fails every further entry the same way, so stop sending once seen.
  let tableFull = false;
  const duplicates = new Set<string>();
  const created = await batched(
    creates.map((c) => ({
      ...c,
      nextHopId: c.instanceId,
      create: {
        routeTableId: plan.tableId,
        cidr: c.cidr,
        nextHopId: c.instanceId,
        name: routeEntryName(c.nodeName),
        description: routeDescription({ clusterId: opts.clusterId, nodeName: c.nodeName }),
      },
    })),
    (batch) => {
      out.calls.create++;
      return port.createRoutes(batch.map((b) => b.create));
    },
    (c, f) => {
      if (isQuota(f.code) || (tableFull && f.code === 'Skipped')) {
        tableFull = true;
        out.quota.add(c.cidr);
      } else if (isDuplicate(f.code)) {
        duplicates.add(c.cidr); // someone (perhaps a previous attempt of ours) got there first
      } else {
        out.failed.set(c.cidr, f);
      }
    },
    () => tableFull,
  );

  // 4. Wait for every entry we rely on to become Available.
  const waitFor = new Map<string, string>(); // cidr → expected next hop
  for (const c of created) waitFor.set(c.cidr, c.instanceId);
  for (const c of creates) if (duplicates.has(c.cidr)) waitFor.set(c.cidr, c.instanceId);
  for (const s of plan.satisfied) if (!s.available) waitFor.set(s.cidr, '');
  await waitAvailable(waitFor);
  return out;

  function strip(d: RouteDeletion & { routeTableId?: string }): RouteDeletion {
    return { routeEntryId: d.routeEntryId, cidr: d.cidr, nextHopId: d.nextHopId, reason: d.reason };
  }

  /** Lists only the given destinations when that is cheaper than listing the whole table. */
  async function look(cidrs: string[]) {
    const filtered = Math.ceil(cidrs.length / port.maxCidrFilter);
    const whole = Math.max(1, Math.ceil((opts.tableSize ?? 0) / port.pageSize));
    const result = filtered <= whole ? await lookFiltered(cidrs) : await port.listRoutes(plan.tableId);
    out.calls.poll += result.calls;
    return result.routes;
  }

  async function lookFiltered(cidrs: string[]) {
    const routes = [];
    let calls = 0;
    for (const group of chunks(cidrs, port.maxCidrFilter)) {
      const r = await port.listRoutes(plan.tableId, group);
      routes.push(...r.routes);
      calls += r.calls;
    }
    return { routes, calls };
  }

  /** Polls until none of `entries` is listed; returns the CIDRs still occupied at the deadline. */
  async function waitUntilGone(entries: RoutePlan['awaitGone']): Promise<Set<string>> {
    let remaining = [...entries];
    await poll(async () => {
      const listed = new Set((await look([...new Set(remaining.map((e) => e.cidr))])).map((r) => r.routeEntryId));
      remaining = remaining.filter((e) => listed.has(e.routeEntryId));
      return remaining.length === 0;
    });
    return new Set(remaining.map((e) => e.cidr));
  }

  async function waitAvailable(expected: Map<string, string>): Promise<void> {
    const started = now();
    const remaining = new Map(expected);
    const finished = await poll(async () => {
      const routes = await look([...remaining.keys()]);
      const byCidr = new Map(routes.map((r) => [r.cidr, r]));
      for (const [cidr, hop] of [...remaining]) {
        const r = byCidr.get(cidr);
        if (!r) {
          // Accepted but never listed (lost, or deleted by someone): the next pass recreates it.
          out.failed.set(cidr, { code: 'RouteMissing', message: `route for ${cidr} disappeared after it was created` });
          remaining.delete(cidr);
        } else if (hop && r.nextHopId !== hop) {
          out.failed.set(cidr, { code: 'RouteConflict', message: `route for ${cidr} points at ${r.nextHopId}, not ${hop}` });
          remaining.delete(cidr);
        } else if (r.status === 'Available') {
          out.available.add(cidr);
          remaining.delete(cidr);
        }
      }
      return remaining.size === 0;
    });
    if (finished && expected.size > 0) {
      // Learn the transition time so the next wait starts polling about when it will be done.
      transitionEstimateMs = Math.round(0.5 * transitionEstimateMs + 0.5 * (now() - started));
    }
    for (const cidr of remaining.keys()) out.pending.add(cidr);
  }

  /** Adaptive polling: first look after the learned estimate, then back off up to 5 s. */
  async function poll(check: () => Promise<boolean>): Promise<boolean> {
    const deadline = now() + opts.availableTimeoutMs;
    let delay = Math.max(MIN_POLL_MS, Math.min(transitionEstimateMs, MAX_POLL_MS));
    // Bounded: at least one check, then until the deadline (delay never shrinks below 50 ms).
    for (let round = 0; round < 10_000; round++) {
      await sleep(Math.min(delay, Math.max(0, deadline - now())), opts.signal);
      try {
        if (await check()) return true;
      } catch (err) {
        if (!isThrottled(codeOf(err)) && !isBusy(codeOf(err))) throw err;
      }
      if (now() >= deadline) return false;
      delay = Math.min(Math.round(delay * 1.6), MAX_POLL_MS);
    }
    return false;
  }
}

/** Test hook: reset the learned Pending → Available estimate. */
export function resetTransitionEstimate(ms = 300): void {
  transitionEstimateMs = ms;
}
