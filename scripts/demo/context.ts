// What every demo step gets: the printer, the emulated cluster, kubectl, the cleanup stack, and
// whether host-level parts (loop devices, mounts, network namespaces) may run here.
import type { Cleanup } from './cleanup.js';
import type { DemoCluster } from './cluster.js';
import type { Kubectl } from './kubectl.js';
import { checkpoint } from './poll.js';
import type { DemoOutput } from './ui.js';

export interface HostAccess {
  /** Why loop devices and mounts cannot be used here; undefined when they can. */
  loop: string | undefined;
  /** Why a network namespace cannot be made here; undefined when it can. */
  netns: string | undefined;
}

export interface DemoContext {
  out: DemoOutput;
  cluster: DemoCluster;
  kubectl: Kubectl;
  cleanup: Cleanup;
  host: HostAccess;
}

/** Runs `kubectl <args>` and prints the command and its output. */
export async function show(ctx: DemoContext, args: readonly string[], input?: string): Promise<string> {
  checkpoint();
  const out = await ctx.kubectl.run(args, input);
  ctx.out.command(['kubectl', ...args], out);
  return out;
}
