// Pure: keeping a kernel read current between full reads. Event-driven passes trust this snapshot
// for everything they do not touch and re-read exactly what they do touch; periodic full reads
// replace it and so bound how long any drift it misses can last.
import type { KernelState, RouteOp } from './diff.js';
import { parseCidr } from '../util/ipv4.js';
import type { KernelRoute } from './kernel-routes.js';

/** `state` with every route of the destinations in `dsts` replaced by `fresh` (a re-read of them). */
export function withDestinations(
  state: KernelState,
  dsts: ReadonlySet<string>,
  fresh: readonly KernelRoute[],
): KernelState {
  if (dsts.size === 0 && fresh.length === 0) return state;
  const table = [...state.table.filter((r) => !dsts.has(r.dst)), ...fresh];
  // When we program `main`, the on-link test reads the same table and must see the re-read too.
  return { table, main: state.main === state.table ? table : state.main, local: state.local };
}

/** Whether two route lists hold the same routes, in any order. */
export function sameRoutes(a: readonly KernelRoute[], b: readonly KernelRoute[]): boolean {
  const sig = (rs: readonly KernelRoute[]) =>
    rs
      .map((r) => `${r.dst}|${r.gateway ?? ''}|${r.protocol}|${r.metric}|${r.type}`)
      .sort()
      .join(',');
  return a.length === b.length && sig(a) === sig(b);
}

/** The table after `ops` succeeded, derived without asking the kernel. */
export function afterApplying(state: KernelState, ops: readonly RouteOp[], protocol: number): KernelState {
  if (ops.length === 0) return state;
  const proto = String(protocol);
  const deleted = new Set(
    ops.filter((o) => o.kind === 'delete').map((o) => `${o.dst}|${o.gateway ?? ''}|${o.metric}`),
  );
  const replaced = new Map<string, KernelRoute>();
  for (const op of ops) {
    if (op.kind !== 'replace') continue;
    const cidr = parseCidr(op.dst);
    if (cidr)
      replaced.set(op.dst, {
        dst: op.dst,
        cidr,
        gateway: op.gateway,
        protocol: proto,
        metric: 0,
        type: 'unicast',
      });
  }
  const kept = state.table.filter((r) => {
    if (r.protocol !== proto) return true;
    if (deleted.has(`${r.dst}|${r.gateway ?? ''}|${r.metric}`)) return false;
    return !(r.metric === 0 && replaced.has(r.dst));
  });
  const table = [...kept, ...replaced.values()];
  return { table, main: state.main === state.table ? table : state.main, local: state.local };
}

/**
 * `afterApplying` for a few ops, changing `state.table` itself instead of copying it (the caller
 * owns the snapshot). One Node change is one or two ops: this scans the table without allocating
 * a second one of thousands of routes.
 */
export function applyInPlace(state: KernelState, ops: readonly RouteOp[], protocol: number): KernelState {
  if (ops.length === 0) return state;
  const table = state.table as KernelRoute[];
  const proto = String(protocol);
  for (const op of ops) {
    if (op.kind === 'delete') {
      const i = table.findIndex(
        (r) =>
          r.protocol === proto &&
          r.dst === op.dst &&
          (r.gateway ?? '') === (op.gateway ?? '') &&
          r.metric === op.metric,
      );
      if (i >= 0) table.splice(i, 1);
      continue;
    }
    const cidr = parseCidr(op.dst);
    const i = table.findIndex((r) => r.protocol === proto && r.metric === 0 && r.dst === op.dst);
    if (i >= 0) table.splice(i, 1);
    if (cidr)
      table.push({ dst: op.dst, cidr, gateway: op.gateway, protocol: proto, metric: 0, type: 'unicast' });
  }
  return state;
}
