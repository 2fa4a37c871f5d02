// Step: each Node's pod CIDR becomes a route entry in the VPC route table, next hop the Node's
// instance, and the Node's NetworkUnavailable condition turns False.
import type { RouteEntry } from '../../../src/cloud/vpc-types.js';
import { show, type DemoContext } from '../context.js';
import { until } from '../poll.js';

const COLUMNS =
  'custom-columns=NAME:.metadata.name,POD-CIDR:.spec.podCIDR,' +
  'NETWORK-UNAVAILABLE:.status.conditions[?(@.type=="NetworkUnavailable")].status,' +
  'REASON:.status.conditions[?(@.type=="NetworkUnavailable")].reason';

function nextHop(e: RouteEntry): string {
  return e.NextHops?.NextHop?.[0]?.NextHopId ?? e.InstanceId ?? '';
}

export async function podRoutes(ctx: DemoContext): Promise<void> {
  const { out, cluster, kubectl } = ctx;
  out.note("kube-controller-manager's node IPAM (--allocate-node-cidrs) gives each Node a pod CIDR;");
  out.note('here we set spec.podCIDR the way it would:');
  for (const h of cluster.hosts) {
    await kubectl.run([
      'patch',
      'node',
      h.name,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { podCIDR: h.podCIDR, podCIDRs: [h.podCIDR] } }),
    ]);
  }
  const wanted = new Map(cluster.hosts.map((h) => [h.podCIDR, h.instance.InstanceId]));
  const entries = await until('a VPC route for every pod CIDR', async () => {
    const all = await cluster.cloud.vpc.describeRouteEntryList({
      routeTableId: cluster.routeTableId,
      routeEntryType: 'Custom',
    });
    const ours = all.filter(
      (e) => wanted.get(e.DestinationCidrBlock) === nextHop(e) && e.Status === 'Available',
    );
    return ours.length === wanted.size ? ours : undefined;
  });
  await until('NetworkUnavailable=False on every Node', async () => {
    const out = await kubectl.run([
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.status.conditions[?(@.type=="NetworkUnavailable")].status}{"\\n"}{end}',
    ]);
    const states = out.split('\n').filter(Boolean);
    return states.length === cluster.hosts.length && states.every((s) => s === 'False') ? true : undefined;
  });
  out.ok('route controller: one VPC route per pod CIDR, NetworkUnavailable=False');
  await show(ctx, ['get', 'nodes', '-o', COLUMNS]);
  const all = await cluster.cloud.vpc.describeRouteEntryList({ routeTableId: cluster.routeTableId });
  out.cloud(
    `vpc DescribeRouteEntryList ${cluster.routeTableId}`,
    all.map(
      (e) =>
        `${e.DestinationCidrBlock.padEnd(18)} → ${(nextHop(e) || e.NextHopType || '-').padEnd(24)} ${(e.Type ?? '').padEnd(7)} ${e.Status ?? ''}  ${e.Description ?? ''}`,
    ),
  );
  const first = entries.find((e) => e.DestinationCidrBlock === cluster.hosts[0]!.podCIDR)!;
  out.fact('podCIDR', first.DestinationCidrBlock);
  out.fact('nextHop', nextHop(first));
  out.fact('routeEntries', String(entries.length));
}
