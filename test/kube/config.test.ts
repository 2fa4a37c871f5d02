import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfigError, loadKubeConfig } from '../../src/kube/config.js';
import { startKubeEmulator } from '../../emulators/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import { Resources } from '../../src/kube/resources.js';
import { redactSecrets } from '../../src/util/secrets.js';

describe('kube/config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kcfg-'));

  function write(name: string, lines: string[]): string {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n'));
    return path;
  }

  it('loads the current context through client-node, files relative to the kubeconfig, and registers the token', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');
    const path = write('config', [
      'apiVersion: v1',
      'kind: Config',
      'current-context: b',
      'clusters:',
      '- {name: ca, cluster: {server: "https://a.example:6443"}}',
      '- {name: cb, cluster: {server: "https://b.example:6443/", certificate-authority: ca.pem}}',
      'users:',
      '- {name: ub, user: {token: tok-abcdef123}}',
      'contexts:',
      '- {name: a, context: {cluster: ca, user: ub}}',
      '- {name: b, context: {cluster: cb, user: ub}}',
    ]);
    const c = loadKubeConfig({ kubeconfigPath: path, env: {} });
    assert.equal(c.server, 'https://b.example:6443');
    assert.equal(c.clientNode?.getCurrentCluster()?.caFile, join(dir, 'ca.pem'));
    assert.equal(c.clientNode?.getCurrentUser()?.token, 'tok-abcdef123');
    assert.equal(redactSecrets('Bearer tok-abcdef123'), 'Bearer ***');
    const overridden = loadKubeConfig({
      kubeconfigPath: path,
      serverOverride: 'http://127.0.0.1:8080',
      env: {},
    });
    assert.equal(overridden.server, 'http://127.0.0.1:8080');
    assert.equal(overridden.clientNode?.getCurrentCluster()?.server, 'http://127.0.0.1:8080');
    assert.equal(overridden.clientNode?.getCurrentUser()?.token, 'tok-abcdef123', 'auth kept with --master');
  });

  it('without current-context the first context is used, like client-go', () => {
    const path = write('nocurrent', [
      'clusters: [{name: x, cluster: {server: "10.1.2.3:6443"}}]',
      'users: [{name: u, user: {username: admin, password: pw-secret-99}}]',
      'contexts: [{name: only, context: {cluster: x, user: u}}]',
    ]);
    const c = loadKubeConfig({ kubeconfigPath: path, env: {} });
    assert.equal(c.server, 'https://10.1.2.3:6443', 'a bare host:port means https');
    assert.equal(c.clientNode?.getCurrentUser()?.username, 'admin');
    assert.equal(redactSecrets('pw-secret-99'), '***');
  });

  it('--master alone means no auth; in-cluster uses the service account files', () => {
    const master = loadKubeConfig({ serverOverride: 'http://127.0.0.1:8080', env: {} });
    assert.equal(master.server, 'http://127.0.0.1:8080');
    const user = master.clientNode?.getCurrentUser();
    assert.ok(user && !user.token && !user.exec && !user.authProvider && !user.username, 'anonymous user');
    writeFileSync(join(dir, 'token'), 'sa-token\n');
    writeFileSync(join(dir, 'ca.crt'), 'SA-CA');
    const c = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      inClusterDir: dir,
    });
    assert.equal(c.server, 'https://10.0.0.1:443');
    assert.equal(c.clientNode?.getCurrentCluster()?.caFile, join(dir, 'ca.crt'));
    assert.deepEqual(c.clientNode?.getCurrentUser()?.authProvider, {
      name: 'tokenFile',
      config: { tokenFile: join(dir, 'token') },
    });
    const v6 = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' },
      inClusterDir: dir,
    });
    assert.equal(v6.server, 'https://[fd00::1]:6443');
  });

  it('errors are one line naming the flag and the culprit', () => {
    assert.throws(() => loadKubeConfig({ env: {} }), KubeConfigError);
    const missing = join(dir, 'missing');
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: missing, env: {} }),
      (err: Error) =>
        err instanceof KubeConfigError && err.message === `--kubeconfig: cannot read "${missing}"`,
    );
    assert.throws(
      () => loadKubeConfig({ serverOverride: 'ftp://x', env: {} }),
      /--master: unsupported scheme/,
    );
    const bad = write('bad.yaml', ['clusters: [unclosed']);
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: bad, env: {} }),
      /^KubeConfigError: --kubeconfig: ".*bad\.yaml" is not valid YAML$/m,
    );
    const empty = write('empty.yaml', ['# nothing']);
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: empty, env: {} }),
      /has no cluster server for the current context/,
    );
    const noCert = write('nocert.yaml', [
      'clusters: [{name: c, cluster: {server: "https://h:6443"}}]',
      'users: [{name: u, user: {client-certificate: nope.pem, client-key: nope-key.pem}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
    ]);
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: noCert, env: {} }),
      (err: Error) => err.message === `--kubeconfig: cannot read "${join(dir, 'nope.pem')}"`,
    );
    const noTokenFile = write('notokenfile.yaml', [
      'clusters: [{name: c, cluster: {server: "https://h:6443"}}]',
      'users: [{name: u, user: {tokenFile: absent-token}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
    ]);
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: noTokenFile, env: {} }),
      /cannot read ".*absent-token"/,
    );
    assert.throws(
      () =>
        loadKubeConfig({
          env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' },
          inClusterDir: join(dir, 'no-sa'),
        }),
      /^KubeConfigError: in-cluster: cannot read .*no-sa\/ca\.crt$/m,
    );
  });

  it('the emulator-written kubeconfig works end to end', async () => {
    const emu = await startKubeEmulator({ port: 0 });
    try {
      const path = join(dir, 'emu.kubeconfig');
      await emu.writeKubeconfig(path);
      const client = new KubeClient(loadKubeConfig({ kubeconfigPath: path, env: {} }));
      const list = await client.list(Resources.namespaces, undefined);
      assert.ok(list.items.some((n) => n.metadata?.name === 'kube-system'));
      client.close();
    } finally {
      await emu.close();
    }
  });
});
