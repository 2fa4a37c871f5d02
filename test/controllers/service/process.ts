// End-to-end harness: both emulators in this process, the REAL alicloud-controller-manager as a
// child process (`--controllers=service`, current source under tsx) and the real kubectl.
// Everything is observed from outside: the cloud emulator's state and call log, the Kubernetes
// store, and the manager's /metrics (sync paths and pending work tell when it has caught up).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecord } from '../../../emulators/alicloud/index.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { hasKubectl, startTestKube, type TestKube } from '../../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../../helpers/manager.js';

export const CLUSTER_ID = 'test-cluster';
export const PFX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
export const CAMEL = 'service.beta.kubernetes.io/alicloud-loadbalancer-';
export const FINALIZER = 'service.k8s.alibaba/resources';
export const LABEL_LB_ID = 'service.k8s.alibaba/loadbalancer-id';

export interface ProcessHarness {
  cloudEmu: TestEmulator;
  kube: TestKube;
  region: string;
  instanceIds: string[];
  manager(): ManagerProcess;
  /** (Re)starts the manager with these extra flags; the previous one is stopped first. */
  restart(extraArgs?: string[]): Promise<void>;
  /** Sum of a metric family on the manager's /metrics, optionally filtered by one label. */
  metric(name: string, label?: [string, string]): Promise<number>;
  /** Waits until the manager has no pending Service work and neither it nor the cloud is busy. */
  settle(): Promise<void>;
  kubectl(args: string[], input?: string): Promise<string>;
  close(): Promise<void>;
}

export interface ProcessHarnessOptions {
  nodes?: number;
  args?: string[];
}

const BASE_ARGS = [
  '--controllers=service',
  '--leader-elect=false',
  '--port',
  '0',
  '--secure-port',
  '0',
  '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
  '--bind-address',
  '127.0.0.1',
  '--log-level',
  'info',
];

export async function startProcessHarness(o: ProcessHarnessOptions = {}): Promise<ProcessHarness> {
  if (!(await hasKubectl())) throw new Error('kubectl is required for the Service end-to-end tests');
  const cloudEmu = await startTestEmulator();
  const kube = await startTestKube();
  const region = cloudEmu.emu.state.regionId;
  const seeded = seedInstances(cloudEmu.emu, o.nodes ?? 3);
  for (let i = 0; i < seeded.instanceIds.length; i++)
    addNode(kube, `node-${i}`, `${region}.${seeded.instanceIds[i]}`);
  const cloudConfig = join(kube.dir, 'cloud-config.json');
  // lb-user9 is opened to reuse by cloud-config only (the e2e's other user SLBs carry a grant tag).
  await writeFile(
    cloudConfig,
    JSON.stringify({ Global: { clusterID: CLUSTER_ID, reusableLoadBalancers: 'lb-user9/default' } }),
  );
  const env = {
    ALIYUN_ACCESS_KEY: cloudEmu.accessKeyId,
    ALIYUN_ACCESS_KEY_SECRET: cloudEmu.accessKeySecret,
    ALIYUN_REGION: region,
    ECS_ENDPOINT: cloudEmu.url,
    VPC_ENDPOINT: cloudEmu.url,
    SLB_ENDPOINT: cloudEmu.url,
    NLB_ENDPOINT: cloudEmu.url,
    METADATA_ENDPOINT: cloudEmu.url,
  };
  let mgr: ManagerProcess | undefined;
  let url = '';

  const stopManager = async () => {
    const m = mgr;
    mgr = undefined;
    await m?.stop();
  };

  const metricsText = async (): Promise<string> => {
    const res = await fetch(`${url}/metrics`);
    return res.text();
  };

  const h: ProcessHarness = {
    cloudEmu,
    kube,
    region,
    instanceIds: seeded.instanceIds,
    manager: () => {
      if (!mgr) throw new Error('manager not running');
      return mgr;
    },
    async restart(extraArgs = []) {
      await stopManager();
      mgr = spawnManager(
        [
          '--kubeconfig',
          kube.kubeconfigPath,
          '--cloud-config',
          cloudConfig,
          ...BASE_ARGS,
          ...(o.args ?? []),
          ...extraArgs,
        ],
        env,
      );
      url = await mgr.listening;
      // Caught up = the caches synced (readyz) and the first pass drained.
      await eventually(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 'manager ready', {
        tries: 400,
        intervalMs: 25,
      });
    },
    async metric(name, label) {
      return sumMetric(await metricsText(), name, label);
    },
    async settle() {
      let last = '';
      let same = 0;
      for (let i = 0; i < 600; i++) {
        const text = await metricsText();
        const pending = sumMetric(text, 'kube_alicloud_service_pending');
        const mark = `${sumMetric(text, 'kube_alicloud_service_syncs_total')}/${cloudEmu.emu.calls().length}`;
        same = pending === 0 && mark === last ? same + 1 : 0;
        if (same >= 2) return;
        last = mark;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the controller-manager did not settle');
    },
    async kubectl(args, input) {
      const r = await kube.kubectl(args, input !== undefined ? { input } : {});
      return r.stdout;
    },
    async close() {
      await stopManager();
      await kube.close();
      await cloudEmu.close();
    },
  };
  await h.restart();
  return h;
}

/** Prometheus text format: sums the samples of `name` (no suffixes), optionally matching one label. */
export function sumMetric(text: string, name: string, label?: [string, string]): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (label && !rest.includes(`${label[0]}="${label[1]}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export function addNode(
  kube: TestKube,
  name: string,
  providerID: string,
  labels: Record<string, string> = {},
): void {
  kube.emu.store.create('nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { providerID },
  });
  setNodeReady(kube, name, true);
}

export function setNodeReady(kube: TestKube, name: string, ready: boolean): void {
  const node = kube.emu.store.get('nodes', name)!;
  kube.emu.store.updateStatus('nodes', {
    ...node,
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

export function setNodeLabels(kube: TestKube, name: string, labels: Record<string, string>): void {
  const node = kube.emu.store.get('nodes', name) as { metadata: { labels?: Record<string, string> } };
  kube.emu.store.update('nodes', {
    ...node,
    metadata: { ...node.metadata, labels: { ...node.metadata.labels, ...labels } },
  });
}

/** Mutating SLB calls the emulator saw (the zero-call and no-change assertions). */
export function slbWrites(calls: CallRecord[]): CallRecord[] {
  return calls.filter(
    (c) =>
      c.product.toLowerCase() === 'slb' &&
      /^(Create|Delete|Set|Modify|Add|Remove|Tag|Untag|Start|Stop)/.test(c.action),
  );
}

export function slbCalls(calls: CallRecord[]): CallRecord[] {
  return calls.filter((c) => c.product.toLowerCase() === 'slb');
}

export interface SvcSpec {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
  ports?: Array<{ name?: string; port: number; protocol?: string; targetPort?: number | string }>;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  type?: string;
}

export function serviceManifest(s: SvcSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace ?? 'default', annotations: s.annotations ?? {} },
    spec: {
      type: s.type ?? 'LoadBalancer',
      selector: { app: s.name },
      ...(s.externalTrafficPolicy ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
      ports: (s.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]).map((p) => ({
        protocol: 'TCP',
        ...p,
      })),
    },
  };
}

export interface SvcObj {
  metadata?: {
    uid?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { ports?: Array<{ port: number; nodePort?: number }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export function getService(h: ProcessHarness, name: string, namespace = 'default'): SvcObj | undefined {
  return h.kube.emu.store.get('services', name, namespace) as SvcObj | undefined;
}

export async function waitIngress(
  h: ProcessHarness,
  name: string,
  namespace = 'default',
): Promise<{ ip?: string; hostname?: string }> {
  return eventually(
    () => getService(h, name, namespace)?.status?.loadBalancer?.ingress?.[0],
    `ingress of ${namespace}/${name}`,
    { tries: 600, intervalMs: 25 },
  );
}

export function eventsFor(
  h: ProcessHarness,
  name: string,
  namespace = 'default',
): Array<{ reason: string; type: string; message: string }> {
  return h.kube.emu.store
    .list('events', { namespace })
    .map(
      (e) =>
        e as {
          involvedObject?: { name?: string; kind?: string };
          reason?: string;
          type?: string;
          message?: string;
        },
    )
    .filter((e) => e.involvedObject?.name === name && e.involvedObject.kind === 'Service')
    .map((e) => ({ reason: e.reason ?? '', type: e.type ?? '', message: e.message ?? '' }));
}

/** The SLB the controller recorded on the Service (its loadbalancer-id label). */
export function lbFor(h: ProcessHarness, name: string, namespace = 'default') {
  const id = getService(h, name, namespace)?.metadata?.labels?.[LABEL_LB_ID];
  return id ? h.cloudEmu.emu.state.loadBalancers[id] : undefined;
}

export function groupsOf(h: ProcessHarness, lbId: string) {
  return Object.values(h.cloudEmu.emu.state.vserverGroups).filter((g) => g.LoadBalancerId === lbId);
}
