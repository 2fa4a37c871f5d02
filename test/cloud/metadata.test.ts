// The metadata client against the emulator's per-host metadata over HTTP: every getter the
// manager, node controller and driver rely on, the endpoint precedence, and its failure modes.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_METADATA_ENDPOINT, MetadataClient, MetadataError } from '../../src/cloud/metadata.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';

describe('cloud/metadata against the emulator', () => {
  let t: TestEmulator;
  let instanceId: string;
  beforeEach(async () => {
    t = await startTestEmulator();
    instanceId = seedInstances(t.emu, 2).instanceIds[1]!;
  });
  afterEach(() => t.close());

  it('reads region, zone, instance, vpc, vswitch, private IP, hostname and RAM role of one host', async () => {
    const inst = t.emu.state.instances[instanceId]!;
    t.emu.setHostMetadata(instanceId, { ramRole: 'KubernetesWorkerRole' });
    const md = new MetadataClient({ endpoint: `${t.url}/_emulator/hosts/${instanceId}/`, timeoutMs: 2000 });
    assert.equal(await md.regionId(), t.emu.state.regionId);
    assert.equal(await md.zoneId(), inst.ZoneId);
    assert.equal(await md.instanceId(), instanceId);
    assert.equal(await md.vpcId(), inst.VpcId);
    assert.equal(await md.vswitchId(), inst.VSwitchId);
    assert.equal(await md.privateIpv4(), inst.PrivateIpAddress);
    assert.equal(await md.hostname(), inst.HostName);
    assert.equal(await md.ramRole(), 'KubernetesWorkerRole');
    const creds = await md.stsCredentials('KubernetesWorkerRole');
    assert.ok(creds.AccessKeyId && creds.AccessKeySecret && creds.SecurityToken);
    assert.ok(Date.parse(creds.Expiration) > Date.now());
  });

  it('reports no RAM role as undefined, and an unknown key as a 404 MetadataError', async () => {
    const md = new MetadataClient({ endpoint: `${t.url}/_emulator/hosts/${instanceId}` });
    assert.equal(await md.ramRole(), undefined);
    await assert.rejects(
      md.get('no-such-key'),
      (e: unknown) =>
        e instanceof MetadataError && e.status === 404 && /no-such-key: not found/.test(e.message),
    );
  });

  it('takes the endpoint from options, then METADATA_ENDPOINT, then 100.100.100.200', () => {
    const saved = process.env.METADATA_ENDPOINT;
    try {
      delete process.env.METADATA_ENDPOINT;
      assert.equal(new MetadataClient().endpoint, DEFAULT_METADATA_ENDPOINT);
      assert.equal(DEFAULT_METADATA_ENDPOINT, 'http://100.100.100.200');
      process.env.METADATA_ENDPOINT = 'http://127.0.0.1:1/';
      assert.equal(new MetadataClient().endpoint, 'http://127.0.0.1:1');
      assert.equal(new MetadataClient({ endpoint: t.url }).endpoint, t.url);
    } finally {
      if (saved === undefined) delete process.env.METADATA_ENDPOINT;
      else process.env.METADATA_ENDPOINT = saved;
    }
  });

  it('retries a 5xx once, then fails with one line naming the key and the endpoint', async () => {
    let hits = 0;
    let tokenRequests = 0;
    const srv = createServer((req, res) => {
      if (req.method === 'PUT') tokenRequests++;
      else hits++;
      res.statusCode = 503;
      res.end('busy');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const md = new MetadataClient({ endpoint: url, attempts: 2 });
      const err = await md.regionId().then(
        () => assert.fail('expected rejection'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MetadataError);
      assert.equal(hits, 2);
      // The failed token request is not repeated per read: plain reads for a while.
      assert.equal(tokenRequests, 1);
      assert.match(
        err.message,
        /^metadata region-id: unreachable at http:\/\/127\.0\.0\.1:\d+ \(metadata region-id: HTTP 503\)$/,
      );
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
