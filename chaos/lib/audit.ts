// The audit every scenario ends with: the emulated cloud against the emulated cluster.
//   Services: each live LoadBalancer Service has exactly one SLB of ours, its listeners are exactly
//     its ports, its VServer groups exactly one per port with every Ready node's instance as backend,
//     and its status shows the SLB's address; a deleted Service is gone from the cluster and its
//     SLB from the cloud. Any SLB/listener/VServer group of this cluster beyond that is a leak.
//   Routes: exactly one route of ours per Node with a pod CIDR, to its instance; anything else ours is a leak.
//   Disks: each live claim Bound to a PV whose disk exists; every disk of ours belongs to a live PV.
import type { ChaosCluster } from './cluster.js';
import { NS } from './workload.js';

const TAG_DEFAULT_NAME = 'kubernetes.do.not.delete';
const TAG_CLUSTER = 'ack.aliyun.com';
const DISK_ID_ANNOTATION = 'alicloud.kubernetes.io/disk-id';

interface Svc {
  metadata: { name: string; uid: string; deletionTimestamp?: string; annotations?: Record<string, string> };
  spec: { type?: string; ports?: Array<{ port: number; nodePort?: number; protocol?: string }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}
interface NodeObj {
  metadata: { name: string };
  spec?: { providerID?: string; podCIDR?: string; unschedulable?: boolean };
  status?: { conditions?: Array<{ type: string; status: string }> };
}
interface Pv {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { claimRef?: { name?: string; namespace?: string } };
}
interface Pvc {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: { volumeName?: string };
  status?: { phase?: string };
}

export interface AuditCounts {
  services: number;
  ownedSlbs: number;
  listeners: number;
  vgroups: number;
  routes: number;
  disks: number;
}

export interface AuditResult {
  /** Everything not as it must be (empty = converged and clean). */
  problems: string[];
  /** Objects of ours that nothing in the cluster accounts for. */
  leaks: string[];
  duplicates: number;
  counts: AuditCounts;
}

const defaultName = (uid: string) => ('a' + uid.replace(/-/g, '')).slice(0, 32);
const tag = (tags: Array<{ Key: string; Value: string }> | undefined, k: string) =>
  tags?.find((t) => t.Key === k)?.Value;

export function audit(c: ChaosCluster): AuditResult {
  const problems: string[] = [];
  const leaks: string[] = [];
  let duplicates = 0;
  const s = c.cloud.state;
  const store = c.kube.store;

  // ---- Services and SLBs
  const services = store
    .list<never>('services', { namespace: NS })
    .map((x) => x as unknown as Svc)
    .filter((x) => x.spec.type === 'LoadBalancer');
  const nodes = store.list<never>('nodes').map((x) => x as unknown as NodeObj);
  const readyInstances = new Set(
    nodes
      .filter((n) => n.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'))
      .map((n) => n.spec?.providerID?.split('.').pop() ?? ''),
  );
  const ours = Object.values(s.loadBalancers).filter(
    (lb) => tag(lb.Tags, TAG_CLUSTER) === c.clusterId && tag(lb.Tags, TAG_DEFAULT_NAME),
  );
  const byName = new Map<string, typeof ours>();
  for (const lb of ours) {
    const k = tag(lb.Tags, TAG_DEFAULT_NAME)!;
    byName.set(k, [...(byName.get(k) ?? []), lb]);
  }
  const accounted = new Set<string>();
  let listeners = 0;
  for (const svc of services) {
    const id = `service ${svc.metadata.name}`;
    if (svc.metadata.deletionTimestamp) {
      problems.push(`${id}: still being deleted`);
      continue;
    }
    const lbs = byName.get(defaultName(svc.metadata.uid)) ?? [];
    for (const lb of lbs) accounted.add(lb.LoadBalancerId);
    if (lbs.length === 0) {
      problems.push(`${id}: no SLB`);
      continue;
    }
    if (lbs.length > 1) {
      duplicates += lbs.length - 1;
      problems.push(`${id}: ${lbs.length} SLBs (${lbs.map((l) => l.LoadBalancerId).join(', ')})`);
    }
    const lb = lbs[0]!;
    const ports = (svc.spec.ports ?? []).map((p) => p.port).sort((a, b) => a - b);
    const got = lb.Listeners.map((l) => l.ListenerPort).sort((a, b) => a - b);
    listeners += got.length;
    if (ports.join() !== got.join())
      problems.push(`${id}: listeners ${got.join() || 'none'} ≠ ports ${ports.join()}`);
    const wantScheduler =
      svc.metadata.annotations?.['service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler'];
    if (wantScheduler && lb.Listeners.some((l) => l.Attributes.Scheduler !== wantScheduler))
      problems.push(`${id}: scheduler not ${wantScheduler}`);
    const wantGroups = (svc.spec.ports ?? [])
      .map((p) => `k8s/${p.nodePort}/${svc.metadata.name}/${NS}/${c.clusterId}`)
      .sort();
    const groups = Object.values(s.vserverGroups).filter((g) => g.LoadBalancerId === lb.LoadBalancerId);
    const gotGroups = groups.map((g) => g.VServerGroupName).sort();
    if (wantGroups.join() !== gotGroups.join())
      problems.push(`${id}: vserver groups [${gotGroups.join(' ')}] ≠ [${wantGroups.join(' ')}]`);
    for (const g of groups) {
      const backends = [...new Set(g.BackendServers.map((b) => b.ServerId))].sort().join();
      if (backends !== [...readyInstances].sort().join())
        problems.push(`${id}: ${g.VServerGroupName} backends ${backends || 'none'} ≠ ready nodes`);
    }
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip !== lb.Address) problems.push(`${id}: ingress ${ip ?? 'none'} ≠ SLB address ${lb.Address}`);
  }
  for (const lb of ours) {
    if (accounted.has(lb.LoadBalancerId)) continue;
    leaks.push(
      `SLB ${lb.LoadBalancerId} (${tag(lb.Tags, TAG_DEFAULT_NAME)}) with ${lb.Listeners.length} listeners belongs to no Service`,
    );
  }
  const lbIds = new Set(Object.keys(s.loadBalancers));
  const ourIds = new Set(ours.map((l) => l.LoadBalancerId));
  let vgroups = 0;
  for (const g of Object.values(s.vserverGroups)) {
    if (c.foreignIds.has(g.VServerGroupId)) continue;
    if (!lbIds.has(g.LoadBalancerId)) leaks.push(`VServer group ${g.VServerGroupId} of a deleted SLB`);
    if (ourIds.has(g.LoadBalancerId)) vgroups++;
    else if (g.VServerGroupName.endsWith(`/${c.clusterId}`))
      leaks.push(`VServer group ${g.VServerGroupId} (${g.VServerGroupName}) on an SLB that is not ours`);
  }

  // ---- Routes
  const marker = `kube-alicloud/route cluster=${c.clusterId} `;
  const routes = Object.values(s.routeEntries).filter(
    (e) => e.RouteTableId === c.routeTableId && e.Type === 'Custom' && e.Description.startsWith(marker),
  );
  const wantRoutes = new Map<string, string>();
  for (const n of nodes)
    if (n.spec?.podCIDR && n.spec.providerID)
      wantRoutes.set(n.spec.podCIDR, n.spec.providerID.split('.').pop()!);
  const seenRoutes = new Map<string, number>();
  for (const e of routes) {
    const hop = wantRoutes.get(e.DestinationCidrBlock);
    seenRoutes.set(e.DestinationCidrBlock, (seenRoutes.get(e.DestinationCidrBlock) ?? 0) + 1);
    if (hop === undefined)
      leaks.push(`route ${e.DestinationCidrBlock} → ${e.NextHopId} (${e.RouteEntryId}) for no Node`);
    else if (hop !== e.NextHopId)
      problems.push(`route ${e.DestinationCidrBlock} → ${e.NextHopId}, node's instance is ${hop}`);
  }
  for (const [cidr, hop] of wantRoutes) {
    const n = seenRoutes.get(cidr) ?? 0;
    if (n === 0) problems.push(`route ${cidr} → ${hop} missing`);
    if (n > 1) {
      duplicates += n - 1;
      problems.push(`route ${cidr}: ${n} entries`);
    }
  }

  // ---- Disks
  const pvs = store.list<never>('persistentvolumes').map((x) => x as unknown as Pv);
  const pvcs = store.list<never>('persistentvolumeclaims', { namespace: NS }).map((x) => x as unknown as Pvc);
  const ownedDisks = Object.values(s.disks).filter((d) => tag(d.Tags, TAG_CLUSTER) === c.clusterId);
  const diskIds = new Set(ownedDisks.map((d) => d.DiskId));
  const pvDisk = new Map<string, string>();
  for (const pv of pvs) {
    const d = pv.metadata.annotations?.[DISK_ID_ANNOTATION];
    if (d) pvDisk.set(d, pv.metadata.name);
  }
  for (const d of ownedDisks)
    if (!pvDisk.has(d.DiskId)) leaks.push(`disk ${d.DiskId} (${d.DiskName}) backs no PersistentVolume`);
  for (const [d, pv] of pvDisk) if (!diskIds.has(d)) problems.push(`PV ${pv}: disk ${d} does not exist`);
  const livePvcNames = new Set(pvcs.map((p) => p.metadata.name));
  for (const pv of pvs) {
    const ref = pv.spec?.claimRef;
    if (ref?.namespace === NS && ref.name && !livePvcNames.has(ref.name))
      problems.push(`PV ${pv.metadata.name}: its claim ${ref.name} is gone but the PV is not`);
  }
  for (const p of pvcs) {
    if (p.metadata.deletionTimestamp) problems.push(`PVC ${p.metadata.name}: still being deleted`);
    else if (p.status?.phase !== 'Bound')
      problems.push(`PVC ${p.metadata.name}: ${p.status?.phase ?? 'no phase'}, not Bound`);
  }

  return {
    problems: [...problems, ...leaks],
    leaks,
    duplicates,
    counts: {
      services: services.length,
      ownedSlbs: ours.length,
      listeners,
      vgroups,
      routes: routes.length,
      disks: ownedDisks.length,
    },
  };
}

export interface Convergence {
  ms: number;
  result: AuditResult;
  converged: boolean;
}

/** Polls the audit until it is clean or `deadlineMs` passes (bounded). */
export async function waitConverged(
  c: ChaosCluster,
  deadlineMs: number,
  intervalMs = 250,
  abort?: () => string | undefined,
): Promise<Convergence> {
  const start = Date.now();
  let result = audit(c);
  while (result.problems.length > 0 && Date.now() - start < deadlineMs) {
    const why = abort?.();
    if (why) throw new Error(why);
    await new Promise((r) => setTimeout(r, intervalMs));
    result = audit(c);
  }
  return { ms: Date.now() - start, result, converged: result.problems.length === 0 };
}
