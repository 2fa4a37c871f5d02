// IMDSv2 (security hardening mode) against the emulator's metadata service: the client asks for
// a session token first and sends it on every read, renews it when it is refused, falls back to
// plain reads when the token endpoint fails, and says what to change when an instance that
// requires tokens is read without one. The emulator's token endpoint is checked on the wire.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetadataClient, MetadataError, TOKEN_TTL_SECONDS } from '../../src/cloud/metadata.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';

describe('cloud/metadata: session tokens (IMDSv2)', () => {
  let t: TestEmulator;
  let instanceId: string;
  let base: string;
  beforeEach(async () => {
    t = await startTestEmulator();
    instanceId = seedInstances(t.emu, 1).instanceIds[0]!;
    base = `${t.url}/_emulator/hosts/${instanceId}`;
  });
  afterEach(() => t.close());

  it('emulator: PUT /latest/api/token needs a TTL of 1..21600 seconds; other methods are 405', async () => {
    const put = (ttl?: string) =>
      fetch(`${base}/latest/api/token`, {
        method: 'PUT',
        headers: ttl === undefined ? {} : { 'X-aliyun-ecs-metadata-token-ttl-seconds': ttl },
      });
    assert.equal((await put()).status, 400);
    assert.equal((await put('0')).status, 400);
    assert.equal((await put('21601')).status, 400);
    assert.equal((await put('abc')).status, 400);
    const ok = await put('21600');
    assert.equal(ok.status, 200);
    assert.ok((await ok.text()).length >= 32);
    assert.equal((await fetch(`${base}/latest/api/token`)).status, 405);
  });

  it('emulator: a token is for its own host only; a wrong token is 401; required mode refuses plain reads with 403', async () => {
    const token = await (
      await fetch(`${base}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' },
      })
    ).text();
    const read = (url: string, tok?: string) =>
      fetch(url, tok ? { headers: { 'X-aliyun-ecs-metadata-token': tok } } : {});
    assert.equal((await read(`${base}/latest/meta-data/instance-id`, token)).status, 200);
    assert.equal(
      (await read(`${t.url}/latest/meta-data/instance-id`, token)).status,
      401,
      'token of another host',
    );
    assert.equal((await read(`${base}/latest/meta-data/instance-id`, 'forged')).status, 401);
    assert.equal(
      (await read(`${base}/latest/meta-data/instance-id`)).status,
      200,
      'optional mode answers plain reads',
    );
    t.emu.setHostMetadata(instanceId, { httpTokens: 'required' });
    assert.equal((await read(`${base}/latest/meta-data/instance-id`)).status, 403);
    assert.equal((await read(`${base}/latest/meta-data/instance-id`, token)).status, 200);
  });

  it('emulator: a token expires after its TTL', async () => {
    const token = await (
      await fetch(`${base}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '1' },
      })
    ).text();
    assert.equal(
      (
        await fetch(`${base}/latest/meta-data/region-id`, {
          headers: { 'X-aliyun-ecs-metadata-token': token },
        })
      ).status,
      200,
    );
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(
      (
        await fetch(`${base}/latest/meta-data/region-id`, {
          headers: { 'X-aliyun-ecs-metadata-token': token },
        })
      ).status,
      401,
    );
  });

  it('client: reads an instance that requires tokens, asking for one token of the longest TTL', async () => {
    t.emu.setHostMetadata(instanceId, { httpTokens: 'required' });
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(
        `${init?.method ?? 'GET'} ${(input instanceof Request ? input.url : input.toString()).replace(base, '')} ${JSON.stringify(init?.headers ?? {})}`,
      );
      return fetch(input, init);
    };
    const md = new MetadataClient({ endpoint: base, fetch: spy });
    assert.equal(await md.instanceId(), instanceId);
    assert.equal(await md.regionId(), t.emu.state.regionId);
    assert.equal(md.mode, 'token');
    assert.equal(seen.filter((s) => s.startsWith('PUT /latest/api/token')).length, 1, seen.join('\n'));
    assert.match(seen[0]!, new RegExp(`"X-aliyun-ecs-metadata-token-ttl-seconds":"${TOKEN_TTL_SECONDS}"`));
    assert.equal(TOKEN_TTL_SECONDS, 21600);
    assert.ok(
      seen.slice(1).every((s) => s.includes('"X-aliyun-ecs-metadata-token":')),
      seen.join('\n'),
    );
  });

  it('client: a token the service no longer knows (restart) is replaced once, and the read succeeds', async () => {
    t.emu.setHostMetadata(instanceId, { httpTokens: 'required' });
    let puts = 0;
    const md = new MetadataClient({
      endpoint: base,
      fetch: (i, init) => (init?.method === 'PUT' && puts++, fetch(i, init)),
    });
    assert.equal(await md.zoneId(), t.emu.state.instances[instanceId]!.ZoneId);
    t.emu.resetMetadataTokens();
    assert.equal(await md.vpcId(), t.emu.state.instances[instanceId]!.VpcId);
    assert.equal(puts, 2);
  });

  it('client: falls back to plain reads when the token endpoint fails, and asks again a minute later', async () => {
    const methods: string[] = [];
    let tokenStatus = 404;
    const srv = createServer((req: IncomingMessage, res) => {
      methods.push(`${req.method} ${req.headers['x-aliyun-ecs-metadata-token'] ? 'token' : 'plain'}`);
      if (req.url === '/latest/api/token') {
        res.statusCode = tokenStatus;
        return res.end(tokenStatus === 200 ? 'tok-1' : 'no');
      }
      res.end('cn-hangzhou');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    let now = 1_000_000;
    try {
      const md = new MetadataClient({
        endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        now: () => now,
      });
      assert.equal(await md.regionId(), 'cn-hangzhou');
      assert.equal(await md.regionId(), 'cn-hangzhou');
      assert.deepEqual(methods, ['PUT plain', 'GET plain', 'GET plain']);
      assert.equal(md.mode, 'plain');
      tokenStatus = 200;
      now += 61_000;
      assert.equal(await md.regionId(), 'cn-hangzhou');
      assert.deepEqual(methods.slice(3), ['PUT plain', 'GET token']);
      assert.equal(md.mode, 'token');
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('client: --enable-imdsv2=false never asks for a token, and a 403 says how to fix it', async () => {
    t.emu.setHostMetadata(instanceId, { httpTokens: 'required' });
    let puts = 0;
    const md = new MetadataClient({
      endpoint: base,
      imdsv2: false,
      fetch: (i, init) => (init?.method === 'PUT' && puts++, fetch(i, init)),
    });
    await assert.rejects(
      md.instanceId(),
      (e: unknown) =>
        e instanceof MetadataError &&
        e.status === 403 &&
        /requires metadata tokens.*remove --enable-imdsv2=false/.test(e.message),
    );
    assert.equal(puts, 0);
    t.emu.setHostMetadata(instanceId, { httpTokens: 'optional' });
    assert.equal(await md.instanceId(), instanceId);
  });
});
