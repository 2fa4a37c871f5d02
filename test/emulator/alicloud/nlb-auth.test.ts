// The emulator's Nlb gateway: ACS3 and classic v1 signatures, checked with the vectors captured
// from the vendored Go client (SIGNATURE.md 7.3, 7.4), and every way a request can be refused.
import assert from 'node:assert/strict';
import { startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { lbParams, nlbCall, send } from './nlb-raw.js';

const VECTOR_HOST = 'nlb-vpc.cn-hangzhou.aliyuncs.com';
const VECTOR_DATE = '2026-12-02T10:06:31Z';
const BODY =
  'AddressType=Intranet&ClientToken=tok-1&DeletionProtectionConfig.Enabled=true&DryRun=false&LoadBalancerName=k8s+lb%2A~%C3%A9%2B&Tag.1.Key=kubernetes.do.not.delete&Tag.1.Value=a+b&VpcId=vpc-1&ZoneMappings.1.VSwitchId=vsw-1&ZoneMappings.1.ZoneId=cn-hangzhou-h&ZoneMappings.2.VSwitchId=vsw-2&ZoneMappings.2.ZoneId=cn-hangzhou-i';
const BODY_SHA = '217547593e479e453f3a3054dcb4d96e03070b5355e5cf88447b21a59de8b6aa';
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function acs3Headers(
  action: string,
  nonce: string,
  signed: string,
  signature: string,
  extra: Record<string, string> = {},
) {
  return {
    host: VECTOR_HOST,
    'x-acs-action': action,
    'x-acs-version': '2022-04-30',
    'x-acs-date': VECTOR_DATE,
    'x-acs-signature-nonce': nonce,
    accept: 'application/json',
    ...extra,
    authorization: `ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=${signed},Signature=${signature}`,
  };
}
const SIGNED_A =
  'content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version';

describe('emulator: Nlb signatures', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await startTestEmulator({ accessKeyId: 'testid', accessKeySecret: 'testsecret' });
    // The vectors were signed at a fixed time; widen the clock-skew window to replay them.
    t.emu.state.config.timestampSkewMs = 50 * 365 * 24 * 3600 * 1000;
  });
  afterEach(() => t.close());

  // vpc-1 does not exist in the emulator: reaching that error proves the signature was accepted.
  const accepted = (res: { status: number; body: Record<string, unknown> }) => {
    assert.equal(res.body.Code, 'ResourceNotFound.vpc', JSON.stringify(res.body));
    assert.equal(res.status, 404);
  };

  it('accepts vector A (ACS3, AK, body) and rejects it once the body changes', async () => {
    const headers = acs3Headers(
      'CreateLoadBalancer',
      '5a261ea7d603886236baae100e4119a3',
      SIGNED_A,
      '9df461f4b89db39d91be21ae363142882a6e1068c890f943e117d508eddfb4f9',
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-acs-content-sha256': BODY_SHA,
        'x-acs-credentials-provider': 'static_ak',
      },
    );
    const tampered = await send(t.url, '/', headers, BODY.replace('vpc-1', 'vpc-2'));
    assert.equal(tampered.body.Code, 'SignatureDoesNotMatch');
    accepted(await send(t.url, '/', headers, BODY));
    const replay = await send(t.url, '/', headers, BODY);
    assert.equal(replay.body.Code, 'SignatureNonceUsed');
  });

  it('accepts vector B (ACS3, query only) and answers the listing', async () => {
    const headers = acs3Headers(
      'ListLoadBalancers',
      '7273aa91f399e023a666b52ab0bc88db',
      'host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version',
      '1dab1cdfff76ddc34ae04b7b10c849ae860e3fcbd30be9c08f24ad8816551d8d',
      { 'x-acs-content-sha256': EMPTY_SHA, 'x-acs-credentials-provider': 'static_ak' },
    );
    const res = await send(
      t.url,
      '/?LoadBalancerNames.1=k8s+lb%2A~%C3%A9%2B&MaxResults=100&Tag.1.Key=k&Tag.1.Value=v',
      headers,
      '',
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.LoadBalancers, []);
    assert.equal(res.body.Code, undefined);
  });

  it('accepts vector C (ACS3 with STS headers signed)', async () => {
    const signed =
      'content-type;host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version';
    const headers = acs3Headers(
      'CreateLoadBalancer',
      '688eeed276646ba21e0e72b7abab7af7',
      signed,
      '80adcaf984c024036ce6dcb60f4191c2fadf56e7bd06974808fd3010f9f78077',
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-acs-content-sha256': BODY_SHA,
        'x-acs-credentials-provider': 'static_sts',
        'x-acs-accesskey-id': 'testid',
        'x-acs-security-token': 'tok en/+=',
      },
    );
    accepted(await send(t.url, '/', headers, BODY));
  });

  for (const [name, nonce, token, signature] of [
    ['D (v1, AK)', '4cdf3adca363450a80ee6699ae77aed7', undefined, 'Oz+EKOD1uIkr5M/p8IU9MYlwKio='],
    ['E (v1, STS)', '33997780d0e7772d85ce0b91b65edf80', 'tok en/+=', 'cG8NKkJUN3vUHZwaSCA2qK0FRuk='],
  ] as const) {
    it(`accepts vector ${name}: query signed together with the form body`, async () => {
      const q = new URLSearchParams({
        Action: 'CreateLoadBalancer',
        Format: 'json',
        Version: '2022-04-30',
        Timestamp: VECTOR_DATE,
        SignatureNonce: nonce,
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        AccessKeyId: 'testid',
        ...(token ? { SecurityToken: token } : {}),
        Signature: signature,
      });
      const headers = {
        host: VECTOR_HOST,
        'content-type': 'application/x-www-form-urlencoded',
        'x-acs-action': 'CreateLoadBalancer',
        'x-acs-version': '2022-04-30',
      };
      const bad = await send(t.url, `/?${q.toString()}`, headers, BODY.replace('tok-1', 'tok-2'));
      assert.equal(bad.body.Code, 'SignatureDoesNotMatch');
      accepted(await send(t.url, `/?${q.toString()}`, headers, BODY));
    });
  }
});

describe('emulator: Nlb request checks', () => {
  let t: TestEmulator;
  beforeEach(async () => {
    t = await startTestEmulator();
  });
  afterEach(() => t.close());

  it('refuses a wrong secret, a different Host, an unsigned required header and a stale date', async () => {
    assert.equal(
      (await nlbCall(t, 'DescribeZones', {}, { secret: 'nope' })).body.Code,
      'SignatureDoesNotMatch',
    );
    // Signed for the emulator's host, delivered with another Host header.
    const moved = await nlbCall(
      t,
      'DescribeZones',
      {},
      { headers: { host: 'nlb-vpc.cn-hangzhou.aliyuncs.com' } },
    );
    assert.equal(moved.body.Code, 'SignatureDoesNotMatch');
    const partial = await nlbCall(
      t,
      'DescribeZones',
      {},
      {
        headers: {
          authorization: `ACS3-HMAC-SHA256 Credential=${t.accessKeyId},SignedHeaders=host;x-acs-action,Signature=${'0'.repeat(64)}`,
        },
      },
    );
    assert.equal(partial.body.Code, 'IncompleteSignature');
    const stale = await nlbCall(t, 'DescribeZones', {}, { date: '2020-01-01T00:00:00Z' });
    assert.equal(stale.body.Code, 'InvalidTimeStamp.Expired');
    assert.equal(
      (await nlbCall(t, 'DescribeZones', {}, { accessKeyId: 'LTAIunknown' })).body.Code,
      'InvalidAccessKeyId.NotFound',
    );
  });

  it('refuses an action or parameter the catalog does not have, and reads both query and body', async () => {
    const unknown = await nlbCall(t, 'CreateLoadBalancers', {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.Code, 'InvalidAction.NotFound');
    const param = await nlbCall(t, 'CreateLoadBalancer', lbParams(t, { Bandwidth: '5' }));
    assert.equal(param.body.Code, 'InvalidParameter');
    assert.match(String(param.body.Message), /Bandwidth/);
    // A body-position parameter sent in the query (as pop-core would) still counts.
    const body = lbParams(t);
    delete body.LoadBalancerName;
    const split = await nlbCall(t, 'CreateLoadBalancer', body, { query: { LoadBalancerName: 'from-query' } });
    assert.equal(split.status, 200, JSON.stringify(split.body));
    const id = String(split.body.LoadbalancerId);
    assert.equal(t.emu.state.nlb.loadBalancers[id]?.LoadBalancerName, 'from-query');
  });

  it('answers errors in the real shape with RequestId, HostId and Code', async () => {
    const res = await nlbCall(
      t,
      'GetLoadBalancerAttribute',
      {},
      { query: { LoadBalancerId: 'nlb-missing' } },
    );
    assert.equal(res.status, 404);
    assert.equal(res.body.Code, 'ResourceNotFound.loadBalancer');
    assert.equal(res.body.HostId, 'nlb.aliyuncs.com');
    assert.equal(typeof res.body.RequestId, 'string');
  });
});
