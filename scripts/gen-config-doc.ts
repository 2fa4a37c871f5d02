// Writes docs/configuration.md (`npm run docs:config`) from the code's own definitions:
//   - flags: the manager's commander command (src/manager/flags.ts buildCommand), names,
//     arguments, defaults and help text as the binary prints them;
//   - environment variables: every name the manager/cloud/kube code reads (found in the source),
//     each with a description from ENV below — an undocumented or vanished name is an error;
//   - cloud-config fields: the keys of the zod schema in src/manager/cloudconfig.ts, with the
//     documented spelling, each with a description from FIELDS below — same rule.
// test/docs/config-doc.test.ts fails when docs/configuration.md differs from this output.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCommand, parseFlags } from '../src/manager/flags.js';
import { ALIASES, COMPAT_FLAGS } from '../src/manager/compat.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Environment variables of alicloud-controller-manager. */
const ENV: Record<string, string> = {
  ALIYUN_ACCESS_KEY:
    'AccessKey ID (kube-aliyun name; plain text). Used when the cloud-config has no AccessKey.',
  ALIYUN_ACCESS_KEY_SECRET:
    'AccessKey secret (kube-aliyun name). Required together with `ALIYUN_ACCESS_KEY`.',
  ALIYUN_REGION: 'Region id when the cloud-config has no `region` (then the metadata service is asked).',
  ALIYUN_VPC: 'VPC id when the cloud-config has no `vpcID` (then metadata `vpc-id`).',
  ALIYUN_VSWITCH:
    'vSwitch for intranet SLBs when the cloud-config has no `vswitchID` (then metadata `vswitch-id`).',
  ALIYUN_ZONE:
    "Zone when the cloud-config has no `zoneID` (then metadata `zone-id`); the disk provisioner's default zone.",
  ALIYUN_ROUTER: 'VRouter id: its route tables receive pod routes when no table is configured (kube-aliyun).',
  ALIYUN_ROUTE_TABLE:
    'Route table id(s), comma-separated, when the cloud-config has no `routeTableIDs` (kube-aliyun).',
  ALIYUN_NODE_NAME_TYPE:
    '`auto` (default), `private-ip`, `hostname` or `instance-id`: how a Node without providerID is matched to an instance. `auto` tries the node name as an instance id, then as a private IP, then as a hostname, so it also matches the Nodes kube-aliyun matched by private IP.',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'AccessKey ID in the credential chain (Alibaba Cloud SDK name).',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'AccessKey secret in the credential chain (Alibaba Cloud SDK name).',
  ACCESS_KEY_ID: 'AccessKey ID in the credential chain (official CCM name).',
  ACCESS_KEY_SECRET: 'AccessKey secret in the credential chain (official CCM name).',
  ALICLOUD_CREDENTIALS_DIR:
    'Directory of mounted credential files, re-read when they change (e.g. a projected Secret).',
  ALICLOUD_REGION: 'Region for the cloud client when no other source gave one.',
  ALIBABA_CLOUD_REGION_ID: 'Same as `ALICLOUD_REGION` (Alibaba Cloud SDK name).',
  ALICLOUD_CLIENT_SCHEME: '`HTTP` talks plain HTTP to the API endpoints (default HTTPS).',
  ECS_ENDPOINT: 'ECS API endpoint override: a host (`ecs-vpc.cn-hangzhou.aliyuncs.com`) or a URL.',
  VPC_ENDPOINT: 'VPC API endpoint override, as `ECS_ENDPOINT`.',
  SLB_ENDPOINT: 'SLB API endpoint override, as `ECS_ENDPOINT`.',
  NLB_ENDPOINT:
    'NLB API endpoint override, as `ECS_ENDPOINT` (default `nlb-vpc.<region>.aliyuncs.com`; calls are signed with ACS3-HMAC-SHA256).',
  METADATA_ENDPOINT: 'ECS metadata service base URL (default `http://100.100.100.200`).',
  KUBERNETES_SERVICE_HOST:
    'Set by Kubernetes in every Pod: the in-cluster API address used without `--kubeconfig`/`--master`.',
  KUBERNETES_SERVICE_PORT: 'Set by Kubernetes in every Pod, with `KUBERNETES_SERVICE_HOST`.',
  LOG_LEVEL: 'Default log level when `--log-level`/`--v` is not given.',
};

/** cloud-config `Global:` fields (lower-case schema key → description). */
const FIELDS: Record<string, string> = {
  region: 'Region id, e.g. `cn-hangzhou`. Default: `ALIYUN_REGION`, then the metadata service.',
  zoneid: 'Zone of the cluster; default zone for new disks. Default: `ALIYUN_ZONE`, then metadata.',
  vpcid: 'VPC of the cluster (`vpc-…`). Default: `ALIYUN_VPC`, then metadata.',
  vswitchid:
    'vSwitch(es) for intranet SLBs: `vsw-…` or `zone:vsw-…,zone:vsw-…`. Default: `ALIYUN_VSWITCH`, then metadata.',
  routetableids:
    "Route table id(s) for pod routes, comma-separated. Default: `ALIYUN_ROUTE_TABLE`, then the VRouter's tables, then the VPC's system table.",
  routerid:
    'VRouter whose tables receive pod routes (alternative to `routeTableIDs`). Default: `ALIYUN_ROUTER`.',
  clusterid:
    'Cluster id written into SLB, route and disk ownership tags and names. Default `clusterid`. Never change it on a running cluster.',
  accesskeyid: 'AccessKey ID, **base64-encoded** (official CCM convention). Prefer the Secret or a RAM role.',
  accesskeysecret: 'AccessKey secret, **base64-encoded**. Required together with `accessKeyID`.',
  resourcegroupid: 'Resource group for new SLBs.',
  kubernetesclustertag: 'ECS tag key for the IP-based instance lookup (official CCM: `ack.aliyun.com`).',
  servicebackendtype:
    '`ecs` or `eni`: the cluster-wide default SLB backend type (`eni`: pod IPs on Terway/ECI ENIs; see docs/service-load-balancers.md § "ENI backends").',
  disablepublicslb: '`true` refuses to create internet SLBs.',
  reusableloadbalancers:
    'Hand-made SLBs Services may name with the `loadbalancer-id` annotation: `lb-…` (every namespace) or `lb-…/<namespace>`, comma-separated or a list. Alternatively tag the SLB `kube-alicloud.io/reusable/<clusterID>` = `*` or `ns1,ns2`; see docs/service-load-balancers.md.',
  servicemaxconcurrentreconciles: 'Service workers (overrides `--concurrent-service-syncs`).',
  nodemaxconcurrentreconciles: 'Node controller workers.',
  routemaxconcurrentreconciles: 'Route controller workers.',
  featuregates: 'Feature gates, `Name=true,Other=false`.',
  metadataendpoint: 'Metadata service base URL (default `http://100.100.100.200`).',
  endpoints:
    'API endpoint overrides `{ ecs, vpc, slb, nlb }`, each a host or URL (as the `*_ENDPOINT` variables).',
  qps: 'Client-side rate limit for cloud API calls: one number, or `{ ecs, vpc, slb, nlb }`.',
  uid: 'Accepted (official CCM); no effect here: the ACK-internal service-token mode is not used. One warning at startup.',
  nodemonitorperiod:
    'Accepted (official CCM, unused there too); no effect: the period is `--node-monitor-period`. One warning at startup.',
  nodeaddrsyncperiod: 'Accepted (official CCM, unused there too); no effect. One warning at startup.',
  privatezoneid:
    'Accepted (official CCM pvtz controller); no effect: PrivateZone is not implemented. One warning at startup.',
  privatezonerecordttl: 'Accepted (official CCM pvtz controller); no effect. One warning at startup.',
  actionqps:
    'Client-side pacing of each API action on its own (the cloud throttles per API): one number, or `{ ecs, vpc, slb, nlb }`; unset = none. Keep `qps` high enough not to serialise independent actions.',
};

/** Env names the source reads: `env.NAME`, `env['NAME']`, and NAME literals in files that touch env. */
export function envNamesInCode(): string[] {
  const names = new Set<string>();
  const dirs = ['src/manager', 'src/cloud', 'src/kube', 'src/util', 'src/server', 'src/controllers'];
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  for (const file of dirs.flatMap((d) => walk(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    if (!/\benv\b/.test(text)) continue;
    for (const m of text.matchAll(/\benv(?:\?)?\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
    for (const m of text.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) names.add(m[1]!);
  }
  return [...names].filter((n) => !n.startsWith('KUBE_ALICLOUD_TEST_')).sort();
}

/** Schema keys and their documented spelling, read from src/manager/cloudconfig.ts. */
export function cloudConfigFieldsInCode(): Array<{ key: string; spelling: string }> {
  const text = readFileSync(join(ROOT, 'src/manager/cloudconfig.ts'), 'utf8');
  const schema = /const GlobalSchema = z\s*\.object\(\{([\s\S]*?)\n {2}\}\)\s*\.strict\(\)/.exec(text);
  if (!schema) throw new Error('cannot find GlobalSchema in src/manager/cloudconfig.ts');
  const keys = [...schema[1]!.matchAll(/^ {4}([a-z]+):/gm)].map((m) => m[1]!);
  const spellingBlock = /const SPELLING[^{]*\{([\s\S]*?)\n\};/.exec(text)?.[1] ?? '';
  const spelling = Object.fromEntries(
    [...spellingBlock.matchAll(/^\s+([a-z]+): '([^']+)'/gm)].map((m) => [m[1]!, m[2]!]),
  );
  return keys.map((key) => ({ key, spelling: spelling[key] ?? key }));
}

function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfigDoc(): string {
  const out: string[] = [];
  out.push('# Configuration reference');
  out.push('');
  out.push(
    '<!-- GENERATED by scripts/gen-config-doc.ts (npm run docs:config) from the code. Do not edit. -->',
  );
  out.push('');
  out.push('alicloud-controller-manager is configured by flags, a cloud-config file (`--cloud-config`) and');
  out.push('environment variables. Per setting the precedence is: flag > cloud-config > environment > ECS');
  out.push('metadata. Annotations on Services are in [annotations.md](annotations.md); the FlexVolume');
  out.push(
    "driver's settings in [volumes.md](volumes.md); hostroutes flags in [hostroutes.md](hostroutes.md).",
  );
  out.push('');
  out.push('## Flags');
  out.push('');
  out.push('Go-style spellings work too: `--flag=value`, `--flag value`, `--bool=false`, `-flag=value`.');
  out.push('');
  out.push('| Flag | Default | Description |');
  out.push('|---|---|---|');
  // Defaults applied after parsing (not commander defaults) come from parsing an empty argv.
  const parsed = parseFlags([]).flags!;
  const lateDefaults: Record<string, unknown> = {
    '--secure-port': parsed.serving.securePort,
    '--authorization-always-allow-paths': parsed.serving.alwaysAllowPaths.join(','),
    '--log-level': parsed.logLevel,
  };
  for (const o of buildCommand().options) {
    if (o.negate || o.long === '--help') continue;
    const hidden = (o as { hidden?: boolean }).hidden;
    const name = `\`${o.flags.replace(/^-h, /, '')}\``;
    const raw: unknown = o.defaultValue ?? lateDefaults[o.long ?? ''];
    // The help text's own rendering of a default (durations in the flag's unit) wins.
    const described = (o as { defaultValueDescription?: string }).defaultValueDescription;
    const shown =
      raw === undefined
        ? undefined
        : described !== undefined
          ? described
          : o.flags.endsWith('<d>')
            ? formatMs(Number(raw))
            : o.flags.endsWith('<s>')
              ? String(Number(raw) / 1000)
              : Array.isArray(raw)
                ? raw.join(',')
                : typeof raw === 'string'
                  ? raw
                  : JSON.stringify(raw);
    const def = shown === undefined ? '' : `\`${shown}\``;
    out.push(
      `| ${name} | ${def} | ${cell(o.description || (hidden ? 'compatibility alias' : ''))}${hidden ? ' (hidden from --help)' : ''} |`,
    );
  }
  out.push('');
  out.push('Durations accept `500ms`, `30s`, `5m`, `1h`. Booleans have a `--no-<flag>` form.');
  out.push('');
  out.push('### Accepted for compatibility');
  out.push('');
  out.push(
    'Flags of the official cloud-controller-manager, kube-aliyun, client-go and klog/glog that change',
  );
  out.push('nothing here. Each one given prints one warning line `flag --<name> has no effect here: <why>`.');
  out.push('Underscores in flag names are read as dashes (`--log_dir` = `--log-dir`). Mapping per source:');
  out.push('[migrating.md](migrating.md).');
  out.push('');
  out.push('| Flag | From | Why it has no effect |');
  out.push('|---|---|---|');
  for (const f of COMPAT_FLAGS) {
    const quietFor = f.quietFor ?? (f.takesValue ? undefined : 'false');
    const quiet = quietFor !== undefined ? ` (no warning for \`${quietFor}\`)` : '';
    out.push(
      `| \`--${f.name}${f.takesValue ? ' <value>' : ''}\` | ${f.origins.join(', ')} | ${cell(f.why)}${quiet} |`,
    );
  }
  for (const [alias, target] of Object.entries(ALIASES))
    out.push(`| \`--${alias}\` | kube-aliyun | none: the same as \`--${target}\` |`);
  out.push('');
  out.push('## cloud-config file');
  out.push('');
  out.push('YAML or JSON with one `Global:` section; keys are matched case-insensitively; unknown keys are');
  out.push('an error naming the key. Example: [deploy/cloud-config.yaml](../deploy/cloud-config.yaml).');
  out.push('');
  out.push('| Field | Description |');
  out.push('|---|---|');
  const fields = cloudConfigFieldsInCode();
  const missing = fields.filter((f) => !(f.key in FIELDS)).map((f) => f.key);
  if (missing.length)
    throw new Error(`gen-config-doc: describe these cloud-config fields in FIELDS: ${missing.join(', ')}`);
  const stale = Object.keys(FIELDS).filter((k) => !fields.some((f) => f.key === k));
  if (stale.length)
    throw new Error(`gen-config-doc: FIELDS names fields the code no longer has: ${stale.join(', ')}`);
  for (const f of fields) out.push(`| \`${f.spelling}\` | ${cell(FIELDS[f.key]!)} |`);
  out.push('');
  out.push('## Environment variables');
  out.push('');
  out.push('| Variable | Description |');
  out.push('|---|---|');
  const names = envNamesInCode();
  const undocumented = names.filter((n) => !(n in ENV));
  if (undocumented.length)
    throw new Error(
      `gen-config-doc: describe these environment variables in ENV: ${undocumented.join(', ')}`,
    );
  const gone = Object.keys(ENV).filter((n) => !names.includes(n));
  if (gone.length)
    throw new Error(`gen-config-doc: ENV names variables the code no longer reads: ${gone.join(', ')}`);
  for (const n of names) out.push(`| \`${n}\` | ${cell(ENV[n]!)} |`);
  out.push('');
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = join(ROOT, 'docs/configuration.md');
  writeFileSync(target, renderConfigDoc());
  process.stdout.write(`wrote ${target}\n`);
}
