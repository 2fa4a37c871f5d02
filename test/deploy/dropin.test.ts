// kube-aliyun drop-in, with the seed article's own manifest values (test/fixtures/kube-aliyun/):
// the Secret is created with the seed's kubectl command, the controller-manager runs with the seed
// Pod's exact flags and env (secretKeyRef resolved from that Secret, as the kubelet does), against a
// cluster shaped like the seed's (Nodes named by private IP, no providerID, no uninitialized taint,
// pod CIDRs from --cluster-cidr), which must end with pod routes and SLB backends for those Nodes. Only
// two things are added, because this is a test and not a VPC: the *_ENDPOINT variables that point
// at the emulators, and --port=0 so parallel suites do not collide on 10258.
// The same run's API requests are the evidence for deploy/rbac.yaml (last test in this file).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../emulators/kube/index.js';
import { DRIVER_NAMES, install, runtimeLibraries } from '../../src/flexvolume/install.js';
import { rawCall, seedInstances, startTestEmulator, type SeededVpc, type TestEmulator } from '../helpers/alicloud.js';
import { eventually } from '../helpers/eventually.js';
import { hasKubectl, startTestKube, type TestKube } from '../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager.js';
import { ensureBundle } from '../flexvolume/harness.js';
import { grantOf, grantedKeys, permissionKey, readRoles } from './rbac.js';
import { ramActionsInCode } from '../docs/ram.js';
import { readSeedPod, resolveEnv, seedSecretCommand } from './seed.js';

/** Permissions in deploy/rbac.yaml this scenario cannot exercise, each with the code path that needs it. */
export const NOT_EXERCISED: Record<string, string> = {
  'delete core/nodes': 'node controller: deletes a Node whose ECS instance was released (src/controllers/node/kubeport.ts)',
  'patch core/events': 'event recorder: a repeated event bumps the count of the existing one (src/kube/events.ts)',
  'get core/services': 'status/finalizer writes re-read the Service after a 409 conflict (src/kube/patch.ts)',
  'update core/nodes/status': 'node controller: writes addresses with update when the status changed (src/controllers/node/kubeport.ts)',
  'create authentication.k8s.io/tokenreviews': 'secure port: a /metrics scrape with a bearer token (src/server/delegated.ts; exercised by test/manager/serving.test.ts)',
  'get core/pods': 'service controller: reads the Pods behind not-ready endpoints for readiness gates (exercised by test/controllers/service/eni-gates.test.ts)',
  'patch core/pods/status': 'service controller: sets the readiness-gate condition of registered Pods (exercised by test/controllers/service/eni-gates.test.ts)',
  'create authorization.k8s.io/subjectaccessreviews': 'secure port: may this user GET /metrics (src/server/delegated.ts; exercised by test/manager/serving.test.ts)',
};

describe('deploy: kube-aliyun drop-in with the seed manifest (real process)', function () {
  this.timeout(180_000);
  let kube: TestKube;
  let cloud: TestEmulator;
  let vpc: SeededVpc;
  let mgr: ManagerProcess | undefined;
  let work: string;
  const audit: AuditRecord[] = [];
  const nodeNames: string[] = [];
  let values: Record<string, string>;

  before(async function () {
    if (!(await hasKubectl())) {
      console.warn('SKIPPING kube-aliyun drop-in: kubectl is not installed');
      this.skip();
    }
    kube = await startTestKube({ onRequest: (r) => r.userAgent.startsWith('alicloud-controller-manager') && audit.push(r) });
    cloud = await startTestEmulator({ region: 'cn-hangzhou' });
    cloud.emu.mergeState({ config: { routeTransitionMs: 20, diskTransitionMs: 20 } });
    vpc = seedInstances(cloud.emu, 2);
    work = mkdtempSync(join(tmpdir(), 'dropin-'));
    const routerId = cloud.emu.state.routeTables[vpc.routeTableId]!.VRouterId;
    values = {
      YOUR_ACCESS_KEY: cloud.accessKeyId,
      YOUR_ACCESS_KEY_SECRET: cloud.accessKeySecret,
      YOUR_VPC_REGION: 'cn-hangzhou',
      YOUR_VPC_ID: vpc.vpcId,
      YOUR_ROUTER_ID: routerId,
      YOUR_ROUTE_TABLE_ID: vpc.routeTableId,
      YOUR_VSWITCH_ID: vpc.vswitchIds[0]!,
    };
    // Nodes as the seed's kubelets register them: --hostname-override=<private IP>, no providerID.
    for (let i = 0; i < vpc.instanceIds.length; i++) {
      const ip = cloud.emu.state.instances[vpc.instanceIds[i]!]!.PrivateIpAddress;
      nodeNames.push(ip);
      const r = await kube.api('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: ip, labels: { 'kubernetes.io/hostname': ip } },
        spec: { podCIDR: `10.2.${i}.0/24`, podCIDRs: [`10.2.${i}.0/24`] },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const s = await kube.api('PATCH', `/api/v1/nodes/${ip}/status`, { status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: ip }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } }, 'application/merge-patch+json');
      assert.equal(s.status, 200, JSON.stringify(s.body));
    }
  });

  after(async function () {
    if (mgr && this.currentTest?.state === 'failed') console.error(mgr.stderr().slice(-6000));
    await stopManager();
    await kube?.close();
    await cloud?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function stopManager(): Promise<void> {
    if (!mgr) return;
    const m = mgr;
    mgr = undefined;
    if (m.proc.exitCode === null && m.proc.signalCode === null) {
      m.proc.kill('SIGTERM');
      const timer = setTimeout(() => m.proc.kill('SIGKILL'), 8000);
      await m.exited;
      clearTimeout(timer);
    }
  }

  it("creates the aliyun-creds Secret with the seed's kubectl command", async () => {
    await kube.kubectl(seedSecretCommand(values));
    const s = await kube.api('GET', '/api/v1/namespaces/kube-system/secrets/aliyun-creds');
    assert.deepEqual(Object.keys(s.body.data).sort(), ['accessKey', 'accessKeySecret']);
  });

  it("starts with the seed Pod's command and env, takes the lease, and reports ready", async () => {
    const pod = readSeedPod();
    const container = pod.spec.containers[0]!;
    assert.equal(container.command[0], '/aliyun-controller');
    assert.match(readFileSync(join(process.cwd(), 'deploy/Dockerfile'), 'utf8'), /ln -s \/app\/bin\/alicloud-controller-manager \/aliyun-controller/, 'the image provides /aliyun-controller');
    const secret = (await kube.api('GET', '/api/v1/namespaces/kube-system/secrets/aliyun-creds')).body as { data: Record<string, string> };
    const env = resolveEnv(container.env, values, (_name, key) => Buffer.from(secret.data[key]!, 'base64').toString('utf8'));
    // The seed's apiserver is http://127.0.0.1:8080; ours is the emulator (the only flag value changed).
    const args = container.command.slice(1).map((a) => (a.startsWith('--server=') ? `--server=${kube.url}` : a));
    mgr = spawnManager([...args, '--port=0', '--secure-port=0', '--bind-address=127.0.0.1'], {
      ...env,
      ECS_ENDPOINT: cloud.url,
      VPC_ENDPOINT: cloud.url,
      SLB_ENDPOINT: cloud.url,
      NLB_ENDPOINT: cloud.url,
      METADATA_ENDPOINT: cloud.url,
    });
    const url = await mgr.listening;
    await eventually(() => (kube.emu.store.get('leases', 'ccm', 'kube-system')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, 'the lease', { tries: 400, intervalMs: 50 });
    await eventually(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 'readyz', { tries: 400, intervalMs: 50 });
  });

  // Seed-shaped Nodes have no spec.providerID and no uninitialized taint: the node controller
  // adopts them (matched by private IP), and routes and SLB backends follow from the providerID.
  it('adopts the seed-shaped Nodes: providerID from the instance with that private IP, no taint added', async () => {
    for (const [i, ip] of nodeNames.entries()) {
      const n = await eventually(async () => {
        const r = await kube.api('GET', `/api/v1/nodes/${ip}`);
        return r.body.spec?.providerID ? r.body : undefined;
      }, `${ip} adopted`, { tries: 600, intervalMs: 50 });
      assert.equal(n.spec.providerID, `cn-hangzhou.${vpc.instanceIds[i]}`);
      assert.deepEqual(n.spec.taints ?? [], []);
      assert.equal(n.metadata.labels['topology.kubernetes.io/zone'], cloud.emu.state.instances[vpc.instanceIds[i]!]!.ZoneId);
    }
  });

  it('programs a VPC route for every Node pod CIDR (seed: --allocate-node-cidrs, --configure-cloud-routes=false on kube-controller-manager)', async () => {
    const entries = () =>
      Object.values(cloud.emu.state.routeEntries)
        .filter((e) => e.RouteTableId === vpc.routeTableId && e.DestinationCidrBlock.startsWith('10.2.'))
        .map((e) => `${e.DestinationCidrBlock}>${e.NextHopId}`)
        .sort();
    const want = [`10.2.0.0/24>${vpc.instanceIds[0]}`, `10.2.1.0/24>${vpc.instanceIds[1]}`];
    await eventually(() => (JSON.stringify(entries()) === JSON.stringify(want) ? true : undefined), `routes ${JSON.stringify(want)} (have ${JSON.stringify(entries())})`, { tries: 600, intervalMs: 50 });
  });

  it('serves a LoadBalancer Service (the seed walkthrough\'s expose --type=LoadBalancer) and deletes its SLB with it', async () => {
    // What `kubectl expose deployment nginx --port=80 --target-port=80 --type=LoadBalancer` creates
    // (kubectl sends Deployments as protobuf, which the emulator does not decode, so it is posted as JSON).
    const created = await kube.api('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', labels: { app: 'nginx' } },
      spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ingress = await eventually(async () => {
      const s = await kube.api('GET', '/api/v1/namespaces/default/services/nginx');
      return (s.body.status?.loadBalancer?.ingress as Array<{ ip?: string }> | undefined)?.[0]?.ip;
    }, 'Service ingress IP', { tries: 600, intervalMs: 50 });
    const lbs = Object.values(cloud.emu.state.loadBalancers);
    assert.equal(lbs.length, 1);
    assert.equal(lbs[0]!.Address, ingress);
    // Every seed Node is a backend (externalTrafficPolicy Cluster): by its adopted providerID.
    const backends = () =>
      [...new Set(Object.values(cloud.emu.state.vserverGroups).filter((g) => g.LoadBalancerId === lbs[0]!.LoadBalancerId).flatMap((g) => g.BackendServers.map((b) => b.ServerId)))].sort();
    const want = [...vpc.instanceIds].sort();
    await eventually(() => (JSON.stringify(backends()) === JSON.stringify(want) ? true : undefined), `SLB backends ${JSON.stringify(want)} (have ${JSON.stringify(backends())})`, { tries: 600, intervalMs: 50 });
    await kube.kubectl(['delete', 'service', 'nginx', '--wait=false']);
    await eventually(async () => ((await kube.api('GET', '/api/v1/namespaces/default/services/nginx')).status === 404 ? true : undefined), 'Service deleted after cleanup', { tries: 600, intervalMs: 50 });
    assert.equal(Object.keys(cloud.emu.state.loadBalancers).length, 0, 'the SLB is deleted with the Service');
  });

  it('a kube-aliyun volume (driver aliyun/flexv, options {diskId}) attaches through the installed alias', async () => {
    ensureBundle();
    const plugin = join(work, 'exec');
    install({
      pluginDir: plugin,
      driverBundle: join(process.cwd(), 'dist/flexvolume/driver.mjs'),
      nodeBinary: process.execPath,
      launcher: join(process.cwd(), 'dist/flexvolume/launcher'),
      libraries: runtimeLibraries(),
      alias: true,
    });
    const zone = cloud.emu.state.instances[vpc.instanceIds[0]!]!.ZoneId;
    const created = await rawCall(cloud, 'Ecs', 'CreateDisk', { RegionId: 'cn-hangzhou', ZoneId: zone, Size: '20', DiskCategory: 'cloud_efficiency' });
    const diskId = created.body.DiskId as string;
    assert.ok(diskId, JSON.stringify(created.body));
    // kube-aliyun's controller-manager carried the ALIYUN_* variables, which flexv inherited.
    const env: Record<string, string> = {
      PATH: '',
      ALIYUN_ACCESS_KEY: values.YOUR_ACCESS_KEY!,
      ALIYUN_ACCESS_KEY_SECRET: values.YOUR_ACCESS_KEY_SECRET!,
      ALIYUN_REGION: 'cn-hangzhou',
      ECS_ENDPOINT: cloud.url,
      ALICLOUD_FLEXVOLUME_STATE_DIR: join(work, 'state'),
      ALICLOUD_FLEXVOLUME_LOG: '',
    };
    const flexv = join(plugin, DRIVER_NAMES.alias);
    const init = await runFile(flexv, ['init'], env);
    assert.equal(JSON.parse(init.stdout).status, 'Success', init.stdout);
    const options = JSON.stringify({ diskId, 'kubernetes.io/fsType': 'ext4', 'kubernetes.io/pvOrVolumeName': 'flexv-data' });
    // A disk kube-aliyun made carries no cluster tag: it is refused until the account owner opens it to the cluster.
    const refused = JSON.parse((await runFile(flexv, ['attach', options, nodeNames[0]!], env)).stdout) as { status: string; message?: string };
    assert.equal(refused.status, 'Failure');
    assert.match(refused.message ?? '', /alicloud\.kubernetes\.io\/open-to\/clusterid=true/);
    const tagged = await rawCall(cloud, 'Ecs', 'TagResources', { RegionId: 'cn-hangzhou', ResourceType: 'disk', 'ResourceId.1': diskId, 'Tag.1.Key': 'alicloud.kubernetes.io/open-to/clusterid', 'Tag.1.Value': 'true' });
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body));
    const attach = await runFile(flexv, ['attach', options, nodeNames[0]!], env);
    assert.equal(attach.stderr, '');
    const reply = JSON.parse(attach.stdout) as { status: string; device?: string; message?: string };
    assert.equal(reply.status, 'Success', reply.message);
    assert.match(reply.device ?? '', /^\/dev\//);
    const disk = cloud.emu.state.disks[diskId]!;
    assert.equal(disk.Status, 'In_use');
    assert.equal(disk.InstanceId, vpc.instanceIds[0]);
    const attached = JSON.parse((await runFile(flexv, ['isattached', options, nodeNames[0]!], env)).stdout) as { attached?: boolean };
    assert.equal(attached.attached, true);
  });

  it('initialises a Node that joins later with --cloud-provider=external (mixed cluster during migration)', async () => {
    const extra = seedInstances(cloud.emu, 1).instanceIds[0]!;
    const ip = cloud.emu.state.instances[extra]!.PrivateIpAddress;
    const r = await kube.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: ip },
      spec: { podCIDR: '10.2.9.0/24', providerID: `cn-hangzhou.${extra}`, taints: [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' }] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await kube.api('PATCH', `/api/v1/nodes/${ip}/status`, { status: { addresses: [{ type: 'InternalIP', address: ip }] } }, 'application/merge-patch+json');
    await eventually(async () => {
      const n = await kube.api('GET', `/api/v1/nodes/${ip}`);
      return (n.body.spec?.taints ?? []).length === 0 && n.body.metadata?.labels?.['topology.kubernetes.io/zone'] ? true : undefined;
    }, 'node initialised (taint removed, zone label set)', { tries: 600, intervalMs: 50 });
  });

  it('provisions a disk for a PVC and deletes it with the PVC (reclaimPolicy Delete)', async () => {
    await kube.kubectl(['apply', '-f', '-'], { input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: dropin-disk
provisioner: alicloud/disk
parameters:
  type: cloud_efficiency
reclaimPolicy: Delete
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: default
spec:
  storageClassName: dropin-disk
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 20Gi
` });
    const pvName = await eventually(async () => (await kube.api('GET', '/api/v1/namespaces/default/persistentvolumeclaims/data')).body.spec?.volumeName as string | undefined, 'PVC bound to a PV', { tries: 600, intervalMs: 50 });
    const pv = await kube.api('GET', `/api/v1/persistentvolumes/${pvName}`);
    assert.equal(pv.status, 200);
    await kube.kubectl(['delete', 'pvc', 'data', '--wait=false']);
    // Without a kube-controller-manager, play its part: a released PV.
    await kube.api('PATCH', `/api/v1/persistentvolumes/${pvName}/status`, { status: { phase: 'Released' } }, 'application/merge-patch+json');
    await eventually(async () => ((await kube.api('GET', `/api/v1/persistentvolumes/${pvName}`)).status === 404 ? true : undefined), 'PV and disk deleted', { tries: 600, intervalMs: 50 });
  });

  it('every cloud API action of this run is in the RAM policy of docs/getting-started.md', () => {
    const policy = new Set(ramActionsInCode());
    const seen = [...new Set(cloud.emu.calls().filter((c) => !c.action.startsWith('_')).map((c) => `${c.product.toLowerCase()}:${c.action}`))].sort();
    assert.ok(seen.length >= 5, JSON.stringify(seen));
    assert.deepEqual(seen.filter((a) => !policy.has(a)), [], 'actions called but missing from the RAM policy');
  });

  it('deploy/rbac.yaml allows every request the manager made, and every rule was used or is justified', async () => {
    await stopManager(); // SIGTERM releases the lease: that request belongs in the record too
    const roles = readRoles();
    const denied = [...new Set(audit.filter((r) => !grantOf(roles, r)).map((r) => `${permissionKey(r)}${r.namespace ? ` (ns ${r.namespace})` : ''}`))];
    assert.deepEqual(denied, [], 'requests deploy/rbac.yaml would forbid');
    const used = new Set(audit.map(permissionKey));
    const unused = grantedKeys(roles).filter((k) => !used.has(k) && !(k in NOT_EXERCISED));
    assert.deepEqual(unused, [], 'rules no request needed: remove them, or justify them in NOT_EXERCISED');
    for (const k of Object.keys(NOT_EXERCISED)) assert.ok(grantedKeys(roles).includes(k), `NOT_EXERCISED names ${k}, which rbac.yaml does not grant`);
  });
});

function runFile(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
