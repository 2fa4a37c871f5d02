import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PRODUCTS, resolveEndpoint } from '../../src/cloud/endpoints.js';

describe('endpoint resolution', () => {
  it('defaults to the regional VPC endpoint over HTTPS', () => {
    assert.equal(resolveEndpoint('Ecs', 'cn-hangzhou', {}, {}), 'https://ecs-vpc.cn-hangzhou.aliyuncs.com');
    assert.equal(
      resolveEndpoint('Slb', 'ap-southeast-1', {}, {}),
      'https://slb-vpc.ap-southeast-1.aliyuncs.com',
    );
    assert.equal(
      resolveEndpoint('Vpc', 'cn-beijing', {}, { ALICLOUD_CLIENT_SCHEME: 'HTTP' }),
      'http://vpc-vpc.cn-beijing.aliyuncs.com',
    );
  });

  it('takes env overrides as a bare host or a full URL, and config over env', () => {
    assert.equal(
      resolveEndpoint('Ecs', 'cn-hangzhou', {}, { ECS_ENDPOINT: 'ecs.example.internal' }),
      'https://ecs.example.internal',
    );
    assert.equal(
      resolveEndpoint('Vpc', 'cn-hangzhou', {}, { VPC_ENDPOINT: 'http://127.0.0.1:4567/' }),
      'http://127.0.0.1:4567',
    );
    assert.equal(
      resolveEndpoint(
        'Slb',
        'cn-hangzhou',
        { slb: 'http://127.0.0.1:1/prefix/' },
        { SLB_ENDPOINT: 'ignored.example' },
      ),
      'http://127.0.0.1:1/prefix',
    );
  });

  it('agrees with the vendored endpoint data on product codes and versions', () => {
    const data = JSON.parse(readFileSync('data/alicloud-api/endpoints.json', 'utf8')) as {
      products: Record<
        string,
        {
          code: string;
          version: string;
          ccm?: { endpointOverrideEnv?: string };
          examples?: { vpc?: Record<string, string> };
        }
      >;
      ccm: { endpointOverrideEnv: string[] };
    };
    for (const [name, p] of Object.entries(PRODUCTS)) {
      const product = data.products[name]!;
      assert.equal(p.code, product.code);
      assert.equal(p.version, product.version);
      // The classic products share one list; the Tea-style Nlb names its variable itself.
      const envs = [...data.ccm.endpointOverrideEnv, product.ccm?.endpointOverrideEnv];
      assert.ok(envs.includes(p.env), `${name}: ${p.env}`);
      for (const [region, host] of Object.entries(product.examples?.vpc ?? {}))
        assert.equal(resolveEndpoint(name as keyof typeof PRODUCTS, region, {}, {}), `https://${host}`);
    }
  });

  it('resolves Nlb like the CCM: nlb-vpc by default, NLB_ENDPOINT or config to override', () => {
    assert.equal(resolveEndpoint('Nlb', 'cn-hangzhou', {}, {}), 'https://nlb-vpc.cn-hangzhou.aliyuncs.com');
    assert.equal(
      resolveEndpoint('Nlb', 'cn-hangzhou', {}, { NLB_ENDPOINT: 'http://127.0.0.1:4567' }),
      'http://127.0.0.1:4567',
    );
    assert.equal(
      resolveEndpoint(
        'Nlb',
        'cn-hangzhou',
        { nlb: 'nlb.cn-hangzhou.aliyuncs.com' },
        { NLB_ENDPOINT: 'ignored' },
      ),
      'https://nlb.cn-hangzhou.aliyuncs.com',
    );
  });
});
