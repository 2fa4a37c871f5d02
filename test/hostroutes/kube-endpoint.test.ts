// The agent's own apiserver access: in-cluster service-account auth over HTTPS (CA pinned, token
// re-read per request, so a rotated token is picked up), clear errors for missing pieces, and a
// paged Node list that still sees every Node.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startKubeEmulator } from '../../emulators/kube/index.js';
import { resolveEndpoint } from '../../src/hostroutes/kube-endpoint.js';
import { getJson } from '../../src/hostroutes/kube-get.js';
import { NodeSource } from '../../src/hostroutes/node-source.js';
import { silentLogger } from '../../src/util/log.js';

const run = promisify(execFile);

describe('hostroutes/kube-endpoint', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hr-endpoint-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('in-cluster: pins the service-account CA and sends the current token on every request', async function () {
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'ca.crt'),
      ]);
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      console.warn(`SKIPPING in-cluster endpoint test: openssl unusable: ${(err as Error).message}`);
      this.skip();
    }
    const seen: (string | undefined)[] = [];
    const server: Server = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.crt')) },
      (req, res) => {
        seen.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"NodeList","items":[]}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      writeFileSync(join(dir, 'token'), 'first-token\n');
      const endpoint = await resolveEndpoint({
        env: {
          KUBERNETES_SERVICE_HOST: '127.0.0.1',
          KUBERNETES_SERVICE_PORT: String((server.address() as AddressInfo).port),
        },
        inClusterDir: dir,
      });
      const signal = new AbortController().signal;
      assert.deepEqual(await getJson(endpoint, '/api/v1/nodes', signal), { kind: 'NodeList', items: [] });
      writeFileSync(join(dir, 'token'), 'rotated-token\n');
      await getJson(endpoint, '/api/v1/nodes', signal);
      assert.deepEqual(seen, ['Bearer first-token', 'Bearer rotated-token']);
      endpoint.close();
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('names what is missing', async () => {
    await assert.rejects(resolveEndpoint({ env: {} }), /no apiserver: pass --kubeconfig or --master/);
    await assert.rejects(
      resolveEndpoint({
        env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
        inClusterDir: join(dir, 'absent'),
      }),
      /in-cluster: cannot read .*ca\.crt/,
    );
    await assert.rejects(resolveEndpoint({ master: 'ftp://x' }), /--master: unsupported scheme/);
  });

  it('a paged list sees every Node; an error status carries the apiserver message', async () => {
    const emu = await startKubeEmulator({ port: 0 });
    const abort = new AbortController();
    const endpoint = await resolveEndpoint({ master: emu.url });
    try {
      for (let i = 0; i < 7; i++)
        emu.store.create('nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: `page-${i}` },
          spec: { podCIDR: `198.19.${i}.0/24` },
        });
      const source = new NodeSource({ endpoint, log: silentLogger, onChange: () => undefined, pageSize: 2 });
      void source.run(abort.signal);
      assert.equal(await source.waitForSync(abort.signal), true);
      const names = source
        .list()
        .map((f) => f.name)
        .filter((n) => n.startsWith('page-'))
        .sort();
      assert.deepEqual(
        names,
        [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
      );
      await assert.rejects(getJson(endpoint, '/api/v1/nodes/absent', abort.signal), /404 .*absent/);
    } finally {
      abort.abort();
      endpoint.close();
      await emu.close();
    }
  });
});
