import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rawCall, type TestEmulator } from '../../helpers/alicloud.js';

const MAIN = fileURLToPath(new URL('../../../emulators/alicloud/main.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  url: string;
}

function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const msg = JSON.parse(line) as { event: string; url: string };
      if (msg.event === 'listening') resolve({ child, url: msg.url });
      else reject(new Error(line));
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}`)));
  });
}

function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

describe('emulator/alicloud main (process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alicloud-emu-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the listening line, serves signed calls, exits 0 on SIGTERM and keeps state across restarts', async () => {
    const state = join(dir, 'cloud.json');
    const args = [
      '--port',
      '0',
      '--access-key-id',
      'LTAIprocess',
      '--access-key-secret',
      'process-secret-1',
      '--state',
      state,
    ];
    const first = await start(args);
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const t = {
      url: first.url,
      accessKeyId: 'LTAIprocess',
      accessKeySecret: 'process-secret-1',
    } as TestEmulator;
    const created = await rawCall(t, 'Slb', 'CreateLoadBalancer', {
      LoadBalancerName: 'survivor',
      ClientToken: 'p1',
    });
    assert.equal(created.status, 200);
    assert.equal(await stop(first), 0);

    const second = await start(args);
    const t2 = { ...t, url: second.url };
    const found = await rawCall(t2, 'Slb', 'DescribeLoadBalancers', { LoadBalancerName: 'survivor' });
    assert.equal(found.body.TotalCount, 1);
    const again = await rawCall(t2, 'Slb', 'CreateLoadBalancer', {
      LoadBalancerName: 'survivor',
      ClientToken: 'p1',
    });
    assert.equal(again.body.LoadBalancerId, created.body.LoadBalancerId);
    const wrong = await rawCall(t2, 'Slb', 'DescribeLoadBalancers', {}, { secret: 'nope' });
    assert.equal(wrong.body.Code, 'SignatureDoesNotMatch');
    assert.equal(await stop(second), 0);
  });
});
