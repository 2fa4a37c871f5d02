import assert from 'node:assert/strict';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import { Informer } from '../../src/kube/informer.js';
import { InformerFactory } from '../../src/kube/factory.js';
import { Indexers } from '../../src/kube/store.js';
import { Resources } from '../../src/kube/resources.js';
import type { KubeObject } from '../../src/kube/types.js';
import { eventually } from '../helpers/eventually.js';

type Cm = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
};

const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): Cm => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data,
});

describe('kube/informer (against the kube emulator)', () => {
  let emu: KubeEmulator;
  let client: KubeClient;
  let ac: AbortController;

  beforeEach(async () => {
    emu = await startKubeEmulator({ port: 0, bookmarkIntervalMs: 200 });
    client = new KubeClient({ server: emu.url });
    ac = new AbortController();
  });
  afterEach(async () => {
    ac.abort();
    client.close();
    await emu.close();
  });

  it('lists, syncs, then delivers add/update/delete from the watch, with indexes', async () => {
    emu.store.create('configmaps', cm('pre', { a: '1' }, { app: 'x' }));
    const inf = new Informer<KubeObject & { data?: Record<string, string> }>({
      client,
      resource: Resources.configmaps,
      namespace: 'default',
    });
    inf.addIndexer('labels', Indexers.labels);
    const seen: string[] = [];
    inf.addHandlers({
      add: (o) => seen.push(`add:${o.metadata?.name}`),
      update: (o, n) =>
        o.metadata?.resourceVersion !== n.metadata?.resourceVersion &&
        seen.push(`update:${n.metadata?.name}`),
      delete: (o) => seen.push(`delete:${o.metadata?.name}`),
    });
    void inf.run(ac.signal);
    assert.equal(await inf.waitForSync(ac.signal), true);
    assert.equal(inf.hasSynced(), true);
    assert.equal(inf.get('default/pre')?.data?.a, '1');
    await client.create(Resources.configmaps, 'default', cm('new', {}, { app: 'x' }));
    await eventually(() => seen.includes('add:new'), 'add', { tries: 400, intervalMs: 10 });
    assert.deepEqual(
      inf
        .byIndex('labels', 'app=x')
        .map((o) => o.metadata?.name)
        .sort(),
      ['new', 'pre'],
    );
    await client.patch(
      Resources.configmaps,
      'default',
      'pre',
      { data: { a: '2' }, metadata: { labels: { app: 'y' } } },
      'application/merge-patch+json',
    );
    await eventually(() => inf.get('default/pre')?.data?.a === '2', 'update', { tries: 400, intervalMs: 10 });
    assert.deepEqual(
      inf.byIndex('labels', 'app=x').map((o) => o.metadata?.name),
      ['new'],
    );
    await client.delete(Resources.configmaps, 'default', 'new');
    await eventually(() => seen.includes('delete:new'), 'delete', { tries: 400, intervalMs: 10 });
    assert.equal(inf.get('default/new'), undefined);
    assert.deepEqual(seen.slice(0, 4), ['add:pre', 'add:new', 'update:pre', 'delete:new']);
  });

  it('re-lists after 410 Gone and catches up on changes missed meanwhile', async () => {
    const inf = new Informer<KubeObject>({ client, resource: Resources.configmaps, namespace: 'default' });
    void inf.run(ac.signal);
    await inf.waitForSync(ac.signal);
    emu.faults.forceGoneOnNextWatch();
    emu.faults.dropWatches();
    emu.store.create('configmaps', cm('during-outage'));
    await eventually(
      () => inf.stats.relistsAfterGone >= 1 && inf.get('default/during-outage') !== undefined,
      'relist after gone',
      { tries: 400, intervalMs: 10 },
    );
    await client.create(Resources.configmaps, 'default', cm('after'));
    await eventually(() => inf.get('default/after') !== undefined, 'watch resumed', {
      tries: 400,
      intervalMs: 10,
    });
  });

  it('keeps the cache through an apiserver outage and recovers on the same port, delivering deletes it missed', async () => {
    emu.store.create('configmaps', cm('stay'));
    emu.store.create('configmaps', cm('goes'));
    const deletes: string[] = [];
    const inf = new Informer<KubeObject>({
      client,
      resource: Resources.configmaps,
      namespace: 'default',
      backoffBaseMs: 20,
      backoffMaxMs: 100,
    });
    inf.addHandlers({ delete: (o) => deletes.push(o.metadata?.name ?? '') });
    void inf.run(ac.signal);
    await inf.waitForSync(ac.signal);
    const port = Number(new URL(emu.url).port);
    const snapshot = emu.store.list('configmaps', { namespace: 'default' });
    await emu.close();
    await eventually(() => inf.stats.failures >= 2, 'failures observed', { tries: 400, intervalMs: 10 });
    assert.equal(inf.list().length, snapshot.length, 'a failed list is not "everything deleted"');
    assert.deepEqual(deletes, []);
    // New apiserver on the same address: a fresh store (resourceVersions restart), "goes" is gone.
    emu = await startKubeEmulator({ port, bookmarkIntervalMs: 200 });
    emu.store.create('configmaps', cm('stay'));
    emu.store.create('configmaps', cm('fresh'));
    await eventually(
      () => inf.get('default/fresh') !== undefined && inf.get('default/goes') === undefined,
      'recovered',
      { tries: 400, intervalMs: 10 },
    );
    assert.deepEqual(deletes, ['goes']);
    await client.create(Resources.configmaps, 'default', cm('later'));
    await eventually(() => inf.get('default/later') !== undefined, 'watching again', {
      tries: 400,
      intervalMs: 10,
    });
  });

  it('factory shares one informer per resource and reports sync of all', async () => {
    const f = new InformerFactory(client, {});
    const a = f.informer(Resources.nodes);
    const b = f.informer(Resources.nodes);
    assert.equal(a, b);
    const s = f.informer(Resources.services);
    assert.notEqual(a, s);
    assert.equal(f.hasSynced(), false);
    f.start(ac.signal);
    assert.equal(await f.waitForSync(ac.signal), true);
    assert.equal(f.hasSynced(), true);
    const late = f.informer(Resources.configmaps, { namespace: 'kube-system' });
    assert.equal(await late.waitForSync(ac.signal), true, 'informers created after start run at once');
  });

  it('resync re-delivers cached objects as updates', async () => {
    emu.store.create('configmaps', cm('r'));
    const inf = new Informer<KubeObject>({
      client,
      resource: Resources.configmaps,
      namespace: 'default',
      resyncMs: 50,
    });
    let resyncs = 0;
    inf.addHandlers({ update: (o, n) => o === n && resyncs++ });
    void inf.run(ac.signal);
    await eventually(() => resyncs >= 2, 'two resyncs', { tries: 400, intervalMs: 10 });
  });
});
