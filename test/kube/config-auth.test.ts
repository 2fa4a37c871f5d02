// What actually reaches an apiserver for each way of authenticating: loopback echo servers
// report the bearer token and the verified client-certificate CN the transport presented.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig, type LoadOptions } from '../../src/kube/config.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { KubeClient } from '../../src/kube/rest.js';
import { redactSecrets } from '../../src/util/secrets.js';
import {
  haveOpenssl,
  makeClientCert,
  makePki,
  startHttpEcho,
  startHttpsEcho,
  type EchoServer,
  type Pki,
  type Seen,
} from './tls-fixture.js';

describe('kube/config authentication on the wire', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'kauth-'));
  let pki: Pki;
  let https: EchoServer;
  const clients: KubeClient[] = [];

  before(async function () {
    if (!(await haveOpenssl())) {
      console.warn('SKIPPED: openssl is not installed; cannot make the test certificates');
      this.skip();
    }
    pki = await makePki(dir);
    https = await startHttpsEcho(pki);
  });
  after(async () => {
    for (const c of clients) c.close();
    await https?.close();
  });

  function kubeconfig(
    name: string,
    server: string,
    user: Record<string, unknown>,
    cluster: Record<string, unknown> = {},
  ): string {
    const path = join(dir, name);
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [{ name: 'c', cluster: { server, 'certificate-authority': 'ca.pem', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    };
    writeFileSync(path, JSON.stringify(doc)); // JSON is YAML
    return path;
  }

  async function whoami(opts: LoadOptions): Promise<Seen> {
    const client = new KubeClient(loadKubeConfig({ env: {}, ...opts }));
    clients.push(client);
    return client.request<Seen>('GET', '/whoami');
  }

  it('client certificate and key files authenticate over TLS verified against the CA file', async () => {
    await makeClientCert(pki, 'alice', join(dir, 'alice.pem'), join(dir, 'alice-key.pem'));
    const path = kubeconfig('cert.yaml', https.url, {
      'client-certificate': 'alice.pem',
      'client-key': 'alice-key.pem',
    });
    const seen = await whoami({ kubeconfigPath: path });
    assert.equal(seen.clientCN, 'alice');
    assert.equal(seen.authorization, undefined);
  });

  it('a rotated client certificate on disk is presented on the next request', async () => {
    const cert = join(dir, 'rot.pem');
    const key = join(dir, 'rot-key.pem');
    await makeClientCert(pki, 'before', cert, key);
    const client = new KubeClient(
      loadKubeConfig({
        kubeconfigPath: kubeconfig('rot.yaml', https.url, { 'client-certificate': cert, 'client-key': key }),
        env: {},
      }),
    );
    clients.push(client);
    assert.equal((await client.request<Seen>('GET', '/a')).clientCN, 'before');
    await makeClientCert(pki, 'after', cert, key);
    assert.equal((await client.request<Seen>('GET', '/b')).clientCN, 'after');
  });

  it('a server certificate the CA did not sign is refused', async () => {
    const other = await makePki(mkdtempSync(join(tmpdir(), 'kauth-other-')));
    const path = kubeconfig(
      'wrongca.yaml',
      https.url,
      { token: 'tok-wrongca-1' },
      { 'certificate-authority': other.ca },
    );
    await assert.rejects(
      whoami({ kubeconfigPath: path }),
      (err: KubeApiError) => err.reason === 'ConnectionError',
    );
  });

  it('a token and CA data inline reach the server as a bearer token', async () => {
    const caData = readFileSync(pki.ca).toString('base64');
    const path = kubeconfig(
      'token.yaml',
      https.url,
      { token: 'tok-inline-4242' },
      {
        'certificate-authority': undefined,
        'certificate-authority-data': caData,
      },
    );
    assert.equal((await whoami({ kubeconfigPath: path })).authorization, 'Bearer tok-inline-4242');
  });

  it('insecure-skip-tls-verify accepts an unknown server certificate; basic auth is sent', async () => {
    const path = kubeconfig(
      'insecure.yaml',
      https.url,
      { username: 'admin', password: 'pw-basic-31' },
      {
        'certificate-authority': undefined,
        'insecure-skip-tls-verify': true,
      },
    );
    const seen = await whoami({ kubeconfigPath: path });
    assert.equal(seen.authorization, `Basic ${Buffer.from('admin:pw-basic-31').toString('base64')}`);
    assert.equal(redactSecrets(`x ${seen.authorization ?? ''}`), 'x Basic ***');
  });

  it("client-go's tokenFile key is read (newline trimmed)", async () => {
    writeFileSync(join(dir, 'user-token'), 'tok-from-file-77\n');
    const path = kubeconfig('tokenfile.yaml', https.url, { tokenFile: 'user-token' });
    assert.equal((await whoami({ kubeconfigPath: path })).authorization, 'Bearer tok-from-file-77');
  });

  it('an exec credential plugin token reaches the server and is registered as a secret', async () => {
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      [
        "const token = 'exec-tok-' + process.argv[2] + '-' + process.env.PLUGIN_SUFFIX;",
        'process.stdout.write(JSON.stringify({',
        "  apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',",
        '  status: { token, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() },',
        '}));',
      ].join('\n'),
    );
    const path = kubeconfig('exec.yaml', https.url, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [plugin, 'abc'],
        env: [{ name: 'PLUGIN_SUFFIX', value: 'xyz' }],
      },
    });
    const seen = await whoami({ kubeconfigPath: path });
    assert.equal(seen.authorization, 'Bearer exec-tok-abc-xyz');
    assert.equal(redactSecrets('got exec-tok-abc-xyz'), 'got ***');
  });

  it('a failing exec plugin is an AuthError naming its first stderr line, not a crash', async () => {
    const plugin = join(dir, 'broken.mjs');
    writeFileSync(plugin, "process.stderr.write('login required\\nmore detail\\n'); process.exit(3);");
    const path = kubeconfig('broken.yaml', https.url, {
      exec: { command: process.execPath, args: [plugin] },
    });
    await assert.rejects(
      whoami({ kubeconfigPath: path }),
      (err: KubeApiError) =>
        err.status === 0 && err.reason === 'AuthError' && /login required$/.test(err.message),
    );
  });

  it('--server replaces the kubeconfig server and keeps its auth; alone it sends no credentials', async () => {
    const plain = await startHttpEcho();
    try {
      const path = kubeconfig('override.yaml', https.url, { token: 'tok-override-5' });
      const withFile = await whoami({ kubeconfigPath: path, serverOverride: plain.url });
      assert.equal(withFile.authorization, 'Bearer tok-override-5');
      const alone = await whoami({ serverOverride: plain.url });
      assert.equal(alone.authorization, undefined);
      assert.equal(plain.seen.length, 2, 'both went to the override, none to the kubeconfig server');
    } finally {
      await plain.close();
    }
  });

  it('in-cluster: service-account CA and token from the given directory', async () => {
    const sa = mkdtempSync(join(tmpdir(), 'kauth-sa-'));
    writeFileSync(join(sa, 'ca.crt'), readFileSync(pki.ca));
    writeFileSync(join(sa, 'token'), 'sa-token-0001\n');
    const port = new URL(https.url).port;
    const seen = await whoami({
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
      inClusterDir: sa,
    });
    assert.equal(seen.authorization, 'Bearer sa-token-0001');
  });
});
