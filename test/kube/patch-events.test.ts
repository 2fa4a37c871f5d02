import assert from 'node:assert/strict';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import { Resources } from '../../src/kube/resources.js';
import {
  addFinalizer,
  applyModifiers,
  patchStatus,
  removeFinalizer,
  retryOnConflict,
} from '../../src/kube/patch.js';
import { KubeApiError, isConflict } from '../../src/kube/errors.js';
import { KubeEventRecorder, type CoreEvent } from '../../src/kube/events.js';
import { ManualClock } from '../../src/util/clock.js';
import { registerSecret } from '../../src/util/secrets.js';
import type { KubeObject } from '../../src/kube/types.js';

type Svc = KubeObject & {
  spec?: Record<string, unknown>;
  status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } };
};

describe('kube/patch and kube/events (against the kube emulator)', () => {
  let emu: KubeEmulator;
  let client: KubeClient;
  beforeEach(async () => {
    emu = await startKubeEmulator({ port: 0 });
    client = new KubeClient({ server: emu.url });
  });
  afterEach(async () => {
    client.close();
    await emu.close();
  });

  const svc = (): Svc => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  });

  it('adds and removes a finalizer even from a stale copy, without duplicating it', async () => {
    const created = await client.create<Svc>(Resources.services, 'default', svc());
    await client.patch(
      Resources.services,
      'default',
      'web',
      { metadata: { labels: { touched: 'yes' } } },
      'application/merge-patch+json',
    );
    const withF = await addFinalizer(client, Resources.services, created, 'example.com/lb'); // created is stale now
    assert.deepEqual(withF.metadata?.finalizers, ['example.com/lb']);
    assert.equal(withF.metadata?.labels?.touched, 'yes');
    const again = await addFinalizer(client, Resources.services, created, 'example.com/lb');
    assert.deepEqual(again.metadata?.finalizers, ['example.com/lb']);
    await addFinalizer(client, Resources.services, again, 'other/keep');
    await client.delete(Resources.services, 'default', 'web');
    const marked = await client.get<Svc>(Resources.services, 'default', 'web');
    assert.ok(marked.metadata?.deletionTimestamp, 'object stays while finalizers remain');
    const after = await removeFinalizer(client, Resources.services, withF, 'example.com/lb'); // stale again
    assert.deepEqual(after?.metadata?.finalizers, ['other/keep']);
    const gone = await removeFinalizer(client, Resources.services, after, 'other/keep');
    assert.ok(gone === undefined || !(gone.metadata?.finalizers ?? []).length);
    assert.equal(
      await removeFinalizer(client, Resources.services, after, 'other/keep'),
      undefined,
      'object gone → done',
    );
  });

  it('patches status through the subresource only', async () => {
    await client.create<Svc>(Resources.services, 'default', svc());
    const out = await patchStatus<Svc>(client, Resources.services, 'default', 'web', {
      loadBalancer: { ingress: [{ ip: '1.2.3.4' }] },
    });
    assert.equal(out.status?.loadBalancer?.ingress?.[0]?.ip, '1.2.3.4');
  });

  it('applyModifiers re-reads on conflict and skips no-op writes', async () => {
    await client.create<Svc>(Resources.services, 'default', svc());
    let calls = 0;
    const res = await applyModifiers<Svc>(client, Resources.services, 'default', 'web', [
      (o) => {
        calls++;
        if (calls === 1)
          emu.store.patch(
            'services',
            'web',
            { metadata: { labels: { race: '1' } } },
            { namespace: 'default' },
          );
        o.metadata!.labels = { ...o.metadata!.labels, mine: 'x' };
        return true;
      },
    ]);
    assert.equal(calls, 2, 'first write lost the race and was recomputed on a fresh read');
    assert.deepEqual(res.object.metadata?.labels, { race: '1', mine: 'x' });
    const noop = await applyModifiers<Svc>(client, Resources.services, 'default', 'web', [() => false]);
    assert.equal(noop.changed, false);
  });

  it('retryOnConflict gives up after the configured steps and passes other errors through', async () => {
    let n = 0;
    await assert.rejects(
      retryOnConflict(
        async () => {
          n++;
          throw new KubeApiError(409, 'Conflict', 'x');
        },
        { steps: 3, delayMs: 1 },
      ),
      (e) => isConflict(e),
    );
    assert.equal(n, 3);
    n = 0;
    await assert.rejects(
      retryOnConflict(async () => {
        n++;
        throw new Error('other');
      }),
      /other/,
    );
    assert.equal(n, 1);
  });

  it('gives every Event written in the same millisecond its own name (no 409, none lost)', async () => {
    const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const rec = new KubeEventRecorder({ client, component: 'test-ccm', clock });
    // 600 objects in one frozen millisecond: with only 16 random bits in the name, a clash
    // (expected ~2.7 of them) would be a 409 and a lost Event.
    for (let i = 0; i < 600; i++)
      rec.event(
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', uid: `u-${i}` } },
        'Normal',
        'Joined',
        'hello',
      );
    await rec.flush();
    assert.deepEqual(rec.stats, { created: 600, patched: 0, dropped: 0, failed: 0 });
    assert.equal((await client.list<CoreEvent>(Resources.events, 'default')).items.length, 600);
  });

  it('bounds a burst: few writes in flight, the excess beyond the queue limit dropped and counted', async () => {
    const rec = new KubeEventRecorder({
      client,
      component: 'test-ccm',
      maxConcurrentWrites: 2,
      maxPendingWrites: 50,
    });
    let inFlight = 0;
    let peak = 0;
    const create = client.create.bind(client);
    client.create = (async (...args: Parameters<typeof client.create>) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await create(...args);
      } finally {
        inFlight--;
      }
    }) as typeof client.create;
    try {
      for (let i = 0; i < 80; i++)
        rec.event(
          { apiVersion: 'v1', kind: 'Node', metadata: { name: `b-${i}`, uid: `b-${i}` } },
          'Normal',
          'Burst',
          'x',
        );
      await rec.flush();
    } finally {
      client.create = create;
    }
    assert.equal(peak, 2);
    assert.deepEqual(rec.stats, { created: 50, patched: 0, dropped: 30, failed: 0 });
  });

  it('aggregates repeats into one Event with a count, combines floods, limits spam, redacts secrets', async () => {
    const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const rec = new KubeEventRecorder({ client, component: 'test-ccm', host: 'h1', clock, spamBurst: 15 });
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u-1' } };
    registerSecret('SuperSecretValue123');
    for (let i = 0; i < 3; i++) {
      rec.event(node, 'Warning', 'SyncFailed', 'cannot sync: key SuperSecretValue123 rejected');
      await clock.advance(1000);
    }
    await rec.flush();
    let events = (await client.list<CoreEvent>(Resources.events, 'default')).items;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.count, 3);
    assert.equal(events[0]!.involvedObject.name, 'n1');
    assert.equal(events[0]!.involvedObject.kind, 'Node');
    assert.equal(events[0]!.message, 'cannot sync: key *** rejected');
    assert.notEqual(events[0]!.firstTimestamp, events[0]!.lastTimestamp);
    // 12 distinct messages with the same reason: after 10 they are combined under one Event.
    for (let i = 0; i < 12; i++) rec.event(node, 'Normal', 'Flap', `message ${i}`);
    await rec.flush();
    events = (await client.list<CoreEvent>(Resources.events, 'default')).items;
    const flap = events.filter((e) => e.reason === 'Flap');
    assert.equal(flap.length, 11);
    assert.equal(flap.find((e) => e.message.startsWith('(combined'))?.count, 2);
    // Spam limit: 15 tokens per object in total → 15 writes attempted, the rest dropped.
    assert.equal(rec.stats.dropped, 0);
    rec.event(node, 'Normal', 'More', 'x');
    rec.event(node, 'Normal', 'More', 'y');
    await rec.flush();
    assert.equal(rec.stats.dropped, 2);
  });
});
