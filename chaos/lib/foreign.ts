// Resources in the same account that are not this cluster's: SLBs of nobody and of another
// cluster (with listeners, VServer groups and backends whose names even mimic ours), route
// entries inside and outside the cluster CIDR, and disks tagged for another cluster or not at
// all. Created through the signed API like a person or another controller would; the snapshot is
// their exact JSON in the emulator, compared byte for byte after the storm.
import { createCloud } from '../../src/cloud/index.js';
import { createLogger } from '../../src/util/log.js';
import type { ChaosCluster } from './cluster.js';

const TAG_DEFAULT_NAME = 'kubernetes.do.not.delete';
const TAG_CLUSTER = 'ack.aliyun.com';
const PV_NAME_TAG = 'kubernetes.io/created-for/pv/name';

export interface ForeignSet {
  loadBalancers: string[];
  vgroups: string[];
  routes: string[];
  disks: string[];
}

export async function seedForeign(c: ChaosCluster, foreignInstances: string[]): Promise<ForeignSet> {
  const cloud = createCloud(
    {
      region: c.region,
      endpoints: { ecs: c.cloud.url, vpc: c.cloud.url, slb: c.cloud.url },
      accessKeyId: c.credentials.accessKeyId,
      accessKeySecret: c.credentials.accessKeySecret,
      callerIdentity: 'chaos-seeder',
      logger: createLogger('chaos-seeder', { level: 'silent' }),
    },
    { env: {} },
  );
  const other = 'c-other-cluster';
  const set: ForeignSet = { loadBalancers: [], vgroups: [], routes: [], disks: [] };
  const nodeInstance = c.seats[0]!.instanceId;
  const backends = [{ ServerId: nodeInstance, Port: 30080, Weight: 100 }];
  try {
    const vsw = Object.values(c.cloud.state.vswitches).find((v) => v.VpcId === c.vpcId)!.VSwitchId;
    const lbs = [
      // Nobody's: no tags, but listener/group names that claim to be this cluster's.
      { name: 'hand-made', tags: [], cluster: c.clusterId },
      // Another cluster's, tagged exactly like ours would be.
      {
        name: 'other-cluster',
        tags: [
          { Key: TAG_DEFAULT_NAME, Value: 'a0123456789abcdef0123456789abcde' },
          { Key: TAG_CLUSTER, Value: other },
        ],
        cluster: other,
      },
      // A user's SLB once reused by some Service elsewhere.
      {
        name: 'reused-by-user',
        tags: [
          { Key: 'kubernetes.reused.by.user', Value: 'true' },
          { Key: TAG_CLUSTER, Value: other },
        ],
        cluster: other,
      },
    ];
    for (const [i, spec] of lbs.entries()) {
      const lb = (await cloud.slb.createLoadBalancer({
        LoadBalancerName: spec.name,
        AddressType: 'intranet',
        VSwitchId: vsw,
        LoadBalancerSpec: 'slb.s1.small',
        tags: spec.tags,
      }))!;
      set.loadBalancers.push(lb.LoadBalancerId);
      const groupName = `k8s/3008${i}/svc-${i}/default/${spec.cluster}`;
      const g = (await cloud.slb.vgroups.create(lb.LoadBalancerId, groupName, backends))!;
      set.vgroups.push(g);
      await cloud.slb.listeners.create(lb.LoadBalancerId, 'tcp', {
        ListenerPort: 80,
        VServerGroupId: g,
        Description: `k8s/80/svc-${i}/default/${spec.cluster}`,
        Bandwidth: -1,
      });
      await cloud.slb.listeners.create(lb.LoadBalancerId, 'tcp', {
        ListenerPort: 9000,
        BackendServerPort: 9000,
        Description: 'hand-made listener',
        Bandwidth: -1,
      });
      await cloud.slb.addBackendServers(lb.LoadBalancerId, [{ ServerId: nodeInstance, Weight: 50 }]);
    }
    const routes = [
      // Outside the cluster CIDR, to one of the cluster's nodes.
      { destinationCidrBlock: '192.168.250.0/24', nextHopId: nodeInstance, description: 'vpn' },
      // Inside the cluster CIDR, to an instance that is no Node, no marker.
      { destinationCidrBlock: '10.0.250.0/24', nextHopId: foreignInstances[0]!, description: 'hand-made' },
      // Another cluster's marker, to an instance that is no Node of ours.
      {
        destinationCidrBlock: '10.0.251.0/24',
        nextHopId: foreignInstances[1] ?? foreignInstances[0]!,
        description: `kube-alicloud/route cluster=${other} node=node-0`,
      },
    ];
    for (const r of routes) {
      const id = await cloud.vpc.createRouteEntry({ routeTableId: c.routeTableId, ...r });
      set.routes.push(id!);
      await c.cloud.idle(); // the table refuses the next change while an entry is Pending
    }
    const disks = [
      {
        diskName: 'other-cluster-data',
        tags: [
          { Key: TAG_CLUSTER, Value: other },
          { Key: PV_NAME_TAG, Value: 'pvc-0000' },
        ],
      },
      { diskName: 'hand-made-data', tags: [] },
      { diskName: 'pvc-lookalike', tags: [{ Key: PV_NAME_TAG, Value: 'pvc-lookalike' }] },
    ];
    for (const d of disks)
      set.disks.push(
        (await cloud.ecs.createDisk({ zoneId: c.zoneId, diskCategory: 'cloud_efficiency', size: 20, ...d }))!,
      );
    await c.cloud.idle();
  } finally {
    cloud.close();
  }
  for (const id of [...set.loadBalancers, ...set.vgroups, ...set.routes, ...set.disks]) c.foreignIds.add(id);
  return set;
}

/** The exact stored JSON of every foreign object (a missing one shows as null). */
export function snapshotForeign(c: ChaosCluster, set: ForeignSet): string {
  const s = c.cloud.state;
  return JSON.stringify(
    {
      loadBalancers: set.loadBalancers.map((id) => s.loadBalancers[id] ?? null),
      vgroups: set.vgroups.map((id) => s.vserverGroups[id] ?? null),
      routes: set.routes.map((id) => s.routeEntries[id] ?? null),
      disks: set.disks.map((id) => s.disks[id] ?? null),
    },
    null,
    1,
  );
}

/** Line-level differences between two snapshots, for the failure message. */
export function diffLines(a: string, b: string, max = 6): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < max; i++)
    if (x[i] !== y[i]) out.push(`${(x[i] ?? '').trim()} → ${(y[i] ?? '').trim()}`);
  return out;
}
