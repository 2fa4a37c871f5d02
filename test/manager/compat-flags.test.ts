// Drop-in flag compatibility: every flag the official CCM (both generations) and kube-aliyun
// accept, as listed from their sources in test/fixtures, parses here; each one that has no effect
// gives exactly one warning line naming it, every other one none; unknown flags still fail with
// one line. Also the cloud-config keys of the official CCM's own files, and --help's defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudConfig } from '../../src/manager/cloudconfig.js';
import { COMPAT_FLAGS, compatFlag } from '../../src/manager/compat.js';
import { resolveConfig, type MetadataSource } from '../../src/manager/config.js';
import { FlagError, parseFlags } from '../../src/manager/flags.js';

const FIXTURES = join(process.cwd(), 'test/fixtures');
const readFlags = (file: string): string[] =>
  readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
const canonical = (arg: string) => /^--?([^=]+)/.exec(arg)![1]!.replace(/_/g, '-');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Flags of each list that this manager implements (no warning expected with the listed value). */
const IMPLEMENTED = new Set([
  'cluster-cidr',
  'cloud-config',
  'controllers',
  'configure-cloud-routes',
  'allocate-node-cidrs',
  'concurrent-service-syncs',
  'dry-run',
  'route-reconciliation-period',
  'route-reconcilation-period',
  'node-monitor-period',
  'max-concurrent-actions',
  'enable-imdsv2',
  'node-reconcile-batch-size',
  'skip-disable-source-dest-check',
  'node-event-aggregation-wait-seconds',
  'kube-api-qps',
  'kube-api-burst',
  'leader-elect',
  'leader-elect-lease-duration',
  'leader-elect-renew-deadline',
  'leader-elect-retry-period',
  'leader-elect-resource-lock',
  'leader-elect-resource-name',
  'leader-elect-resource-namespace',
  'kubeconfig',
  'master',
  'server',
  'v',
  'instance-name',
  'in-cluster',
  'test',
]);

describe('manager/flags: drop-in compatibility', () => {
  for (const file of ['official-ccm/flags-v2.txt', 'official-ccm/flags-v1.txt', 'kube-aliyun/flags.txt']) {
    describe(file, () => {
      const lines = readFlags(file);

      it('has the flags its header promises (guards against an empty or truncated list)', () => {
        assert.ok(lines.length >= 35, `${lines.length} flags`);
      });

      it('parses every flag alone: one warning naming it when it has no effect, none otherwise', () => {
        for (const line of lines) {
          let warnings: readonly string[];
          try {
            warnings = parseFlags([line]).flags!.warnings;
          } catch (err) {
            assert.fail(`${line}: ${(err as Error).message}`);
          }
          const name = canonical(line);
          const expectQuiet =
            IMPLEMENTED.has(name) ||
            (name === 'network' && line.endsWith('=vpc')) ||
            (name === 'logtostderr' && line.endsWith('=true')) ||
            /=false$/.test(line);
          // --cluster-name and a non-Lease lock are native options that change nothing here.
          const nativeNoEffect =
            name === 'cluster-name' || (name === 'leader-elect-resource-lock' && !line.endsWith('=leases'));
          if (expectQuiet && !nativeNoEffect) assert.deepEqual(warnings, [], line);
          else {
            assert.equal(warnings.length, 1, `${line}: ${JSON.stringify(warnings)}`);
            assert.ok(warnings[0]!.startsWith(`flag --${name}`), `${line}: ${warnings[0]}`);
            assert.match(warnings[0]!, /has no effect here: \S/);
          }
        }
      });

      it('parses the whole list at once, one warning per no-effect flag', () => {
        const f = parseFlags(lines).flags!;
        const named = f.warnings.map((w) => /^flag --([a-z0-9-]+)/.exec(w)![1]!);
        assert.equal(new Set(named).size, named.length, 'one line per flag');
        for (const n of named)
          assert.ok(
            lines.some((l) => canonical(l) === n),
            n,
          );
      });
    });
  }

  it('official v2 values reach the configuration: lock, QPS/burst, IMDSv2, actions, batch and wait', () => {
    const f = parseFlags([
      '--leader-elect-resource-lock=leases',
      '--kube-api-qps=5.5',
      '--kube-api-burst=7',
      '--enable-imdsv2=false',
      '--max-concurrent-actions=3',
      '--node-reconcile-batch-size=9',
      '--node-event-aggregation-wait-seconds=2',
    ]).flags!;
    assert.equal(f.leaderElectResourceLock, 'leases');
    assert.equal(f.kubeApiQps, 5.5);
    assert.equal(f.kubeApiBurst, 7);
    assert.equal(f.enableImdsv2, false);
    assert.equal(f.maxConcurrentActions, 3);
    assert.equal(f.nodeReconcileBatchSize, 9);
    assert.equal(f.nodeEventAggregationWaitMs, 2000);
    assert.equal(parseFlags([]).flags!.enableImdsv2, true, 'IMDSv2 is the default');
  });

  it("kube-aliyun's spellings: --route-reconcilation-period, underscores, Go single dash, --instance-name", () => {
    const f = parseFlags([
      '--route-reconcilation-period=30s',
      '-log_dir=/x',
      '--profiling_port',
      '9801',
      '--instance-name=m1',
    ]).flags!;
    assert.equal(f.routeReconciliationPeriodMs, 30_000);
    assert.equal(f.instanceName, 'm1');
    assert.deepEqual(
      f.warnings.map((w) => w.split(' has')[0]),
      ['flag --log-dir', 'flag --profiling-port'],
    );
    // The values stay readable for code that gives such a flag a meaning later.
    assert.deepEqual(f.compatValues, { 'log-dir': '/x', 'profiling-port': '9801' });
  });

  it('a flag given twice warns once; a value flag without its value fails naming it', () => {
    assert.equal(parseFlags(['--log-dir=/a', '--log_dir=/b']).flags!.warnings.length, 1);
    assert.throws(
      () => parseFlags(['--vmodule']),
      (e: unknown) => e instanceof FlagError && e.message === '--vmodule: missing value',
    );
    assert.throws(
      () => parseFlags(['--profiling=maybe']),
      (e: unknown) => e instanceof FlagError && /--profiling: invalid boolean "maybe"/.test(e.message),
    );
  });

  it('unknown flags still fail with one line naming them', () => {
    for (const bad of ['--bogus', '--bogus=1', '--log-dirs=/x', '--cloud_configs=/x']) {
      assert.throws(
        () => parseFlags([bad]),
        (e: unknown) =>
          e instanceof FlagError &&
          !e.message.includes('\n') &&
          e.message.includes(canonical(bad)) &&
          /unknown flag/.test(e.message),
        bad,
      );
    }
    assert.throws(() => parseFlags(['--cloud-provider=aws']), /--cloud-provider: "aws" is not Alibaba Cloud/);
    assert.throws(
      () => parseFlags(['--leader-elect-resource-lock=zookeeper']),
      /unknown lock kind "zookeeper"/,
    );
  });

  it('every compatibility flag has a reason and at least one origin, and is not also a real option', () => {
    const help = parseFlags(['--help']).help!;
    for (const f of COMPAT_FLAGS) {
      assert.ok(f.why.length > 10 && f.origins.length > 0, f.name);
      assert.equal(compatFlag(f.name), f);
      assert.ok(
        !new RegExp(`--${f.name}[ ,]`).test(help),
        `--${f.name} is both a compatibility flag and an option`,
      );
    }
  });

  it('--help prints durations in the unit the flag name says, and readable defaults', () => {
    const help = parseFlags(['--help']).help!;
    assert.match(help, /--node-event-aggregation-wait-seconds <s> .*\(default: 1\)/);
    assert.match(help, /--leader-elect-lease-duration <d> .*\(default: 15s\)/);
    assert.match(help, /--route-reconciliation-period <d> .*\(default: 5m\)/);
    assert.match(help, /--lb-drift-check-period <d> .*\(default: 10m\)/);
    for (const line of help.split('\n').filter((l) => /<d>|<s>/.test(l)))
      assert.doesNotMatch(line, /default: \d{3,}\)/, line);
    assert.match(help, /docs\/migrating\.md/);
  });

  it('resolves --in-cluster over --kubeconfig/--server with a warning, --instance-name as the identity, nlb enabled and pvtz a warning', async () => {
    const metadata: MetadataSource = { get: () => Promise.resolve('cn-hangzhou') };
    const c = await resolveConfig(
      parseFlags([
        '--in-cluster',
        '--server=http://127.0.0.1:8080',
        '--instance-name=master-1',
        '--controllers=node,route,service,nlb,pvtz',
        '--configure-cloud-routes=false',
      ]).flags!,
      {
        env: {},
        available: ['node', 'route', 'service', 'disk', 'nlb'],
        known: ['node', 'route', 'service', 'disk', 'nlb'],
        metadata,
      },
    );
    assert.equal(c.master, undefined);
    assert.equal(c.leaderElection.identity, 'master-1');
    assert.deepEqual([...c.controllers], ['nlb', 'node', 'route', 'service']);
    assert.ok(
      c.warnings.some((w) => w.startsWith('flag --in-cluster: ')),
      JSON.stringify(c.warnings),
    );
    assert.ok(
      c.warnings.some((w) => w.startsWith('--controllers: controller "pvtz" has no effect here')),
      JSON.stringify(c.warnings),
    );
  });
});

describe('manager/cloudconfig: the official CCM files', () => {
  it('reads deploy/cloud-config.json: KubernetesClusterTag "" is unset, the rest as given', () => {
    const text = readFileSync(join(FIXTURES, 'official-ccm/cloud-config.json'), 'utf8')
      .replace('"accessKeyID": "base64 encoded"', `"accessKeyID": "${b64('LTAIexampleid')}"`)
      .replace('"accessKeySecret": "base64 encoded"', `"accessKeySecret": "${b64('examplesecret')}"`);
    const c = parseCloudConfig(text);
    assert.equal(c.kubernetesClusterTag, undefined);
    assert.equal(c.vpcId, 'vpc-xxxx');
    assert.equal(c.region, 'cn-hangzhou');
    assert.equal(c.zoneId, 'cn-hangzhou-b');
    assert.equal(c.vswitchId, 'vsw-xxxx');
    assert.equal(c.accessKeyId, 'LTAIexampleid');
    assert.equal(c.ignored, undefined);
  });

  it('reads hack/cloud-config.conf and the manifests\' ConfigMap (routeTableIDs "")', () => {
    assert.deepEqual(
      parseCloudConfig(readFileSync(join(FIXTURES, 'official-ccm/hack-cloud-config.conf'), 'utf8')),
      { disablePublicSlb: false },
    );
    assert.deepEqual(parseCloudConfig('{ "Global": { "routeTableIDs": "" } }'), {});
  });

  it('accepts uid, nodeMonitorPeriod, nodeAddrSyncPeriod, privateZoneId, privateZoneRecordTTL with one warning each', () => {
    const c = parseCloudConfig(
      JSON.stringify({
        Global: {
          uid: '123',
          nodeMonitorPeriod: 60,
          nodeAddrSyncPeriod: 60,
          privateZoneId: 'pz-1',
          privateZoneRecordTTL: 60,
          region: 'cn-beijing',
        },
      }),
    );
    assert.equal(c.region, 'cn-beijing');
    assert.deepEqual(
      c.ignored!.map((w) => w.split(' has')[0]),
      [
        'cloud-config Global.uid',
        'cloud-config Global.nodeMonitorPeriod',
        'cloud-config Global.nodeAddrSyncPeriod',
        'cloud-config Global.privateZoneId',
        'cloud-config Global.privateZoneRecordTTL',
      ],
    );
    assert.throws(
      () => parseCloudConfig('{"Global":{"privateZoneID2":"x"}}'),
      /Global\.privateZoneID2: unknown field/,
    );
  });
});
