// ENI backends and Pod readiness gates through both emulators: the Service controller wired as the
// manager wires it (harness.ts), pod IPs put on ENIs the way Terway and ECI leave them
// (emulators/alicloud/ecs/pod-ips.ts), Pods and EndpointSlices written to the Kubernetes emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { assignPodIps } from '../../../emulators/alicloud/ecs/pod-ips.js';
import type { KubeObject } from '../../../emulators/kube/types.js';
import { eventually } from '../../helpers/eventually.js';
import { startHarness, type Harness } from './harness.js';
import { addNode, setNodeLabels } from './process.js';

const ENI = { 'service.beta.kubernetes.io/backend-type': 'eni' };
const GATE_PREFIX = 'service.readiness.alibabacloud.com/';

interface PodObj {
  metadata: { name: string; namespace: string; uid: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string }> };
}

describe('service controller: ENI backends and readiness gates (both emulators)', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async function () {
    this.timeout(30_000);
    h = await startHarness({ nodes: 2, settings: { gateRecheckMs: 200 } });
  });
  after(async () => {
    await h?.stop();
  });

  const store = () => h.kube.emu.store;
  const svc = (name: string, annotations: Record<string, string> = {}) =>
    store().create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default', annotations },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
    });
  type Ep = { ip: string; node: string; ready?: boolean; pod?: PodObj; podNamespace?: string };
  const slice = (service: string, eps: Ep[]) => {
    const body = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service}-x`,
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': service },
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: eps.map((e) => ({
        addresses: [e.ip],
        conditions: { ready: e.ready !== false },
        nodeName: e.node,
        ...(e.pod
          ? {
              targetRef: {
                kind: 'Pod',
                name: e.pod.metadata.name,
                namespace: e.podNamespace ?? e.pod.metadata.namespace,
                uid: e.pod.metadata.uid,
              },
            }
          : {}),
      })),
    };
    const old = store().get('endpointslices', `${service}-x`, 'default');
    if (old) store().update('endpointslices', { ...body, metadata: { ...old.metadata, ...body.metadata } });
    else store().create('endpointslices', body);
  };
  const pod = (name: string, gates: string[], containersReady: boolean, namespace = 'default'): PodObj => {
    store().create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace },
      spec: {
        containers: [{ name: 'app', image: 'nginx' }],
        readinessGates: gates.map((g) => ({ conditionType: GATE_PREFIX + g })),
      },
    });
    return setContainersReady(name, containersReady, namespace);
  };
  const setContainersReady = (name: string, ready: boolean, namespace = 'default'): PodObj => {
    const p = store().get('pods', name, namespace)!;
    const s = ready ? 'True' : 'False';
    return store().updateStatus<PodObj & KubeObject>('pods', {
      ...p,
      status: {
        phase: 'Running',
        conditions: [
          { type: 'ContainersReady', status: s },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
  };
  const condition = (name: string, type: string, namespace = 'default') =>
    store()
      .get<PodObj & KubeObject>('pods', name, namespace)
      ?.status?.conditions?.find((c) => c.type === type);
  const lbId = (name: string) =>
    store().get('services', name, 'default')?.metadata.labels?.['service.k8s.alibaba/loadbalancer-id'];
  const backends = (name: string) => {
    const id = lbId(name);
    if (!id) return [];
    return Object.values(h.cloudEmu.emu.state.vserverGroups)
      .filter((g) => g.LoadBalancerId === id)
      .flatMap((g) => g.BackendServers)
      .map((b) => `${b.Type} ${b.ServerId}${b.Type === 'eni' ? ` ${b.ServerIp}` : ''}`)
      .sort();
  };
  const events = (name: string) =>
    store()
      .list<
        KubeObject & { involvedObject?: { name?: string }; reason?: string; type?: string; message?: string }
      >('events', {
        namespace: 'default',
      })
      .filter((e) => e.involvedObject?.name === name);
  const enisCalls = () => h.cloudEmu.emu.calls().filter((c) => c.action === 'DescribeNetworkInterfaces');
  /** Caught up: nothing queued or in flight, and no new sync report for a few polls. */
  const settle = async () => {
    let last = -1;
    let same = 0;
    await eventually(() => {
      const n = h.reports.length;
      same = h.runnable.controller.pending() === 0 && n === last ? same + 1 : 0;
      last = n;
      return same >= 3 ? true : undefined;
    }, 'the Service controller to settle');
  };

  it('backend-type eni: pod IPs become ENI backends found in one batched lookup, and a resync makes zero cloud calls', async () => {
    const node0 = h.instanceIds[0]!;
    const eni = assignPodIps(h.cloudEmu.emu.state, {
      InstanceId: node0,
      Ips: ['192.168.15.10', '192.168.15.11', '192.168.15.12'],
    }).NetworkInterfaceId;
    svc('direct', ENI);
    slice('direct', [
      { ip: '192.168.15.10', node: 'node-0' },
      { ip: '192.168.15.11', node: 'node-0' },
      { ip: '192.168.15.12', node: 'node-1' },
    ]);
    const want = [`eni ${eni} 192.168.15.10`, `eni ${eni} 192.168.15.11`, `eni ${eni} 192.168.15.12`];
    await eventually(
      () => (backends('direct').join() === want.join() ? true : undefined),
      'three ENI backends',
    );
    assert.equal(enisCalls().length, 1, 'three pods, one DescribeNetworkInterfaces');
    await settle();

    h.cloudEmu.emu.clearCalls();
    const before = h.reports.filter((r) => r.key === 'default/direct' && r.path === 'skip').length;
    setNodeLabels(h.kube, 'node-0', { 'e2e.example.com/touched': 'yes' });
    await eventually(
      () =>
        h.reports.filter((r) => r.key === 'default/direct' && r.path === 'skip').length > before
          ? true
          : undefined,
      'the ENI Service resynced',
    );
    await settle();
    assert.deepEqual(
      h.cloudEmu.emu.calls(),
      [],
      'steady state: no DescribeNetworkInterfaces, no call at all',
    );

    // A pod replaced by one with a new IP: only the new IP is asked for.
    assignPodIps(h.cloudEmu.emu.state, { NetworkInterfaceId: eni, Ips: ['192.168.15.13'] });
    slice('direct', [
      { ip: '192.168.15.10', node: 'node-0' },
      { ip: '192.168.15.11', node: 'node-0' },
      { ip: '192.168.15.13', node: 'node-1' },
    ]);
    // Add and remove are separate calls of one plan: wait for both, not for the first.
    await eventually(
      () =>
        backends('direct').includes(`eni ${eni} 192.168.15.13`) &&
        !backends('direct').some((b) => b.endsWith('192.168.15.12'))
          ? true
          : undefined,
      'the new pod registered and the old one deregistered',
    );
    assert.deepEqual(
      enisCalls().map((c) =>
        Object.entries(c.params)
          .filter(([k]) => k.startsWith('PrivateIpAddress.'))
          .map(([, v]) => v),
      ),
      [['192.168.15.13']],
    );
  });

  it('readiness gate: a gated Pod with ready containers is registered, then its condition turns True; a waiting one follows; another namespace is never touched', async () => {
    const node1 = h.instanceIds[1]!;
    const eni = assignPodIps(h.cloudEmu.emu.state, {
      InstanceId: node1,
      Ips: ['192.168.31.20', '192.168.31.21', '192.168.31.22'],
    }).NetworkInterfaceId;
    store().create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    const ready = pod('gated-0', ['gated'], true);
    const later = pod('gated-1', ['gated'], false);
    const foreign = pod('intruder', ['gated'], true, 'other');
    svc('gated', ENI);
    slice('gated', [
      { ip: '192.168.31.20', node: 'node-1', ready: false, pod: ready },
      { ip: '192.168.31.21', node: 'node-1', ready: false, pod: later },
      // A hand-written slice naming a Pod of another namespace: never read, never written.
      { ip: '192.168.31.22', node: 'node-1', ready: false, pod: foreign },
    ]);
    const gate = GATE_PREFIX + 'gated';
    const c = await eventually(() => condition('gated-0', gate), 'gated-0 condition');
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'ServerRegistered');
    assert.deepEqual(
      backends('gated'),
      [`eni ${eni} 192.168.31.20`],
      'registered before its condition was set',
    );
    assert.equal(condition('gated-1', gate), undefined, 'containers not ready: not a backend yet');

    setContainersReady('gated-1', true);
    await eventually(
      () => (condition('gated-1', gate)?.status === 'True' ? true : undefined),
      'gated-1 True',
    );
    assert.deepEqual(backends('gated'), [`eni ${eni} 192.168.31.20`, `eni ${eni} 192.168.31.21`]);
    await settle();
    assert.equal(condition('intruder', gate, 'other'), undefined);
    assert.ok(!backends('gated').some((b) => b.endsWith('192.168.31.22')));
  });

  it('ECI pods on a virtual-kubelet node are ENI backends beside the nodes (node backend type)', async () => {
    addNode(h.kube, 'vk-0', '', { type: 'virtual-kubelet' });
    const eci = assignPodIps(h.cloudEmu.emu.state, {
      VSwitchId: Object.keys(h.cloudEmu.emu.state.vswitches)[0]!,
      Ips: ['192.168.14.40'],
    });
    svc('mixed-nodes');
    slice('mixed-nodes', [
      { ip: '192.168.14.41', node: 'node-0' },
      { ip: '192.168.14.40', node: 'vk-0' },
    ]);
    const want = [
      `eni ${eci.NetworkInterfaceId} 192.168.14.40`,
      ...h.instanceIds.map((i) => `ecs ${i}`),
    ].sort();
    await eventually(
      () => (backends('mixed-nodes').join() === want.join() ? true : undefined),
      'nodes and the ECI pod',
    );
  });

  it('pod IPs on no ENI: outside the VPC skipped with a Normal event, inside the VPC a Warning (and retried)', async () => {
    const eni = assignPodIps(h.cloudEmu.emu.state, {
      InstanceId: h.instanceIds[0]!,
      Ips: ['192.168.15.50'],
    }).NetworkInterfaceId;
    svc('partial', ENI);
    slice('partial', [
      { ip: '192.168.15.50', node: 'node-0' },
      { ip: '10.99.0.5', node: 'node-0' },
      { ip: '192.168.15.99', node: 'node-0' },
    ]);
    await eventually(() => (backends('partial').length === 1 ? true : undefined), 'the one pod on an ENI');
    assert.deepEqual(backends('partial'), [`eni ${eni} 192.168.15.50`]);
    const skip = await eventually(
      () =>
        events('partial').filter((e) => e.reason === 'SkipSyncBackends').length === 2
          ? events('partial')
          : undefined,
      'two SkipSyncBackends events',
    );
    const normal = skip.find((e) => e.reason === 'SkipSyncBackends' && e.type === 'Normal')!;
    assert.match(normal.message ?? '', /\[10\.99\.0\.5\] whose ip is not in vpc cidrs/);
    const warning = skip.find((e) => e.reason === 'SkipSyncBackends' && e.type === 'Warning')!;
    assert.match(warning.message ?? '', /\[192\.168\.15\.99\] whose eni is invalid/);
    // Terway finishes: the retry finds the ENI and registers the pod.
    assignPodIps(h.cloudEmu.emu.state, { NetworkInterfaceId: eni, Ips: ['192.168.15.99'] });
    await eventually(
      () => (backends('partial').includes(`eni ${eni} 192.168.15.99`) ? true : undefined),
      'the invalid pod registered once its ENI holds it',
      { timeoutMs: 30_000 },
    );
  });
});
