// Step: a LoadBalancer Service with SLB annotations gets its SLB (listeners, vServer groups with
// the Nodes as backends, tags); deleting the Service removes exactly what was created for it.
import { show, type DemoContext } from '../context.js';
import { until } from '../poll.js';

const PFX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

export async function loadBalancer(ctx: DemoContext): Promise<void> {
  const { out, cluster, kubectl } = ctx;
  const annotations = {
    [`${PFX}address-type`]: 'internet',
    [`${PFX}protocol-port`]: 'tcp:80,tcp:443',
    [`${PFX}scheduler`]: 'wrr',
    [`${PFX}health-check-switch`]: 'on',
    [`${PFX}additional-resource-tags`]: 'team=demo',
  };
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop', namespace: 'default', annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'shop' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'https', port: 443, targetPort: 8443 },
      ],
    },
  };
  out.note('Service shop (type LoadBalancer) with annotations:');
  for (const [k, v] of Object.entries(annotations)) out.note(`  ${k}: ${v}`);
  await show(ctx, ['apply', '-f', '-'], JSON.stringify(svc));
  const ip = await until(
    'the Service to get an EXTERNAL-IP',
    async () =>
      (
        await kubectl.run(['get', 'service', 'shop', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])
      ).trim() || undefined,
  );
  out.ok(`service controller: SLB created, EXTERNAL-IP ${ip}`);
  await show(ctx, ['get', 'service', 'shop']);

  const [lb] = await cluster.cloud.slb.describeLoadBalancers({ address: ip });
  if (!lb) throw new Error(`no SLB has the address ${ip}`);
  const lines = [
    `${lb.LoadBalancerId}  ${lb.Address} (${lb.AddressType})  name=${lb.LoadBalancerName}`,
    `tags: ${(lb.Tags?.Tag ?? []).map((t) => `${t.TagKey}=${t.TagValue}`).join(', ')}`,
  ];
  for (const l of await cluster.cloud.slb.listeners.describe([lb.LoadBalancerId])) {
    lines.push(
      `listener ${l.ListenerProtocol}:${l.ListenerPort}  ${l.Status}  scheduler=${l.Scheduler}  → ${l.VServerGroupId}`,
    );
  }
  let backends = 0;
  for (const g of await cluster.cloud.slb.vgroups.describe(lb.LoadBalancerId)) {
    const attr = await cluster.cloud.slb.vgroups.describeAttribute(g.VServerGroupId);
    const list = attr.BackendServers?.BackendServer ?? [];
    backends += list.length;
    lines.push(`vServer group ${g.VServerGroupId}: ${list.map((b) => `${b.ServerId}:${b.Port}`).join(', ')}`);
  }
  out.cloud('slb DescribeLoadBalancers / listeners / vServer groups', lines);
  out.fact('externalIP', ip);
  out.fact('loadBalancerId', lb.LoadBalancerId);
  out.fact('backends', String(backends));

  out.note('');
  await show(ctx, ['delete', 'service', 'shop', '--wait=true', '--timeout=30s']);
  await until('the SLB to be deleted', async () =>
    (await cluster.cloud.slb.describeLoadBalancers({ address: ip })).length === 0 ? true : undefined,
  );
  out.ok(`SLB ${lb.LoadBalancerId} deleted with the Service; the cloud has no SLB left`);
  out.fact('slbDeleted', 'true');
}
