// Central mode's node name → ECS instance: the Node's spec.providerID read from a loopback
// Kubernetes API (plain HTTP and HTTPS verified against kubeCaFile, bearer token from
// kubeTokenFile), and the ECS lookups it falls back to only when the Node is absent.
import { strict as assert } from 'node:assert';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/flexvolume/config.js';
import { instanceForNode } from '../../src/flexvolume/identity.js';
import { DriverError } from '../../src/flexvolume/protocol.js';
import type { CloudSession } from '../../src/flexvolume/cloud/connect.js';
import type { CloudInstance, DiskCloud, InstanceQuery } from '../../src/flexvolume/cloud/types.js';
import { redactSecrets } from '../../src/util/secrets.js';
import { haveOpenssl, makePki, type Pki } from '../kube/tls-fixture.js';

const TOKEN = 'flexv-node-reader-token-0123456789';

function apiserver(seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/v1/nodes/worker-a')
      return send(200, {
        kind: 'Node',
        metadata: { name: 'worker-a' },
        spec: { providerID: 'alicloud://cn-hangzhou.i-kube1' },
      });
    if (req.url === '/api/v1/nodes/worker-e')
      return send(200, { kind: 'Node', metadata: { name: 'worker-e' }, spec: {} });
    if (req.url === '/api/v1/nodes/worker-c') return send(500, { kind: 'Status', message: 'etcd is down' });
    return send(404, { kind: 'Status', reason: 'NotFound' });
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return String((server.address() as AddressInfo).port);
}

describe('flexvolume: node name → instance through the Kubernetes API (central mode)', function () {
  this.timeout(20_000);
  let work: string;
  let http: Server;
  let httpUrl: string;
  const seen: string[] = [];
  let describeCalls: InstanceQuery[];

  const byName: CloudInstance = {
    instanceId: 'i-ecs1',
    status: 'Running',
    zoneId: 'z',
    hostName: 'worker-b',
    instanceName: 'worker-b',
    privateIps: ['192.168.0.9'],
  };
  const session: CloudSession = {
    cloud: {
      describeInstances: async (q: InstanceQuery) => {
        describeCalls.push(q);
        return q.instanceName === 'worker-b' ? [byName] : [];
      },
    } as Pick<DiskCloud, 'describeInstances'> as DiskCloud,
    regionId: 'cn-hangzhou',
    instanceId: () => Promise.reject(new Error('central mode must not ask metadata')),
    hostMetadata: () => Promise.reject(new Error('central mode must not ask metadata')),
    close: () => undefined,
  };

  function central(extra: Record<string, unknown>) {
    const path = join(work, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        mode: 'central',
        accessKeyId: 'AKID',
        accessKeySecret: 'not-used-here',
        logFile: '',
        ...extra,
      }),
    );
    return loadConfig({ ALICLOUD_FLEXVOLUME_CONFIG: path });
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'flexv-identity-'));
    writeFileSync(join(work, 'token'), `${TOKEN}\n`);
    http = createHttpServer(apiserver(seen));
    httpUrl = `http://127.0.0.1:${await listen(http)}`;
  });
  beforeEach(() => {
    seen.length = 0;
    describeCalls = [];
  });
  after(async () => {
    await new Promise((r) => http.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  it("uses the Node's providerID, sends the token file's bearer token, asks ECS nothing", async () => {
    const cfg = central({ kubeApiUrl: httpUrl, kubeTokenFile: join(work, 'token') });
    assert.equal(await instanceForNode(cfg, session, 'worker-a'), 'i-kube1');
    assert.deepEqual(seen, [`/api/v1/nodes/worker-a Bearer ${TOKEN}`]);
    assert.deepEqual(describeCalls, []);
    assert.ok(
      !redactSecrets(`token ${TOKEN}`).includes(TOKEN),
      'the token is registered as a secret once read',
    );
  });

  it('falls back to ECS by name when the Node is absent or has no providerID', async () => {
    const cfg = central({ kubeApiUrl: httpUrl });
    assert.equal(await instanceForNode(cfg, session, 'worker-b'), 'i-ecs1');
    assert.equal(describeCalls.length, 1);
    await assert.rejects(
      instanceForNode(cfg, session, 'worker-e'),
      /cannot find the ECS instance of node worker-e/,
    );
    assert.deepEqual(
      seen.map((s) => s.split(' ')[0]),
      ['/api/v1/nodes/worker-b', '/api/v1/nodes/worker-e'],
    );
  });

  it('an apiserver error fails the call instead of guessing from ECS', async () => {
    const cfg = central({ kubeApiUrl: httpUrl });
    await assert.rejects(
      instanceForNode(cfg, session, 'worker-c'),
      (err: Error) => err instanceof DriverError && /Node worker-c .*HTTP 500/.test(err.message),
    );
    assert.deepEqual(describeCalls, []);
  });

  it('names a bad URL or an unreadable token file in one line', async () => {
    await assert.rejects(
      instanceForNode(central({ kubeApiUrl: 'not a url' }), session, 'worker-a'),
      /Kubernetes API URL "not a url" is not a URL/,
    );
    await assert.rejects(
      instanceForNode(central({ kubeApiUrl: 'file:///etc' }), session, 'worker-a'),
      /must be http\(s\)/,
    );
    await assert.rejects(
      instanceForNode(
        central({ kubeApiUrl: httpUrl, kubeTokenFile: join(work, 'missing') }),
        session,
        'worker-a',
      ),
      /cannot read the Kubernetes API token file .*missing: ENOENT/,
    );
  });

  describe('over HTTPS', () => {
    let pki: Pki;
    let https: Server;
    let httpsUrl: string;

    before(async function () {
      if (!(await haveOpenssl())) {
        console.warn('SKIPPED: openssl is not installed; cannot make the test certificates');
        this.skip();
      }
      pki = await makePki(work);
      https = createHttpsServer(
        { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) },
        apiserver(seen),
      );
      httpsUrl = `https://127.0.0.1:${await listen(https)}`;
    });
    after(async () => {
      if (https) await new Promise((r) => https.close(r));
    });

    it('verifies the server against kubeCaFile', async () => {
      const cfg = central({ kubeApiUrl: httpsUrl, kubeCaFile: pki.ca, kubeTokenFile: join(work, 'token') });
      assert.equal(await instanceForNode(cfg, session, 'worker-a'), 'i-kube1');
      assert.deepEqual(seen, [`/api/v1/nodes/worker-a Bearer ${TOKEN}`]);
    });

    it('refuses a server its CA does not vouch for (verification is never skipped)', async () => {
      const cfg = central({ kubeApiUrl: httpsUrl });
      await assert.rejects(
        instanceForNode(cfg, session, 'worker-a'),
        (err: Error) =>
          err instanceof DriverError && /Node worker-a .*failed: .*certificate/i.test(err.message),
      );
      assert.deepEqual(seen, []);
    });
  });
});
