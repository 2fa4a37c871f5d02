// --kube-api-qps/--kube-api-burst: the REST client spaces requests (watch starts included) like
// client-go's token bucket: `burst` go at once, then one every 1/qps seconds. Checked on the
// server side, from the arrival times the emulator sees.
import assert from 'node:assert/strict';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';

describe('kube/rest: client-side QPS and burst', () => {
  let emu: KubeEmulator;
  const arrivals: number[] = [];
  before(async () => {
    emu = await startKubeEmulator({ port: 0, onRequest: () => arrivals.push(Date.now()) });
  });
  after(() => emu.close());

  it('sends `burst` requests at once, then one per 1/qps', async () => {
    arrivals.length = 0;
    const client = new KubeClient({ server: emu.url }, { qps: 10, burst: 2 });
    try {
      await Promise.all(Array.from({ length: 6 }, () => client.request('GET', '/api/v1/namespaces/default')));
    } finally {
      client.close();
    }
    assert.equal(arrivals.length, 6);
    const spread = arrivals[5]! - arrivals[0]!;
    // 6 requests, burst 2 at 10/s: the last is sent 4 × 100 ms after the first; the first one's
    // connection set-up can delay its arrival, so only three intervals are certain on the server.
    assert.ok(spread >= 300, `6 requests spread over ${spread} ms`);
  });
});
