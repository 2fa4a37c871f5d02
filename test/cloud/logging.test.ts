// No credential value may appear in any log line or error message, whatever path a call takes:
// success, signature failure, retries, dry-run, STS credentials from metadata.
import assert from 'node:assert/strict';
import { CloudError } from '../../src/cloud/index.js';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { cloudFor } from './fixtures.js';

describe('cloud client logging', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(() => t.close());

  it('never writes a secret to a log line or an error message', async () => {
    const instanceId = seedInstances(t.emu, 2).instanceIds[0]!;
    t.emu.setHostMetadata(instanceId, { ramRole: 'NodeRole' });
    const lines: string[] = [];
    const messages: string[] = [];

    const good = cloudFor(t);
    const wrongSecret = 'WrongSecretValue-123456';
    const bad = cloudFor(t, { accessKeySecret: wrongSecret });
    const sts = cloudFor(t, {
      accessKeyId: undefined,
      accessKeySecret: undefined,
      metadataEndpoint: `${t.url}/_emulator/hosts/${instanceId}`,
    });
    const dry = cloudFor(t, { dryRun: true });
    try {
      t.emu.setFaults({ DescribeInstances: { code: 'Throttling.User', times: 1 } });
      await good.cloud.ecs.describeInstances();
      await bad.cloud.ecs.describeZones().catch((e: unknown) => {
        assert.ok(e instanceof CloudError);
        messages.push(e.message, String(e.stack));
      });
      await sts.cloud.vpc.describeVpcs();
      // A failing STS-signed call: its error must not leak the token either.
      await sts.cloud.slb
        .describeLoadBalancerAttribute('lb-missing')
        .catch((e: unknown) => messages.push((e as Error).message));
      await dry.cloud.ecs.attachDisk({ instanceId, diskId: 'd-dryrun' });
      const stsCreds = await sts.cloud.credentials.getCredentials();

      for (const tc of [good, bad, sts, dry]) lines.push(...tc.log.lines);
      assert.ok(
        lines.some((l) => l.includes('retrying')),
        'the retry was logged',
      );
      assert.ok(
        lines.some((l) => l.includes('SignatureDoesNotMatch')),
        'the failure was logged',
      );
      assert.ok(
        lines.some((l) => l.includes('dry-run')),
        'the dry-run was logged',
      );
      const secrets = [
        t.accessKeySecret,
        wrongSecret,
        stsCreds.accessKeySecret,
        stsCreds.securityToken!,
        stsCreds.accessKeyId,
      ];
      for (const text of [...lines, ...messages]) {
        for (const s of secrets) assert.ok(!text.includes(s), `secret leaked into: ${text.slice(0, 200)}`);
      }
    } finally {
      for (const tc of [good, bad, sts, dry]) tc.cloud.close();
    }
  });
});
