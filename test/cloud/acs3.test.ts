// The ACS3-HMAC-SHA256 signer against the vectors captured from the vendored Go client
// (data/alicloud-api/SIGNATURE.md 7.3): if any byte of the canonical form drifts, these fail.
import assert from 'node:assert/strict';
import {
  canonicalQueryString,
  formEncode,
  sha256Hex,
  signAcs3,
  type Acs3Input,
} from '../../src/cloud/acs3.js';

const BODY_PARAMS = {
  AddressType: 'Intranet',
  ClientToken: 'tok-1',
  'DeletionProtectionConfig.Enabled': 'true',
  DryRun: 'false',
  LoadBalancerName: 'k8s lb*~é+',
  'Tag.1.Key': 'kubernetes.do.not.delete',
  'Tag.1.Value': 'a b',
  VpcId: 'vpc-1',
  'ZoneMappings.1.VSwitchId': 'vsw-1',
  'ZoneMappings.1.ZoneId': 'cn-hangzhou-h',
  'ZoneMappings.2.VSwitchId': 'vsw-2',
  'ZoneMappings.2.ZoneId': 'cn-hangzhou-i',
};
const BODY =
  'AddressType=Intranet&ClientToken=tok-1&DeletionProtectionConfig.Enabled=true&DryRun=false&LoadBalancerName=k8s+lb%2A~%C3%A9%2B&Tag.1.Key=kubernetes.do.not.delete&Tag.1.Value=a+b&VpcId=vpc-1&ZoneMappings.1.VSwitchId=vsw-1&ZoneMappings.1.ZoneId=cn-hangzhou-h&ZoneMappings.2.VSwitchId=vsw-2&ZoneMappings.2.ZoneId=cn-hangzhou-i';

const BASE = {
  method: 'POST',
  host: 'nlb-vpc.cn-hangzhou.aliyuncs.com',
  version: '2022-04-30',
  accessKeyId: 'testid',
  accessKeySecret: 'testsecret',
  date: '2026-12-02T10:06:31Z',
};

function signature(input: Acs3Input): string {
  return /Signature=([0-9a-f]+)$/.exec(signAcs3(input).authorization!)![1]!;
}

describe('ACS3-HMAC-SHA256 signer', () => {
  it('form-encodes a body byte for byte as the Go client does', () => {
    assert.equal(formEncode(BODY_PARAMS), BODY);
    assert.equal(sha256Hex(BODY), '217547593e479e453f3a3054dcb4d96e03070b5355e5cf88447b21a59de8b6aa');
  });

  it('vector A: AK, CreateLoadBalancer with a form body', () => {
    const input: Acs3Input = {
      ...BASE,
      action: 'CreateLoadBalancer',
      query: {},
      body: BODY,
      contentType: 'application/x-www-form-urlencoded',
      nonce: '5a261ea7d603886236baae100e4119a3',
    };
    const headers = signAcs3(input);
    assert.equal(signature(input), '9df461f4b89db39d91be21ae363142882a6e1068c890f943e117d508eddfb4f9');
    assert.match(
      headers.authorization!,
      /^ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=/,
    );
    assert.equal(headers['x-acs-credentials-provider'], 'static_ak');
  });

  it('vector B: AK, ListLoadBalancers with a query and no body', () => {
    const query = {
      'LoadBalancerNames.1': 'k8s lb*~é+',
      MaxResults: '100',
      'Tag.1.Key': 'k',
      'Tag.1.Value': 'v',
    };
    assert.equal(
      canonicalQueryString(query),
      'LoadBalancerNames.1=k8s%20lb%2A~%C3%A9%2B&MaxResults=100&Tag.1.Key=k&Tag.1.Value=v',
    );
    assert.equal(
      formEncode(query),
      'LoadBalancerNames.1=k8s+lb%2A~%C3%A9%2B&MaxResults=100&Tag.1.Key=k&Tag.1.Value=v',
    );
    const input: Acs3Input = {
      ...BASE,
      action: 'ListLoadBalancers',
      query,
      body: '',
      nonce: '7273aa91f399e023a666b52ab0bc88db',
    };
    assert.equal(signature(input), '1dab1cdfff76ddc34ae04b7b10c849ae860e3fcbd30be9c08f24ad8816551d8d');
    assert.equal(signAcs3(input)['content-type'], undefined);
  });

  it('vector C: STS credentials sign the key id and token headers', () => {
    const input: Acs3Input = {
      ...BASE,
      action: 'CreateLoadBalancer',
      query: {},
      body: BODY,
      contentType: 'application/x-www-form-urlencoded',
      securityToken: 'tok en/+=',
      nonce: '688eeed276646ba21e0e72b7abab7af7',
    };
    const headers = signAcs3(input);
    assert.equal(signature(input), '80adcaf984c024036ce6dcb60f4191c2fadf56e7bd06974808fd3010f9f78077');
    assert.equal(headers['x-acs-credentials-provider'], 'static_sts');
    assert.equal(headers['x-acs-security-token'], 'tok en/+=');
  });

  it('changes the signature when any signed part changes', () => {
    const input: Acs3Input = {
      ...BASE,
      action: 'ListLoadBalancers',
      query: { MaxResults: '100' },
      body: '',
      nonce: 'a'.repeat(32),
    };
    const sig = signature(input);
    assert.notEqual(signature({ ...input, query: { MaxResults: '99' } }), sig);
    assert.notEqual(signature({ ...input, host: 'nlb.cn-hangzhou.aliyuncs.com' }), sig);
    assert.notEqual(signature({ ...input, accessKeySecret: 'other' }), sig);
  });
});
