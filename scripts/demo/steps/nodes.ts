// Step: Nodes join as a kubelet with --cloud-provider=external registers them (tainted
// uninitialized, no providerID), then the controller-manager starts and its node controller
// initialises them from ECS: providerID, zone/region/instance-type labels, taint removed.
import { startManager, type ManagerHandle } from '../cluster.js';
import { show, type DemoContext } from '../context.js';
import { until } from '../poll.js';

const UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';
const COLUMNS =
  'custom-columns=NAME:.metadata.name,PROVIDER-ID:.spec.providerID,TAINTS:.spec.taints[*].key,' +
  'ZONE:.metadata.labels.topology\\.kubernetes\\.io/zone,TYPE:.metadata.labels.node\\.kubernetes\\.io/instance-type';

interface NodeView {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { providerID?: string; taints?: Array<{ key: string }> };
}

export async function nodesJoin(ctx: DemoContext): Promise<ManagerHandle> {
  const { out, cluster, kubectl } = ctx;
  out.note('Two kubelets started with --cloud-provider=external register their Nodes:');
  out.note(`tainted ${UNINITIALIZED}, no providerID yet, InternalIP from --node-ip.`);
  for (const h of cluster.hosts) {
    await kubectl.apply({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: h.name, labels: { 'kubernetes.io/hostname': h.name, 'kubernetes.io/os': 'linux' } },
      spec: { taints: [{ key: UNINITIALIZED, value: 'true', effect: 'NoSchedule' }] },
    });
    // The kubelet reports addresses and readiness through the status subresource.
    const heartbeat = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await kubectl.run([
      'patch',
      'node',
      h.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          addresses: [
            { type: 'InternalIP', address: h.ip },
            { type: 'Hostname', address: h.name },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: heartbeat,
            },
          ],
        },
      }),
    ]);
  }
  await show(ctx, ['get', 'nodes', '-o', COLUMNS]);

  out.note('');
  out.note('alicloud-controller-manager starts (node, route, service and disk controllers):');
  const t0 = Date.now();
  const manager = await startManager(cluster, ctx.cleanup);
  const readyMs = Date.now() - t0;
  out.note(
    `  alicloud-controller-manager ${manager.argv.filter((a) => !a.startsWith('--kubeconfig') && !a.startsWith('--cloud-config')).join(' ')}`,
  );
  out.note(
    `  pid ${manager.child.pid}, serving after ${(readyMs / 1000).toFixed(1)} s; credentials from ALIYUN_ACCESS_KEY/ALIYUN_ACCESS_KEY_SECRET, cloud-config Global.clusterID=${cluster.clusterId}`,
  );

  const initialised = await until('the node controller to initialise both Nodes', async () => {
    const list = await kubectl.json<{ items: NodeView[] }>(['get', 'nodes']);
    const done = list.items.filter(
      (n) => n.spec.providerID && !(n.spec.taints ?? []).some((t) => t.key === UNINITIALIZED),
    );
    return done.length === cluster.hosts.length ? done : undefined;
  });
  out.ok(
    `providerID set, cloud labels added, uninitialized taint removed (${((Date.now() - t0 - readyMs) / 1000).toFixed(1)} s after start):`,
  );
  await show(ctx, ['get', 'nodes', '-o', COLUMNS]);
  const first = cluster.hosts[0]!;
  await until('the InitializedNode event', async () =>
    (
      await kubectl.run([
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${first.name}`,
        '-o',
        'name',
      ])
    ).trim()
      ? true
      : undefined,
  );
  await show(ctx, [
    'get',
    'events',
    '--field-selector',
    `involvedObject.name=${first.name}`,
    '-o',
    'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message',
  ]);

  const [inst] = await cluster.cloud.ecs.describeInstancesByIds([first.instance.InstanceId]);
  const enis = await cluster.cloud.ecs.describeNetworkInterfaces({ instanceId: first.instance.InstanceId });
  out.cloud(`ecs DescribeInstances / DescribeNetworkInterfaces (${first.instance.InstanceId})`, [
    `${inst?.InstanceId}  host=${inst?.HostName}  ${inst?.Status}  ${inst?.InstanceType}  zone=${inst?.ZoneId}  ip=${inst?.VpcAttributes?.PrivateIpAddress?.IpAddress?.join(',') ?? ''}`,
    ...enis.map(
      (e) =>
        `${e.NetworkInterfaceId} (${e.Type})  SourceDestCheck=${String(e.SourceDestCheck)}  ← off, so pod traffic may leave the node`,
    ),
  ]);
  const node = initialised.find((n) => n.metadata.name === first.name)!;
  out.fact('node', node.metadata.name);
  out.fact('providerID', node.spec.providerID ?? '');
  out.fact('zone', node.metadata.labels?.['topology.kubernetes.io/zone'] ?? '');
  out.fact('instanceType', node.metadata.labels?.['node.kubernetes.io/instance-type'] ?? '');
  out.fact('sourceDestCheck', String(enis.find((e) => e.Type === 'Primary')?.SourceDestCheck));
  return manager;
}
