// Cloud-call metrics as /metrics exposes them: attempts by outcome code, errors by code and a
// latency histogram, all labelled product and action.
import assert from 'node:assert/strict';
import { startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { cloudFor, counterValue, type TestCloud } from './fixtures.js';

describe('cloud metrics against the emulator', () => {
  let t: TestEmulator;
  let tc: TestCloud | undefined;
  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(async () => {
    tc?.cloud.close();
    tc = undefined;
    await t.close();
  });

  it('counts calls and errors by code and observes latency, per product and action', async () => {
    tc = cloudFor(t);
    t.emu.setFaults({ DescribeVpcs: { code: 'Throttling.User', times: 1 } });
    await tc.cloud.vpc.describeVpcs();
    await assert.rejects(tc.cloud.slb.deleteLoadBalancer('lb-doesnotexist'));

    const vpc = { product: 'Vpc', action: 'DescribeVpcs' };
    assert.equal(
      await counterValue(tc.registry, 'alicloud_api_calls_total', { ...vpc, code: 'Throttling.User' }),
      1,
    );
    assert.equal(await counterValue(tc.registry, 'alicloud_api_calls_total', { ...vpc, code: 'Success' }), 1);
    assert.equal(
      await counterValue(tc.registry, 'alicloud_api_errors_total', { ...vpc, code: 'Throttling.User' }),
      1,
    );
    assert.equal(
      await counterValue(tc.registry, 'alicloud_api_errors_total', {
        product: 'Slb',
        action: 'DeleteLoadBalancer',
        code: 'InvalidLoadBalancerId.NotFound',
      }),
      1,
    );
    assert.equal(
      await counterValue(tc.registry, 'alicloud_api_errors_total', { ...vpc, code: 'Success' }),
      0,
    );

    const text = await tc.registry.metrics();
    assert.match(
      text,
      /alicloud_api_request_duration_seconds_count\{product="Vpc",action="DescribeVpcs"\} 2/,
    );
    assert.match(
      text,
      /alicloud_api_request_duration_seconds_count\{product="Slb",action="DeleteLoadBalancer"\} 1/,
    );
    assert.match(
      text,
      /alicloud_api_request_duration_seconds_bucket\{le="\+Inf",product="Vpc",action="DescribeVpcs"\} 2/,
    );
  });
});
