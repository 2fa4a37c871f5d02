// REST and watch semantics over HTTP, with the same requests client-go/client-node informers make.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { startKubeEmulator } from '../../../emulators/kube/index.js';
import { eventually } from '../../helpers/eventually.js';
import { apiCall, openWatch, startTestKube, type TestKube } from '../../helpers/kube.js';

const node = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
});

describe('kube emulator REST and watch semantics', () => {
  let k: TestKube;
  beforeEach(async () => {
    k = await startTestKube({ watchCacheSize: 50, bookmarkIntervalMs: 50 });
  });
  afterEach(async () => {
    await k.close();
  });

  it('assigns uid, creationTimestamp and increasing resourceVersions (no generation on a Node); generateName works', async () => {
    const a = await k.api('POST', '/api/v1/nodes', node('n1'));
    assert.equal(a.status, 201);
    assert.match(a.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(a.body.metadata.generation, undefined);
    const b = await k.api('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { generateName: 'cm-' },
      data: {},
    });
    assert.match(b.body.metadata.name, /^cm-[a-z0-9]{5}$/);
    assert.ok(Number(b.body.metadata.resourceVersion) > Number(a.body.metadata.resourceVersion));
  });

  it('returns real Status bodies: 404, 409 AlreadyExists/Conflict, 422 with causes, missing namespace', async () => {
    const nf = await k.api('GET', '/api/v1/nodes/nope');
    assert.equal(nf.status, 404);
    assert.equal(nf.body.kind, 'Status');
    assert.equal(nf.body.reason, 'NotFound');
    assert.equal(nf.body.message, 'nodes "nope" not found');
    await k.api('POST', '/api/v1/nodes', node('n1'));
    const dup = await k.api('POST', '/api/v1/nodes', node('n1'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');
    const noName = await k.api('POST', '/api/v1/nodes', { metadata: {} });
    assert.equal(noName.status, 422);
    assert.equal(noName.body.details.causes[0].field, 'metadata.name');
    const noNs = await k.api('POST', '/api/v1/namespaces/missing/configmaps', { metadata: { name: 'x' } });
    assert.equal(noNs.status, 404);
    assert.match(noNs.body.message, /namespaces "missing" not found/);
    const lease = await k.api('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', {
      metadata: { name: 'l' },
      spec: { holderIdentity: 'a' },
    });
    const stale = { ...lease.body, spec: { holderIdentity: 'b' } };
    assert.equal(
      (await k.api('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l', stale)).status,
      200,
    );
    const conflict = await k.api('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l', {
      ...stale,
      spec: { holderIdentity: 'c' },
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.match(conflict.body.message, /the object has been modified/);
  });

  it('keeps status and spec apart on a main and a status update', async () => {
    const created = (
      await k.api('POST', '/api/v1/nodes', {
        ...node('n1'),
        spec: { providerID: 'p' },
        status: { phase: 'Running' },
      })
    ).body;
    assert.deepEqual(created.status, { phase: 'Running' }, 'nodes keep status on create');
    const main = (
      await k.api('PUT', '/api/v1/nodes/n1', {
        ...created,
        spec: { providerID: 'p', unschedulable: true },
        status: { phase: 'X' },
      })
    ).body;
    assert.equal(main.status.phase, 'Running');
    const st = (await k.api('PUT', '/api/v1/nodes/n1/status', { ...main, spec: {}, status: { phase: 'Y' } }))
      .body;
    assert.equal(st.status.phase, 'Y');
    assert.equal(st.spec.unschedulable, true);
    const svc = (
      await k.api('POST', '/api/v1/namespaces/default/services', {
        metadata: { name: 's' },
        spec: { ports: [{ port: 80 }] },
        status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } },
      })
    ).body;
    assert.deepEqual(svc.status, { loadBalancer: {} }, 'services start with empty status');
  });

  it('allocates distinct node ports, keeps them across updates, and rejects a taken one', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const s = (
        await k.api('POST', '/api/v1/namespaces/default/services', {
          metadata: { name: `s${i}` },
          spec: {
            type: 'NodePort',
            ports: [
              { name: 'a', port: 80 },
              { name: 'b', port: 81 },
            ],
          },
        })
      ).body;
      for (const p of s.spec.ports) ports.add(p.nodePort);
    }
    assert.equal(ports.size, 40);
    const s0 = (await k.api('GET', '/api/v1/namespaces/default/services/s0')).body;
    const replaced = (
      await k.api('PUT', '/api/v1/namespaces/default/services/s0', {
        metadata: { name: 's0' },
        spec: {
          type: 'NodePort',
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 81 },
          ],
        },
      })
    ).body;
    assert.deepEqual(
      replaced.spec.ports.map((p: { nodePort: number }) => p.nodePort),
      s0.spec.ports.map((p: { nodePort: number }) => p.nodePort),
    );
    assert.equal(replaced.spec.clusterIP, s0.spec.clusterIP);
    const taken = await k.api('POST', '/api/v1/namespaces/default/services', {
      metadata: { name: 'dup' },
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: s0.spec.ports[0].nodePort }] },
    });
    assert.equal(taken.status, 422);
    assert.equal(taken.body.details.causes[0].field, 'spec.ports[0].nodePort');
    const toCluster = (
      await k.api(
        'PATCH',
        '/api/v1/namespaces/default/services/s0',
        {
          spec: {
            type: 'ClusterIP',
            ports: [
              { name: 'a', port: 80 },
              { name: 'b', port: 81 },
            ],
          },
        },
        'application/merge-patch+json',
      )
    ).body;
    assert.ok(toCluster.spec.ports.every((p: { nodePort?: number }) => p.nodePort === undefined));
    const bad = await k.api('POST', '/api/v1/namespaces/default/services', {
      metadata: { name: 'bad' },
      spec: { type: 'Weird', ports: [{ port: 1 }] },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].field, 'spec.type');
  });

  it('filters lists by label and field selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 7; i++)
      await k.api(
        'POST',
        '/api/v1/nodes',
        node(`n${i}`, { zone: i % 2 ? 'a' : 'b', ...(i === 3 ? { special: '' } : {}) }),
      );
    const names = async (q: string) =>
      ((await k.api('GET', `/api/v1/nodes?${q}`)).body.items as { metadata: { name: string } }[]).map(
        (i) => i.metadata.name,
      );
    assert.deepEqual(await names('labelSelector=zone%3Da'), ['n1', 'n3', 'n5']);
    assert.deepEqual(await names('labelSelector=zone!%3Da'), ['n0', 'n2', 'n4', 'n6']);
    assert.deepEqual(await names('labelSelector=zone%20in%20(a),special'), ['n3']);
    assert.deepEqual(await names('labelSelector=!special,zone%20notin%20(b)'), ['n1', 'n5']);
    assert.deepEqual(await names('fieldSelector=metadata.name%3Dn4'), ['n4']);
    await k.api('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: 'p1' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    });
    await k.api('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: 'p2' },
      spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'i' }] },
    });
    const pods = (await k.api('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn2,status.phase%3DPending'))
      .body.items;
    assert.deepEqual(
      pods.map((p: { metadata: { name: string } }) => p.metadata.name),
      ['p2'],
    );
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const page = (
        await k.api('GET', `/api/v1/nodes?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)
      ).body;
      seen.push(...page.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      cont = page.metadata.continue ?? '';
      if (pages === 0) assert.equal(page.metadata.remainingItemCount, 4);
      pages++;
    } while (cont && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
  });

  it('watches: initial ADDED, resume from a resourceVersion, selector transitions, bookmarks, timeout', async () => {
    const first = (await k.api('POST', '/api/v1/nodes', node('n1', { pool: 'x' }))).body;
    const fromZero = await k.watch(
      '/api/v1/nodes?watch=1&resourceVersion=0&labelSelector=pool%3Dx&allowWatchBookmarks=true',
    );
    const resumed = await k.watch(
      `/api/v1/nodes?watch=true&resourceVersion=${first.metadata.resourceVersion}&timeoutSeconds=1`,
    );
    await k.api(
      'PATCH',
      '/api/v1/nodes/n1',
      { metadata: { labels: { pool: 'y' } } },
      'application/merge-patch+json',
    );
    await k.api('POST', '/api/v1/nodes', node('n2', { pool: 'x' }));
    await k.api('DELETE', '/api/v1/nodes/n2');
    await eventually(
      () =>
        fromZero.events.some((e) => e.type === 'BOOKMARK') && fromZero.events.length >= 4 ? true : undefined,
      'events and a bookmark',
    );
    const real = fromZero.events
      .filter((e) => e.type !== 'BOOKMARK')
      .map((e) => `${e.type} ${e.object.metadata.name}`);
    assert.deepEqual(real, ['ADDED n1', 'DELETED n1', 'ADDED n2', 'DELETED n2']);
    const bm = fromZero.events.find((e) => e.type === 'BOOKMARK')!;
    assert.equal(bm.object.kind, 'Node');
    assert.ok(Number(bm.object.metadata.resourceVersion) >= Number(first.metadata.resourceVersion));
    await resumed.ended; // timeoutSeconds=1 ends the stream
    assert.deepEqual(
      resumed.events.map((e) => e.type),
      ['MODIFIED', 'ADDED', 'DELETED'],
    );
    fromZero.close();
  });

  it('answers a too-old resourceVersion with an in-stream 410 ERROR event and ends the watch', async () => {
    const start = (await k.api('POST', '/api/v1/nodes', node('n0'))).body.metadata.resourceVersion;
    for (let i = 0; i < 60; i++)
      await k.api(
        'PATCH',
        '/api/v1/nodes/n0',
        { metadata: { labels: { i: String(i) } } },
        'application/merge-patch+json',
      );
    const w = await k.watch(`/api/v1/nodes?watch=1&resourceVersion=${start}`);
    await w.ended;
    assert.equal(w.status, 200);
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]!.type, 'ERROR');
    assert.equal(w.events[0]!.object.code, 410);
    assert.equal(w.events[0]!.object.reason, 'Expired');
    assert.match(w.events[0]!.object.message, /too old resource version/);
    // A continue token from before the window is Gone as an HTTP 410.
    const page = (await k.api('GET', '/api/v1/namespaces?limit=1')).body;
    for (let i = 0; i < 60; i++)
      await k.api(
        'PATCH',
        '/api/v1/nodes/n0',
        { metadata: { labels: { j: String(i) } } },
        'application/merge-patch+json',
      );
    const expired = await k.api('GET', `/api/v1/namespaces?limit=1&continue=${page.metadata.continue}`);
    assert.equal(expired.status, 410);
  });

  it('deletes with finalizers via deletionTimestamp, then for real when they are removed', async () => {
    await k.api('POST', '/api/v1/namespaces/default/services', {
      metadata: { name: 'lb', finalizers: ['service.k8s.alibaba/resources'] },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    const w = await k.watch('/api/v1/namespaces/default/services?watch=1&fieldSelector=metadata.name%3Dlb');
    const del = await k.api('DELETE', '/api/v1/namespaces/default/services/lb');
    assert.equal(del.status, 202);
    assert.ok(del.body.metadata.deletionTimestamp);
    assert.equal(
      (await k.api('DELETE', '/api/v1/namespaces/default/services/lb')).status,
      202,
      'repeat delete is idempotent',
    );
    const held = (await k.api('GET', '/api/v1/namespaces/default/services/lb')).body;
    const add = await k.api(
      'PATCH',
      '/api/v1/namespaces/default/services/lb',
      { metadata: { finalizers: ['other/x'] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(add.status, 422, 'no new finalizers while deleting');
    await k.api(
      'PATCH',
      '/api/v1/namespaces/default/services/lb',
      [
        { op: 'test', path: '/metadata/resourceVersion', value: held.metadata.resourceVersion },
        { op: 'remove', path: '/metadata/finalizers' },
      ],
      'application/json-patch+json',
    );
    assert.equal((await k.api('GET', '/api/v1/namespaces/default/services/lb')).status, 404);
    await eventually(() => (w.events.length >= 3 ? true : undefined), 'delete events');
    assert.deepEqual(
      w.events.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    w.close();
  });

  it('deleting a namespace removes its contents', async () => {
    await k.api('POST', '/api/v1/namespaces', { metadata: { name: 'tmp' } });
    await k.api('POST', '/api/v1/namespaces/tmp/configmaps', { metadata: { name: 'a' } });
    await k.api('DELETE', '/api/v1/namespaces/tmp');
    assert.equal((await k.api('GET', '/api/v1/namespaces/tmp/configmaps/a')).status, 404);
    assert.equal((await k.api('GET', '/api/v1/namespaces/tmp')).status, 404);
  });

  it('shares events between core/v1 and events.k8s.io/v1', async () => {
    await k.api('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      metadata: { name: 'e1' },
      eventTime: '2024-01-01T00:00:00.000000Z',
      regarding: { kind: 'Service', name: 'web', namespace: 'default' },
      reason: 'EnsuredLoadBalancer',
      note: 'ok',
      type: 'Normal',
      action: 'Ensure',
      reportingController: 'ccm',
      reportingInstance: 'ccm-1',
    });
    const core = (
      await k.api(
        'GET',
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb,reason%3DEnsuredLoadBalancer',
      )
    ).body.items;
    assert.equal(core.length, 1);
    assert.equal(core[0].message, 'ok');
    assert.equal(core[0].apiVersion, 'v1');
    const v1 = (
      await k.api(
        'GET',
        '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb',
      )
    ).body.items;
    assert.equal(v1[0].note, 'ok');
    assert.equal(v1[0].regarding.kind, 'Service');
  });

  it('serves discovery and a Table for kubectl-style Accept headers', async () => {
    const groups = (await k.api('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    for (const g of [
      'apps',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'events.k8s.io',
      'storage.k8s.io',
      'rbac.authorization.k8s.io',
      'policy',
      'batch',
    ])
      assert.ok(groups.includes(g), g);
    const core = (await k.api('GET', '/api/v1')).body.resources.map((r: { name: string }) => r.name);
    for (const r of [
      'nodes',
      'nodes/status',
      'services/status',
      'pods',
      'persistentvolumeclaims/status',
      'secrets',
    ])
      assert.ok(core.includes(r), r);
    const table = await new Promise<{ kind: string; rows: unknown[] }>((resolve, reject) => {
      void import('node:http').then(({ get }) =>
        get(
          `${k.url}/api/v1/namespaces`,
          { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } },
          (res) => {
            let t = '';
            res.on('data', (d: Buffer) => (t += d.toString()));
            res.on('end', () => resolve(JSON.parse(t)));
          },
        ).on('error', reject),
      );
    });
    assert.equal(table.kind, 'Table');
    assert.equal(table.rows.length, 4);
  });

  it('fault hooks: drop watches, force 410, latency, failing requests, also over HTTP', async () => {
    const w = await k.watch('/api/v1/nodes?watch=1');
    await eventually(() => (k.emu.openWatches() === 1 ? true : undefined), 'watch registered');
    k.emu.faults.dropWatches();
    await w.ended;
    assert.equal(k.emu.openWatches(), 0);
    const rv = (await k.api('GET', '/api/v1/nodes')).body.metadata.resourceVersion;
    const ok = await apiCall(k.url, 'POST', '/_emulator/faults', { forceGone: true });
    assert.equal(ok.status, 200);
    const g = await k.watch(`/api/v1/nodes?watch=1&resourceVersion=${rv}`);
    await g.ended;
    assert.equal(g.events[0]!.object.code, 410);
    const after = await k.watch(`/api/v1/nodes?watch=1&resourceVersion=${rv}&timeoutSeconds=1`);
    await after.ended;
    assert.equal(after.events.length, 0, 'forceGone applies to one watch only');
    k.emu.faults.failNextRequests(2, 503);
    assert.equal((await k.api('GET', '/api/v1/nodes')).status, 503);
    assert.equal((await k.api('GET', '/api/v1/nodes')).status, 503);
    assert.equal((await k.api('GET', '/api/v1/nodes')).status, 200);
    await apiCall(k.url, 'POST', '/_emulator/faults', { latencyMs: 150 });
    const t0 = process.hrtime.bigint();
    await k.api('GET', '/version');
    const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(elapsedMs >= 100, `latency applied (${elapsedMs}ms)`);
    k.emu.faults.setLatencyMs(0);
  });

  it('persists to a state file: a restarted emulator keeps objects and increasing resourceVersions', async () => {
    const stateFile = join(k.dir, 'state.json');
    const a = await startKubeEmulator({ stateFile });
    const created = a.store.create('nodes', node('kept'));
    await a.close();
    const b = await startKubeEmulator({ stateFile });
    try {
      assert.equal(b.store.get('nodes', 'kept')?.metadata.uid, created.metadata.uid);
      const later = b.store.create('nodes', node('later'));
      assert.ok(Number(later.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
      // Resuming from the last version before the restart works; anything older is Gone.
      const resumed = await openWatch(
        b.url,
        `/api/v1/nodes?watch=1&resourceVersion=${created.metadata.resourceVersion}&timeoutSeconds=1`,
      );
      await resumed.ended;
      assert.deepEqual(
        resumed.events.map((e) => `${e.type} ${e.object.metadata.name}`),
        ['ADDED later'],
      );
      const old = await openWatch(
        b.url,
        `/api/v1/nodes?watch=1&resourceVersion=${Number(created.metadata.resourceVersion) - 1}`,
      );
      await old.ended;
      assert.equal(old.events[0]!.type, 'ERROR', 'history before the restart is gone');
    } finally {
      await b.close();
    }
  });
});
