import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialChain, refreshAt, StsCredentialProvider } from '../../src/cloud/credentials.js';
import { MetadataClient } from '../../src/cloud/metadata.js';
import { redactSecrets } from '../../src/util/secrets.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { cloudFor } from './fixtures.js';

const unreachableMetadata = new MetadataClient({
  endpoint: 'http://127.0.0.1:9',
  timeoutMs: 200,
  attempts: 1,
});

function fakeClock(start = Date.now()): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('credential chain', () => {
  it('prefers explicit config over every env variable', async () => {
    const chain = new CredentialChain({
      accessKeyId: 'cfg-id-1',
      accessKeySecret: 'cfg-secret-1',
      env: { ALIYUN_ACCESS_KEY: 'env-id', ALIYUN_ACCESS_KEY_SECRET: 'env-secret' },
      metadata: unreachableMetadata,
    });
    assert.equal((await chain.getCredentials()).accessKeyId, 'cfg-id-1');
    assert.equal(chain.source(), 'config');
    assert.equal(redactSecrets('x cfg-secret-1 y'), 'x *** y');
  });

  it('takes env pairs in order ALIYUN_*, ACCESS_KEY_*, ALIBABA_CLOUD_*', async () => {
    const env = {
      ACCESS_KEY_ID: 'second-id',
      ACCESS_KEY_SECRET: 'second-secret',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'third-id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'third-secret',
    };
    const a = new CredentialChain({
      env: { ...env, ALIYUN_ACCESS_KEY: 'first-id', ALIYUN_ACCESS_KEY_SECRET: 'first-secret' },
      metadata: unreachableMetadata,
    });
    assert.equal((await a.getCredentials()).accessKeyId, 'first-id');
    const b = new CredentialChain({ env, metadata: unreachableMetadata });
    assert.equal((await b.getCredentials()).accessKeyId, 'second-id');
    const c = new CredentialChain({
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'third-id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'third-secret' },
      metadata: unreachableMetadata,
    });
    assert.equal((await c.getCredentials()).accessKeyId, 'third-id');
    assert.equal(c.source(), 'env');
    // An id without its secret is not a hit.
    const d = new CredentialChain({
      env: { ALIYUN_ACCESS_KEY: 'lonely-id', ACCESS_KEY_ID: 'second-id', ACCESS_KEY_SECRET: 'second-secret' },
      metadata: unreachableMetadata,
    });
    assert.equal((await d.getCredentials()).accessKeyId, 'second-id');
  });

  describe('files mounted from a Secret', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cloud-creds-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads kube-aliyun key names and picks up a rotated Secret', async () => {
      await writeFile(join(dir, 'accessKey'), 'file-id-1\n');
      await writeFile(join(dir, 'accessKeySecret'), 'file-secret-1\n');
      const clock = fakeClock();
      const chain = new CredentialChain({
        env: { ALICLOUD_CREDENTIALS_DIR: dir },
        metadata: unreachableMetadata,
        clock,
        fileRefreshMs: 1000,
      });
      assert.deepEqual(await chain.getCredentials(), {
        accessKeyId: 'file-id-1',
        accessKeySecret: 'file-secret-1',
      });
      assert.equal(chain.source(), 'file');
      await writeFile(join(dir, 'accessKey'), 'file-id-2');
      await writeFile(join(dir, 'accessKeySecret'), 'file-secret-2');
      assert.equal(
        (await chain.getCredentials()).accessKeyId,
        'file-id-1',
        'cached until the refresh interval',
      );
      clock.advance(1001);
      assert.equal((await chain.getCredentials()).accessKeyId, 'file-id-2');
      assert.equal(redactSecrets('file-secret-2'), '***');
    });

    it('reads the dashed key names from a configured dir', async () => {
      await writeFile(join(dir, 'access-key-id'), 'dash-id');
      await writeFile(join(dir, 'access-key-secret'), 'dash-secret');
      const chain = new CredentialChain({ credentialsDir: dir, env: {}, metadata: unreachableMetadata });
      assert.equal((await chain.getCredentials()).accessKeySecret, 'dash-secret');
    });
  });

  it('fails with a clear error when nothing in the chain answers', async () => {
    const chain = new CredentialChain({ env: {}, metadata: unreachableMetadata });
    await assert.rejects(chain.getCredentials(), /no Alibaba Cloud credentials/);
  });

  it('refreshes 5 minutes early for long-lived, at 80% for short-lived credentials', () => {
    assert.equal(refreshAt(0, 3_600_000), 3_600_000 - 300_000);
    assert.equal(refreshAt(0, 10_000), 8_000);
  });
});

describe('RAM-role STS credentials from emulated metadata', () => {
  let t: TestEmulator;
  let instanceId: string;
  let metadataUrl: string;

  beforeEach(async () => {
    t = await startTestEmulator();
    instanceId = seedInstances(t.emu, 1).instanceIds[0]!;
    t.emu.setHostMetadata(instanceId, { ramRole: 'KubernetesMasterRole' });
    metadataUrl = `${t.url}/_emulator/hosts/${instanceId}`;
  });
  afterEach(() => t.close());

  it('signs calls with STS credentials and sends the SecurityToken', async () => {
    const tc = cloudFor(t, {
      accessKeyId: undefined,
      accessKeySecret: undefined,
      metadataEndpoint: metadataUrl,
    });
    try {
      const vpcs = await tc.cloud.vpc.describeVpcs();
      assert.ok(vpcs.length >= 1);
      assert.equal(tc.cloud.credentials.source(), 'ram-role');
      const creds = await tc.cloud.credentials.getCredentials();
      assert.ok(creds.accessKeyId.startsWith('STS.'));
      assert.ok(creds.securityToken);
      const call = t.emu.calls().find((c) => c.action === 'DescribeVpcs');
      assert.equal(call?.code, 'Success');
      assert.equal(call?.params.SecurityToken, '***', 'token was sent (the emulator log hides its value)');
    } finally {
      tc.cloud.close();
    }
  });

  it('refreshes before Expiration and keeps working with the new credentials', async () => {
    const clock = fakeClock();
    let metadataReads = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('/security-credentials/'))
        metadataReads++;
      return fetch(input, init);
    };
    const metadata = new MetadataClient({ endpoint: metadataUrl, fetch: countingFetch });
    const sts = new StsCredentialProvider({ metadata, clock });
    const first = await sts.getCredentials();
    const reads = metadataReads;
    const lifetime = first.expiresAt! - clock.now();
    clock.advance(lifetime - 6 * 60_000);
    assert.equal(
      (await sts.getCredentials()).accessKeyId,
      first.accessKeyId,
      'still fresh: served from cache',
    );
    assert.equal(metadataReads, reads, 'no metadata read while fresh');
    // The instance's role changes, so the metadata service now hands out different credentials.
    t.emu.setHostMetadata(instanceId, { ramRole: 'RotatedRole' });
    clock.advance(2 * 60_000); // now 4 minutes before expiry: inside the refresh window
    const second = await sts.getCredentials();
    assert.ok(metadataReads > reads, 'refreshed from metadata');
    assert.notEqual(second.accessKeyId, first.accessKeyId);
    // And the refreshed credentials are accepted by the API.
    const tc = cloudFor(
      t,
      { accessKeyId: undefined, accessKeySecret: undefined },
      { credentials: sts, clock },
    );
    try {
      await tc.cloud.ecs.describeZones();
      assert.equal(t.emu.calls().at(-1)?.code, 'Success');
    } finally {
      tc.cloud.close();
    }
  });

  it('keeps using still-valid credentials when a refresh fails', async () => {
    const clock = fakeClock();
    let broken = false;
    const flakyFetch: typeof fetch = (input, init) =>
      broken ? Promise.reject(new Error('metadata down')) : fetch(input, init);
    const sts = new StsCredentialProvider({
      metadata: new MetadataClient({ endpoint: metadataUrl, fetch: flakyFetch, attempts: 1 }),
      clock,
    });
    const first = await sts.getCredentials();
    broken = true;
    clock.advance(first.expiresAt! - clock.now() - 60_000);
    assert.equal((await sts.getCredentials()).accessKeyId, first.accessKeyId);
    clock.advance(120_000); // past expiry: no valid credentials left
    await assert.rejects(sts.getCredentials(), /metadata/);
  });
});
