// In-process wiring for the bench (and any test that needs the controller's internals): one emulator pair + one Service controller shared by a whole suite: the Alibaba Cloud emulator
// (its call log is the assertion surface), the Kubernetes API emulator (driven with kubectl and
// its store), and the controller wired exactly as the manager wires it (createServiceController).
import { Writable } from 'node:stream';
import { createCloud, type Cloud, type CloudConfig } from '../../../src/cloud/index.js';
import { KubeEventRecorder } from '../../../src/kube/events.js';
import { InformerFactory } from '../../../src/kube/factory.js';
import { fromKubeconfigFile } from '../../../src/kube/config.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { createServiceController, type ServiceRunnable, type ServiceSettings } from '../../../src/controllers/service/index.js';
import type { SyncReport } from '../../../src/controllers/service/controller.js';
import type { CallRecord } from '../../../src/emulator/alicloud/index.js';
import { createLogger } from '../../../src/util/log.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { eventually, startTestKube, type TestKube } from '../../helpers/kube.js';

export interface Harness {
  cloudEmu: TestEmulator;
  kube: TestKube;
  cloud: Cloud;
  client: KubeClient;
  runnable: ServiceRunnable;
  recorder: KubeEventRecorder;
  instanceIds: string[];
  reports: SyncReport[];
  logLines: string[];
  region: string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  nodes?: number;
  settings?: Partial<ServiceSettings>;
  /** Overrides of the cloud client's settings (QPS, per-action QPS, retry policy). */
  cloud?: Partial<CloudConfig>;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const cloudEmu = await startTestEmulator();
  const kube = await startTestKube();
  const region = cloudEmu.emu.state.regionId;
  const seeded = seedInstances(cloudEmu.emu, o.nodes ?? 3);
  for (let i = 0; i < seeded.instanceIds.length; i++) addNode(kube, `node-${i}`, `${region}.${seeded.instanceIds[i]}`);

  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('service-test', { level: 'info', destination });
  const cloud = createCloud(
    {
      region,
      endpoints: { ecs: cloudEmu.url, vpc: cloudEmu.url, slb: cloudEmu.url },
      metadataEndpoint: cloudEmu.url,
      accessKeyId: cloudEmu.accessKeyId,
      accessKeySecret: cloudEmu.accessKeySecret,
      callerIdentity: 'service-test',
      qps: { ecs: 0, vpc: 0, slb: 0 },
      retry: { maxAttempts: 3, deadlineMs: 10_000, baseDelayMs: 1, maxDelayMs: 4 },
      logger,
      ...(o.settings?.dryRun ? { dryRun: true } : {}),
      ...o.cloud,
    },
    { env: {} },
  );
  const client = new KubeClient(fromKubeconfigFile(kube.kubeconfigPath));
  const informers = new InformerFactory(client, { logger });
  const recorder = new KubeEventRecorder({ client, component: 'service-controller', logger });
  const runnable = createServiceController({
    settings: { clusterId: 'test-cluster', driftCheckPeriodMs: 0, workers: 4, ...o.settings },
    cloud,
    informers,
    recorder,
    logger,
  });
  const reports: SyncReport[] = [];
  runnable.controller.onSync = (r) => reports.push(r);
  // Fast retries: the default per-key backoff starts at 5 s.
  const ac = new AbortController();
  const running = runnable.start(ac.signal);
  return {
    cloudEmu,
    kube,
    cloud,
    client,
    runnable,
    recorder,
    instanceIds: seeded.instanceIds,
    reports,
    logLines,
    region,
    async stop() {
      ac.abort();
      await running.catch(() => undefined);
      await recorder.flush();
      cloud.close();
      client.close();
      await kube.close();
      await cloudEmu.close();
    },
  };
}

export function addNode(kube: TestKube, name: string, providerID: string, labels: Record<string, string> = {}): void {
  kube.emu.store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { providerID } });
  setNodeReady(kube, name, true);
}

export function setNodeReady(kube: TestKube, name: string, ready: boolean): void {
  const node = kube.emu.store.get('nodes', name)!;
  kube.emu.store.updateStatus('nodes', { ...node, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

/** Mutating SLB calls the emulator saw (the zero-call and no-change assertions). */
export function slbWrites(calls: CallRecord[]): CallRecord[] {
  return calls.filter((c) => c.product.toLowerCase() === 'slb' && /^(Create|Delete|Set|Modify|Add|Remove|Tag|Untag|Start|Stop)/.test(c.action));
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

export function serviceYaml(s: SvcSpec): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace ?? 'default', annotations: s.annotations ?? {} },
    spec: {
      type: s.type ?? 'LoadBalancer',
      selector: { app: s.name },
      ...(s.externalTrafficPolicy ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
      ports: (s.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]).map((p) => ({ protocol: 'TCP', ...p })),
    },
  });
}

interface SvcObj {
  metadata?: { uid?: string; finalizers?: string[]; labels?: Record<string, string> };
  spec?: { ports?: Array<{ port: number; nodePort?: number }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export function getService(h: Harness, name: string, namespace = 'default'): SvcObj | undefined {
  return h.kube.emu.store.get('services', name, namespace) as SvcObj | undefined;
}

export async function waitIngress(h: Harness, name: string, namespace = 'default'): Promise<{ ip?: string; hostname?: string }> {
  return eventually(() => getService(h, name, namespace)?.status?.loadBalancer?.ingress?.[0], `ingress of ${namespace}/${name}`, 400, 25);
}

/** Waits until the controller has no work left (queue empty and nothing processing for a moment). */
export async function settle(h: Harness, quietMs = 150): Promise<void> {
  let lastCount = -1;
  for (let i = 0; i < 400; i++) {
    const count = h.reports.length + h.cloudEmu.emu.calls().length;
    if (count === lastCount && h.runnable.controller.queue.len() === 0) return;
    lastCount = count;
    await new Promise((r) => setTimeout(r, quietMs));
  }
  throw new Error('controller did not settle');
}

export function eventsFor(h: Harness, name: string, namespace = 'default'): Array<{ reason: string; type: string; message: string }> {
  return h.kube.emu.store
    .list('events', { namespace })
    .map((e) => e as { involvedObject?: { name?: string; kind?: string }; reason?: string; type?: string; message?: string })
    .filter((e) => e.involvedObject?.name === name && e.involvedObject.kind === 'Service')
    .map((e) => ({ reason: e.reason ?? '', type: e.type ?? '', message: e.message ?? '' }));
}

export function lbsOf(h: Harness) {
  return Object.values(h.cloudEmu.emu.state.loadBalancers);
}
