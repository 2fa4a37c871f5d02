// Seeding a large converged cluster straight into the in-process emulators' state (their admin
// path), so 15,000 Nodes and 5000 SLBs cost seconds instead of 20,000 API calls.
//
// What the manager would write is never guessed: one template Service (and the pool Nodes'
// routes) is converged by the real manager first, and every other SLB, VServer group, route
// entry and Service is a copy of those with the names, ids and addresses substituted. So the
// clones stay byte-identical to the controllers' output whatever the controllers' format is.
import { fromEcs } from '../src/controllers/node/cloudport.js';
import { addressesFor, labelsFor } from '../src/controllers/node/plan/modifiers.js';
import type { Node } from '../src/controllers/node/types.js';
import { defaultLoadBalancerName } from '../src/controllers/service/model/naming.js';
import type { AlicloudEmulator } from '../emulators/alicloud/index.js';
import { createInstance } from '../emulators/alicloud/index.js';
import type { KubeEmulator } from '../emulators/kube/index.js';
import type { KubeObject } from '../emulators/kube/index.js';

/** Nodes carrying this label are the LoadBalancer backends (the backend-label annotation). */
export const POOL_LABEL = 'bench.kube-alicloud.io/lb-pool';
const BACKEND_LABEL_ANNOTATION = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-backend-label';
const BENCH_VSWITCH = 'vsw-bench0000000000000001';

export interface SeededNode {
  name: string;
  instanceId: string;
  podCidr: string;
}

export const nodeName = (i: number) => `node-${String(i).padStart(5, '0')}`;
export const serviceName = (i: number) => `svc-${String(i).padStart(5, '0')}`;
const podCidr = (i: number) => `10.${64 + Math.floor(i / 256)}.${i % 256}.0/24`;

/**
 * One /17 vSwitch for the bench's instances with addresses handed out here: the emulator's own
 * allocator scans every instance per allocation, which is quadratic at 15,000 Nodes.
 */
function benchVSwitch(cloud: AlicloudEmulator): { id: string; ip(i: number): string } {
  const state = cloud.state;
  if (!state.vswitches[BENCH_VSWITCH]) {
    const any = Object.values(state.vswitches)[0]!;
    state.vswitches[BENCH_VSWITCH] = { ...any, VSwitchId: BENCH_VSWITCH, CidrBlock: '192.168.128.0/17' };
  }
  return {
    id: BENCH_VSWITCH,
    ip: (i) => `192.168.${128 + Math.floor((i + 10) / 256)}.${(i + 10) % 256}`,
  };
}

/** Condition set, images and annotations a real kubelet reports, so the cached Node is not a toy. */
function kubeletStatus(i: number): NonNullable<Node['status']> & Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    conditions: [
      cond(
        'MemoryPressure',
        'False',
        'KubeletHasSufficientMemory',
        'kubelet has sufficient memory available',
      ),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    nodeInfo: {
      machineID: `${i.toString(16).padStart(32, '0')}`,
      systemUUID: `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
      bootID: `${(i * 7).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
      kernelVersion: '5.10.134-16.al8.x86_64',
      osImage: 'Alibaba Cloud Linux 3',
      containerRuntimeVersion: 'containerd://1.7.0',
      kubeletVersion: 'v1.30.0',
      kubeProxyVersion: 'v1.30.0',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    capacity: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '41152812Ki' },
    allocatable: { cpu: '3900m', memory: '15Gi', pods: '110', 'ephemeral-storage': '37926431477' },
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    images: Array.from({ length: 12 }, (_, k) => ({
      names: [
        `registry.cn-hangzhou.aliyuncs.com/acs/image-${k}@sha256:${(k * 7919).toString(16).padStart(64, '0')}`,
        `registry.cn-hangzhou.aliyuncs.com/acs/image-${k}:v1.${k}.0`,
      ],
      sizeBytes: 10_000_000 + k * 1_000_003,
    })),
  };
}

/** Nodes [from, to) with their ECS instances; the first `pool` of them are LoadBalancer backends. */
export function seedNodes(
  cloud: AlicloudEmulator,
  kube: KubeEmulator,
  from: number,
  to: number,
  pool: number,
): SeededNode[] {
  const vsw = benchVSwitch(cloud);
  const out: SeededNode[] = [];
  for (let i = from; i < to; i++) {
    const name = nodeName(i);
    const raw = createInstance(cloud.state, {
      VSwitchId: vsw.id,
      HostName: name,
      PrivateIpAddress: vsw.ip(i),
    });
    // What DescribeInstances would say, so the Node already carries exactly the cloud's facts and
    // the node controller's pass is read-only.
    const inst = fromEcs(
      {
        InstanceId: raw.InstanceId,
        RegionId: raw.RegionId,
        ZoneId: raw.ZoneId,
        InstanceType: raw.InstanceType,
        InstanceChargeType: 'PostPaid',
        HostName: raw.HostName,
        VpcAttributes: { PrivateIpAddress: { IpAddress: [raw.PrivateIpAddress] } },
      },
      cloud.state.regionId,
    );
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': 'amd64',
          ...labelsFor(inst),
          ...(i < pool ? { [POOL_LABEL]: 'true' } : {}),
        },
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
          'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        },
      },
      spec: {
        providerID: `${cloud.state.regionId}.${raw.InstanceId}`,
        podCIDR: podCidr(i),
        podCIDRs: [podCidr(i)],
      },
      status: kubeletStatus(i),
    };
    const r = addressesFor(node, inst);
    if ('addresses' in r) node.status!.addresses = r.addresses;
    kube.store.create('nodes', node as KubeObject);
    out.push({ name, instanceId: raw.InstanceId, podCidr: podCidr(i) });
  }
  return out;
}

/** A LoadBalancer Service whose backends are the pool Nodes (not every Node: SLB caps a group at 200). */
export function loadBalancerService(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: name },
      annotations: { [BACKEND_LABEL_ANNOTATION]: `${POOL_LABEL}=true` },
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
    },
  };
}

/** Every key replaced in one pass, so a replacement is never itself replaced again. */
function replaceAll(text: string, map: ReadonlyMap<string, string>): string {
  const keys = [...map.keys()].sort((a, b) => b.length - a.length);
  const re = new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(re, (k) => map.get(k)!);
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * Services [from, to) as converged copies of `template` (already converged by the manager): the
 * Service with its finalizer, labels, annotations and ingress, its SLB with listeners, and its
 * VServer groups.
 */
export function cloneLoadBalancerServices(
  cloud: AlicloudEmulator,
  kube: KubeEmulator,
  templateName: string,
  from: number,
  to: number,
): void {
  const tmplSvc = kube.store.get<KubeObject & { status?: unknown }>('services', templateName, 'default');
  if (!tmplSvc?.metadata?.uid) throw new Error(`template Service ${templateName} missing`);
  const tmplUid = tmplSvc.metadata.uid;
  const lbs = Object.values(cloud.state.loadBalancers).filter((lb) =>
    lb.Tags.some((t) => t.Value === defaultLoadBalancerName(tmplUid)),
  );
  if (lbs.length !== 1) throw new Error(`template Service ${templateName} has ${lbs.length} SLBs, want 1`);
  const lb = lbs[0]!;
  const groups = Object.values(cloud.state.vserverGroups).filter(
    (g) => g.LoadBalancerId === lb.LoadBalancerId,
  );
  const cloudJson = JSON.stringify({ lb, groups });
  const meta = tmplSvc.metadata;
  const tmplPorts =
    (tmplSvc as { spec?: { ports?: Array<{ name?: string; nodePort?: number }> } }).spec?.ports ?? [];
  const svcJson = JSON.stringify({
    labels: meta.labels,
    annotations: meta.annotations,
    finalizers: meta.finalizers,
    status: tmplSvc.status,
  });
  for (let i = from; i < to; i++) {
    const name = serviceName(i);
    const created = kube.store.create('services', loadBalancerService(name));
    const uid = created.metadata.uid!;
    const address = `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    // NodePorts differ per Service; they name the VServer groups and are the backends' port.
    const nodePorts = (created.spec as { ports?: Array<{ name?: string; nodePort?: number }> }).ports ?? [];
    const portMap = tmplPorts.flatMap((tp) => {
      const np = nodePorts.find((p) => p.name === tp.name)?.nodePort;
      if (tp.nodePort === undefined || np === undefined) return [];
      return [
        [`k8s/${tp.nodePort}/${templateName}/`, `k8s/${np}/${name}/`],
        [`"Port":${tp.nodePort}`, `"Port":${np}`],
        [`"BackendServerPort":${tp.nodePort}`, `"BackendServerPort":${np}`],
      ] as Array<[string, string]>;
    });
    const map = new Map<string, string>([
      ...portMap,
      [lb.LoadBalancerId, `lb-bench${hex(i, 16)}`],
      [defaultLoadBalancerName(tmplUid), defaultLoadBalancerName(uid)],
      [tmplUid, uid],
      [`"${lb.Address}"`, `"${address}"`],
      [`/${templateName}/`, `/${name}/`],
      ...groups.map((g, k) => [g.VServerGroupId, `rsp-bench${hex(i, 12)}${hex(k, 4)}`] as [string, string]),
    ]);
    const copy = JSON.parse(replaceAll(cloudJson, map)) as { lb: typeof lb; groups: typeof groups };
    cloud.state.loadBalancers[copy.lb.LoadBalancerId] = copy.lb;
    for (const g of copy.groups) cloud.state.vserverGroups[g.VServerGroupId] = g;
    const m = JSON.parse(replaceAll(svcJson, map)) as {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      finalizers?: string[];
      status?: unknown;
    };
    const withMeta = kube.store.update('services', {
      ...created,
      metadata: {
        ...created.metadata,
        labels: m.labels,
        annotations: m.annotations,
        finalizers: m.finalizers,
      },
    });
    kube.store.updateStatus('services', { ...withMeta, status: m.status } as KubeObject);
  }
}

/** Route entries for `nodes`, copied from the one the route controller wrote for `template`. */
export function cloneRoutes(
  cloud: AlicloudEmulator,
  template: SeededNode,
  nodes: readonly SeededNode[],
): void {
  const entries = Object.values(cloud.state.routeEntries);
  const tmpl = entries.find((e) => e.DestinationCidrBlock === template.podCidr);
  if (!tmpl) throw new Error(`no route for template node ${template.name} (${template.podCidr})`);
  const json = JSON.stringify(tmpl);
  const have = new Set(entries.map((e) => e.DestinationCidrBlock));
  // The real VPC lets a cluster this size raise its route quota; the emulator enforces the default.
  cloud.state.config.routeQuotaPerTable = Math.max(cloud.state.config.routeQuotaPerTable, nodes.length + 100);
  for (const n of nodes) {
    if (have.has(n.podCidr)) continue;
    const map = new Map<string, string>([
      [tmpl.RouteEntryId, `rte-bench${hex(Number(n.name.slice('node-'.length)), 16)}`],
      [`"${template.podCidr}"`, `"${n.podCidr}"`],
      [template.instanceId, n.instanceId],
      [`${template.name}"`, `${n.name}"`],
    ]);
    const e = JSON.parse(replaceAll(json, map)) as typeof tmpl;
    cloud.state.routeEntries[e.RouteEntryId] = e;
  }
}
