// Step: alicloud-hostroutes, started in a network namespace that plays the worker's host network,
// programs a kernel route to the other Node's pod CIDR via that Node's InternalIP, marked with
// its own routing protocol (200) so it never touches routes it did not make.
import { CLUSTER_CIDR } from '../cluster.js';
import { show, type DemoContext } from '../context.js';
import { DemoNetns, ip } from '../netns.js';
import { until } from '../poll.js';

export interface RunningAgent {
  ns: DemoNetns;
  pid: number;
  startedAt: number;
}

/**
 * Makes the namespace and starts the agent, printing nothing. The demo calls this steps ahead of
 * the hostroutes step, because two processes take seconds to start on a busy machine and the
 * agent needs no more than a running apiserver (it routes pod CIDRs as soon as Nodes have them).
 */
export async function startAgent(ctx: DemoContext): Promise<RunningAgent | undefined> {
  const { cluster } = ctx;
  if (ctx.host.netns) return undefined;
  const self = cluster.hosts[0]!;
  const ns = await DemoNetns.create(ctx.cleanup, `${self.ip}/24`);
  const master = await ns.apiserverURL(
    cluster.root,
    new URL(cluster.kubeEmu.url),
    cluster.programs.forwarder,
  );
  const argv = [
    '--master',
    master,
    '--node-name',
    self.name,
    `--cluster-cidr=${CLUSTER_CIDR}`,
    '--port',
    '0',
    '--bind-address',
    '127.0.0.1',
    '--resync-period',
    '10s',
    '--debounce',
    '10ms',
    '--log-level',
    'warn',
  ];
  const agent = await ns.spawn('alicloud-hostroutes', [
    process.execPath,
    cluster.programs.hostroutes,
    ...argv,
  ]);
  return { ns, pid: agent.child.pid ?? 0, startedAt: Date.now() };
}

export async function hostRoutes(
  ctx: DemoContext,
  started: Promise<RunningAgent | undefined>,
): Promise<void> {
  const { out, cluster } = ctx;
  if (ctx.host.netns) {
    out.skip(`alicloud-hostroutes needs a network namespace to program routes in: ${ctx.host.netns}`);
    return;
  }
  const [self, peer] = cluster.hosts as [(typeof cluster.hosts)[0], (typeof cluster.hosts)[0]];
  out.note("What the agent reads: every other Node's pod CIDR and InternalIP (it makes no cloud calls).");
  await show(ctx, [
    'get',
    'nodes',
    '-o',
    'custom-columns=NAME:.metadata.name,INTERNAL-IP:.status.addresses[?(@.type=="InternalIP")].address,POD-CIDR:.spec.podCIDR',
  ]);
  const agent = await started;
  if (!agent) throw new Error('the hostroutes agent did not start');
  const { ns } = agent;
  out.note(
    `network namespace ${ns.name} plays ${self.name}'s host network (eth0 ${self.ip}/24); in it, since`,
  );
  out.note(
    `${((Date.now() - agent.startedAt) / 1000).toFixed(1)} s ago (started while the steps above ran), pid ${agent.pid}:`,
  );
  out.note(
    `$ ip netns exec ${ns.name} alicloud-hostroutes --node-name ${self.name} --cluster-cidr=${CLUSTER_CIDR} --master <apiserver> …`,
  );

  const want = `${peer.podCIDR} via ${peer.ip}`;
  const routes = await until(`the route ${want} in ${ns.name}`, async () => {
    const text = await ip(['-n', ns.name, '-4', 'route', 'show', 'proto', '200']);
    return text.includes(want) ? text : undefined;
  });
  out.ok(`hostroutes: ${want} programmed (proto 200); no route for its own pod CIDR ${self.podCIDR}`);
  const table = ['-n', ns.name, '-4', 'route', 'show'];
  out.command(['ip', ...table], await ip(table));
  out.note('hostroutes carries pod traffic only between layer-2 neighbours (bare metal, one bridge). An');
  out.note('Alibaba Cloud VPC forwards by destination IP through its route table, so there the VPC routes');
  out.note(
    'shown above carry pod traffic: run the route controller and leave hostroutes out (docs/hostroutes.md).',
  );
  if (routes.includes(self.podCIDR))
    throw new Error(`hostroutes routed its own pod CIDR ${self.podCIDR} away`);
  out.fact('netns', ns.name);
  out.fact('route', want);
}
