// The emulator must serve @kubernetes/client-node unchanged: typed API calls, patch content types
// and the informer's list+watch protocol (including re-list after a forced 410).
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../../helpers/eventually.js';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

describe('kube emulator with @kubernetes/client-node', () => {
  let kube: TestKube;
  let kc: k8s.KubeConfig;

  before(async () => {
    kube = await startTestKube();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
  });
  after(async () => kube.close());

  it('creates, reads, patches and deletes through the typed API', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cn1' }, data: { a: '1' } },
    });
    const got = await core.readNamespacedConfigMap({ name: 'cn1', namespace: 'default' });
    assert.equal(got.data?.a, '1');
    const patched = await core.patchNamespacedConfigMap(
      { name: 'cn1', namespace: 'default', body: { data: { b: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.deepEqual(patched.data, { a: '1', b: '2' });
    await assert.rejects(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn1' } } }),
      (err: unknown) => (err as { code?: number }).code === 409,
    );
    await core.deleteNamespacedConfigMap({ name: 'cn1', namespace: 'default' });
    await assert.rejects(
      core.readNamespacedConfigMap({ name: 'cn1', namespace: 'default' }),
      (err: unknown) => (err as { code?: number }).code === 404,
    );
  });

  it('feeds an informer: initial list, live adds/updates/deletes, and recovery after 410', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNode({ body: { metadata: { name: 'inf-a' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/nodes', () => core.listNode());
    const seen: string[] = [];
    informer.on('add', (n: k8s.V1Node) => seen.push(`add:${n.metadata?.name}`));
    informer.on('update', (n: k8s.V1Node) =>
      seen.push(`update:${n.metadata?.name}:${n.metadata?.labels?.x ?? ''}`),
    );
    informer.on('delete', (n: k8s.V1Node) => seen.push(`delete:${n.metadata?.name}`));
    await informer.start();
    try {
      await eventually(() => seen.includes('add:inf-a') || undefined, 'add:inf-a');
      await core.createNode({ body: { metadata: { name: 'inf-b' } } });
      await eventually(() => seen.includes('add:inf-b') || undefined, 'add:inf-b');
      await core.patchNode(
        { name: 'inf-b', body: { metadata: { labels: { x: 'y' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await eventually(() => seen.includes('update:inf-b:y') || undefined, 'update:inf-b:y');
      kube.emu.faults.forceGoneOnNextWatch();
      kube.emu.faults.dropWatches();
      await core.createNode({ body: { metadata: { name: 'inf-c' } } });
      await eventually(() => seen.includes('add:inf-c') || undefined, 'add:inf-c');
      await core.deleteNode({ name: 'inf-a' });
      await eventually(() => seen.includes('delete:inf-a') || undefined, 'delete:inf-a');
      const names = informer
        .list()
        .map((n) => n.metadata?.name)
        .sort();
      assert.deepEqual(names, ['inf-b', 'inf-c']);
    } finally {
      await informer.stop();
    }
  });
});
