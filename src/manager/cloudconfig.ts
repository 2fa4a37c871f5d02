// The cloud-config file: `{ Global: { ... } }` in YAML or JSON, keys matched case-insensitively
// (as the official CCM's JSON decoding does). Validated with zod; the first problem becomes one
// line naming the field, e.g. `--cloud-config: Global.routeTableIDs: ...`. AccessKeys are
// base64-encoded in this file (official CCM convention) and are decoded and registered as secrets.
// An empty string is the same as an absent key (Go's zero value: the official CCM's own
// deploy/cloud-config.json has `"KubernetesClusterTag": ""`). Keys the official CCM knows but that
// change nothing here are accepted and listed in `ignored`, one warning line each.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { registerSecret } from '../util/secrets.js';

export class CloudConfigError extends Error {
  override name = 'CloudConfigError';
}

const idList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'ids may contain only letters, digits, "_", "-", ".", ":"'),
    ),
  );

// `reusableLoadBalancers`: a comma-separated string or a YAML list of `lb-x` / `lb-x/namespace`.
const reuseList = z
  .union([z.string().transform((s) => s.split(',')), z.array(z.string())])
  .transform((items) => items.map((x) => x.trim()).filter(Boolean))
  .pipe(
    z.array(
      z
        .string()
        .regex(
          /^lb-[A-Za-z0-9-]+(\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/,
          'entries are "lb-<id>" or "lb-<id>/<namespace>"',
        ),
    ),
  );

const endpoint = z
  .string()
  .min(1)
  .regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?(\/.*)?$/, 'must be a host or http(s) URL');
const qps = z.number().positive().max(10_000);

const GlobalSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must look like a region id, e.g. cn-hangzhou')
      .optional(),
    zoneid: z.string().min(1).optional(),
    vpcid: z
      .string()
      .regex(/^vpc-[A-Za-z0-9]+$/, 'must look like vpc-xxxx')
      .optional(),
    vswitchid: z.string().min(1).optional(),
    routetableids: idList.optional(),
    routerid: z.string().min(1).optional(),
    clusterid: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and "-", at most 64')
      .optional(),
    accesskeyid: z.string().min(1).optional(),
    accesskeysecret: z.string().min(1).optional(),
    resourcegroupid: z.string().min(1).optional(),
    kubernetesclustertag: z.string().min(1).optional(),
    servicebackendtype: z.enum(['ecs', 'eni']).optional(),
    disablepublicslb: z.boolean().optional(),
    reusableloadbalancers: reuseList.optional(),
    servicemaxconcurrentreconciles: z.number().int().positive().optional(),
    nodemaxconcurrentreconciles: z.number().int().positive().optional(),
    routemaxconcurrentreconciles: z.number().int().positive().optional(),
    featuregates: z.string().optional(),
    metadataendpoint: endpoint.optional(),
    endpoints: z
      .object({
        ecs: endpoint.optional(),
        vpc: endpoint.optional(),
        slb: endpoint.optional(),
        nlb: endpoint.optional(),
      })
      .strict()
      .optional(),
    qps: z
      .union([
        qps,
        z
          .object({ ecs: qps.optional(), vpc: qps.optional(), slb: qps.optional(), nlb: qps.optional() })
          .strict(),
      ])
      .optional(),
    actionqps: z
      .union([
        qps,
        z
          .object({ ecs: qps.optional(), vpc: qps.optional(), slb: qps.optional(), nlb: qps.optional() })
          .strict(),
      ])
      .optional(),
    uid: z.string().optional(),
    nodemonitorperiod: z.number().int().nonnegative().optional(),
    nodeaddrsyncperiod: z.number().int().nonnegative().optional(),
    privatezoneid: z.string().optional(),
    privatezonerecordttl: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Canonical (documented) spelling of each key, for error messages. */
const SPELLING: Record<string, string> = {
  zoneid: 'zoneID',
  vpcid: 'vpcID',
  vswitchid: 'vswitchID',
  routetableids: 'routeTableIDs',
  routerid: 'routerID',
  clusterid: 'clusterID',
  accesskeyid: 'accessKeyID',
  accesskeysecret: 'accessKeySecret',
  resourcegroupid: 'resourceGroupID',
  kubernetesclustertag: 'kubernetesClusterTag',
  servicebackendtype: 'serviceBackendType',
  disablepublicslb: 'disablePublicSLB',
  reusableloadbalancers: 'reusableLoadBalancers',
  servicemaxconcurrentreconciles: 'serviceMaxConcurrentReconciles',
  nodemaxconcurrentreconciles: 'nodeMaxConcurrentReconciles',
  routemaxconcurrentreconciles: 'routeMaxConcurrentReconciles',
  featuregates: 'featureGates',
  metadataendpoint: 'metadataEndpoint',
  actionqps: 'actionQps',
  nodemonitorperiod: 'nodeMonitorPeriod',
  nodeaddrsyncperiod: 'nodeAddrSyncPeriod',
  privatezoneid: 'privateZoneId',
  privatezonerecordttl: 'privateZoneRecordTTL',
};

/** Official CCM keys that are accepted and change nothing here, with the reason. */
const NO_EFFECT: Record<string, string> = {
  uid: 'the service-token (assume-role) mode is ACK-internal; the AccessKey is used as it is',
  nodemonitorperiod: 'the official CCM does not use it either; the period is --node-monitor-period',
  nodeaddrsyncperiod:
    'the official CCM does not use it either; addresses are refreshed every --node-monitor-period',
  privatezoneid: 'the PrivateZone (pvtz) controller is not implemented here',
  privatezonerecordttl: 'the PrivateZone (pvtz) controller is not implemented here',
};

/** Aliases accepted in the file → canonical lower-case key. */
const ALIASES: Record<string, string> = {
  zone: 'zoneid',
  vpc: 'vpcid',
  vswitch: 'vswitchid',
  routetableid: 'routetableids',
  vrouterid: 'routerid',
};

export interface CloudFileConfig {
  region?: string;
  zoneId?: string;
  vpcId?: string;
  /** Raw vswitch value: `vsw-1` or `zone1:vsw-1,zone2:vsw-2`. */
  vswitchId?: string;
  routeTableIds?: string[];
  routerId?: string;
  clusterId?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  resourceGroupId?: string;
  kubernetesClusterTag?: string;
  serviceBackendType?: 'ecs' | 'eni';
  disablePublicSlb?: boolean;
  /** Hand-made SLBs Services may reuse: `lb-x` (every namespace) or `lb-x/namespace`. */
  reusableLoadBalancers?: string[];
  serviceMaxConcurrentReconciles?: number;
  nodeMaxConcurrentReconciles?: number;
  routeMaxConcurrentReconciles?: number;
  featureGates?: Record<string, boolean>;
  metadataEndpoint?: string;
  endpoints?: { ecs?: string; vpc?: string; slb?: string; nlb?: string };
  qps?: { ecs?: number; vpc?: number; slb?: number; nlb?: number };
  /** Per-action pacing (the cloud throttles each API on its own). */
  actionQps?: { ecs?: number; vpc?: number; slb?: number; nlb?: number };
  /** Warning lines for keys that were given and have no effect here. */
  ignored?: string[];
}

export function loadCloudConfig(path: string): CloudFileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CloudConfigError(`--cloud-config: cannot read "${path}"`);
  }
  return parseCloudConfig(text);
}

export function parseCloudConfig(text: string): CloudFileConfig {
  let doc: unknown;
  try {
    doc = text.trim() ? parseYaml(text) : {};
  } catch (err) {
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new CloudConfigError(`--cloud-config: not valid YAML/JSON${line ? ` (line ${line})` : ''}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new CloudConfigError('--cloud-config: top level must be a mapping with a Global section');
  const top = lowerKeys(doc as Record<string, unknown>);
  for (const k of Object.keys(top))
    if (k !== 'global')
      throw new CloudConfigError(`--cloud-config: unknown section "${k}" (expected Global)`);
  const rawGlobal = top.global ?? {};
  if (typeof rawGlobal !== 'object' || Array.isArray(rawGlobal) || rawGlobal === null)
    throw new CloudConfigError('--cloud-config: Global: must be a mapping');
  const g = lowerKeys(rawGlobal as Record<string, unknown>, ALIASES);
  for (const [k, v] of Object.entries(g)) if (v === '') delete g[k];
  const parsed = GlobalSchema.safeParse(g);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path =
      issue.code === 'unrecognized_keys'
        ? [...issue.path.map(String), String(issue.keys[0])]
        : issue.path.map(String);
    const key = path[0] ?? '';
    // An unknown field is named as the user spelled it (keys were lower-cased for matching).
    const asWritten = Object.keys(rawGlobal).find((k) => k.toLowerCase() === key);
    const field = [SPELLING[key] ?? asWritten ?? key, ...path.slice(1)].join('.');
    const what = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    throw new CloudConfigError(`--cloud-config: Global.${field}: ${what}`);
  }
  const v = parsed.data;
  const out: CloudFileConfig = {
    region: v.region,
    zoneId: v.zoneid,
    vpcId: v.vpcid,
    vswitchId: v.vswitchid,
    routeTableIds: v.routetableids,
    routerId: v.routerid,
    clusterId: v.clusterid,
    accessKeyId: v.accesskeyid === undefined ? undefined : decodeKey('accessKeyID', v.accesskeyid),
    accessKeySecret:
      v.accesskeysecret === undefined ? undefined : decodeKey('accessKeySecret', v.accesskeysecret),
    resourceGroupId: v.resourcegroupid,
    kubernetesClusterTag: v.kubernetesclustertag,
    serviceBackendType: v.servicebackendtype,
    disablePublicSlb: v.disablepublicslb,
    reusableLoadBalancers: v.reusableloadbalancers,
    serviceMaxConcurrentReconciles: v.servicemaxconcurrentreconciles,
    nodeMaxConcurrentReconciles: v.nodemaxconcurrentreconciles,
    routeMaxConcurrentReconciles: v.routemaxconcurrentreconciles,
    featureGates: v.featuregates === undefined ? undefined : parseFeatureGates(v.featuregates),
    metadataEndpoint: v.metadataendpoint,
    endpoints: v.endpoints,
    qps: typeof v.qps === 'number' ? { ecs: v.qps, vpc: v.qps, slb: v.qps, nlb: v.qps } : v.qps,
    actionQps:
      typeof v.actionqps === 'number'
        ? { ecs: v.actionqps, vpc: v.actionqps, slb: v.actionqps, nlb: v.actionqps }
        : v.actionqps,
    ignored: Object.keys(NO_EFFECT)
      .filter((k) => v[k as keyof typeof v] !== undefined)
      .map((k) => `cloud-config Global.${SPELLING[k] ?? k} has no effect here: ${NO_EFFECT[k]}`),
  };
  if (out.ignored!.length === 0) delete out.ignored;
  if ((out.accessKeyId === undefined) !== (out.accessKeySecret === undefined)) {
    throw new CloudConfigError(
      `--cloud-config: Global.${out.accessKeyId === undefined ? 'accessKeyID' : 'accessKeySecret'}: required when the other AccessKey field is set`,
    );
  }
  for (const k of Object.keys(out) as Array<keyof CloudFileConfig>) if (out[k] === undefined) delete out[k];
  return out;
}

function lowerKeys(
  obj: Record<string, unknown>,
  aliases: Record<string, string> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const lower = k.toLowerCase();
    out[aliases[lower] ?? lower] = v;
  }
  return out;
}

function decodeKey(field: string, value: string): string {
  registerSecret(value);
  const compact = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new CloudConfigError(`--cloud-config: Global.${field}: must be base64-encoded`);
  }
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  if (!decoded || !/^[\x21-\x7e]+$/.test(decoded))
    throw new CloudConfigError(`--cloud-config: Global.${field}: base64 does not decode to an AccessKey`);
  registerSecret(decoded);
  return decoded;
}

function parseFeatureGates(text: string): Record<string, boolean> {
  const gates: Record<string, boolean> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9]+)=(true|false)$/i.exec(part);
    if (!m)
      throw new CloudConfigError(`--cloud-config: Global.featureGates: "${part}" is not Name=true|false`);
    gates[m[1]!] = m[2]!.toLowerCase() === 'true';
  }
  return gates;
}
