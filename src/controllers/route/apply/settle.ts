// Waiting for route entries to finish a transition (Pending → Available, Deleting → gone) with
// adaptive polling. The first look happens after the transition time learned so far; a miss is
// followed by short re-looks, so a batch is seen settled soon after it is, without polling a slow
// VPC every few milliseconds. Polls list only the destinations in question when that takes
// fewer calls than listing the whole table.
import { codeOf, isBusy, isThrottled } from '../cloudport/codes.js';
import type { RemoteRoute } from '../diff.js';
import type { RouteCloudPort, RouteFailure } from '../cloudport/port.js';
import { chunk } from '../../../util/chunk.js';
import { abortableSleep } from '../../../util/sleep.js';

export interface SettleTarget {
  cidr: string;
  expect: 'available' | 'gone';
  /** For `gone`: the entry that must disappear (another may take the CIDR meanwhile). */
  routeEntryId?: string;
  /** For `available`: the next hop the entry must have to count as ours. */
  nextHopId?: string;
}

export interface SettleResult {
  /** CIDRs that reached the expected state. */
  done: Set<string>;
  /** CIDRs still in transition at the deadline. */
  waiting: Set<string>;
  /** CIDRs that turned out wrong: vanished, or taken by another next hop. */
  problems: Map<string, RouteFailure>;
}

export interface SettleOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  onCalls?: (n: number) => void;
}

const MIN_POLL_MS = 20;
const MAX_POLL_MS = 5_000;

/**
 * What we know about how long a transition takes, as offsets (ms after the change was accepted)
 * at which a look was *sent*: `lo` = latest look that still saw the transition running, `hi` =
 * earliest look that saw it finished. The first look of the next wait probes between them while
 * they are far apart (a binary search spread over batches) and goes straight to `hi` once they
 * are close. Both drift outwards a little after every wait, so a VPC that got slower or faster is
 * noticed. Shared by every table and pass of the process.
 */
const learned = { lo: 0, hi: 250 };

export function resetTransitionEstimate(hi = 250): void {
  learned.lo = 0;
  learned.hi = hi;
}

export function transitionEstimate(): { lo: number; hi: number } {
  return { ...learned };
}

function firstDelay(): number {
  const { lo, hi } = learned;
  return hi - lo > Math.max(10, 0.1 * hi) ? (lo + hi) / 2 : hi;
}

export function createSettler(port: RouteCloudPort, tableId: string, opts: SettleOptions) {
  const sleep = opts.sleep ?? abortableSleep;
  const now = opts.now ?? Date.now;
  let tableSize = 0;

  async function look(cidrs: string[]): Promise<RemoteRoute[]> {
    const filtered = Math.ceil(cidrs.length / port.maxCidrFilter);
    const whole = Math.max(1, Math.ceil(tableSize / port.pageSize));
    if (tableSize > 0 && whole < filtered) {
      const r = await port.listRoutes(tableId);
      opts.onCalls?.(r.calls);
      tableSize = r.routes.length;
      return r.routes;
    }
    const routes: RemoteRoute[] = [];
    for (const group of chunk(cidrs, port.maxCidrFilter)) {
      const r = await port.listRoutes(tableId, group);
      opts.onCalls?.(r.calls);
      routes.push(...r.routes);
    }
    return routes;
  }

  async function settle(targets: readonly SettleTarget[]): Promise<SettleResult> {
    const result: SettleResult = {
      done: new Set(),
      waiting: new Set(targets.map((t) => t.cidr)),
      problems: new Map(),
    };
    if (targets.length === 0) return result;
    const started = now();
    const deadline = started + opts.timeoutMs;
    let remaining = [...targets];
    let delay = Math.max(MIN_POLL_MS, Math.min(firstDelay(), MAX_POLL_MS));
    let misses = 0;
    let hitAt: number | undefined;
    // Bounded: every round sleeps ≥ 20 ms (after the first) and the deadline ends the loop.
    for (let round = 0; round < 100_000 && remaining.length > 0; round++) {
      await sleep(Math.max(0, Math.min(delay, deadline - now())), opts.signal);
      const sentAt = now() - started;
      let routes: RemoteRoute[];
      try {
        routes = await look([...new Set(remaining.map((t) => t.cidr))]);
      } catch (err) {
        if (!isThrottled(codeOf(err)) && !isBusy(codeOf(err))) throw err;
        if (now() >= deadline) break;
        delay = Math.min(delay * 2, MAX_POLL_MS);
        continue;
      }
      const byCidr = new Map(routes.map((r) => [r.cidr, r]));
      const byId = new Set(routes.map((r) => r.routeEntryId));
      remaining = remaining.filter((t) => {
        const r = byCidr.get(t.cidr);
        let finished: boolean;
        if (t.expect === 'gone') finished = t.routeEntryId ? !byId.has(t.routeEntryId) : !r;
        else if (!r) {
          result.problems.set(t.cidr, {
            code: 'RouteMissing',
            message: `route for ${t.cidr} disappeared after it was created`,
          });
          finished = true;
        } else if (t.nextHopId && r.nextHopId !== t.nextHopId) {
          result.problems.set(t.cidr, {
            code: 'RouteConflict',
            message: `route for ${t.cidr} points at ${r.nextHopId}, not ${t.nextHopId}`,
          });
          finished = true;
        } else finished = r.status === 'Available';
        if (finished) {
          result.waiting.delete(t.cidr);
          if (!result.problems.has(t.cidr)) result.done.add(t.cidr);
        }
        return !finished;
      });
      if (remaining.length === 0) {
        hitAt = sentAt;
        break;
      }
      learned.lo = Math.max(learned.lo, sentAt);
      if (now() >= deadline) break;
      misses++;
      // Not yet: look again at the known-good offset if it is still ahead, else soon and then
      // less and less often.
      const untilHi = learned.hi - (now() - started);
      delay =
        untilHi > MIN_POLL_MS && learned.hi > learned.lo
          ? untilHi
          : Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, Math.round(learned.hi * 0.2 * 1.5 ** (misses - 1))));
    }
    if (hitAt !== undefined) {
      learned.hi = misses === 0 ? Math.min(learned.hi, hitAt) : hitAt;
      if (learned.lo >= learned.hi) learned.lo = learned.hi * 0.8;
      learned.lo *= 0.995;
      learned.hi = Math.min(MAX_POLL_MS, learned.hi * 1.005);
    }
    return result;
  }

  return {
    settle,
    /** Entries the table held at the last full listing; sizes the listing strategy. */
    setTableSize(n: number) {
      tableSize = n;
    },
  };
}
