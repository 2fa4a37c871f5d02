import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfigError, loadKubeConfig } from '../../src/kube/config.js';
import { startKubeEmulator } from '../../src/emulator/kube/index.js';
import { KubeClient } from '../../src/kube/rest.js';
import { Resources } from '../../src/kube/resources.js';
import { redactSecrets } from '../../src/util/secrets.js';

describe('kube/config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kcfg-'));

  it('reads the current context of a kubeconfig, files relative to it, and registers the token', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');
    const path = join(dir, 'config');
    writeFileSync(
      path,
      [
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
      ].join('\n'),
    );
    const c = loadKubeConfig({ kubeconfigPath: path, env: {} });
    assert.equal(c.server, 'https://b.example:6443');
    assert.equal(c.ca, 'CA-PEM');
    assert.equal(c.token, 'tok-abcdef123');
    assert.equal(redactSecrets('Bearer tok-abcdef123'), 'Bearer ***');
    assert.equal(
      loadKubeConfig({ kubeconfigPath: path, serverOverride: 'http://127.0.0.1:8080', env: {} }).server,
      'http://127.0.0.1:8080',
    );
  });

  it('--master alone means no auth; in-cluster uses the service account files', () => {
    assert.deepEqual(loadKubeConfig({ serverOverride: 'http://127.0.0.1:8080', env: {} }), {
      server: 'http://127.0.0.1:8080',
    });
    writeFileSync(join(dir, 'token'), 'sa-token\n');
    writeFileSync(join(dir, 'ca.crt'), 'SA-CA');
    const c = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      inClusterDir: dir,
    });
    assert.equal(c.server, 'https://10.0.0.1:443');
    assert.equal(c.ca, 'SA-CA');
    assert.equal(c.tokenFile, join(dir, 'token'));
  });

  it('errors name the flag', () => {
    assert.throws(() => loadKubeConfig({ env: {} }), KubeConfigError);
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: join(dir, 'missing'), env: {} }),
      /--kubeconfig: cannot read/,
    );
    assert.throws(
      () => loadKubeConfig({ serverOverride: 'ftp://x', env: {} }),
      /--master: unsupported scheme/,
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
