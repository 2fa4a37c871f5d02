// The memory bench's emulators, in a process of their own. A 15,000-Node cluster keeps both
// emulators busy; run inside the bench process they shared one event loop with the bench's own
// polling, so the manager's Lease renewals and route listings queued behind that work and P5b
// never converged. The parent (bench/memory.ts) forks this file and drives it over Node's IPC
// channel: one request message `{ id, op, ...args }`, one reply `{ id, ok, result | error }`.
//
//   start            both emulators up, kubeconfig written → { cloudUrl, regionId }
//   seedNodes        Nodes [from, to) with their instances (bench/cluster-seed.ts, admin path)
//   createService    one LoadBalancer Service, the template the manager converges
//   cloneRoutes      every seeded Node's route, copied from the template Node's
//   cloneServices    Services [from, to) copied from the converged template
//   tally            cloud calls by action and Events created or bumped, so far
//   shutdown         close both emulators and exit (a --cpu-prof profile is written on exit)
//
// Run by memory.ts only: `fork('bench/emulator-host.ts', { execArgv: ['--import', 'tsx'] })`.
import { startAlicloudEmulator, type AlicloudEmulator } from '../emulators/alicloud/index.js';
import { startKubeEmulator, type KubeEmulator, type KubeObject } from '../emulators/kube/index.js';
import {
  cloneLoadBalancerServices,
  cloneRoutes,
  loadBalancerService,
  seedNodes,
  type SeededNode,
} from './cluster-seed.js';

export interface HostTally {
  /** Cloud calls by action since start. */
  calls: Record<string, number>;
  /** Events created or bumped (a recorder that aggregates raises `count` instead of adding objects). */
  events: number;
}

/** The requests and what each answers; memory.ts's client is typed from this. */
export interface HostOps {
  start: {
    args: { accessKeyId: string; accessKeySecret: string; kubeconfig: string };
    result: { cloudUrl: string; regionId: string };
  };
  seedNodes: { args: { from: number; to: number; pool: number }; result: number };
  createService: { args: { name: string }; result: null };
  cloneRoutes: { args: Record<string, never>; result: number };
  cloneServices: { args: { template: string; from: number; to: number }; result: null };
  tally: { args: Record<string, never>; result: HostTally };
  shutdown: { args: Record<string, never>; result: null };
}

interface Request {
  id: number;
  op: keyof HostOps;
  args: Record<string, unknown>;
}

let cloud: AlicloudEmulator | undefined;
let kube: KubeEmulator | undefined;
const nodes: SeededNode[] = [];

function need(): { cloud: AlicloudEmulator; kube: KubeEmulator } {
  if (!cloud || !kube) throw new Error('emulators not started');
  return { cloud, kube };
}

async function handle(op: keyof HostOps, a: Record<string, unknown>): Promise<unknown> {
  switch (op) {
    case 'start': {
      const { accessKeyId, accessKeySecret, kubeconfig } = a as HostOps['start']['args'];
      cloud = await startAlicloudEmulator({ port: 0, accessKeyId, accessKeySecret });
      // 5000 LoadBalancer Services need 5000 NodePorts: a cluster this size widens the range.
      kube = await startKubeEmulator({ port: 0, nodePortRange: { min: 30000, max: 49999 } });
      await kube.writeKubeconfig(kubeconfig);
      return { cloudUrl: cloud.url, regionId: cloud.state.regionId };
    }
    case 'seedNodes': {
      const { from, to, pool } = a as HostOps['seedNodes']['args'];
      const e = need();
      nodes.push(...seedNodes(e.cloud, e.kube, from, to, pool));
      return nodes.length;
    }
    case 'createService':
      need().kube.store.create('services', loadBalancerService((a as { name: string }).name));
      return null;
    case 'cloneRoutes':
      if (!nodes[0]) throw new Error('no Nodes seeded');
      cloneRoutes(need().cloud, nodes[0], nodes);
      return nodes.length;
    case 'cloneServices': {
      const { template, from, to } = a as HostOps['cloneServices']['args'];
      const e = need();
      cloneLoadBalancerServices(e.cloud, e.kube, template, from, to);
      return null;
    }
    case 'tally': {
      const e = need();
      const events = e.kube.store
        .list<KubeObject & { count?: number }>('events')
        .reduce((n, ev) => n + Math.max(1, ev.count ?? 1), 0);
      return { calls: e.cloud.callTally(), events } satisfies HostTally;
    }
    case 'shutdown':
      await kube?.close();
      await cloud?.close();
      setImmediate(() => process.exit(0));
      return null;
  }
}

if (!process.send) {
  console.error('bench/emulator-host.ts is forked by bench/memory.ts (it needs an IPC channel)');
  process.exit(2);
}
process.on('message', (m: Request) => {
  handle(m.op, m.args ?? {}).then(
    (result) => process.send!({ id: m.id, ok: true, result }),
    (err: unknown) =>
      process.send!({
        id: m.id,
        ok: false,
        error: `emulator host: ${m.op}: ${err instanceof Error ? err.message : String(err)}`,
      }),
  );
});
// The parent gone (killed, crashed) leaves nobody to send `shutdown`: do not linger.
process.on('disconnect', () => process.exit(0));
