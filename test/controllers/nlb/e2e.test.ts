// End to end: kubectl → Kubernetes API emulator → the real alicloud-controller-manager process
// (--controllers=nlb) → Alibaba Cloud emulator (its NLB: asynchronous jobs, locks, tokens).
// Everything is observed from outside: the emulator's NLB records and call log, the Kubernetes
// store, and the manager's /metrics.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { stringify } from 'yaml';
import { seedInstances, startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { hasKubectl, startTestKube, type TestKube } from '../../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../../helpers/manager.js';
import { addNode, setNodeLabels, setNodeReady, sumMetric } from '../service/process.js';

const CLUSTER_ID = 'test-cluster';
const P = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const FINALIZER = 'service.k8s.alibaba/nlb';
const LB_LABEL = 'service.k8s.alibaba/loadbalancer-id';

interface Harness {
  cloud: TestEmulator;
  kube: TestKube;
  instanceIds: string[];
  zoneMaps: string;
  restart(extra?: string[]): Promise<void>;
  settle(): Promise<void>;
  metric(name: string, label?: [string, string]): Promise<number>;
  kubectl(args: string[], input?: string): Promise<string>;
  stderr(): string;
  close(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  if (!(await hasKubectl())) throw new Error('kubectl is required for the NLB end-to-end tests');
  const cloud = await startTestEmulator();
  const kube = await startTestKube();
  const region = cloud.emu.state.regionId;
  const seeded = seedInstances(cloud.emu, 3);
  for (let i = 0; i < seeded.instanceIds.length; i++)
    addNode(kube, `node-${i}`, `${region}.${seeded.instanceIds[i]}`);
  // One vswitch per zone of the cluster VPC: the zone-maps the official examples write by hand.
  const byZone = new Map<string, string>();
  for (const v of Object.values(cloud.emu.state.vswitches))
    if (v.VpcId === seeded.vpcId && !byZone.has(v.ZoneId)) byZone.set(v.ZoneId, v.VSwitchId);
  const zoneMaps = [...byZone].map(([z, v]) => `${z}:${v}`).join(',');
  const cloudConfig = join(kube.dir, 'cloud-config.json');
  await writeFile(cloudConfig, JSON.stringify({ Global: { clusterID: CLUSTER_ID } }));
  const env = {
    ALIYUN_ACCESS_KEY: cloud.accessKeyId,
    ALIYUN_ACCESS_KEY_SECRET: cloud.accessKeySecret,
    ALIYUN_REGION: region,
    ECS_ENDPOINT: cloud.url,
    VPC_ENDPOINT: cloud.url,
    SLB_ENDPOINT: cloud.url,
    NLB_ENDPOINT: cloud.url,
    METADATA_ENDPOINT: cloud.url,
  };
  let mgr: ManagerProcess | undefined;
  let url = '';
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  const h: Harness = {
    cloud,
    kube,
    instanceIds: seeded.instanceIds,
    zoneMaps,
    async restart(extra = []) {
      await mgr?.stop();
      mgr = spawnManager(
        [
          '--kubeconfig',
          kube.kubeconfigPath,
          '--cloud-config',
          cloudConfig,
          '--controllers=nlb',
          '--leader-elect=false',
          '--port',
          '0',
          '--secure-port',
          '0',
          '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
          '--bind-address',
          '127.0.0.1',
          ...extra,
        ],
        env,
      );
      url = await mgr.listening;
      await eventually(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 'manager ready', {
        tries: 400,
        intervalMs: 25,
      });
    },
    async settle() {
      let last = '';
      let same = 0;
      for (let i = 0; i < 900; i++) {
        const text = await metrics();
        const busy = Object.values(cloud.emu.state.nlb.jobs).some((j) => j.Status === 'Processing');
        const mark = `${sumMetric(text, 'kube_alicloud_nlb_syncs_total')}/${cloud.emu.calls().length}`;
        same = sumMetric(text, 'kube_alicloud_nlb_pending') === 0 && !busy && mark === last ? same + 1 : 0;
        if (same >= 2) return;
        last = mark;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the controller-manager did not settle');
    },
    async metric(name, label) {
      return sumMetric(await metrics(), name, label);
    },
    async kubectl(args, input) {
      return (await kube.kubectl(args, input !== undefined ? { input } : {})).stdout;
    },
    stderr: () => mgr?.stderr() ?? '',
    async close() {
      await mgr?.stop();
      await kube.close();
      await cloud.close();
    },
  };
  await h.restart();
  return h;
}

interface Svc {
  metadata?: { uid?: string; finalizers?: string[]; labels?: Record<string, string> };
  spec?: { ports?: Array<{ port: number; nodePort?: number }> };
  status?: { loadBalancer?: { ingress?: Array<{ hostname?: string }> } };
}

describe('NLB controller end to end (real controller-manager process)', function () {
  this.timeout(120_000);
  let h: Harness;
  const svc = (name: string) => h.kube.emu.store.get('services', name, 'default') as Svc | undefined;
  const nlbState = () => h.cloud.emu.state.nlb;
  const nlbOf = (name: string) => {
    const id = svc(name)?.metadata?.labels?.[LB_LABEL];
    return id ? nlbState().loadBalancers[id] : undefined;
  };
  const listenersOf = (lbId: string) =>
    Object.values(nlbState().listeners).filter((l) => l.LoadBalancerId === lbId);
  const nlbCalls = () => h.cloud.emu.calls().filter((c) => c.product.toLowerCase() === 'nlb');
  const nlbWrites = () => nlbCalls().filter((c) => !/^(Get|List|Describe)/.test(c.action));
  const events = (name: string) =>
    h.kube.emu.store
      .list('events', { namespace: 'default' })
      .map(
        (e) => e as { involvedObject?: { name?: string }; reason?: string; type?: string; message?: string },
      )
      .filter((e) => e.involvedObject?.name === name);
  const apply = async (
    name: string,
    annotations: Record<string, string>,
    ports = [{ name: 'http', port: 80, targetPort: 8080 }],
  ) => {
    const doc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default', annotations },
      spec: {
        type: 'LoadBalancer',
        loadBalancerClass: 'alibabacloud.com/nlb',
        selector: { app: name },
        ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
      },
    };
    await h.kubectl(
      ['apply', '-f', '-'],
      stringify(doc, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
    );
  };

  before(async function () {
    this.timeout(90_000);
    h = await startHarness();
  });
  after(async function () {
    if (this.currentTest?.state === 'failed' && h) console.error(h.stderr().slice(-6000));
    await h?.close();
  });

  it("creates an NLB from the official CCM's example (class + zone-maps + scheduler + health check) and publishes its DNS name", async () => {
    await apply('web', {
      [P + 'zone-maps']: h.zoneMaps,
      [P + 'scheduler']: 'wrr',
      [P + 'health-check-flag']: 'on',
      [P + 'health-check-type']: 'tcp',
      [P + 'healthy-threshold']: '3',
    });
    const ingress = await eventually(
      () => svc('web')?.status?.loadBalancer?.ingress?.[0]?.hostname,
      'web ingress hostname',
      { tries: 1200, intervalMs: 50 },
    );
    await h.settle();
    const s = svc('web')!;
    assert.ok(s.metadata?.finalizers?.includes(FINALIZER));
    const lb = nlbOf('web')!;
    assert.equal(lb.DNSName, ingress);
    const tags = Object.fromEntries(lb.Tags.map((t) => [t.Key, t.Value]));
    assert.equal(tags['ack.aliyun.com'], CLUSTER_ID);
    assert.equal(tags['kubernetes.do.not.delete'], ('a' + s.metadata!.uid!.replace(/-/g, '')).slice(0, 32));
    assert.equal(lb.DeletionProtection.Enabled, true);
    const [l] = listenersOf(lb.LoadBalancerId);
    assert.equal(l!.ListenerPort, 80);
    assert.equal(l!.ListenerProtocol, 'TCP');
    assert.equal(l!.ListenerDescription, `k8s.80.TCP.web.default.${CLUSTER_ID}`);
    const g = nlbState().serverGroups[l!.ServerGroupId]!;
    const nodePort = s.spec!.ports![0]!.nodePort!;
    assert.equal(g.ServerGroupName, `k8s.${nodePort}.TCP.web.default.${CLUSTER_ID}`);
    assert.equal(g.Scheduler.toLowerCase(), 'wrr');
    assert.deepEqual(g.Servers.map((x) => x.ServerId).sort(), [...h.instanceIds].sort());
    assert.ok(
      g.Servers.every(
        (x) => x.Port === nodePort && x.Description === g.ServerGroupName && x.ServerType === 'Ecs',
      ),
    );
    const reasons = events('web').map((e) => e.reason);
    assert.ok(reasons.includes('EnsuredLoadBalancer'), reasons.join(','));
  });

  it('makes zero cloud calls at steady state (node label churn, unrelated annotation)', async () => {
    await h.settle();
    h.cloud.emu.clearCalls();
    const skips = await h.metric('kube_alicloud_nlb_syncs_total', ['path', 'skip']);
    setNodeLabels(h.kube, 'node-0', { 'e2e.example.com/touched': 'yes' });
    await h.kubectl(['annotate', 'service', 'web', 'e2e.example.com/note=unrelated']);
    await eventually(
      async () =>
        (await h.metric('kube_alicloud_nlb_syncs_total', ['path', 'skip'])) >= skips + 2 ? true : undefined,
      'resyncs',
    );
    await h.settle();
    assert.deepEqual(h.cloud.emu.calls(), []);
  });

  it('updates in place: a new port, a changed scheduler, a node gone NotReady', async () => {
    await apply(
      'web',
      {
        [P + 'zone-maps']: h.zoneMaps,
        [P + 'scheduler']: 'rr',
        [P + 'health-check-flag']: 'on',
        [P + 'health-check-type']: 'tcp',
        [P + 'healthy-threshold']: '3',
      },
      [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'dns', port: 53, targetPort: 53 },
      ],
    );
    await eventually(
      () => (listenersOf(nlbOf('web')!.LoadBalancerId).length === 2 ? true : undefined),
      'second listener',
      { tries: 1200, intervalMs: 50 },
    );
    await h.settle();
    const lb = nlbOf('web')!;
    const groups = listenersOf(lb.LoadBalancerId).map((l) => nlbState().serverGroups[l.ServerGroupId]!);
    assert.ok(groups.every((g) => g.Scheduler.toLowerCase() === 'rr'));
    assert.equal(Object.keys(nlbState().loadBalancers).length, 1, 'same NLB');
    // A node going NotReady leaves every group; nothing else is rewritten.
    h.cloud.emu.clearCalls();
    setNodeReady(h.kube, 'node-2', false);
    await eventually(
      () =>
        groups.every(
          (g) =>
            !nlbState().serverGroups[g.ServerGroupId]!.Servers.some((x) => x.ServerId === h.instanceIds[2]),
        )
          ? true
          : undefined,
      'node-2 removed from every group',
      { tries: 1200, intervalMs: 50 },
    );
    await h.settle();
    assert.deepEqual([...new Set(nlbWrites().map((c) => c.action))].sort(), ['RemoveServersFromServerGroup']);
    for (const g of groups) assert.equal(nlbState().serverGroups[g.ServerGroupId]!.Servers.length, 2);
  });

  it('a restarted manager makes no cloud call for Services it already synced (hash label)', async () => {
    await h.restart();
    await h.settle();
    h.cloud.emu.clearCalls();
    await h.restart();
    await h.settle();
    assert.deepEqual(h.cloud.emu.calls(), []);
  });

  it('backend-type: eni registers each pod by its ENI in the default Instance group, and a gated Pod turns Ready only once registered', async () => {
    await h.settle();
    // Terway's doing: the pods' IPs are secondary IPs of an ENI on node-1's instance.
    const { NetworkInterfaceId: eni } = await fetch(`${h.cloud.url}/_emulator/pod-ips`, {
      method: 'POST',
      body: JSON.stringify({ InstanceId: h.instanceIds[1], Ips: ['192.168.16.10', '192.168.16.11'] }),
    }).then((r) => r.json() as Promise<{ NetworkInterfaceId: string }>);
    const gate = 'service.readiness.alibabacloud.com/pods';
    await h.kubectl(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pods-gated', namespace: 'default', labels: { app: 'pods' } },
        spec: { containers: [{ name: 'app', image: 'nginx' }], readinessGates: [{ conditionType: gate }] },
      }),
    );
    // The kubelet's part: containers ready, the Pod itself not (its gate is not True yet).
    const pod = h.kube.emu.store.get('pods', 'pods-gated', 'default') as {
      metadata: { uid: string };
      status?: { conditions?: Array<{ type: string; status: string; reason?: string }> };
    };
    h.kube.emu.store.updateStatus('pods', {
      ...pod,
      status: {
        phase: 'Running',
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
    await apply('pods', { [P + 'zone-maps']: h.zoneMaps, 'service.beta.kubernetes.io/backend-type': 'eni' });
    await h.kubectl(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'pods-abc',
          namespace: 'default',
          labels: { 'kubernetes.io/service-name': 'pods' },
        },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [
          { addresses: ['192.168.16.10'], conditions: { ready: true }, nodeName: 'node-1' },
          {
            addresses: ['192.168.16.11'],
            conditions: { ready: false },
            nodeName: 'node-1',
            targetRef: { kind: 'Pod', name: 'pods-gated', namespace: 'default', uid: pod.metadata.uid },
          },
        ],
      }),
    );
    const servers = () => {
      const lb = nlbOf('pods');
      if (!lb) return [];
      const groups = new Set(listenersOf(lb.LoadBalancerId).map((l) => l.ServerGroupId));
      return Object.values(nlbState().serverGroups)
        .filter((g) => groups.has(g.ServerGroupId))
        .flatMap((g) =>
          g.Servers.map((x) => `${g.ServerGroupType} ${x.ServerType} ${x.ServerId} ${x.ServerIp} ${x.Port}`),
        )
        .sort();
    };
    const want = [`Instance Eni ${eni} 192.168.16.10 8080`, `Instance Eni ${eni} 192.168.16.11 8080`];
    await eventually(() => (servers().join() === want.join() ? true : undefined), 'two ENI servers', {
      tries: 1200,
      intervalMs: 50,
    });
    const condition = () =>
      (
        h.kube.emu.store.get('pods', 'pods-gated', 'default') as {
          status?: { conditions?: Array<{ type: string; status: string; reason?: string }> };
        }
      ).status?.conditions?.find((c) => c.type === gate);
    const c = await eventually(condition, 'the readiness gate condition');
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'ServerRegistered');
    // Steady state: the ENI answers are cached, the gate already says True: no call, no write.
    await h.settle();
    h.cloud.emu.clearCalls();
    setNodeLabels(h.kube, 'node-2', { 'e2e.example.com/eni': 'touched' });
    await h.settle();
    assert.deepEqual(h.cloud.emu.calls(), []);
    await h.kubectl(['delete', 'service', 'pods', '--wait=false']);
    await eventually(() => (svc('pods') ? undefined : true), 'pods gone', { tries: 1200, intervalMs: 50 });
  });

  it('--lb-drift-check-period: a listener stopped by hand is started again by a drift pass', async () => {
    await h.restart(['--lb-drift-check-period', '300ms']);
    await h.settle();
    const lb = nlbOf('web')!;
    const [listener] = listenersOf(lb.LoadBalancerId);
    assert.ok(listener?.Running);
    listener.Running = false;
    await eventually(
      () => listenersOf(lb.LoadBalancerId).every((l) => l.Running) || undefined,
      'the listener running again',
      { tries: 400, intervalMs: 25 },
    );
    const ev = await eventually(
      () => events('web').find((e) => e.reason === 'DriftRepaired'),
      'a DriftRepaired Event on web',
    );
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message ?? '', /StartListener/);
    await h.restart();
  });

  it('refuses a bad annotation with a Warning naming the key, and writes nothing', async () => {
    await h.settle();
    h.cloud.emu.clearCalls();
    await apply('broken', { [P + 'zone-maps']: h.zoneMaps, [P + 'server-group-type']: 'Eni' });
    const ev = await eventually(
      () => events('broken').find((e) => e.reason === 'InvalidAnnotation'),
      'InvalidAnnotation',
    );
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message ?? '', /alibaba-cloud-loadbalancer-server-group-type/);
    await h.settle();
    assert.deepEqual(nlbWrites(), []);
    await h.kubectl(['delete', 'service', 'broken', '--wait=false']);
  });

  it('deleting the Service leaves nothing: NLB, listeners and server groups are gone, then the finalizer', async () => {
    await h.kubectl(['delete', 'service', 'web', '--wait=false']);
    await eventually(() => (svc('web') ? undefined : true), 'web gone', { tries: 1200, intervalMs: 50 });
    await h.settle();
    assert.deepEqual(Object.keys(nlbState().loadBalancers), []);
    assert.deepEqual(Object.keys(nlbState().listeners), []);
    assert.deepEqual(Object.keys(nlbState().serverGroups), []);
  });

  it('--dry-run reads but writes nothing, in the cloud or on the Service', async () => {
    await h.restart(['--dry-run']);
    h.cloud.emu.clearCalls();
    await apply('dry', { [P + 'zone-maps']: h.zoneMaps });
    await eventually(() => events('dry').find((e) => e.message?.startsWith('DryRun:')), 'dry-run event');
    await h.settle();
    assert.ok(nlbCalls().length > 0, 'it did read');
    assert.deepEqual(nlbWrites(), []);
    assert.deepEqual(Object.keys(nlbState().loadBalancers), []);
    assert.ok(!svc('dry')?.metadata?.finalizers?.includes(FINALIZER));
    await h.restart();
  });
});
