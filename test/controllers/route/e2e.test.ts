// End to end: the real controller-manager process with --controllers=route against both
// emulators. Observed only from outside: the emulated VPC's route table, Node conditions and
// Events through the Kubernetes API.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { routeDescription } from '../../../src/controllers/route/model/ownership.js';
import {
  seedInstances,
  startTestEmulator,
  type SeededVpc,
  type TestEmulator,
} from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../../helpers/manager.js';
import { entriesOf } from './harness.js';

interface NodeView {
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}
interface EventView {
  involvedObject: { kind?: string; name: string };
  reason: string;
  message: string;
  type: string;
}

const CLUSTER_ID = 'c-route-e2e';

describe('route controller: end to end (real process)', function () {
  this.timeout(120_000);
  let kube: TestKube;
  let cloud: TestEmulator;
  let vpc: SeededVpc;
  let mgr: ManagerProcess | undefined;

  async function start(controllers = 'route'): Promise<void> {
    const cloudConfig = join(kube.dir, 'cloud-config.json');
    await writeFile(cloudConfig, JSON.stringify({ Global: { clusterID: CLUSTER_ID } }));
    mgr = spawnManager(
      [
        '--kubeconfig',
        kube.kubeconfigPath,
        '--cloud-config',
        cloudConfig,
        `--controllers=${controllers}`,
        '--configure-cloud-routes',
        '--cluster-cidr',
        '10.0.0.0/16',
        '--leader-elect=false',
        '--port',
        '0',
        '--secure-port',
        '0',
        '--bind-address',
        '127.0.0.1',
        '--route-reconciliation-period',
        '1h',
      ],
      {
        ALIYUN_ACCESS_KEY: cloud.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: cloud.accessKeySecret,
        ALIYUN_REGION: 'cn-hangzhou',
        ALIYUN_VPC: vpc.vpcId,
        ECS_ENDPOINT: cloud.url,
        VPC_ENDPOINT: cloud.url,
        SLB_ENDPOINT: cloud.url,
        NLB_ENDPOINT: cloud.url,
        METADATA_ENDPOINT: cloud.url,
      },
    );
    await mgr.listening;
  }
  async function stop(): Promise<void> {
    if (!mgr) return;
    const m = mgr;
    mgr = undefined;
    if (m.proc.exitCode === null && m.proc.signalCode === null) {
      m.proc.kill('SIGTERM');
      const timer = setTimeout(() => m.proc.kill('SIGKILL'), 5000);
      await m.exited;
      clearTimeout(timer);
    }
  }

  const addNode = async (i: number, cidr = `10.0.${i}.0/24`) => {
    const r = await kube.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${i}` },
      spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `cn-hangzhou.${vpc.instanceIds[i]}` },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const deleteNode = async (i: number) =>
    assert.equal((await kube.api('DELETE', `/api/v1/nodes/node-${i}`)).status, 200);
  const condition = async (name: string) => {
    const r = await kube.api('GET', `/api/v1/nodes/${name}`);
    return ((r.body as NodeView).status?.conditions ?? []).find((c) => c.type === 'NetworkUnavailable');
  };
  const events = async (reason: string) => {
    const r = await kube.api('GET', '/api/v1/events');
    return ((r.body as { items?: EventView[] }).items ?? []).filter((e) => e.reason === reason);
  };
  const routes = () => entriesOf(cloud, vpc.routeTableId);
  const hop = (i: number) => vpc.instanceIds[i]!;

  beforeEach(async () => {
    kube = await startTestKube();
    cloud = await startTestEmulator({ region: 'cn-hangzhou' });
    cloud.emu.mergeState({ config: { routeTransitionMs: 50 } });
    vpc = seedInstances(cloud.emu, 6);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && mgr) console.error(mgr.stderr().slice(-6000));
    await stop();
    await kube.close();
    await cloud.close();
  });

  it('with the node controller: a joining Node is NetworkUnavailable/NoRouteCreated until its route exists, then RouteCreated', async () => {
    await start('route,node');
    // As a kubelet registers it: tainted, providerID set, no pod CIDR yet (kube-controller-manager assigns it next).
    const r = await kube.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'joining' },
      spec: {
        providerID: `cn-hangzhou.${hop(2)}`,
        taints: [
          { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
        ],
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const waiting = await eventually(
      async () => {
        const c = await condition('joining');
        return c?.status === 'True' ? c : undefined;
      },
      'NetworkUnavailable=True from initialisation',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(waiting.reason, 'NoRouteCreated');
    assert.equal(waiting.message, 'Node created without a route');
    assert.deepEqual(routes(), []);

    const node = (await kube.api('GET', '/api/v1/nodes/joining')).body as { spec: Record<string, unknown> };
    node.spec.podCIDR = '10.0.2.0/24';
    node.spec.podCIDRs = ['10.0.2.0/24'];
    assert.equal((await kube.api('PUT', '/api/v1/nodes/joining', node)).status, 200);
    const routed = await eventually(
      async () => {
        const c = await condition('joining');
        return c?.status === 'False' ? c : undefined;
      },
      'NetworkUnavailable=False once routed',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(routed.reason, 'RouteCreated');
    assert.deepEqual(routes(), [`10.0.2.0/24>${hop(2)}:Available`]);
  });

  it('nodes join and get routes (NetworkUnavailable False); a node leaves and its route goes', async () => {
    await start();
    await addNode(0);
    await addNode(1);
    await eventually(
      async () =>
        ((await condition('node-0'))?.status === 'False' &&
          (await condition('node-1'))?.status === 'False') ||
        undefined,
      'conditions False',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal((await condition('node-0'))?.reason, 'RouteCreated');
    assert.deepEqual(routes(), [`10.0.0.0/24>${hop(0)}:Available`, `10.0.1.0/24>${hop(1)}:Available`]);
    const marked = Object.values(cloud.emu.state.routeEntries).find(
      (e) => e.DestinationCidrBlock === '10.0.0.0/24',
    )!;
    assert.equal(marked.Description, routeDescription({ clusterId: CLUSTER_ID, nodeName: 'node-0' }));

    await deleteNode(1);
    await eventually(() => (routes().length === 1 ? true : undefined), 'route of node-1 removed', {
      tries: 400,
      intervalMs: 50,
    });
    assert.deepEqual(routes(), [`10.0.0.0/24>${hop(0)}:Available`]);
  });

  it('a node deleted while the controller was down loses its route after restart', async () => {
    await start();
    await addNode(0);
    await addNode(2);
    await eventually(
      () => (routes().filter((r) => r.endsWith(':Available')).length === 2 ? true : undefined),
      'two routes',
      { tries: 400, intervalMs: 50 },
    );
    await stop();
    await deleteNode(2);
    assert.equal(routes().length, 2);
    await start();
    await eventually(() => (routes().length === 1 ? true : undefined), 'orphan removed after restart', {
      tries: 400,
      intervalMs: 50,
    });
    assert.deepEqual(routes(), [`10.0.0.0/24>${hop(0)}:Available`]);
  });

  it('foreign routes in and out of the cluster CIDR are left alone, and the colliding one is reported', async () => {
    cloud.emu.mergeState({
      RouteEntries: [
        {
          RouteTableId: vpc.routeTableId,
          DestinationCidrBlock: '10.0.3.0/24',
          NextHopType: 'Instance',
          NextHopId: hop(5),
          Type: 'Custom',
          Status: 'Available',
        },
        {
          RouteTableId: vpc.routeTableId,
          DestinationCidrBlock: '10.0.200.0/24',
          NextHopType: 'Instance',
          NextHopId: hop(5),
          Type: 'Custom',
          Status: 'Available',
        },
        {
          RouteTableId: vpc.routeTableId,
          DestinationCidrBlock: '172.20.0.0/16',
          NextHopType: 'Instance',
          NextHopId: hop(4),
          Type: 'Custom',
          Status: 'Available',
        },
      ],
    });
    await start();
    await addNode(0);
    await addNode(3);
    await eventually(
      async () => (await condition('node-0'))?.status === 'False' || undefined,
      'node-0 routed',
      { tries: 400, intervalMs: 50 },
    );
    const [conflict] = await eventually(
      async () => {
        const e = await events('RouteConflict');
        return e.length > 0 ? e : undefined;
      },
      'RouteConflict event',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(conflict!.type, 'Warning');
    assert.equal(conflict!.involvedObject.name, 'node-3');
    assert.match(conflict!.message, new RegExp(`10\\.0\\.3\\.0/24 .*${hop(5)}`));
    const c3 = await eventually(
      async () => {
        const c = await condition('node-3');
        return c?.reason === 'RouteConflict' ? c : undefined;
      },
      'node-3 condition',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(c3.status, 'True');
    for (const foreign of [
      `10.0.3.0/24>${hop(5)}:Available`,
      `10.0.200.0/24>${hop(5)}:Available`,
      `172.20.0.0/16>${hop(4)}:Available`,
    ]) {
      assert.ok(routes().includes(foreign), `${foreign} untouched`);
    }
    assert.deepEqual(
      cloud.emu.calls().filter((c) => c.action.startsWith('DeleteRouteEntr')),
      [],
    );
  });

  it('a full route table: Warning Event that says how to get room, NetworkUnavailable stays True', async () => {
    cloud.emu.mergeState({ config: { routeQuotaPerTable: 1 } });
    await start();
    await addNode(0);
    await addNode(1);
    const [quota] = await eventually(
      async () => {
        const e = await events('RouteQuotaExceeded');
        return e.length > 0 ? e : undefined;
      },
      'RouteQuotaExceeded event',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(quota!.type, 'Warning');
    assert.match(quota!.message, /full/);
    assert.match(quota!.message, /raise the route table quota/);
    const starved = quota!.involvedObject.name;
    const c = await eventually(
      async () => {
        const x = await condition(starved);
        return x?.reason === 'RouteQuotaExceeded' ? x : undefined;
      },
      'quota condition',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(c.status, 'True');
    assert.equal(routes().length, 1);
  });

  it('a VPC with several route tables and none named stops the process with a clear error', async () => {
    cloud.emu.mergeState({
      RouteTables: [{ RouteTableId: 'vtb-second', VpcId: vpc.vpcId, RouteTableType: 'Custom' }],
    });
    await start().catch(() => undefined); // it may exit before or after printing the listening line
    const m = mgr!;
    const timer = setTimeout(() => m.proc.kill('SIGKILL'), 30_000);
    const { code } = await m.exited;
    clearTimeout(timer);
    assert.notEqual(code, 0);
    assert.match(m.stderr(), /has 2 route tables: .*vtb-second.*routeTableIDs/);
    assert.deepEqual(
      cloud.emu.calls().filter((c) => c.action.startsWith('CreateRouteEntr')),
      [],
    );
  });
});
