// The kube-emulator process: listening line, kubeconfig file, --state across restarts, SIGTERM.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { apiCall } from '../../helpers/kube.js';

const MAIN = fileURLToPath(new URL('../../../emulators/kube/main.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/kube-emulator', import.meta.url));
const BUILT = fileURLToPath(new URL('../../../dist-emulators/kube/main.js', import.meta.url));

interface Running {
  child: ChildProcess;
  url: string;
}

function start(argv: string[]): Promise<Running> {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const msg = JSON.parse(line) as { event: string; url: string };
      if (msg.event === 'listening') resolve({ child, url: msg.url });
      else reject(new Error(line));
    });
    child.once('exit', (code) => reject(new Error(`kube-emulator exited early with ${code}`)));
  });
}

function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

describe('emulator/kube main (process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-emu-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a kubeconfig, keeps state and increasing resourceVersions across restarts, exits 0 on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const args = [
      '--import',
      'tsx',
      MAIN,
      '--port',
      '0',
      '--kubeconfig-out',
      kubeconfig,
      '--state',
      join(dir, 'state.json'),
    ];
    const first = await start(args);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const cfg = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string } }[];
    };
    assert.equal(cfg.clusters[0]!.cluster.server, first.url);
    const created = await apiCall(first.url, 'POST', '/api/v1/nodes', { metadata: { name: 'survivor' } });
    assert.equal(created.status, 201);
    assert.equal(await stop(first), 0);

    const second = await start(args);
    const found = await apiCall(second.url, 'GET', '/api/v1/nodes/survivor');
    assert.equal(found.body.metadata.uid, created.body.metadata.uid);
    const next = await apiCall(second.url, 'POST', '/api/v1/nodes', { metadata: { name: 'after' } });
    assert.ok(Number(next.body.metadata.resourceVersion) > Number(created.body.metadata.resourceVersion));
    assert.equal(await stop(second), 0);
  });

  it('bin/kube-emulator launches the built program', async function () {
    if (!existsSync(BUILT)) {
      console.log('dist/ not built (npm run build); skipping the launcher check');
      this.skip();
    }
    const r = await start([BIN, '--port', '0']);
    assert.equal((await apiCall(r.url, 'GET', '/version')).body.major, '1');
    assert.equal(await stop(r), 0);
  });

  it('rejects a bad --port with a non-zero exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', 'abc'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(stderr, /invalid --port abc/);
  });
});
