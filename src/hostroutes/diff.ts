// Pure: desired routes vs. what the kernel holds → `ip -batch` lines plus everything that must be
// reported. Ownership is the protocol number: only routes carrying it are ever replaced over or
// deleted, and a destination already held by anyone else is left alone and reported.
import type { DesiredRoute, Rejection } from './desired.js';
import { cidrContainsAddress, cidrsOverlap, parseIPv4 } from '../util/ipv4.js';
import type { KernelRoute } from './kernel-routes.js';

export interface KernelState {
  /** Every IPv4 route of the table we program (all protocols). */
  readonly table: readonly KernelRoute[];
  /** The main table, where connected routes live; for the on-link test. */
  readonly main: readonly KernelRoute[];
  /** `table local type local`: this host's own addresses. */
  readonly local: readonly KernelRoute[];
}

export interface DiffOptions {
  readonly protocol: number;
  readonly table: string;
}

export type RouteOp =
  | {
      readonly kind: 'replace';
      readonly dst: string;
      readonly gateway: string;
      readonly node: string;
      /** An owned route for dst exists and is rewritten in place (gateway changed). */
      readonly rewrites: boolean;
    }
  | {
      readonly kind: 'delete';
      readonly dst: string;
      readonly gateway?: string;
      readonly metric: number;
      readonly why: string;
    };

export interface Conflict {
  readonly dst: string;
  readonly node: string;
  readonly protocol: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly metric: number;
}

export interface Plan {
  readonly ops: readonly RouteOp[];
  /** One batch line per op, same order. */
  readonly lines: readonly string[];
  /** Destinations we want present after the batch, with their chosen gateway. */
  readonly accepted: ReadonlyMap<string, { gateway: string; node: string }>;
  readonly rejected: readonly Rejection[];
  readonly conflicts: readonly Conflict[];
  /** Owned routes already matching (no op needed). */
  readonly inSync: number;
  /** Owned routes found in the kernel before applying. */
  readonly owned: number;
}

export function planRoutes(
  desired: ReadonlyMap<string, DesiredRoute>,
  kernel: KernelState,
  options: DiffOptions,
): Plan {
  const proto = String(options.protocol);
  const owned = kernel.table.filter((r) => r.protocol === proto);
  const foreignByDst = new Map<string, KernelRoute>();
  for (const r of kernel.table)
    if (r.protocol !== proto && !foreignByDst.has(r.dst)) foreignByDst.set(r.dst, r);
  const connected = kernel.main.filter(
    (r) => r.protocol !== proto && !r.gateway && r.type === 'unicast' && r.dst !== 'default',
  );
  const locals = kernel.local.filter((r) => r.type === 'local');
  // Our own routes never prove adjacency (they may be stale), and excluding them up front keeps the
  // per-route gateway check proportional to the handful of foreign routes, not to our thousands.
  const reachability = kernel.main.filter((r) => r.protocol !== proto);
  const onHost = [...connected, ...locals];

  const rejected: Rejection[] = [];
  const conflicts: Conflict[] = [];
  const accepted = new Map<string, { gateway: string; node: string }>();
  const held = new Set<string>();

  for (const route of desired.values()) {
    const foreign = foreignByDst.get(route.dst);
    if (foreign) {
      conflicts.push({
        dst: route.dst,
        node: route.node,
        protocol: foreign.protocol,
        metric: foreign.metric,
        ...(foreign.gateway ? { gateway: foreign.gateway } : {}),
        ...(foreign.dev ? { dev: foreign.dev } : {}),
      });
      // Neither add nor remove anything for this prefix until the foreign route is gone.
      held.add(route.dst);
      continue;
    }
    const local = onHost.find((r) => cidrsOverlap(r.cidr, route.cidr));
    if (local) {
      rejected.push({
        node: route.node,
        dst: route.dst,
        reason: 'overlaps-local',
        detail: `${route.dst} overlaps ${local.dst}${local.dev ? ` on ${local.dev}` : ''} on this node`,
      });
      continue;
    }
    const choice = chooseGateway(route, reachability, locals);
    if ('reason' in choice) {
      rejected.push(choice);
      continue;
    }
    accepted.set(route.dst, { gateway: choice.gateway, node: route.node });
  }

  const ops: RouteOp[] = [];
  let inSync = 0;
  const satisfied = new Set<string>();
  const rewritten = new Set<string>();
  for (const r of owned) {
    if (held.has(r.dst)) continue;
    const want = accepted.get(r.dst);
    if (
      want &&
      r.metric === 0 &&
      r.gateway === want.gateway &&
      r.type === 'unicast' &&
      !satisfied.has(r.dst)
    ) {
      satisfied.add(r.dst);
      inSync += 1;
      continue;
    }
    const why = !want
      ? 'not desired'
      : r.metric !== 0
        ? 'wrong metric'
        : r.type !== 'unicast'
          ? 'wrong type'
          : 'gateway changed';
    // A changed gateway is fixed by the replace alone; deleting first would open a gap.
    if (want && why === 'gateway changed') {
      rewritten.add(r.dst);
      continue;
    }
    ops.push({
      kind: 'delete',
      dst: r.dst,
      metric: r.metric,
      why,
      ...(r.gateway ? { gateway: r.gateway } : {}),
    });
  }
  for (const [dst, want] of accepted) {
    if (!satisfied.has(dst))
      ops.push({
        kind: 'replace',
        dst,
        gateway: want.gateway,
        node: want.node,
        rewrites: rewritten.has(dst),
      });
  }
  return {
    ops,
    lines: ops.map((op) => batchLine(op, options)),
    accepted,
    rejected,
    conflicts,
    inSync,
    owned: owned.length,
  };
}

type GatewayChoice = { gateway: string } | Rejection;

function chooseGateway(
  route: DesiredRoute,
  reachability: readonly KernelRoute[],
  locals: readonly KernelRoute[],
): GatewayChoice {
  const reasons: string[] = [];
  let local = false;
  for (const gw of route.gateways) {
    const addr = parseIPv4(gw);
    if (addr === undefined) continue;
    if (locals.some((r) => cidrContainsAddress(r.cidr, addr))) {
      // The kernel accepts a gateway that is our own address; that is the self-route bug.
      local = true;
      reasons.push(`${gw} is an address of this host`);
      continue;
    }
    const via = longestMatch(reachability, addr);
    if (via && !via.gateway && via.type === 'unicast') return { gateway: gw };
    reasons.push(
      via
        ? `${gw} is reached via ${via.gateway ?? via.type} (${via.dst}), not directly connected`
        : `${gw} has no route`,
    );
  }
  return {
    node: route.node,
    dst: route.dst,
    reason: local && reasons.length === 1 ? 'gateway-is-local' : 'not-on-link',
    detail: reasons.join('; '),
  };
}

/** What the kernel would use to reach `addr` (routes given exclude our own). */
function longestMatch(routes: readonly KernelRoute[], addr: number): KernelRoute | undefined {
  let best: KernelRoute | undefined;
  for (const r of routes) {
    if (!cidrContainsAddress(r.cidr, addr)) continue;
    if (
      !best ||
      r.cidr.prefix > best.cidr.prefix ||
      (r.cidr.prefix === best.cidr.prefix && r.metric < best.metric)
    )
      best = r;
  }
  return best;
}

/** Values are re-validated here so nothing but canonical addresses ever reaches `ip`. */
export function batchLine(op: RouteOp, options: DiffOptions): string {
  const dst = op.dst === 'default' ? 'default' : checked(op.dst, /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/);
  const tail = `proto ${checkedInt(options.protocol)} table ${checked(options.table, TABLE_RE)}`;
  if (op.kind === 'replace') return `route replace ${dst} via ${checkedIp(op.gateway)} ${tail}`;
  const via = op.gateway ? ` via ${checkedIp(op.gateway)}` : '';
  return `route del ${dst}${via} metric ${checkedInt(op.metric)} ${tail}`;
}

export const TABLE_RE = /^(\d{1,10}|[A-Za-z][\w-]{0,31})$/;

function checked(value: string, re: RegExp): string {
  if (!re.test(value)) throw new Error(`refusing to put ${JSON.stringify(value)} into an ip batch line`);
  return value;
}

function checkedIp(value: string): string {
  if (parseIPv4(value) === undefined) throw new Error(`refusing gateway ${JSON.stringify(value)}`);
  return value;
}

function checkedInt(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new Error(`refusing number ${value}`);
  return value;
}
