// NodeSource against the Kubernetes emulator over loopback: only changes to the facts that shape
// routes reach the loop; heartbeat-style status updates do not.
import assert from 'node:assert/strict';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { resolveEndpoint, type KubeEndpoint } from '../../src/hostroutes/kube-endpoint.js';
import { NodeSource } from '../../src/hostroutes/node-source.js';
import { silentLogger } from '../../src/util/log.js';
import { settled } from '../helpers/eventually.js';

describe('hostroutes/node-source', () => {
  let emu: KubeEmulator;
  let endpoint: KubeEndpoint;
  const abort = new AbortController();

  before(async () => {
    emu = await startKubeEmulator({ port: 0 });
    endpoint = await resolveEndpoint({ master: emu.url });
  });
  after(async () => {
    abort.abort();
    endpoint.close();
    await emu.close();
  });

  it('reports relevant changes and ignores heartbeats', async () => {
    const name = 'ns-test-a';
    emu.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: { podCIDR: '10.244.1.0/24' },
    });
    emu.store.patch(
      'nodes',
      name,
      { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } },
      { subresource: 'status' },
    );
    let changes = 0;
    const source = new NodeSource({ endpoint, log: silentLogger, onChange: () => changes++ });
    void source.run(abort.signal);
    assert.equal(await source.waitForSync(abort.signal), true);
    const facts = () => source.list().find((f) => f.name === name);
    assert.deepEqual(facts(), { name, podCIDRs: ['10.244.1.0/24'], internalIPs: ['10.0.0.2'] });
    const afterSync = changes;
    assert.equal(source.takeChanges(), undefined, 'after a list only a full pass is complete');
    assert.deepEqual([...(source.takeChanges()?.names ?? ['?'])], [], 'taken: nothing pending');

    // A heartbeat: conditions change, addresses and CIDRs do not.
    emu.store.patch(
      'nodes',
      name,
      {
        status: {
          conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }],
        },
      },
      { subresource: 'status' },
    );
    // Then a real change; once it is seen, the heartbeat (delivered earlier) has been processed too.
    emu.store.patch(
      'nodes',
      name,
      { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.3' }] } },
      { subresource: 'status' },
    );
    await settled(
      async () => facts()?.internalIPs[0],
      (ip) => ip === '10.0.0.3',
      { tries: 100, intervalMs: 100 },
    );
    assert.equal(changes, afterSync + 1, 'only the address change counted');
    const taken = source.takeChanges();
    assert.deepEqual([...(taken?.names ?? [])], [name]);
    assert.deepEqual(taken?.get(name)?.internalIPs, ['10.0.0.3']);

    emu.store.delete('nodes', name);
    await settled(
      async () => facts(),
      (f) => f === undefined,
      { tries: 100, intervalMs: 100 },
    );
    assert.equal(changes, afterSync + 2);
    const gone = source.takeChanges();
    assert.deepEqual([...(gone?.names ?? [])], [name]);
    assert.equal(gone?.get(name), undefined, 'a deleted Node has no facts');
  });
});
