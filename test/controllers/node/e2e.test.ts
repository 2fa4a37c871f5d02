// End to end: the real controller-manager with --controllers=node against both emulators.
import assert from 'node:assert/strict';
import { Labels } from '../../../src/controllers/node/types.js';
import { TAINT_SHUTDOWN, TAINT_UNINITIALIZED } from '../../../src/kube/labels.js';
import type { Node } from '../../../src/controllers/node/types.js';
import { createInstance } from '../../../emulators/alicloud/index.js';
import {
  seedInstances,
  startTestEmulator,
  type SeededVpc,
  type TestEmulator,
} from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';
import { startManagerProcess, type ManagerProcess } from './process.js';

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function joiningNode(
  name: string,
  opts: {
    providerID?: string;
    addresses?: Array<{ type: string; address: string }>;
    ready?: string;
    heartbeatAgoS?: number;
    tainted?: boolean;
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {
      ...(opts.providerID ? { providerID: opts.providerID } : {}),
      taints:
        opts.tainted === false ? [] : [{ key: TAINT_UNINITIALIZED, value: 'true', effect: 'NoSchedule' }],
    },
    status: {
      addresses: opts.addresses ?? [],
      conditions: [
        {
          type: 'Ready',
          status: opts.ready ?? 'True',
          reason: 'KubeletReady',
          lastHeartbeatTime: ago(opts.heartbeatAgoS ?? 0),
          lastTransitionTime: ago(600),
        },
      ],
    },
  };
}

describe('node controller: end to end (real process)', function () {
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
  const createNode = async (n: Node) => {
    const r = await kube.api('POST', '/api/v1/nodes', n);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const hasTaint = (n: Node | undefined, key: string) => n?.spec?.taints?.some((t) => t.key === key) ?? false;
  const eventsFor = async (name: string) => {
    const r = await kube.api('GET', `/api/v1/namespaces/default/events`);
    return (
      (
        r.body as {
          items: Array<{ involvedObject: { name: string }; reason: string; message: string; type: string }>;
        }
      ).items ?? []
    ).filter((e) => e.involvedObject.name === name);
  };
  const initialised = (name: string) =>
    eventually(
      async () => {
        const n = await getNode(name);
        return n && !hasTaint(n, TAINT_UNINITIALIZED) ? n : undefined;
      },
      `${name} initialised`,
      { tries: 400, intervalMs: 50 },
    );

  before(async () => {
    kube = await startTestKube();
    cloud = await startTestEmulator({ region: 'cn-hangzhou' });
    vpc = seedInstances(cloud.emu, 9, (i) => ({
      InstanceName: `worker-${i}`,
      HostName: `iZworker${i}Z`,
      ...(i === 0
        ? { PublicIpAddress: '47.100.0.10', EipAddress: '47.100.0.11', InstanceType: 'ecs.c6.xlarge' }
        : {}),
      ...(i === 4 ? { Status: 'Stopped' as const } : {}),
    }));
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

  it('initialises a Node by providerID: labels, addresses, taint removed, source/dest check off', async () => {
    const i0 = inst(0);
    await createNode(
      joiningNode('node-a', {
        providerID: `cn-hangzhou.${i0.InstanceId}`,
        addresses: [{ type: 'Hostname', address: 'node-a' }],
      }),
    );
    const n = await initialised('node-a');
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i0.InstanceId}`);
    const l = n.metadata!.labels!;
    assert.equal(l[Labels.region], 'cn-hangzhou');
    assert.equal(l[Labels.betaRegion], 'cn-hangzhou');
    assert.equal(l[Labels.zone], i0.ZoneId);
    assert.equal(l[Labels.betaZone], i0.ZoneId);
    assert.equal(l[Labels.instanceType], 'ecs.c6.xlarge');
    assert.equal(l[Labels.betaInstanceType], 'ecs.c6.xlarge');
    assert.equal(l['kubernetes.io/hostname'], 'node-a', 'labels the kubelet set stay');
    assert.deepEqual(n.status?.addresses, [
      { type: 'InternalIP', address: i0.PrivateIpAddress },
      { type: 'ExternalIP', address: '47.100.0.10' },
      { type: 'ExternalIP', address: '47.100.0.11' },
      { type: 'Hostname', address: 'node-a' },
    ]);
    const eni = Object.values(cloud.emu.state.networkInterfaces).find(
      (e) => e.InstanceId === i0.InstanceId && e.Type === 'Primary',
    )!;
    assert.equal(eni.SourceDestCheck, false);
    const ev = await eventually(
      async () => (await eventsFor('node-a')).find((e) => e.reason === 'InitializedNode'),
      'InitializedNode event',
    );
    assert.equal(ev.type, 'Normal');
  });

  it('finds a Node without providerID by private IP and sets providerID', async () => {
    const i1 = inst(1);
    await createNode(joiningNode(i1.PrivateIpAddress));
    const n = await initialised(i1.PrivateIpAddress);
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i1.InstanceId}`);
    assert.equal(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, i1.PrivateIpAddress);
  });

  it('finds a Node without providerID by hostname', async () => {
    const i2 = inst(2);
    await createNode(joiningNode('izworker2z'));
    const n = await initialised('izworker2z');
    assert.equal(n.spec?.providerID, `cn-hangzhou.${i2.InstanceId}`);
  });

  it('leaves the taint on and says why when no instance matches', async () => {
    await createNode(joiningNode('ghost', { providerID: 'cn-hangzhou.i-bp1doesnotexist0000' }));
    const ev = await eventually(
      async () => (await eventsFor('ghost')).find((e) => e.reason === 'InstanceNotFound'),
      'InstanceNotFound event',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message, /i-bp1doesnotexist0000/);
    const n = await getNode('ghost');
    assert.ok(hasTaint(n, TAINT_UNINITIALIZED));
    assert.equal(n?.metadata?.labels?.[Labels.zone], undefined);
  });

  it('retries a Node whose instance appears later, with backoff, until it is initialised', async () => {
    const id = 'i-bp1late000000000000001';
    await createNode(joiningNode('late', { providerID: `cn-hangzhou.${id}` }));
    await eventually(
      async () => (await eventsFor('late')).find((e) => e.reason === 'InstanceNotFound'),
      'first InstanceNotFound',
      { tries: 400, intervalMs: 50 },
    );
    createInstance(cloud.emu.state, { InstanceId: id, VSwitchId: vpc.vswitchIds[0]! });
    const n = await initialised('late');
    assert.equal(n.metadata?.labels?.[Labels.region], 'cn-hangzhou');
  });

  it('taints a Node whose instance is Stopped, and untaints it when Running again', async () => {
    const i4 = inst(4);
    await createNode(joiningNode('stopped', { providerID: `cn-hangzhou.${i4.InstanceId}` }));
    const n = await initialised('stopped');
    assert.ok(hasTaint(n, TAINT_SHUTDOWN), 'shutdown taint set at initialisation');
    i4.Status = 'Running';
    await eventually(
      async () => !hasTaint(await getNode('stopped'), TAINT_SHUTDOWN) || undefined,
      'shutdown taint removed',
      { tries: 400, intervalMs: 50 },
    );
    i4.Status = 'Stopped';
    await eventually(
      async () => hasTaint(await getNode('stopped'), TAINT_SHUTDOWN) || undefined,
      'shutdown taint back',
      { tries: 400, intervalMs: 50 },
    );
  });

  it('keeps labels in step with the cloud and writes nothing when nothing changed', async () => {
    const i5 = inst(5);
    await createNode(joiningNode('drift', { providerID: `cn-hangzhou.${i5.InstanceId}` }));
    const before = await initialised('drift');
    // Steady state: several sync passes later the object is unchanged (no write when nothing changed).
    const describes = () => cloud.emu.calls().filter((c) => c.action === 'DescribeInstances').length;
    const start = describes();
    await eventually(() => describes() >= start + 3 || undefined, 'three sync passes', {
      tries: 400,
      intervalMs: 50,
    });
    assert.equal((await getNode('drift'))?.metadata?.resourceVersion, before.metadata?.resourceVersion);
    // Drift: the instance type changes in the cloud → label follows.
    i5.InstanceType = 'ecs.g7.2xlarge';
    await eventually(
      async () =>
        (await getNode('drift'))?.metadata?.labels?.[Labels.instanceType] === 'ecs.g7.2xlarge' || undefined,
      'label follows the cloud',
      { tries: 400, intervalMs: 50 },
    );
  });

  it('deletes the NotReady Node of a terminated instance and keeps a Ready one', async () => {
    const [i6, i7] = [inst(6), inst(7)];
    await createNode(joiningNode('gone-notready', { providerID: `cn-hangzhou.${i6.InstanceId}` }));
    await createNode(joiningNode('gone-ready', { providerID: `cn-hangzhou.${i7.InstanceId}` }));
    await initialised('gone-notready');
    await initialised('gone-ready');
    // The kubelet on i6 stops reporting (the node lifecycle controller would set Unknown).
    const cur = (await getNode('gone-notready'))!;
    cur.status!.conditions = [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        lastHeartbeatTime: ago(120),
        lastTransitionTime: ago(60),
      },
    ];
    assert.equal((await kube.api('PUT', '/api/v1/nodes/gone-notready/status', cur)).status, 200);
    for (const id of [i6.InstanceId, i7.InstanceId])
      assert.equal((await fetch(`${cloud.url}/_emulator/instances/${id}`, { method: 'DELETE' })).status, 200);
    await eventually(
      async () => (await getNode('gone-notready')) === undefined || undefined,
      'NotReady Node deleted',
      { tries: 400, intervalMs: 50 },
    );
    const ev = await eventually(
      async () => (await eventsFor('gone-notready')).find((e) => e.reason === 'DeletedNode'),
      'DeletedNode event',
    );
    assert.match(ev.message, /kubelet stopped reporting/);
    // The Ready one has had as many passes since; it must still be there.
    assert.ok(await getNode('gone-ready'), 'a Node whose kubelet still reports is kept');
  });

  it('deletes nothing while DescribeInstances fails, and acts once it answers again', async () => {
    const i8 = inst(8);
    await createNode(joiningNode('outage', { providerID: `cn-hangzhou.${i8.InstanceId}` }));
    await initialised('outage');
    const cur = (await getNode('outage'))!;
    cur.status!.conditions = [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        lastHeartbeatTime: ago(120),
        lastTransitionTime: ago(60),
      },
    ];
    assert.equal((await kube.api('PUT', '/api/v1/nodes/outage/status', cur)).status, 200);
    cloud.emu.setFaults({ DescribeInstances: { code: 'ServiceUnavailable' } });
    assert.equal(
      (await fetch(`${cloud.url}/_emulator/instances/${i8.InstanceId}`, { method: 'DELETE' })).status,
      200,
    );
    const failed = () =>
      cloud.emu.calls().filter((c) => c.action === 'DescribeInstances' && c.code === 'ServiceUnavailable')
        .length;
    const start = failed();
    // Several failed passes (each retries inside the client) while the instance is really gone.
    await eventually(() => failed() >= start + 6 || undefined, 'failed describes', {
      tries: 600,
      intervalMs: 50,
    });
    assert.ok(await getNode('outage'), 'an API outage must not delete Nodes');
    assert.ok(await getNode('node-a'), 'nor any other Node');
    cloud.emu.setFaults({});
    await eventually(
      async () => (await getNode('outage')) === undefined || undefined,
      'deleted after the outage',
      { tries: 400, intervalMs: 50 },
    );
    assert.ok(await getNode('gone-ready'));
  });
});
