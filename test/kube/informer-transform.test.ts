import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Informer, stripManagedFields } from '../../src/kube/informer.js';
import { Resources } from '../../src/kube/resources.js';
import { KubeClient } from '../../src/kube/rest.js';
import type { KubeObject } from '../../src/kube/types.js';
import { eventually } from '../helpers/eventually.js';

// The kube emulator never serves managedFields, so a real apiserver's shape is served by hand.
const managed = [
  { manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'f:conditions': {} } } },
];
const node = (name: string, rv: string) => ({
  metadata: { name, resourceVersion: rv, managedFields: managed, labels: { a: 'b' } },
  status: { conditions: [], images: [{ names: ['registry/app:1'], sizeBytes: 1 }] },
});

describe('kube/informer transform', () => {
  let server: Server;
  let client: KubeClient;
  let ac: AbortController;

  beforeEach(async () => {
    server = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (!req.url?.includes('watch=true')) {
        res.end(JSON.stringify({ metadata: { resourceVersion: '10' }, items: [node('n1', '5')] }));
        return;
      }
      // One MODIFIED event, then hold the stream open until the client goes away.
      res.write(
        JSON.stringify({ type: 'ADDED', object: { kind: 'Node', apiVersion: 'v1', ...node('n2', '11') } }) +
          '\n',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new KubeClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    ac = new AbortController();
  });
  afterEach(async () => {
    ac.abort();
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const managedOf = (o: KubeObject): unknown =>
    (o.metadata as { managedFields?: unknown } | undefined)?.managedFields;

  const waitFor = (inf: Informer<KubeObject>, name: string): Promise<KubeObject> =>
    eventually(() => inf.getByName(undefined, name), `${name} to be cached`, { tries: 400, intervalMs: 10 });

  it('projects listed and watched objects by default: no managedFields, no Node images, the rest kept', async () => {
    const inf = new Informer<KubeObject>({ client, resource: Resources.nodes, watchTimeoutSeconds: 30 });
    void inf.run(ac.signal);
    const listed = await waitFor(inf, 'n1');
    const watched = await waitFor(inf, 'n2');
    for (const o of [listed, watched]) {
      assert.equal(managedOf(o), undefined);
      assert.deepEqual(o.metadata?.labels, { a: 'b' });
      assert.deepEqual((o as { status?: unknown }).status, { conditions: [] });
    }
    assert.equal(listed.kind, 'Node');
  });

  it('a custom transform replaces the default', async () => {
    const inf = new Informer<KubeObject>({
      client,
      resource: Resources.nodes,
      watchTimeoutSeconds: 30,
      transform: (o) => {
        if (o.metadata) o.metadata.labels = { seen: 'yes' };
      },
    });
    void inf.run(ac.signal);
    const watched = await waitFor(inf, 'n2');
    assert.deepEqual(watched.metadata?.labels, { seen: 'yes' });
    assert.ok(Array.isArray(managedOf(watched)));
  });

  it('stripManagedFields leaves objects without metadata alone', () => {
    const o: KubeObject = {};
    stripManagedFields(o);
    assert.deepEqual(o, {});
  });
});
