import { strict as assert } from 'node:assert';
import { canonicalQuery, computeSignature, percentEncode } from '../../../emulators/alicloud/signature.js';

// The three vectors of data/alicloud-api/SIGNATURE.md §3 (secret "testsecret").
const SLB_BASE: Record<string, string> = {
  AccessKeyId: 'testid',
  Action: 'CreateLoadBalancer',
  AddressType: 'intranet',
  Format: 'JSON',
  LoadBalancerName: 'k8s lb*~é+',
  RegionId: 'cn-hangzhou',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: 'e8c4f2e7cc191935c0af1342a10133d6',
  SignatureType: '',
  SignatureVersion: '1.0',
  'Tag.1.Key': 'kubernetes.do.not.delete',
  'Tag.1.Value': 'a b',
  Timestamp: '2026-11-23T08:43:18Z',
  Version: '2014-05-15',
};

describe('emulator/alicloud signature', () => {
  it("reproduces Alibaba's published DescribeRegions example (GET)", () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    assert.equal(computeSignature('GET', params, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('reproduces the Go SDK AccessKey capture (POST, empty SignatureType, UTF-8 and reserved characters)', () => {
    assert.equal(computeSignature('POST', SLB_BASE, 'testsecret'), 'opoCA2EIm6WS26WQjS46XtJodyY=');
    assert.ok(
      canonicalQuery(SLB_BASE).startsWith(
        'AccessKeyId=testid&Action=CreateLoadBalancer&AddressType=intranet&Format=JSON&LoadBalancerName=k8s%20lb%2A~%C3%A9%2B&',
      ),
    );
  });

  it('reproduces the Go SDK STS capture', () => {
    const params = {
      ...SLB_BASE,
      SecurityToken: 'tok en/+=',
      SignatureNonce: '03ec2c5629ef558aa29e35ca2bf6871b',
    };
    assert.equal(computeSignature('POST', params, 'testsecret'), 'rKZuHxjOqgJqJ2Lwb/O3pLqbj3Y=');
  });

  it('ignores Signature itself and depends on every other byte', () => {
    const sig = computeSignature('POST', SLB_BASE, 'testsecret');
    assert.equal(computeSignature('POST', { ...SLB_BASE, Signature: 'whatever' }, 'testsecret'), sig);
    assert.notEqual(computeSignature('GET', SLB_BASE, 'testsecret'), sig);
    assert.notEqual(computeSignature('POST', { ...SLB_BASE, AddressType: 'internet' }, 'testsecret'), sig);
    assert.notEqual(computeSignature('POST', SLB_BASE, 'testsecret2'), sig);
  });

  it('percent-encodes per RFC 3986 (space %20, * %2A, ~ literal)', () => {
    assert.equal(percentEncode("a b*~!'()é"), 'a%20b%2A~%21%27%28%29%C3%A9');
  });
});
