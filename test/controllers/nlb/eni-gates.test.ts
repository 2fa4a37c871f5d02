// Pod backends and readiness gates of the NLB controller through both emulators (harness.ts wires
// the controller as the manager does): pod IPs put on ENIs the way Terway leaves them
// (emulators/alicloud/ecs/pod-ips.ts), Pods and EndpointSlices written to the Kubernetes emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { assignPodIps } from '../../../emulators/alicloud/ecs/pod-ips.js';
import type { KubeObject } from '../../../emulators/kube/types.js';
import { eventually } from '../../helpers/eventually.js';
import { startNlbHarness, type NlbHarness } from './harness.js';

const P = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const ENI = { 'service.beta.kubernetes.io/backend-type': 'eni' };
const GATE_PREFIX = 'service.readiness.alibabacloud.com/';

interface PodObj {
  metadata: { name: string; namespace: string; uid: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string }> };
}
type Ep = { ip: string; node: string; ready?: boolean; pod?: PodObj };

describe('NLB controller: pod backends and readiness gates (both emulators)', function () {
  this.timeout(60_000);
  let h: NlbHarness;

  before(async function () {
    this.timeout(30_000);
    h = await startNlbHarness({ nodes: 2, gateRecheckMs: 200 });
  });
  after(async () => {
    await h?.stop();
  });

  const store = () => h.kube.emu.store;
  const svc = (name: string, annotations: Record<string, string>) =>
    store().create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: 'default',
        annotations: { [P + 'zone-maps']: h.zoneMaps, ...annotations },
      },
      spec: {
        type: 'LoadBalancer',
        loadBalancerClass: 'alibabacloud.com/nlb',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      },
    });
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
                namespace: e.pod.metadata.namespace,
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
  const setContainersReady = (name: string, ready: boolean): PodObj => {
    const p = store().get('pods', name, 'default')!;
    return store().updateStatus<PodObj & KubeObject>('pods', {
      ...p,
      status: {
        phase: 'Running',
        conditions: [
          { type: 'ContainersReady', status: ready ? 'True' : 'False' },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
  };
  const pod = (name: string, gate: string, containersReady: boolean): PodObj => {
    store().create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        containers: [{ name: 'app', image: 'nginx' }],
        readinessGates: [{ conditionType: GATE_PREFIX + gate }],
      },
    });
    return setContainersReady(name, containersReady);
  };
  const condition = (name: string, gate: string) =>
    store()
      .get<PodObj & KubeObject>('pods', name, 'default')
      ?.status?.conditions?.find((c) => c.type === GATE_PREFIX + gate);
  /** `type id ip port` of every server behind the Service's listeners. */
  const servers = (name: string): string[] => {
    const id = store().get('services', name, 'default')?.metadata.labels?.[
      'service.k8s.alibaba/loadbalancer-id'
    ];
    if (!id) return [];
    const nlb = h.cloudEmu.emu.state.nlb;
    const groups = new Set(
      Object.values(nlb.listeners)
        .filter((l) => l.LoadBalancerId === id)
        .map((l) => l.ServerGroupId),
    );
    return Object.values(nlb.serverGroups)
      .filter((g) => groups.has(g.ServerGroupId))
      .flatMap((g) => g.Servers.map((s) => `${s.ServerType} ${s.ServerId} ${s.ServerIp} ${s.Port}`))
      .sort();
  };
  const events = (name: string) =>
    store()
      .list<
        KubeObject & { involvedObject?: { name?: string }; reason?: string; type?: string; message?: string }
      >('events', { namespace: 'default' })
      .filter((e) => e.involvedObject?.name === name);
  /** Host addresses `hosts` inside the vswitch of instance `i` (pod IPs must lie in the ENI's vswitch). */
  const podIps = (i: number, ...hosts: number[]): string[] => {
    const state = h.cloudEmu.emu.state;
    const cidr = state.vswitches[state.instances[h.instanceIds[i]!]!.VSwitchId]!.CidrBlock;
    const [a, b, c] = cidr.split('/')[0]!.split('.');
    return hosts.map((n) => `${a}.${b}.${c}.${n}`);
  };
  const eniLookups = () => h.cloudEmu.emu.calls().filter((c) => c.action === 'DescribeNetworkInterfaces');

  it('an Ip group registers pod IPs as they are, with no ENI lookup, and sets the gate of a registered Pod', async () => {
    h.cloudEmu.emu.clearCalls();
    const gated = pod('ip-0', 'by-ip', true);
    svc('by-ip', { ...ENI, [P + 'server-group-type']: 'Ip' });
    slice('by-ip', [
      { ip: '10.10.0.1', node: 'node-0' },
      { ip: '10.10.0.2', node: 'node-1', ready: false, pod: gated },
    ]);
    const c = await eventually(() => condition('ip-0', 'by-ip'), 'the gate condition');
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'ServerRegistered');
    assert.deepEqual(servers('by-ip'), ['Ip 10.10.0.1 10.10.0.1 8080', 'Ip 10.10.0.2 10.10.0.2 8080']);
    assert.deepEqual(eniLookups(), [], 'pod IPs in an Ip group need no ENI');
  });

  it('a gated Pod whose containers are not ready waits; once ready it is registered first, then marked True', async () => {
    const [ip0, ip1] = podIps(0, 210, 211);
    const eni = assignPodIps(h.cloudEmu.emu.state, {
      InstanceId: h.instanceIds[0]!,
      Ips: [ip0!, ip1!],
    }).NetworkInterfaceId;
    const early = pod('w-0', 'waits', true);
    const late = pod('w-1', 'waits', false);
    svc('waits', ENI);
    slice('waits', [
      { ip: ip0!, node: 'node-0', ready: false, pod: early },
      { ip: ip1!, node: 'node-0', ready: false, pod: late },
    ]);
    await eventually(() => (condition('w-0', 'waits')?.status === 'True' ? true : undefined), 'w-0 True');
    assert.deepEqual(servers('waits'), [`Eni ${eni} ${ip0} 8080`]);
    assert.equal(condition('w-1', 'waits'), undefined, 'containers not ready: not a server yet');
    // No endpoint change announces it: the recheck finds it.
    setContainersReady('w-1', true);
    await eventually(() => (condition('w-1', 'waits')?.status === 'True' ? true : undefined), 'w-1 True');
    assert.deepEqual(servers('waits'), [`Eni ${eni} ${ip0} 8080`, `Eni ${eni} ${ip1} 8080`]);
  });

  it('a pod IP no ENI holds: a Warning, its gate False, and the retry registers it once Terway finishes', async () => {
    const [ok, missing] = podIps(1, 220, 229);
    const eni = assignPodIps(h.cloudEmu.emu.state, {
      InstanceId: h.instanceIds[1]!,
      Ips: [ok!],
    }).NetworkInterfaceId;
    const lost = pod('lost-0', 'lost', true);
    svc('lost', ENI);
    slice('lost', [
      { ip: ok!, node: 'node-1' },
      { ip: missing!, node: 'node-1', ready: false, pod: lost },
    ]);
    const c = await eventually(() => condition('lost-0', 'lost'), 'the gate condition');
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'ServerInvalidServer');
    assert.deepEqual(servers('lost'), [`Eni ${eni} ${ok} 8080`]);
    const warning = events('lost').find((e) => e.reason === 'SkipSyncBackends' && e.type === 'Warning');
    assert.ok(warning?.message?.includes(`[${missing}] whose eni is invalid`), warning?.message);
    assignPodIps(h.cloudEmu.emu.state, { NetworkInterfaceId: eni, Ips: [missing!] });
    await eventually(
      () => (condition('lost-0', 'lost')?.status === 'True' ? true : undefined),
      'lost-0 True once its ENI holds it',
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(servers('lost'), [`Eni ${eni} ${ok} 8080`, `Eni ${eni} ${missing} 8080`]);
  });
});
