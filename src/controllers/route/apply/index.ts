// Executes one table's plan. The VPC serialises changes per table: while any entry of the table
// is Pending or Deleting, every further Create/Delete on it is refused. So the shape is: settle
// the table, then deletes and creates in the largest batches the API takes, each batch followed
// by a wait until its entries have finished their transition. Returns per-route outcomes instead
// of throwing, so one bad entry does not hide what happened to the other 999.
import { isBusy, isDuplicate, isGone, isQuota, isThrottled, codeOf } from '../cloudport/codes.js';
import type { RemoteRoute, RouteDeletion, RoutePlan } from '../diff.js';
import type { DesiredRoute } from '../model/index.js';
import { routeDescription, routeEntryName } from '../model/ownership.js';
import type { EntryFailure, RouteCloudPort, RouteFailure } from '../cloudport/port.js';
import { createSettler, type SettleTarget } from './settle.js';
import { chunk } from '../../../util/chunk.js';
import { abortableSleep } from '../../../util/sleep.js';
import { errorText } from '../../../util/errors.js';
import { redactSecrets } from '../../../util/secrets.js';

export interface ApplyOptions {
  clusterId: string;
  /** The table as listed at the start of the pass (entries in transition must settle first). */
  remote?: readonly RemoteRoute[];
  signal?: AbortSignal;
  /** Give up waiting for one transition after this long; the next pass looks again. */
  availableTimeoutMs?: number;
  /** Attempts per batch while the table is busy or we are throttled. */
  busyAttempts?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Entries the table holds; decides between filtered and whole-table polls. */
  tableSize?: number;
}

export interface CallCounts {
  create: number;
  delete: number;
  /** Listing calls made while waiting for transitions (not the pass's own listing). */
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

const DEFAULTS = { availableTimeoutMs: 120_000, busyAttempts: 8 };

const failureOf = (err: unknown): RouteFailure => ({
  code: codeOf(err) ?? 'Error',
  message: redactSecrets(errorText(err)),
});

const keyOf = (cidr: string, hop: string) => `${cidr}>${hop}`;

export async function applyPlan(
  port: RouteCloudPort,
  plan: RoutePlan,
  options: ApplyOptions,
): Promise<TableOutcome> {
  // Explicit `undefined` (an unset flag passed through) must not erase a default.
  const opts = {
    ...options,
    availableTimeoutMs: options.availableTimeoutMs ?? DEFAULTS.availableTimeoutMs,
    busyAttempts: options.busyAttempts ?? DEFAULTS.busyAttempts,
  };
  const sleep = opts.sleep ?? abortableSleep;
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
  const settler = createSettler(port, plan.tableId, {
    timeoutMs: opts.availableTimeoutMs,
    signal: opts.signal,
    sleep,
    now: opts.now,
    onCalls: (n) => (out.calls.poll += n),
  });
  settler.setTableSize(opts.tableSize ?? (opts.remote?.length ?? 0) + plan.creates.length);
  const mutating = plan.deletes.length > 0 || plan.creates.length > 0;

  // 1. Settle: entries already in transition block every change (if we have any to make), and
  //    our own Pending entries decide the Nodes' conditions.
  const transitioning = (opts.remote ?? []).filter((r) => r.status !== 'Available');
  const ours = new Set(plan.satisfied.filter((s) => !s.available).map((s) => s.cidr));
  const first: SettleTarget[] = transitioning
    .filter((r) => mutating || ours.has(r.cidr))
    .map((r) => ({
      cidr: r.cidr,
      routeEntryId: r.routeEntryId,
      expect: r.status === 'Deleting' ? 'gone' : 'available',
    }));
  const settled = await settler.settle(first);
  for (const cidr of ours) (settled.done.has(cidr) ? out.available : out.pending).add(cidr);
  if (mutating && settled.waiting.size > 0) {
    // Still busy at the deadline: any change would be refused. The next pass retries.
    for (const c of plan.creates)
      out.failed.set(c.cidr, {
        code: 'TableBusy',
        message: `route table ${plan.tableId} has entries still in transition`,
      });
    return out;
  }

  /**
   * Sends one batch, retrying the whole call while the table is busy or we are throttled
   * (bounded). Per-entry failures are returned for the caller to sort.
   */
  async function send<T>(
    batch: T[],
    call: (b: T[]) => Promise<EntryFailure[]>,
  ): Promise<EntryFailure[] | RouteFailure> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(batch);
      } catch (err) {
        const f = failureOf(err);
        if (!(isBusy(f.code) || isThrottled(f.code)) || attempt >= opts.busyAttempts) return f;
        await sleep(Math.min(50 * 2 ** attempt, 2_000), opts.signal);
      }
    }
  }

  // 2. Deletes first: they free quota and the destinations that replacements reuse.
  for (const batch of chunk(plan.deletes, port.maxBatch)) {
    out.calls.delete++;
    const res = await send(batch, (b) =>
      port.deleteRoutes(b.map((d) => ({ ...d, routeTableId: plan.tableId }))),
    );
    if (!Array.isArray(res)) {
      for (const d of batch) out.deleteFailed.push({ ...d, ...res });
      continue;
    }
    const failures = new Map(res.map((f) => [keyOf(f.cidr, f.nextHopId), f]));
    const accepted: RouteDeletion[] = [];
    for (const d of batch) {
      const f = failures.get(keyOf(d.cidr, d.nextHopId));
      if (!f) accepted.push(d);
      else if (isGone(f.code)) out.deleted.push(d);
      else out.deleteFailed.push({ ...d, code: f.code, message: f.message });
    }
    const r = await settler.settle(
      accepted.map((d) => ({ cidr: d.cidr, routeEntryId: d.routeEntryId, expect: 'gone' })),
    );
    for (const d of accepted) {
      if (r.waiting.has(d.cidr))
        out.deleteFailed.push({
          ...d,
          code: 'StillDeleting',
          message: 'the entry did not disappear in time',
        });
      else out.deleted.push(d);
    }
  }

  // 3. Creates. A destination is free only once its old entry is gone.
  const stillThere = new Set(out.deleteFailed.map((d) => d.cidr));
  const creates: DesiredRoute[] = [];
  for (const c of plan.creates) {
    if (plan.awaitGone.some((g) => g.cidr === c.cidr) && stillThere.has(c.cidr)) {
      out.failed.set(c.cidr, {
        code: 'WaitingForDelete',
        message: `the previous route for ${c.cidr} is still there`,
      });
    } else creates.push(c);
  }
  let tableFull = false;
  let stop: RouteFailure | undefined;
  for (const batch of chunk(creates, port.maxBatch)) {
    // A full table refuses every further entry the same way; a stuck one refuses everything.
    if (tableFull || stop) {
      for (const c of batch) {
        if (tableFull) out.quota.add(c.cidr);
        else out.failed.set(c.cidr, stop!);
      }
      continue;
    }
    out.calls.create++;
    const res = await send(batch, (b) =>
      port.createRoutes(
        b.map((c) => ({
          routeTableId: plan.tableId,
          cidr: c.cidr,
          nextHopId: c.instanceId,
          name: routeEntryName(c.nodeName),
          description: routeDescription({ clusterId: opts.clusterId, nodeName: c.nodeName }),
        })),
      ),
    );
    if (!Array.isArray(res)) {
      for (const c of batch) out.failed.set(c.cidr, res);
      continue;
    }
    const failures = new Map(res.map((f) => [keyOf(f.cidr, f.nextHopId), f]));
    const wait: SettleTarget[] = [];
    for (const c of batch) {
      const f = failures.get(keyOf(c.cidr, c.instanceId));
      if (!f || isDuplicate(f.code)) {
        // A duplicate may be our own earlier attempt whose answer was lost: the settle check
        // below tells ours (right next hop) from someone else's.
        wait.push({ cidr: c.cidr, expect: 'available', nextHopId: c.instanceId });
      } else if (isQuota(f.code)) {
        tableFull = true;
        out.quota.add(c.cidr);
      } else out.failed.set(c.cidr, { code: f.code, message: f.message });
    }
    const r = await settler.settle(wait);
    for (const t of wait) {
      const problem = r.problems.get(t.cidr);
      if (problem) out.failed.set(t.cidr, problem);
      else if (r.done.has(t.cidr)) out.available.add(t.cidr);
      else out.pending.add(t.cidr);
    }
    if (r.waiting.size > 0)
      stop = { code: 'TableBusy', message: `route table ${plan.tableId} did not settle in time` };
  }
  return out;
}
