// Where each product's API lives. The CCM default network is "vpc", which resolves every region
// to `<code>-vpc.<region>.aliyuncs.com` over HTTPS (data/alicloud-api/endpoints.json). Config
// and the ECS_ENDPOINT/VPC_ENDPOINT/SLB_ENDPOINT/NLB_ENDPOINT variables override it, either as a bare host
// (the CCM's historical form) or as a full URL, which is how tests point at the emulator.
import type { ProductName } from './errors.js';

export const PRODUCTS: Record<ProductName, { code: string; version: string; env: string }> = {
  Ecs: { code: 'ecs', version: '2014-05-26', env: 'ECS_ENDPOINT' },
  Vpc: { code: 'vpc', version: '2016-04-28', env: 'VPC_ENDPOINT' },
  Slb: { code: 'slb', version: '2014-05-15', env: 'SLB_ENDPOINT' },
  // The Tea client's rule `<product>-<network>.<region>.aliyuncs.com` gives the same host shape.
  Nlb: { code: 'nlb', version: '2022-04-30', env: 'NLB_ENDPOINT' },
};

export interface EndpointOverrides {
  ecs?: string;
  vpc?: string;
  slb?: string;
  nlb?: string;
}

/** Normalise a host or URL to `scheme://host[:port][/path]` without a trailing slash. */
export function normalizeEndpoint(value: string, defaultScheme: 'https' | 'http' = 'https'): string {
  const v = value.trim();
  if (v === '') throw new Error('empty endpoint');
  const withScheme = /^https?:\/\//i.test(v) ? v : `${defaultScheme}://${v}`;
  const url = new URL(withScheme);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function defaultEndpoint(
  product: ProductName,
  region: string,
  scheme: 'https' | 'http' = 'https',
): string {
  return `${scheme}://${PRODUCTS[product].code}-vpc.${region}.aliyuncs.com`;
}

/** Config wins over env, env over the regional default. */
export function resolveEndpoint(
  product: ProductName,
  region: string,
  overrides: EndpointOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): string {
  // ALICLOUD_CLIENT_SCHEME=HTTP is the CCM's switch for clusters behind an HTTP-only proxy.
  const scheme = (env.ALICLOUD_CLIENT_SCHEME ?? '').toUpperCase() === 'HTTP' ? 'http' : 'https';
  const key = product.toLowerCase() as keyof EndpointOverrides;
  const configured = overrides[key] ?? env[PRODUCTS[product].env];
  if (configured && configured.trim() !== '') return normalizeEndpoint(configured, scheme);
  return defaultEndpoint(product, region, scheme);
}
