// The real controller-manager process against both emulators, observed only through its HTTP
// server and its stderr: /metrics carries process, cloud-call, work-queue and reconcile-outcome
// metrics; logs are JSON lines with levels; SIGTERM exits 0.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seedInstances, startTestEmulator, type SeededVpc, type TestEmulator } from '../helpers/alicloud.js';
import { eventually } from '../helpers/eventually.js';
import { startTestKube, type TestKube } from '../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager.js';

/** Sum of the samples of `family` whose label set contains every `labels` pair. */
function sample(text: string, family: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== family) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('alicloud-controller-manager process: /metrics and logs', function () {
  this.timeout(90_000);
  let kube: TestKube;
  let cloud: TestEmulator;
  let vpc: SeededVpc;
  let mgr: ManagerProcess | undefined;

  beforeEach(async () => {
    kube = await startTestKube();
    cloud = await startTestEmulator({ region: 'cn-hangzhou' });
    cloud.emu.mergeState({ config: { routeTransitionMs: 20 } });
    vpc = seedInstances(cloud.emu, 1);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && mgr) console.error(mgr.stderr().slice(-4000));
    if (mgr && mgr.proc.exitCode === null && mgr.proc.signalCode === null) mgr.proc.kill('SIGKILL');
    mgr = undefined;
    await kube.close();
    await cloud.close();
  });

  it('exports process, cloud-call, queue and reconcile metrics; logs JSON with levels; SIGTERM exits 0', async () => {
    const cidr = '10.0.0.0/24';
    const node = await kube.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-0' },
      spec: {
        podCIDR: cidr,
        podCIDRs: [cidr],
        providerID: `cn-hangzhou.${vpc.instanceIds[0]}`,
        taints: [
          { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
        ],
      },
    });
    assert.equal(node.status, 201, JSON.stringify(node.body));
    const svc = await kube.api('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    assert.equal(svc.status, 201, JSON.stringify(svc.body));

    const cloudConfig = join(kube.dir, 'cloud-config.json');
    await writeFile(cloudConfig, JSON.stringify({ Global: { clusterID: 'c-metrics' } }));
    const secret = cloud.accessKeySecret;
    mgr = spawnManager(
      [
        '--kubeconfig',
        kube.kubeconfigPath,
        '--cloud-config',
        cloudConfig,
        '--controllers=service,node,route',
        '--cluster-cidr',
        '10.0.0.0/16',
        '--leader-elect=false',
        '--port',
        '0',
        '--secure-port',
        '0',
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--bind-address',
        '127.0.0.1',
        '--log-level=debug',
      ],
      {
        ALIYUN_ACCESS_KEY: cloud.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: secret,
        ALIYUN_REGION: 'cn-hangzhou',
        ALIYUN_VPC: vpc.vpcId,
        ECS_ENDPOINT: cloud.url,
        VPC_ENDPOINT: cloud.url,
        SLB_ENDPOINT: cloud.url,
        NLB_ENDPOINT: cloud.url,
        METADATA_ENDPOINT: cloud.url,
      },
    );
    const url = await mgr.listening;

    let last = '';
    const text = await eventually(
      async () => {
        const t = await (await fetch(`${url}/metrics`)).text();
        last = t;
        const ready =
          sample(t, 'alicloud_api_calls_total', { product: 'Ecs', code: 'Success' }) > 0 &&
          sample(t, 'alicloud_api_calls_total', {
            product: 'Vpc',
            action: 'CreateRouteEntries',
            code: 'Success',
          }) > 0 &&
          sample(t, 'kube_alicloud_reconcile_total', { controller: 'service' }) > 0 &&
          sample(t, 'kube_alicloud_reconcile_total', { controller: 'route' }) > 0 &&
          sample(t, 'kube_alicloud_node_init_total', {}) > 0 &&
          sample(t, 'workqueue_work_duration_seconds_count', { name: 'service' }) > 0;
        return ready ? t : undefined;
      },
      'cloud calls, a route and a service reconcile on /metrics',
      { tries: 400, intervalMs: 50 },
    ).catch((err: unknown) => {
      console.error(
        last
          .split('\n')
          .filter((l) => /^(alicloud|workqueue|kube_alicloud)/.test(l))
          .join('\n'),
      );
      throw err;
    });
    // Default process metrics, the cloud latency histogram, queue depth/latency per queue, node outcomes.
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
    assert.ok(
      sample(text, 'alicloud_api_request_duration_seconds_count', {
        product: 'Vpc',
        action: 'CreateRouteEntries',
      }) >= 1,
    );
    assert.match(text, /^workqueue_depth\{name="service"\} \d+$/m);
    assert.match(text, /^workqueue_depth\{name="node"\} \d+$/m);
    assert.ok(sample(text, 'workqueue_queue_duration_seconds_count', { name: 'service' }) >= 1);
    assert.ok(
      sample(text, 'kube_alicloud_reconcile_total', { controller: 'service', outcome: 'success' }) >= 1,
    );
    assert.ok(
      sample(text, 'kube_alicloud_reconcile_total', { controller: 'route', outcome: 'success' }) >= 1,
    );
    assert.ok(sample(text, 'kube_alicloud_route_pass_seconds_count', {}) >= 1);
    assert.ok(!text.includes(secret), 'no secret on /metrics');

    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);

    mgr.proc.kill('SIGTERM');
    const { code } = await mgr.exited;
    assert.equal(code, 0);
    const lines = mgr
      .stderr()
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    assert.ok(lines.length > 3);
    for (const l of lines) {
      const rec = JSON.parse(l) as { level?: unknown; msg?: unknown };
      assert.ok(rec.level !== undefined && typeof rec.msg === 'string', `not a leveled JSON log line: ${l}`);
    }
    assert.ok(
      lines.some(
        (l) =>
          (JSON.parse(l) as { level: unknown }).level === 20 ||
          (JSON.parse(l) as { level: unknown }).level === 'debug',
      ),
      'debug lines at --log-level=debug',
    );
    assert.ok(!mgr.stderr().includes(secret), 'no secret in any log line');
  });
});
