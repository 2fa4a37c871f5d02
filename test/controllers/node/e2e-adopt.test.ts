// End to end (real process, both emulators): Nodes registered by kubelets without
// --cloud-provider=external — no uninitialized taint, no providerID, as in kube-aliyun clusters —
// are adopted by the node controller; Nodes with a providerID are left alone; an unmatched one
// gets one Warning, not one per pass.
import assert from 'node:assert/strict';
import { Labels } from '../../../src/controllers/node/types.js';
import type { Node } from '../../../src/controllers/node/types.js';
import {
  seedInstances,
  startTestEmulator,
  type SeededVpc,
  type TestEmulator,
} from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';
import { startManagerProcess, type ManagerProcess } from './process.js';

interface KubeEvent {
  involvedObject: { name: string };
  reason: string;
  message: string;
  type: string;
  count?: number;
}

describe('node controller: adopting untainted Nodes end to end (real process)', function () {
  this.timeout(90_000);
  let kube: TestKube;
  let cloud: TestEmulator;
  let mgr: ManagerProcess | undefined;
  let vpc: SeededVpc;
  const inst = (i: number) => cloud.emu.state.instances[vpc.instanceIds[i]!]!;

  const getNode = async (name: string): Promise<Node | undefined> => {
    const r = await kube.api('GET', `/api/v1/nodes/${name}`);
    return r.status === 200 ? (r.body as Node) : undefined;
  };
  /** As a kubelet without --cloud-provider registers: no taint, no providerID unless given. */
  const createPlainNode = async (
    name: string,
    opts: { providerID?: string; addresses?: Array<{ type: string; address: string }> } = {},
  ) => {
    const r = await kube.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: opts.providerID ? { providerID: opts.providerID } : {},
      status: {
        addresses: opts.addresses ?? [],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: new Date().toISOString(),
          },
        ],
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const eventsFor = async (name: string) => {
    const r = await kube.api('GET', `/api/v1/namespaces/default/events`);
    return ((r.body as { items?: KubeEvent[] }).items ?? []).filter((e) => e.involvedObject.name === name);
  };
  const adopted = (name: string) =>
    eventually(
      async () => {
        const n = await getNode(name);
        return n?.spec?.providerID ? n : undefined;
      },
      `${name} adopted`,
      { tries: 400, intervalMs: 50 },
    );
  const describes = () => cloud.emu.calls().filter((c) => c.action === 'DescribeInstances').length;
  const passes = async (k: number) => {
    const start = describes();
    await eventually(() => describes() >= start + k || undefined, `${k} more DescribeInstances calls`, {
      tries: 400,
      intervalMs: 50,
    });
  };

  before(async () => {
    kube = await startTestKube();
    cloud = await startTestEmulator({ region: 'cn-hangzhou' });
    vpc = seedInstances(cloud.emu, 4, (i) => ({ HostName: `iZplain${i}Z` }));
    mgr = await startManagerProcess(kube, cloud, [
      '--controllers=node',
      '--node-monitor-period=1s',
      '--node-event-aggregation-wait-seconds=0.05',
    ]);
  });

  after(async function () {
    if (this.currentTest?.state === 'failed' || process.env.SHOW_LOGS)
      process.stderr.write(mgr?.logs().slice(-8000) ?? '');
    await mgr?.stop();
    await kube?.close();
    await cloud?.close();
  });

  it('adopts a Node named by its private IP: providerID, labels, addresses; the taint list stays empty', async () => {
    const i0 = inst(0);
    const ip = i0.PrivateIpAddress;
    await createPlainNode(ip, {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: ip },
      ],
    });
    const n = await adopted(ip);
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i0.InstanceId}`);
    assert.equal(n.metadata?.labels?.[Labels.zone], i0.ZoneId);
    assert.equal(n.metadata?.labels?.[Labels.instanceType], i0.InstanceType);
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], ip, 'labels the kubelet set stay');
    assert.deepEqual(n.spec?.taints ?? [], []);
    assert.deepEqual(n.status?.addresses, [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: ip },
    ]);
    const ev = await eventually(
      async () => (await eventsFor(ip)).find((e) => e.reason === 'AdoptedNode'),
      'AdoptedNode event',
    );
    assert.equal(ev.type, 'Normal');
    assert.match(ev.message, new RegExp(i0.InstanceId));
  });

  it('adopts a Node named by the ECS hostname', async () => {
    const i1 = inst(1);
    await createPlainNode('izplain1z');
    const n = await adopted('izplain1z');
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i1.InstanceId}`);
  });

  it('leaves Nodes that have a providerID alone (ECS or not)', async () => {
    const [i2, i3] = [inst(2), inst(3)];
    // Named by instance 3's IP, but the kubelet said instance 2: the providerID is never replaced.
    await createPlainNode(i3.PrivateIpAddress, { providerID: `cn-hangzhou.${i2.InstanceId}` });
    await createPlainNode('hybrid-1', { providerID: 'ack-hybrid://cn-hangzhou.i-hybrid00001' });
    const hybridRv = (await getNode('hybrid-1'))?.metadata?.resourceVersion;
    await passes(4);
    assert.equal((await getNode(i3.PrivateIpAddress))?.spec?.providerID, `cn-hangzhou.${i2.InstanceId}`);
    const hybrid = await getNode('hybrid-1');
    assert.equal(hybrid?.metadata?.resourceVersion, hybridRv, 'a non-ECS Node is not written at all');
    assert.equal(hybrid?.spec?.providerID, 'ack-hybrid://cn-hangzhou.i-hybrid00001');
    for (const name of [i3.PrivateIpAddress, 'hybrid-1'])
      assert.ok(!(await eventsFor(name)).some((e) => e.reason === 'AdoptedNode'), name);
  });

  it('an unmatched Node gets one InstanceNotFound Warning, not one per pass, and is otherwise untouched', async () => {
    await createPlainNode('10.250.9.9', { addresses: [{ type: 'InternalIP', address: '10.250.9.9' }] });
    const rv = (await getNode('10.250.9.9'))?.metadata?.resourceVersion;
    const first = await eventually(
      async () => (await eventsFor('10.250.9.9')).find((e) => e.reason === 'InstanceNotFound'),
      'InstanceNotFound event',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(first.type, 'Warning');
    const lookups = () =>
      cloud.emu
        .calls()
        .filter(
          (c) =>
            c.action === 'DescribeInstances' && (c.params.PrivateIpAddresses ?? '').includes('10.250.9.9'),
        ).length;
    await eventually(() => lookups() >= 3 || undefined, 'looked up again on later passes', {
      tries: 400,
      intervalMs: 50,
    });
    const all = (await eventsFor('10.250.9.9')).filter((e) => e.reason === 'InstanceNotFound');
    assert.equal(all.length, 1);
    assert.equal(all[0]!.count ?? 1, 1, 'not re-reported on later passes');
    const n = await getNode('10.250.9.9');
    assert.equal(n?.metadata?.resourceVersion, rv);
    assert.equal(n?.spec?.providerID, undefined);
  });
});
