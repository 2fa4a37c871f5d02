// docs/migrating.md against the code and the upstream inputs in test/fixtures: every flag the
// official CCM and kube-aliyun define is in the matching mapping table, every flag the page names
// is one this manager's parser accepts, every official cloud-config key is in the table and
// accepted, and every Event reason, metric and environment variable it names exists in the code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { envNamesInCode } from '../../scripts/gen-config-doc.js';
import { parseCloudConfig } from '../../src/manager/cloudconfig.js';
import { ALIASES, compatFlag } from '../../src/manager/compat.js';
import { buildCommand } from '../../src/manager/flags.js';
import { reasonsInCode } from './reasons.js';

const ROOT = process.cwd();
const DOC = readFileSync(join(ROOT, 'docs/migrating.md'), 'utf8');
const OFFICIAL = DOC.slice(DOC.indexOf('## From the official'), DOC.indexOf('## From kube-aliyun'));
const KUBE_ALIYUN = DOC.slice(DOC.indexOf('## From kube-aliyun'));

const dashed = (name: string) => name.replace(/_/g, '-');
const fixtureFlags = (file: string): string[] =>
  readFileSync(join(ROOT, 'test/fixtures', file), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('--'))
    .map((l) => /^--([^=]+)/.exec(l)![1]!);
/** Flag names written in backticks, e.g. `--log_dir` or `--x=y`. */
const flagsIn = (text: string): string[] => [...new Set([...text.matchAll(/`--([a-z][a-z0-9_-]*)/g)].map((m) => m[1]!))];
const mentions = (text: string, name: string) => flagsIn(text).some((f) => dashed(f) === dashed(name));

/** The official CCM's cloud-config keys: pkg/config/cloud_config.go (commit in test/fixtures/official-ccm/README.md). */
const OFFICIAL_KEYS: Record<string, unknown> = {
  uid: '1234567890',
  accessKeyID: Buffer.from('LTAIexample').toString('base64'),
  accessKeySecret: Buffer.from('secretexample').toString('base64'),
  clusterID: 'c1',
  kubernetesClusterTag: 'ack.aliyun.com',
  region: 'cn-hangzhou',
  vpcid: 'vpc-abc',
  zoneid: 'cn-hangzhou-b',
  vswitchid: 'cn-hangzhou-b:vsw-abc',
  resourceGroupID: 'rg-abc',
  serviceMaxConcurrentReconciles: 3,
  serviceBackendType: 'ecs',
  disablePublicSLB: false,
  nodeMaxConcurrentReconciles: 1,
  nodeMonitorPeriod: 60,
  nodeAddrSyncPeriod: 60,
  routeMaxConcurrentReconciles: 1,
  routeTableIDs: 'vtb-abc',
  privateZoneId: 'pz-abc',
  privateZoneRecordTTL: 60,
  featureGates: 'IPv6DualStack=false',
};

describe('docs: migrating.md', () => {
  it('names no removed Kubernetes feature as an example (insecure port 8080, kubenet)', () => {
    assert.doesNotMatch(DOC, /127\.0\.0\.1:8080|:8080\b.*--server|--server=http:/);
    assert.doesNotMatch(DOC, /kubenet/i);
  });

  it('maps every flag of the official CCM (v1 and v2) in its section', () => {
    const missing = [...fixtureFlags('official-ccm/flags-v2.txt'), ...fixtureFlags('official-ccm/flags-v1.txt')].filter((f) => !mentions(OFFICIAL, f));
    assert.deepEqual([...new Set(missing)], []);
  });

  it("maps every flag of kube-aliyun in its section", () => {
    const missing = fixtureFlags('kube-aliyun/flags.txt').filter((f) => !mentions(KUBE_ALIYUN, f));
    assert.deepEqual(missing, []);
  });

  it('names only flags the parser accepts (options, aliases, compatibility flags)', () => {
    const options = new Set(buildCommand().options.map((o) => o.long!.replace(/^--/, '')));
    const unknown = flagsIn(DOC).filter((f) => {
      const n = dashed(f);
      return !options.has(n) && !(n in ALIASES) && !compatFlag(n);
    });
    assert.deepEqual(unknown, []);
  });

  it('lists every official cloud-config key, and the parser accepts each one', () => {
    const pairs: Record<string, string> = { accessKeyID: 'accessKeySecret', accessKeySecret: 'accessKeyID' };
    for (const [key, value] of Object.entries(OFFICIAL_KEYS)) {
      assert.ok(OFFICIAL.includes(`\`${key}\``), `${key} is not in the cloud-config table`);
      const other = pairs[key];
      const global = { [key]: value, ...(other ? { [other]: OFFICIAL_KEYS[other] } : {}) };
      assert.doesNotThrow(() => parseCloudConfig(JSON.stringify({ Global: global })), key);
    }
    const c = parseCloudConfig(JSON.stringify({ Global: OFFICIAL_KEYS }));
    assert.equal(c.ignored?.length, 5, 'uid, nodeMonitorPeriod, nodeAddrSyncPeriod, privateZoneId, privateZoneRecordTTL warn');
  });

  it('every Event reason in the "here" columns is one the code emits', async () => {
    const inCode = new Set((await reasonsInCode()).map((r) => r.reason));
    // The official reasons table (its right column), and the kube-aliyun rows about Events.
    const table = DOC.slice(DOC.indexOf('| Official CCM reason | Here |'), DOC.indexOf('## From kube-aliyun'));
    const rows = [...table.split('\n'), ...KUBE_ALIYUN.split('\n').filter((l) => /^\| (Service|Route) Events \|/.test(l))];
    const here: string[] = [];
    for (const line of rows) {
      const cells = line.split('|').map((c) => c.trim()).filter(Boolean);
      const last = cells[cells.length - 1] ?? '';
      if (cells.length < 2 || /^not emitted/.test(last)) continue;
      for (const m of last.matchAll(/`([A-Z][A-Za-z]+)`/g)) here.push(m[1]!);
    }
    assert.ok(here.length >= 20, `found ${here.length} reasons`);
    assert.deepEqual([...new Set(here.filter((r) => !inCode.has(r)))], []);
  });

  it('every metric it names is defined in the code', () => {
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    const src = walk(join(ROOT, 'src')).filter((f) => f.endsWith('.ts') && !f.includes('/emulator/')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const names = [...DOC.matchAll(/`((?:alicloud_api|kube_alicloud|workqueue|leader_election)_[a-z_*]+)`/g)].map((m) => m[1]!);
    assert.ok(names.length >= 10);
    for (const n of names) {
      const probe = n.replace(/^alicloud_api_/, '_').replace(/\*$/, '');
      assert.ok(src.includes(probe), `${n} is not in src/`);
    }
  });

  it('every environment variable it names is read by the code', () => {
    const env = new Set(envNamesInCode());
    const named = [...DOC.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]!);
    assert.deepEqual([...new Set(named.filter((n) => !env.has(n)))], []);
  });
});
