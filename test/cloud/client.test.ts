// Pinpoint transport faults from a scripted loopback server (the emulator covers API behaviour).
// nock is not used: its interceptors need Promise.withResolvers, which Node 20 lacks.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { RpcClient } from '../../src/cloud/client.js';
import { CloudError } from '../../src/cloud/errors.js';
import { createCloudMetrics } from '../../src/cloud/metrics.js';
import { silentLogger } from '../../src/util/log.js';

type Reply = { status: number; body: string | object } | 'reset' | 'hang';
interface Seen {
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Answers each request with the next scripted reply (the last one repeats). */
async function scripted(
  replies: Reply[] | ((seen: Seen, n: number) => Reply),
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const s = { params: new URLSearchParams(raw), headers: req.headers };
      seen.push(s);
      const reply =
        typeof replies === 'function'
          ? replies(s, seen.length)
          : replies[Math.min(seen.length, replies.length) - 1]!;
      if (reply === 'reset') return void req.socket.destroy();
      if (reply === 'hang') return;
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res
        .writeHead(reply.status, {
          'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json',
        })
        .end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let HOST = '';

function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

function client(overrides: Partial<ConstructorParameters<typeof RpcClient>[0]> = {}) {
  const time = fakeTime();
  const c = new RpcClient({
    product: 'Ecs',
    endpoint: HOST,
    region: 'cn-hangzhou',
    credentials: {
      getCredentials: async () => ({ accessKeyId: 'LTAItestid', accessKeySecret: 'testsecret' }),
      source: () => 'config',
    },
    metrics: createCloudMetrics(new Registry()),
    logger: silentLogger,
    callerIdentity: 'unit/replica-1',
    retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, deadlineMs: 60_000 },
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0.5,
    ...overrides,
  });
  return { c, time };
}

const ok = { RequestId: 'req-ok' };

describe('RpcClient transport', () => {
  let srv: Awaited<ReturnType<typeof scripted>> | undefined;
  const serve = async (replies: Parameters<typeof scripted>[0]) => {
    srv = await scripted(replies);
    HOST = srv.url;
    return srv;
  };
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  it('retries a non-JSON 502 page, a reset socket, a Code-less 500 and a 503 ServiceUnavailable', async () => {
    const s = await serve([
      { status: 502, body: '<html>Bad Gateway</html>' },
      'reset',
      { status: 500, body: {} },
      { status: 503, body: { Code: 'ServiceUnavailable', Message: 'busy', RequestId: 'r3' } },
      { status: 200, body: ok },
    ]);
    const { c, time } = client();
    const res = await c.read<{ RequestId: string }>('DescribeZones');
    assert.equal(res.RequestId, 'req-ok');
    assert.equal(time.sleeps.length, 4);
    assert.equal(s.seen.length, 5);
    c.close();
  });

  it('retries an attempt that times out', async () => {
    const s = await serve(['hang', { status: 200, body: ok }]);
    const { c } = client({ timeoutMs: 1000 });
    assert.equal((await c.read<{ RequestId: string }>('DescribeZones')).RequestId, 'req-ok');
    assert.equal(s.seen.length, 2);
    c.close();
  });

  it('does not repeat a create without ClientToken whose answer was lost (it may exist now); repeats one with a token', async () => {
    const s = await serve(['reset', { status: 200, body: ok }]);
    const { c, time } = client({ product: 'Slb' });
    await assert.rejects(
      c.write('CreateVServerGroup', { LoadBalancerId: 'lb-1', VServerGroupName: 'g' }),
      (e: unknown) => e instanceof CloudError && e.code === 'ECONNRESET',
    );
    assert.equal(s.seen.length, 1, 'sent once: the caller looks before it creates again');
    assert.equal(time.sleeps.length, 0);
    const res = await c.write<{ RequestId: string }>('CreateLoadBalancer', { LoadBalancerName: 'x' });
    assert.equal(res?.RequestId, 'req-ok');
    assert.equal(s.seen.length, 2);
    c.close();
  });

  it('still repeats a create without ClientToken that was refused before it ran (503)', async () => {
    const s = await serve([
      { status: 503, body: { Code: 'ServiceUnavailable', Message: 'busy', RequestId: 'r1' } },
      { status: 200, body: ok },
    ]);
    const { c } = client({ product: 'Slb' });
    assert.equal(
      (await c.write<{ RequestId: string }>('CreateVServerGroup', { LoadBalancerId: 'lb-1' }))?.RequestId,
      'req-ok',
    );
    assert.equal(s.seen.length, 2);
    c.close();
  });

  it('does not retry a 4xx business error', async () => {
    await serve([
      {
        status: 404,
        body: {
          Code: 'InvalidDiskId.NotFound',
          Message: 'The specified disk does not exist.',
          RequestId: 'r404',
        },
      },
    ]);
    const { c, time } = client();
    await assert.rejects(
      c.write('DeleteDisk', { DiskId: 'd-x' }),
      (e: unknown) =>
        e instanceof CloudError &&
        e.code === 'InvalidDiskId.NotFound' &&
        e.httpStatus === 404 &&
        e.requestId === 'r404' &&
        !e.retryable,
    );
    assert.equal(time.sleeps.length, 0);
  });

  it('stops at the overall deadline before maxAttempts', async () => {
    await serve([{ status: 400, body: { Code: 'Throttling.User', Message: 'slow down', RequestId: 'rt' } }]);
    const { c, time } = client({
      retry: { maxAttempts: 20, baseDelayMs: 100, maxDelayMs: 100_000, deadlineMs: 5_000 },
    });
    await assert.rejects(
      c.read('DescribeZones'),
      (e: unknown) => e instanceof CloudError && e.code === 'Throttling.User',
    );
    const waited = time.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(waited <= 5_000, `waited ${waited}ms past the deadline`);
    assert.ok(time.sleeps.length < 19);
  });

  it('sends RegionId, caller headers and a ClientToken on creates only, reused across retries', async () => {
    const s = await serve((_seen, n) =>
      n === 1
        ? { status: 503, body: { Code: 'ServiceUnavailable', Message: 'x', RequestId: 'r' } }
        : { status: 200, body: { RequestId: 'r', DiskId: 'd-new' } },
    );
    const { c } = client();
    await c.write('CreateDisk', { ZoneId: 'cn-hangzhou-a', DiskCategory: 'cloud_essd', Size: 20 });
    await c.write('AttachDisk', { InstanceId: 'i-1', DiskId: 'd-new' });
    const [first, retry, attach] = s.seen.map((x) => x.params);
    const headers = s.seen.map((x) => x.headers);
    assert.equal(first!.get('RegionId'), 'cn-hangzhou');
    assert.ok(first!.get('ClientToken'));
    assert.equal(retry!.get('ClientToken'), first!.get('ClientToken'));
    assert.equal(attach!.get('ClientToken'), null);
    assert.equal(first!.get('Signature') !== null, true);
    assert.equal(headers[0]!['x-kube-alicloud-caller'], 'unit/replica-1');
    assert.match(String(headers[0]!['user-agent']), /^kube-alicloud\/\d+\.\d+\.\d+ \(unit\/replica-1\)$/);
  });

  it('rate-limits each product to its QPS', async () => {
    await serve([{ status: 200, body: ok }]);
    const { c, time } = client({ qps: 2, burst: 1 });
    for (let i = 0; i < 5; i++) await c.read('DescribeZones');
    assert.deepEqual(time.sleeps, [500, 500, 500, 500]);
  });

  it('refuses write actions through read()', async () => {
    const { c } = client();
    await assert.rejects(c.read('DeleteDisk', { DiskId: 'd' }), /use write/);
  });
});
