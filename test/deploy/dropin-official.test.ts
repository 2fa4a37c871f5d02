// Drop-in with the published manifests of the official Alibaba Cloud cloud-controller-manager (v1
// and v2) and of kube-aliyun itself (test/fixtures/, see the README there): the container command
// of each is run by the real manager process unchanged, except what a test on loopback cannot
// keep — file paths inside the Pod (kubeconfig, the mounted cloud-config) become temp files with
// the same content, the apiserver and cloud endpoints point at the emulators, and --port=0
// --bind-address=127.0.0.1 (plus --secure-port=0 for the official ones) so parallel suites do
// not collide. Each run must start, print one warning per flag that has no effect here and no
// other "no effect" line, and do its job; the official DaemonSets' own livenessProbe (plain
// HTTP to the default secure port) must pass against the process, as the kubelet would run it.
// The official manifests carry no credentials: like on ECS, the instance's RAM role is read from
// the metadata service, here one that requires IMDSv2 tokens.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { seedInstances, startTestEmulator, type SeededVpc, type TestEmulator } from '../helpers/alicloud.js';
import { eventually } from '../helpers/eventually.js';
import { startTestKube, type TestKube } from '../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager.js';
import { DEFAULT_SECURE_PORT } from '../../src/manager/serving.js';

const FIXTURES = join(process.cwd(), 'test/fixtures');

interface HttpGetProbe {
  httpGet: { host?: string; port: number | string; path: string; scheme?: string };
  timeoutSeconds?: number;
}

interface Container {
  command: string[];
  env?: Array<{ name: string; value?: string }>;
  livenessProbe?: HttpGetProbe;
}

function manifest(file: string): Array<Record<string, unknown>> {
  return parseAllDocuments(readFileSync(join(FIXTURES, file), 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
}

function daemonSetCommand(docs: Array<Record<string, unknown>>): string[] {
  const ds = docs.find((d) => d.kind === 'DaemonSet') as { spec: { template: { spec: { containers: Container[] } } } };
  return ds.spec.template.spec.containers[0]!.command;
}

function daemonSetLivenessProbe(docs: Array<Record<string, unknown>>): HttpGetProbe {
  const ds = docs.find((d) => d.kind === 'DaemonSet') as { spec: { template: { spec: { containers: Container[] } } } };
  const probe = ds.spec.template.spec.containers[0]!.livenessProbe;
  assert.ok(probe?.httpGet, 'the manifest has an httpGet livenessProbe');
  return probe;
}

/** The secure port from the manager's `listening` line (it runs with --secure-port=0). */
function securePortOf(mgr: ManagerProcess): number {
  for (const line of mgr.stdout().split('\n')) {
    try {
      const ev = JSON.parse(line) as { event?: string; secureUrl?: string };
      if (ev.event === 'listening' && ev.secureUrl) return Number(new URL(ev.secureUrl).port);
    } catch {
      // not JSON
    }
  }
  throw new Error('no listening line with a secureUrl');
}

/**
 * Runs the probe the way the kubelet's HTTP prober does: a GET to scheme://host:port/path,
 * success for any status from 200 to 399. The manifest names the default secure port; the test
 * process listens on an ephemeral one instead, which is the only thing replaced.
 */
async function runLivenessProbe(probe: HttpGetProbe, securePort: number): Promise<{ status: number; body: string }> {
  const { host, port, path, scheme } = probe.httpGet;
  assert.equal(Number(port), DEFAULT_SECURE_PORT, 'the probe targets the default --secure-port');
  assert.equal((scheme ?? 'HTTP').toUpperCase(), 'HTTP', 'the official manifests probe over plain HTTP');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: host ?? '127.0.0.1', port: securePort, path, method: 'GET', agent: false, headers: { 'User-Agent': 'kube-probe/1.30', Accept: '*/*' }, timeout: (probe.timeoutSeconds ?? 1) * 1000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function expectLivenessProbePasses(docs: Array<Record<string, unknown>>, mgr: ManagerProcess): Promise<void> {
  const r = await runLivenessProbe(daemonSetLivenessProbe(docs), securePortOf(mgr));
  assert.ok(r.status >= 200 && r.status < 400, `livenessProbe got ${r.status}: ${r.body}`);
  assert.equal(r.body, 'ok');
}

function configMapCloudConfig(docs: Array<Record<string, unknown>>): string {
  const cm = docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> };
  return cm.data['cloud-config.conf']!;
}

/** `no effect` warning lines the manager printed, as the flag or key each one names. */
function noEffectLines(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    try {
      const rec = JSON.parse(line) as { level?: string; msg?: string };
      if (rec.level === 'warn' && rec.msg && /has no effect here/.test(rec.msg)) out.push(rec.msg.split(' has no effect')[0]!);
    } catch {
      // not a log line
    }
  }
  return out;
}

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /"level":"(error|fatal)"/.test(l) || /^error: /.test(l));
}

interface World {
  kube: TestKube;
  cloud: TestEmulator;
  vpc: SeededVpc;
  work: string;
  mgr?: ManagerProcess;
}

async function startWorld(): Promise<World> {
  const kube = await startTestKube();
  const cloud = await startTestEmulator({ region: 'cn-hangzhou' });
  cloud.emu.mergeState({ config: { routeTransitionMs: 20, diskTransitionMs: 20 } });
  const vpc = seedInstances(cloud.emu, 2);
  return { kube, cloud, vpc, work: mkdtempSync(join(tmpdir(), 'dropin-official-')) };
}

async function stopWorld(w: World | undefined, failed: boolean): Promise<void> {
  if (!w) return;
  if (w.mgr) {
    if (failed) console.error(w.mgr.stderr().slice(-6000));
    if (w.mgr.proc.exitCode === null && w.mgr.proc.signalCode === null) {
      w.mgr.proc.kill('SIGTERM');
      const timer = setTimeout(() => w.mgr?.proc.kill('SIGKILL'), 8000);
      await w.mgr.exited;
      clearTimeout(timer);
    }
  }
  await w.kube.close();
  await w.cloud.close();
  rmSync(w.work, { recursive: true, force: true });
}

/** The manifest's args with in-Pod file paths replaced by local files of the same content. */
function localArgs(command: string[], files: Record<string, string>): string[] {
  return command.slice(1).map((a) => {
    const m = /^(--[a-z-]+)=(.*)$/.exec(a);
    return m && files[m[2]!] !== undefined ? `${m[1]}=${files[m[2]!]}` : a;
  });
}

/** The emulators on loopback instead of the VPC endpoints and 100.100.100.200. */
function endpointEnv(w: World): NodeJS.ProcessEnv {
  return { ECS_ENDPOINT: w.cloud.url, VPC_ENDPOINT: w.cloud.url, SLB_ENDPOINT: w.cloud.url, NLB_ENDPOINT: w.cloud.url, METADATA_ENDPOINT: w.cloud.url };
}

async function waitForLease(w: World, url: string): Promise<void> {
  await eventually(() => (w.kube.emu.store.get('leases', 'ccm', 'kube-system')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, 'the lease', { tries: 400, intervalMs: 50 });
  await eventually(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 'readyz', { tries: 400, intervalMs: 50 });
}

async function expectSlbFor(w: World, name: string): Promise<void> {
  const created = await w.kube.api('POST', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ip = await eventually(async () => {
    const s = await w.kube.api('GET', `/api/v1/namespaces/default/services/${name}`);
    return (s.body.status?.loadBalancer?.ingress as Array<{ ip?: string }> | undefined)?.[0]?.ip;
  }, `Service ${name} ingress IP`, { tries: 600, intervalMs: 50 });
  assert.ok(Object.values(w.cloud.emu.state.loadBalancers).some((lb) => lb.Address === ip), 'the ingress IP is an SLB of the cloud');
}

async function expectNodeInitialised(w: World, instanceId: string): Promise<void> {
  const ip = w.cloud.emu.state.instances[instanceId]!.PrivateIpAddress;
  const r = await w.kube.api('POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: ip },
    spec: { providerID: `cn-hangzhou.${instanceId}`, taints: [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' }] },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await w.kube.api('PATCH', `/api/v1/nodes/${ip}/status`, { status: { addresses: [{ type: 'InternalIP', address: ip }] } }, 'application/merge-patch+json');
  await eventually(async () => {
    const n = await w.kube.api('GET', `/api/v1/nodes/${ip}`);
    return (n.body.spec?.taints ?? []).length === 0 && n.body.metadata?.labels?.['topology.kubernetes.io/zone'] ? true : undefined;
  }, `Node ${ip} initialised`, { tries: 600, intervalMs: 50 });
}

/** The instance's RAM role, served only to callers holding a metadata token (security hardening mode). */
function ramRoleWithTokens(w: World): void {
  w.cloud.emu.setHostMetadata('default', { ramRole: 'KubernetesMasterRole', httpTokens: 'required' });
}

describe('deploy: official CCM deploy/v2 manifest with deploy/cloud-config.json (real process)', function () {
  this.timeout(120_000);
  let w: World | undefined;
  before(async () => {
    w = await startWorld();
  });
  after(async function () {
    await stopWorld(w, this.currentTest?.state === 'failed');
  });

  it('starts with the DaemonSet command; one warning: --metrics-bind-addr; serves a LoadBalancer Service and initialises a Node', async () => {
    const docs = manifest('official-ccm/v2-cloud-controller-manager.yaml');
    const command = daemonSetCommand(docs);
    assert.equal(command[0], '/cloud-controller-manager');
    assert.match(readFileSync(join(process.cwd(), 'deploy/Dockerfile'), 'utf8'), /ln -s \/app\/bin\/alicloud-controller-manager \/cloud-controller-manager/, 'the image provides /cloud-controller-manager');
    // deploy/cloud-config.json with its placeholders filled as an operator would ("KubernetesClusterTag": "" stays).
    const cloudConfig = readFileSync(join(FIXTURES, 'official-ccm/cloud-config.json'), 'utf8')
      .replace('vpc-xxxx', w!.vpc.vpcId)
      .replace('cn-hangzhou-b', w!.cloud.emu.state.instances[w!.vpc.instanceIds[0]!]!.ZoneId)
      .replace('vsw-xxxx', w!.vpc.vswitchIds[0]!)
      .replace('"accessKeyID": "base64 encoded"', `"accessKeyID": "${Buffer.from(w!.cloud.accessKeyId).toString('base64')}"`)
      .replace('"accessKeySecret": "base64 encoded"', `"accessKeySecret": "${Buffer.from(w!.cloud.accessKeySecret).toString('base64')}"`);
    assert.match(cloudConfig, /"KubernetesClusterTag": ""/);
    const cc = join(w!.work, 'cloud-config.conf');
    writeFileSync(cc, cloudConfig);
    const args = localArgs(command, { '/etc/kubernetes/cloud-controller-manager.conf': w!.kube.kubeconfigPath, '/etc/kubernetes/config/cloud-config.conf': cc });
    w!.mgr = spawnManager([...args, '--port=0', '--secure-port=0', '--bind-address=127.0.0.1'], endpointEnv(w!));
    const url = await w!.mgr.listening;
    await expectLivenessProbePasses(docs, w!.mgr);
    await waitForLease(w!, url);
    assert.deepEqual(noEffectLines(w!.mgr.stderr()), ['flag --metrics-bind-addr']);
    await expectSlbFor(w!, 'web-v2');
    await expectNodeInitialised(w!, w!.vpc.instanceIds[0]!);
    assert.deepEqual(errorLines(w!.mgr.stderr()), []);
  });
});

describe('deploy: official CCM deploy/v1 manifest with its ConfigMap, RAM role over IMDSv2 (real process)', function () {
  this.timeout(120_000);
  let w: World | undefined;
  before(async () => {
    w = await startWorld();
    ramRoleWithTokens(w);
  });
  after(async function () {
    await stopWorld(w, this.currentTest?.state === 'failed');
  });

  it('starts with the DaemonSet command; one warning per no-effect flag; serves a Service with STS credentials', async () => {
    const docs = manifest('official-ccm/v1-cloud-controller-manager.yaml');
    const command = daemonSetCommand(docs);
    const cc = join(w!.work, 'cloud-config.conf');
    writeFileSync(cc, configMapCloudConfig(docs));
    const args = localArgs(command, { '/etc/kubernetes/cloud-controller-manager.conf': w!.kube.kubeconfigPath, '/etc/kubernetes/config/cloud-config.conf': cc });
    w!.mgr = spawnManager([...args, '--port=0', '--secure-port=0', '--bind-address=127.0.0.1'], endpointEnv(w!));
    const url = await w!.mgr.listening;
    await expectLivenessProbePasses(docs, w!.mgr);
    await waitForLease(w!, url);
    assert.deepEqual(noEffectLines(w!.mgr.stderr()), ['flag --address', 'flag --allow-untagged-cloud', 'flag --cloud-provider', 'flag --use-service-account-credentials', 'flag --feature-gates']);
    await expectSlbFor(w!, 'web-v1');
    await expectNodeInitialised(w!, w!.vpc.instanceIds[1]!);
    // No AccessKey anywhere in this setup: the calls above were signed with the RAM role's STS
    // credentials, read from a metadata service that answers token holders only.
    assert.match(w!.mgr.stderr(), /"role":"KubernetesMasterRole".*"msg":"obtained STS credentials from instance metadata"/);
    assert.deepEqual(errorLines(w!.mgr.stderr()), []);
  });
});

describe("deploy: kube-aliyun's own manifests/aliyun-controller.yaml (real process)", function () {
  this.timeout(120_000);
  let w: World | undefined;
  before(async () => {
    w = await startWorld();
  });
  after(async function () {
    await stopWorld(w, this.currentTest?.state === 'failed');
  });

  it('starts with its command and env (region and VPC from metadata), warns nothing, routes a Node pod CIDR', async () => {
    const pod = parseAllDocuments(readFileSync(join(FIXTURES, 'kube-aliyun/aliyun-controller.yaml'), 'utf8'))[0]!.toJSON() as { spec: { containers: Container[] } };
    const container = pod.spec.containers[0]!;
    assert.equal(container.command[0], '/aliyun-controller');
    const zone = w!.cloud.emu.state.instances[w!.vpc.instanceIds[0]!]!.ZoneId;
    const values: Record<string, string> = {
      YOUR_CLUSTER_CIDR: '10.2.0.0/16',
      YOUR_ALIYUN_ACCESS_KEY: w!.cloud.accessKeyId,
      YOUR_ALIYUN_ACCESS_KEY_SECRET: w!.cloud.accessKeySecret,
      YOUR_ALIYUN_ZONE: zone,
      YOUR_ALIYUN_ROUTER_ID: w!.cloud.emu.state.routeTables[w!.vpc.routeTableId]!.VRouterId,
      YOUR_ALIYUN_ROUTE_TABLE_ID: w!.vpc.routeTableId,
    };
    const fill = (s: string) => values[s] ?? s;
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, fill(e.value ?? '')]));
    assert.equal(env.ALIYUN_REGION, undefined, 'the manifest sets no region: it comes from metadata');
    // Its apiserver is http://127.0.0.1:8080; ours is the emulator.
    const args = container.command.slice(1).map((a) => (a.startsWith('--server=') ? `--server=${w!.kube.url}` : a.replace(/YOUR_[A-Z_]+/, fill)));
    w!.mgr = spawnManager([...args, '--port=0', '--bind-address=127.0.0.1'], { ...env, ...endpointEnv(w!) });
    const url = await w!.mgr.listening;
    await waitForLease(w!, url);
    assert.deepEqual(noEffectLines(w!.mgr.stderr()), []);
    const id = w!.vpc.instanceIds[0]!;
    const ip = w!.cloud.emu.state.instances[id]!.PrivateIpAddress;
    const r = await w!.kube.api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: ip }, spec: { podCIDR: '10.2.5.0/24', podCIDRs: ['10.2.5.0/24'] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await w!.kube.api('PATCH', `/api/v1/nodes/${ip}/status`, { status: { addresses: [{ type: 'InternalIP', address: ip }] } }, 'application/merge-patch+json');
    await eventually(() => (Object.values(w!.cloud.emu.state.routeEntries).some((e) => e.RouteTableId === w!.vpc.routeTableId && e.DestinationCidrBlock === '10.2.5.0/24' && e.NextHopId === id) ? true : undefined), 'route 10.2.5.0/24 to the Node', { tries: 600, intervalMs: 50 });
    assert.deepEqual(errorLines(w!.mgr.stderr()), []);
  });
});
