// scripts/uninstall.sh (docs/getting-started.md#uninstall) against the Kubernetes emulator with the
// real kubectl: it removes what the product created and nothing of the users'; while SLBs or disks
// are still held it stops before changing anything unless told to orphan them, and then it removes
// only our finalizers; it refuses while a static Pod of the manager runs; --dry-run writes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hasKubectl, startTestKube, type TestKube } from '../helpers/kube.js';

const ROOT = process.cwd();
const SCRIPT = join(ROOT, 'scripts/uninstall.sh');

function runScript(kube: TestKube, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['--wait-seconds', '0', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: kube.dir, KUBECONFIG: kube.kubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('scripts/uninstall.sh', function () {
  this.timeout(120_000);
  let kube: TestKube;

  before(async function () {
    if (!(await hasKubectl())) {
      if (process.env.CI === 'true') throw new Error('kubectl is required when CI=true');
      console.warn('SKIPPING scripts/uninstall.sh: kubectl is not installed');
      this.skip();
    }
  });

  beforeEach(async () => {
    kube = await startTestKube();
    for (const f of ['cloud-config.yaml', 'rbac.yaml', 'controller-manager.yaml', 'flexvolume-installer.yaml', 'storageclasses.yaml'])
      await kube.kubectl(['apply', '-f', join(ROOT, 'deploy', f)]);
    const post = async (path: string, body: unknown) => assert.equal((await kube.api('POST', path, body)).status, 201, path);
    await post('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ccm', namespace: 'kube-system' }, spec: { holderIdentity: 'master-1' } });
    // A user's LoadBalancer Service with our finalizer (it has an SLB) and someone else's finalizer.
    await post('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', finalizers: ['example.com/keep', 'service.k8s.alibaba/resources'] }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
    // A disk we provisioned, and a volume another provisioner made.
    const pv = (name: string, by: string, finalizers: string[]) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, finalizers, annotations: { 'pv.kubernetes.io/provisioned-by': by, 'alicloud.kubernetes.io/disk-id': `d-${name}` } },
      spec: { capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', flexVolume: { driver: 'alicloud/disk' } },
    });
    await post('/api/v1/persistentvolumes', pv('pv-ours', 'alicloud/disk', ['kubernetes.io/pv-protection', 'alicloud.kubernetes.io/disk-protection']));
    await post('/api/v1/persistentvolumes', pv('pv-theirs', 'example.com/nfs', ['kubernetes.io/pv-protection']));
    await post('/api/v1/namespaces/default/persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } });
  });

  afterEach(async () => kube?.close());

  const exists = async (path: string) => (await kube.api('GET', path)).status === 200;
  const finalizers = async (path: string) => ((await kube.api('GET', path)).body.metadata.finalizers ?? []) as string[];
  const PRODUCT = ['/apis/apps/v1/namespaces/kube-system/deployments/alicloud-controller-manager', '/api/v1/namespaces/kube-system/configmaps/cloud-config', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/ccm', '/apis/storage.k8s.io/v1/storageclasses/alicloud-disk-ssd', '/apis/apps/v1/namespaces/kube-system/daemonsets/alicloud-flexvolume-installer'];
  const USERS = ['/api/v1/namespaces/default/services/web', '/api/v1/namespaces/default/persistentvolumeclaims/data', '/api/v1/persistentvolumes/pv-ours', '/api/v1/persistentvolumes/pv-theirs'];

  it('while SLBs or disks are held: lists them, changes nothing, exits 1', async () => {
    const r = await runScript(kube, []);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Service default\/web \(an SLB\)/);
    assert.match(r.out, /PersistentVolume pv-ours \(disk d-pv-ours\)/);
    assert.doesNotMatch(r.out, /pv-theirs/);
    for (const p of [...PRODUCT, ...USERS]) assert.ok(await exists(p), `${p} was removed`);
    assert.deepEqual(await finalizers('/api/v1/namespaces/default/services/web'), ['example.com/keep', 'service.k8s.alibaba/resources']);
  });

  it('--dry-run prints the writes and makes none', async () => {
    const r = await runScript(kube, ['--dry-run', '--orphan-cloud-resources']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /would run: kubectl patch service web -n default --type=json/);
    assert.match(r.out, /would run: kubectl -n kube-system delete lease ccm --ignore-not-found/);
    for (const p of [...PRODUCT, ...USERS]) assert.ok(await exists(p), `${p} was removed by a dry run`);
    assert.ok((await finalizers('/api/v1/persistentvolumes/pv-ours')).includes('alicloud.kubernetes.io/disk-protection'));
  });

  it('--orphan-cloud-resources: removes only our finalizers and the product\'s objects', async () => {
    const r = await runScript(kube, ['--orphan-cloud-resources']);
    assert.equal(r.code, 0, r.out);
    for (const p of PRODUCT) assert.ok(!(await exists(p)), `${p} is still there`);
    for (const p of USERS) assert.ok(await exists(p), `${p}: a user's object was deleted`);
    assert.deepEqual(await finalizers('/api/v1/namespaces/default/services/web'), ['example.com/keep']);
    assert.deepEqual(await finalizers('/api/v1/persistentvolumes/pv-ours'), ['kubernetes.io/pv-protection']);
    assert.deepEqual(await finalizers('/api/v1/persistentvolumes/pv-theirs'), ['kubernetes.io/pv-protection']);
  });

  it('refuses, before changing anything, while the manager runs as a static Pod', async () => {
    await kube.api('POST', '/api/v1/namespaces/kube-system/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'alicloud-controller-manager-master-1', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'alicloud-controller-manager' }, annotations: { 'kubernetes.io/config.mirror': 'abc123' } },
      spec: { nodeName: 'master-1', containers: [{ name: 'm', image: 'x' }] },
    });
    const r = await runScript(kube, ['--orphan-cloud-resources']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /static Pod: alicloud-controller-manager-master-1/);
    for (const p of PRODUCT) assert.ok(await exists(p), `${p} was removed`);
    assert.ok((await finalizers('/api/v1/namespaces/default/services/web')).includes('service.k8s.alibaba/resources'));
  });
});
