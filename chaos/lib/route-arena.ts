// Where R8 replays hostile podCIDRs against the real hostroutes Reconciler: a network namespace
// made for the run (root, `ip netns` usable) whose every IPv4 table is compared as text, or — on
// a machine without either — a kernel written down here whose snapshot is every batch line the
// reconciler sent. Either way the layout is ROUTE_ARENA's: this node 198.18.0.1 on 198.18.0.0/24.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { KernelState } from '../../src/hostroutes/diff.js';
import { createIpRouteTable, type RouteTable } from '../../src/hostroutes/ip.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import { ROUTE_ARENA } from './hostile-routes.js';

const run = promisify(execFile);

export interface RouteArena {
  kind: 'netns' | 'model';
  /** Why the namespace was not used (model only). */
  why?: string;
  table: RouteTable;
  /** Every table (netns) or every batch line so far (model), as text. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

const ip = async (args: string[]): Promise<string> => (await run('ip', args, { timeout: 10_000 })).stdout;

async function netnsArena(): Promise<RouteArena> {
  const ns = `r8h-${randomBytes(4).toString('hex')}`;
  await ip(['netns', 'add', ns]);
  const close = async () => {
    await ip(['netns', 'del', ns]).catch(() => undefined);
  };
  try {
    // A veth pair with both ends inside stands in for eth0 (the dummy module may be absent): the
    // node subnet is connected, the peer on-link. Nothing appears in the root namespace.
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
    await ip(['-n', ns, 'link', 'set', 'eth0p', 'up']);
    await ip(['-n', ns, 'addr', 'add', `${ROUTE_ARENA.self.internalIPs[0]}/24`, 'dev', 'eth0']);
    await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', ns, 'route', 'add', 'default', 'via', '198.18.0.254', 'dev', 'eth0']);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    kind: 'netns',
    table: createIpRouteTable({ globalArgs: ['-n', ns] }),
    // IPv4 only: IPv6 link-local routes appear on their own once DAD completes.
    snapshot: () => ip(['-n', ns, '-4', '-N', '-j', 'route', 'show', 'table', 'all']),
    close,
  };
}

/** One written-down kernel; it never changes, so use a fresh one per pass. */
export function modelArena(why: string): RouteArena {
  const main = parseRouteJson(
    JSON.stringify([
      {
        dst: ROUTE_ARENA.nodeSubnet,
        dev: 'eth0',
        protocol: '2',
        scope: '253',
        prefsrc: ROUTE_ARENA.self.internalIPs[0],
        flags: [],
      },
      { dst: 'default', gateway: '198.18.0.254', dev: 'eth0', protocol: '4', flags: [] },
    ]),
  );
  const local = parseRouteJson(
    JSON.stringify([
      {
        type: 'local',
        dst: ROUTE_ARENA.self.internalIPs[0],
        dev: 'eth0',
        protocol: '2',
        scope: '254',
        flags: [],
      },
      { type: 'local', dst: '127.0.0.0/8', dev: 'lo', protocol: '2', scope: '254', flags: [] },
    ]),
  );
  const state: KernelState = { table: main, main, local };
  const sent: string[] = [];
  return {
    kind: 'model',
    why,
    table: {
      read: async () => state,
      readExact: async (_t, dsts) => main.filter((r) => dsts.includes(r.dst)),
      applyBatch: async (lines) => {
        sent.push(...lines);
        return { failedLines: [], errors: new Map() };
      },
    },
    snapshot: async () => JSON.stringify(sent),
    close: async () => undefined,
  };
}

/** A namespace when this machine allows one, else the written-down kernel (and why). */
export async function openRouteArena(): Promise<RouteArena> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return modelArena('not running as root');
  try {
    return await netnsArena();
  } catch (err) {
    return modelArena(
      `ip netns not usable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    );
  }
}
