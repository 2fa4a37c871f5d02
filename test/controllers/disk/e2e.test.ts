// End to end: the real controller-manager process with --controllers=disk against both
// emulators, driven with the real kubectl. Observed only from outside: the emulated disks, the
// PV/PVC objects and Events through the Kubernetes API.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import { hasKubectl, startTestKube, type TestKube } from '../../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../../helpers/manager.js';

const CLUSTER_ID = 'c-disk-e2e';
const ZONE = 'cn-hangzhou-h';

const CLASS = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: alicloud-disk-ssd
provisioner: alicloud/disk
parameters:
  type: cloud_ssd
  fsType: xfs
reclaimPolicy: Delete
allowVolumeExpansion: true
`;
const claim = (name: string, size = '30Gi', cls = 'alicloud-disk-ssd') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
  namespace: default
spec:
  storageClassName: ${cls}
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: ${size}
`;

interface Obj {
  metadata: { name: string; uid: string; finalizers?: string[] };
  spec: {
    volumeName?: string;
    flexVolume?: { driver: string; options: Record<string, string> };
    persistentVolumeReclaimPolicy?: string;
  };
  status: { phase?: string; capacity?: Record<string, string> };
}

describe('disk controller: end to end (real process, kubectl)', function () {
  this.timeout(120_000);
  let kube: TestKube;
  let cloud: TestEmulator;
  let mgr: ManagerProcess | undefined;

  async function start(): Promise<void> {
    const cloudConfig = join(kube.dir, 'cloud-config.json');
    await writeFile(cloudConfig, JSON.stringify({ Global: { clusterID: CLUSTER_ID, zoneID: ZONE } }));
    mgr = spawnManager(
      [
        '--kubeconfig',
        kube.kubeconfigPath,
        '--cloud-config',
        cloudConfig,
        '--controllers=disk',
        '--leader-elect=false',
        '--port',
        '0',
        '--secure-port',
        '0',
        '--bind-address',
        '127.0.0.1',
      ],
      {
        ALIYUN_ACCESS_KEY: cloud.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: cloud.accessKeySecret,
        ALIYUN_REGION: 'cn-hangzhou',
        ECS_ENDPOINT: cloud.url,
        VPC_ENDPOINT: cloud.url,
        SLB_ENDPOINT: cloud.url,
        NLB_ENDPOINT: cloud.url,
        METADATA_ENDPOINT: cloud.url,
      },
    );
    await mgr.listening;
  }
  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!mgr) return;
    const m = mgr;
    mgr = undefined;
    if (m.proc.exitCode === null && m.proc.signalCode === null) {
      m.proc.kill(signal);
      const timer = setTimeout(() => m.proc.kill('SIGKILL'), 5000);
      await m.exited;
      clearTimeout(timer);
    }
  }
  const getJson = async (args: string[]): Promise<Obj | undefined> => {
    const r = await kube.kubectl(['get', ...args, '-o', 'json'], { allowFail: true });
    return r.code === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
  };
  const events = async (reason: string) => {
    const r = await kube.api('GET', '/api/v1/events');
    return (
      (r.body as { items?: Array<{ reason: string; message: string; type: string }> }).items ?? []
    ).filter((e) => e.reason === reason);
  };
  const disks = () => Object.values(cloud.emu.state.disks).filter((d) => d.Type === 'data');
  const bound = (name: string) =>
    eventually(
      async () => {
        const pvc = await getJson(['pvc', name]);
        return pvc?.status.phase === 'Bound' ? pvc : undefined;
      },
      `pvc ${name} Bound`,
      { tries: 400, intervalMs: 50 },
    );

  before(async function () {
    if (!(await hasKubectl())) {
      console.log('kubectl not found; skipping the disk end-to-end tests');
      this.skip();
    }
  });
  beforeEach(async () => {
    kube = await startTestKube();
    cloud = await startTestEmulator({ region: 'cn-hangzhou' });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && mgr) console.error(mgr.stderr().slice(-6000));
    await stop();
    await kube?.close();
    await cloud?.close();
  });

  it('a PVC gets a bound PV and a tagged disk; deleting the PVC deletes disk and PV', async () => {
    await start();
    await kube.kubectl(['apply', '-f', '-'], { input: CLASS });
    await kube.kubectl(['apply', '-f', '-'], { input: claim('data', '30Gi') });
    const pvc = await bound('data');
    assert.equal(pvc.status.capacity?.storage, '30Gi');
    const pv = (await getJson(['pv', pvc.spec.volumeName!]))!;
    assert.equal(pv.status.phase, 'Bound');
    assert.equal(pv.spec.flexVolume?.driver, 'alicloud/disk');
    const [disk] = disks();
    assert.ok(disk);
    assert.equal(pv.spec.flexVolume?.options.volumeId, disk.DiskId);
    assert.equal(disk.Category, 'cloud_ssd');
    assert.equal(disk.ZoneId, ZONE);
    const tags = Object.fromEntries(disk.Tags.map((t) => [t.Key, t.Value]));
    assert.equal(tags['ack.aliyun.com'], CLUSTER_ID);
    assert.equal(tags['kubernetes.io/created-for/pv/name'], pv.metadata.name);

    await kube.kubectl(['delete', 'pvc', 'data', '--wait=false']);
    await eventually(() => (disks().length === 0 ? true : undefined), 'disk deleted', {
      tries: 400,
      intervalMs: 50,
    });
    await eventually(
      async () => ((await getJson(['pv', pv.metadata.name])) === undefined ? true : undefined),
      'PV deleted',
      { tries: 400, intervalMs: 50 },
    );
  });

  it('a foreign disk bound to a reclaim-Delete PV survives the claim', async () => {
    const foreign = 'd-foreign0000000000001';
    cloud.emu.state.disks[foreign] = {
      ...structuredClone(Object.values(cloud.emu.state.disks)[0] ?? ({} as never)),
      DiskId: foreign,
      DiskName: 'legacy',
      ZoneId: ZONE,
      Category: 'cloud_ssd',
      Size: 40,
      Status: 'Available',
      Type: 'data',
      InstanceId: '',
      Device: '',
      Tags: [{ Key: 'owner', Value: 'dba' }],
    } as never;
    await start();
    await kube.kubectl(['apply', '-f', '-'], { input: claim('legacy', '40Gi', '""') });
    const pvc = (await getJson(['pvc', 'legacy']))!;
    const pvYaml = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: legacy-pv
  annotations: { pv.kubernetes.io/provisioned-by: alicloud/disk }
spec:
  capacity: { storage: 40Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  claimRef: { apiVersion: v1, kind: PersistentVolumeClaim, namespace: default, name: legacy, uid: ${pvc.metadata.uid} }
  flexVolume: { driver: alicloud/disk, options: { volumeId: ${foreign} } }
`;
    await kube.kubectl(['apply', '-f', '-'], { input: pvYaml });
    await eventually(
      async () => ((await getJson(['pv', 'legacy-pv']))?.metadata.finalizers?.length ? true : undefined),
      'finalizer on PV',
      { tries: 400, intervalMs: 50 },
    );
    await kube.kubectl(['delete', 'pvc', 'legacy', '--wait=false']);
    await eventually(
      async () => ((await getJson(['pv', 'legacy-pv'])) === undefined ? true : undefined),
      'PV deleted',
      { tries: 400, intervalMs: 50 },
    );
    assert.ok(cloud.emu.state.disks[foreign], 'the foreign disk was not deleted');
    assert.equal(cloud.emu.calls().filter((c) => c.action === 'DeleteDisk').length, 0);
    const kept = await events('DiskKept');
    assert.equal(kept.length, 1);
    assert.match(kept[0]!.message, /not owned by this cluster/);
  });

  it('invalid parameters: Warning event, nothing created', async () => {
    await start();
    await kube.kubectl(['apply', '-f', '-'], {
      input: CLASS.replace('name: alicloud-disk-ssd', 'name: broken').replace(
        'type: cloud_ssd',
        'type: ephemeral_ssd',
      ),
    });
    await kube.kubectl(['apply', '-f', '-'], { input: claim('broken', '10Gi', 'broken') });
    const [ev] = await eventually(
      async () => {
        const e = await events('ProvisioningFailed');
        return e.length ? e : undefined;
      },
      'ProvisioningFailed',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(ev!.type, 'Warning');
    assert.match(
      ev!.message,
      /type="ephemeral_ssd": must be one of cloud, cloud_efficiency, cloud_ssd, cloud_essd/,
    );
    assert.equal(disks().length, 0);
    assert.equal(cloud.emu.calls().filter((c) => c.action === 'CreateDisk').length, 0);
  });

  it('a manager killed while CreateDisk is in flight: the restarted one adopts the disk', async () => {
    cloud.emu.setFaults({ CreateDisk: { latencyMs: 1500 } });
    await start();
    await kube.kubectl(['apply', '-f', '-'], { input: CLASS });
    await kube.kubectl(['apply', '-f', '-'], { input: claim('crash', '30Gi') });
    // The Provisioning event is written just before CreateDisk goes out.
    await eventually(
      async () => ((await events('Provisioning')).length ? true : undefined),
      'Provisioning event',
      { tries: 400, intervalMs: 25 },
    );
    await stop('SIGKILL');
    await eventually(() => (disks().length === 1 ? true : undefined), 'the in-flight CreateDisk landed', {
      tries: 400,
      intervalMs: 25,
    });
    const before = await getJson(['pvc', 'crash']);
    assert.equal(before?.status.phase, 'Pending');
    cloud.emu.setFaults({});
    await start();
    const pvc = await bound('crash');
    assert.equal(disks().length, 1, 'no second disk');
    const pv = (await getJson(['pv', pvc.spec.volumeName!]))!;
    assert.equal(pv.spec.flexVolume?.options.volumeId, disks()[0]!.DiskId);
  });

  it('expands a bound claim: ResizeDisk, PV capacity, FileSystemResizePending', async () => {
    await start();
    await kube.kubectl(['apply', '-f', '-'], { input: CLASS });
    await kube.kubectl(['apply', '-f', '-'], { input: claim('grow', '30Gi') });
    const pvc = await bound('grow');
    await kube.kubectl([
      'patch',
      'pvc',
      'grow',
      '--type=merge',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"64Gi"}}}}',
    ]);
    await eventually(() => (disks()[0]?.Size === 64 ? true : undefined), 'disk resized', {
      tries: 400,
      intervalMs: 50,
    });
    await eventually(
      async () =>
        (await kube.kubectl(['get', 'pv', pvc.spec.volumeName!, '-o', 'jsonpath={.spec.capacity.storage}']))
          .stdout === '64Gi'
          ? true
          : undefined,
      'PV capacity',
      { tries: 400, intervalMs: 50 },
    );
    const cond = await eventually(
      async () => {
        const r = await kube.kubectl([
          'get',
          'pvc',
          'grow',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="FileSystemResizePending")].status}',
        ]);
        return r.stdout === 'True' ? r.stdout : undefined;
      },
      'FileSystemResizePending',
      { tries: 400, intervalMs: 50 },
    );
    assert.equal(cond, 'True');
  });
});
