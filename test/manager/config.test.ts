import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../src/manager/duration.js';
import { FlagError, parseFlags } from '../../src/manager/flags.js';
import { selectControllers } from '../../src/manager/controllers.js';
import { CloudConfigError, parseCloudConfig } from '../../src/manager/cloudconfig.js';
import { ConfigError, describeConfig, resolveConfig, type MetadataSource } from '../../src/manager/config.js';
import { redactSecrets } from '../../src/util/secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('manager/duration', () => {
  it('parses Go durations and bare seconds; rejects junk', () => {
    assert.equal(parseDuration('15s'), 15_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('30'), 30_000);
    assert.equal(parseDuration('0'), 0);
    for (const bad of ['abc', '10x', 's', '1s junk', '']) assert.equal(parseDuration(bad), undefined, bad);
  });
});

describe('manager/flags', () => {
  it('accepts the kube-aliyun seed flags unchanged', () => {
    const f = parseFlags([
      '--server=http://127.0.0.1:8080',
      '--leader-elect=true',
      '--cluster-cidr=10.2.0.0/16',
    ]).flags!;
    assert.equal(f.master, 'http://127.0.0.1:8080');
    assert.equal(f.leaderElect, true);
    assert.equal(f.clusterCidr, '10.2.0.0/16');
    assert.equal(f.leaseDurationMs, 15_000);
    assert.equal(f.serving.securePort, 10258);
    assert.equal(f.serving.insecurePort, undefined, 'no plain-HTTP port unless asked');
  });

  it('takes both --x=v and --x v, booleans with =false, -v as verbosity, Go single-dash', () => {
    const f = parseFlags([
      '--leader-elect=false',
      '--port',
      '0',
      '-v=4',
      '-kubeconfig=/k',
      '--dry-run',
      '--leader-elect-retry-period',
      '500ms',
      '--controllers=*,-route',
    ]).flags!;
    assert.equal(f.leaderElect, false);
    assert.equal(f.serving.insecurePort, 0);
    assert.equal(f.logLevel, 'trace');
    assert.equal(f.kubeconfig, '/k');
    assert.equal(f.dryRun, true);
    assert.equal(f.retryPeriodMs, 500);
    assert.equal(f.controllers, '*,-route');
    assert.equal(parseFlags(['--secure-port=1234', '--log-level=warn']).flags!.serving.securePort, 1234);
    assert.equal(parseFlags(['--log-level=warn']).flags!.logLevel, 'warn');
    assert.equal(parseFlags(['--configure-cloud-routes=false']).flags!.configureCloudRoutes, false);
    // Every boolean takes =false (found by the chaos suite: --dry-run=false was "unknown flag").
    for (const b of [
      'allocate-node-cidrs',
      'configure-cloud-routes',
      'leader-elect',
      'dry-run',
      'skip-disable-source-dest-check',
    ])
      for (const v of ['true', 'false']) assert.ok(parseFlags([`--${b}=${v}`]).flags, `--${b}=${v}`);
    assert.equal(parseFlags(['--dry-run=false']).flags!.dryRun, false);
  });

  it("takes every flag of the cloud-controller-manager's list into its field", () => {
    const f = parseFlags([
      '--kubeconfig=/etc/k.conf',
      '--master=https://10.0.0.1:6443',
      '--cloud-config=/etc/cloud.yaml',
      '--cluster-name=prod',
      '--cluster-cidr=172.20.0.0/16',
      '--allocate-node-cidrs=true',
      '--configure-cloud-routes=false',
      '--controllers=service,node',
      '--leader-elect=true',
      '--leader-elect-lease-duration=30s',
      '--leader-elect-renew-deadline=20s',
      '--leader-elect-retry-period=4s',
      '--leader-elect-resource-name=my-ccm',
      '--leader-elect-resource-namespace=infra',
      '--concurrent-service-syncs=7',
      '--route-reconciliation-period=45s',
      '--node-monitor-period=1m',
      '--bind-address=0.0.0.0',
      '--secure-port=10300',
      '--dry-run=true',
      '--log-level=debug',
    ]).flags!;
    assert.deepEqual(
      {
        kubeconfig: f.kubeconfig,
        master: f.master,
        cloudConfig: f.cloudConfig,
        clusterName: f.clusterName,
        clusterCidr: f.clusterCidr,
        allocateNodeCidrs: f.allocateNodeCidrs,
        configureCloudRoutes: f.configureCloudRoutes,
        controllers: f.controllers,
        leaderElect: f.leaderElect,
        leaseDurationMs: f.leaseDurationMs,
        renewDeadlineMs: f.renewDeadlineMs,
        retryPeriodMs: f.retryPeriodMs,
        leaseName: f.leaseName,
        leaseNamespace: f.leaseNamespace,
        concurrentServiceSyncs: f.concurrentServiceSyncs,
        routeReconciliationPeriodMs: f.routeReconciliationPeriodMs,
        nodeMonitorPeriodMs: f.nodeMonitorPeriodMs,
        bindAddress: f.serving.bindAddress,
        port: f.serving.securePort,
        dryRun: f.dryRun,
        logLevel: f.logLevel,
      },
      {
        kubeconfig: '/etc/k.conf',
        master: 'https://10.0.0.1:6443',
        cloudConfig: '/etc/cloud.yaml',
        clusterName: 'prod',
        clusterCidr: '172.20.0.0/16',
        allocateNodeCidrs: true,
        configureCloudRoutes: false,
        controllers: 'service,node',
        leaderElect: true,
        leaseDurationMs: 30_000,
        renewDeadlineMs: 20_000,
        retryPeriodMs: 4_000,
        leaseName: 'my-ccm',
        leaseNamespace: 'infra',
        concurrentServiceSyncs: 7,
        routeReconciliationPeriodMs: 45_000,
        nodeMonitorPeriodMs: 60_000,
        bindAddress: '0.0.0.0',
        port: 10300,
        dryRun: true,
        logLevel: 'debug',
      },
    );
    // --server is kube-aliyun's spelling of --master; --port is the plain-HTTP (health-only) port.
    assert.equal(parseFlags(['--server', 'http://127.0.0.1:8080']).flags!.master, 'http://127.0.0.1:8080');
    assert.equal(parseFlags(['--port=10301']).flags!.serving.insecurePort, 10301);
  });

  it('names the culprit in one line for every kind of bad input', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--foo=1'], /^--foo: unknown flag$/],
      [['--leader-elect-lease-duration=abc'], /^--leader-elect-lease-duration: invalid duration "abc"$/],
      [['--port'], /^--port: missing value$/],
      [['--port=99999'], /^--port: invalid port "99999"$/],
      [['--concurrent-service-syncs=0'], /^--concurrent-service-syncs: must be a positive integer/],
      [['--leader-elect=maybe'], /^--leader-elect: invalid boolean "maybe"$/],
      [['--log-level=loud'], /^--log-level: must be one of/],
      [['stray'], /^unexpected argument "stray"/],
    ];
    for (const [argv, re] of cases) {
      assert.throws(
        () => parseFlags(argv),
        (e: unknown) => e instanceof FlagError && re.test(e.message) && !e.message.includes('\n'),
        argv.join(' '),
      );
    }
  });

  it('returns help text instead of parsing', () => {
    assert.match(parseFlags(['--help']).help ?? '', /--leader-elect-lease-duration/);
  });
});

describe('manager/controllers', () => {
  const known = ['service', 'route', 'node', 'disk'];
  it('expands *, enables names and removes -names', () => {
    assert.deepEqual(selectControllers('*', ['service'], known), ['disk', 'node', 'route', 'service']);
    assert.deepEqual(selectControllers('*,-route,-disk', ['service'], known), ['node', 'service']);
    assert.deepEqual(selectControllers('service,node', [], known), ['node', 'service']);
    assert.deepEqual(selectControllers('*', ['test-probe'], known), [
      'disk',
      'node',
      'route',
      'service',
      'test-probe',
    ]);
  });
  it('rejects unknown names with the list of known ones', () => {
    assert.throws(
      () => selectControllers('service,bogus', [], known),
      /^FlagError: --controllers: unknown controller "bogus" \(known: disk, node, route, service\)$/,
    );
    // The official CCM's own controllers: accepted, enabling one is a warning, disabling one nothing.
    const warned: string[] = [];
    assert.deepEqual(selectControllers('*,-pvtz', [], known, warned), ['disk', 'node', 'route', 'service']);
    assert.deepEqual(warned, []);
    assert.deepEqual(selectControllers('node,route,service,pvtz,ingress', [], known, warned), [
      'node',
      'route',
      'service',
    ]);
    assert.equal(warned.length, 2);
    assert.match(warned[0]!, /^--controllers: controller "pvtz" has no effect here: /);
    assert.match(warned[1]!, /^--controllers: controller "ingress" has no effect here: /);
    assert.throws(
      () => selectControllers('pvtz', [], known),
      /names only controllers this manager does not have/,
    );
    assert.throws(() => selectControllers('*,-bogus', [], known), /unknown controller "bogus"/);
    assert.throws(() => selectControllers('', [], known), /empty list/);
  });
});

describe('manager/cloudconfig', () => {
  it('reads YAML and JSON with case-insensitive keys, decoding base64 AccessKeys', () => {
    const yaml = parseCloudConfig(
      `Global:\n  Region: cn-beijing\n  VpcID: vpc-abc\n  vswitchid: "cn-beijing-a:vsw-1"\n  routeTableIDs: "vtb-1, vtb-2"\n  clusterID: c1\n  accessKeyID: ${b64('AKID1234')}\n  accessKeySecret: ${b64('S3cretValue!')}\n  qps: 5\n  featureGates: "Foo=true,Bar=false"\n`,
    );
    assert.equal(yaml.region, 'cn-beijing');
    assert.equal(yaml.vpcId, 'vpc-abc');
    assert.deepEqual(yaml.routeTableIds, ['vtb-1', 'vtb-2']);
    assert.equal(yaml.accessKeyId, 'AKID1234');
    assert.equal(yaml.accessKeySecret, 'S3cretValue!');
    assert.deepEqual(yaml.qps, { ecs: 5, vpc: 5, slb: 5, nlb: 5 });
    assert.deepEqual(parseCloudConfig('Global:\n  actionQPS: { slb: 19 }\n').actionQps, { slb: 19 });
    assert.deepEqual(parseCloudConfig('Global:\n  actionqps: 7\n').actionQps, {
      ecs: 7,
      vpc: 7,
      slb: 7,
      nlb: 7,
    });
    assert.deepEqual(yaml.featureGates, { Foo: true, Bar: false });
    assert.equal(redactSecrets('x S3cretValue! y'), 'x *** y', 'decoded secret registered');
    const json = parseCloudConfig(
      JSON.stringify({ global: { region: 'cn-hangzhou', endpoints: { slb: 'http://127.0.0.1:1234' } } }),
    );
    assert.equal(json.endpoints?.slb, 'http://127.0.0.1:1234');
    assert.deepEqual(parseCloudConfig(''), {});
  });

  it('names the field of the first problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['Global:\n  vpcid: notavpc\n', /^--cloud-config: Global\.vpcID: must look like vpc-xxxx$/],
      ['Global:\n  routeTableIDs: "vtb-1,vtb 2"\n', /^--cloud-config: Global\.routeTableIDs/],
      ['Global:\n  regoin: cn-hangzhou\n', /^--cloud-config: Global\.regoin: unknown field$/],
      [
        'Global:\n  vpcId: vpc-1\n  noSuchSetting: 1\n',
        /^--cloud-config: Global\.noSuchSetting: unknown field$/,
      ],
      [
        'Global:\n  accessKeyID: "not base64!"\n  accessKeySecret: eA==\n',
        /^--cloud-config: Global\.accessKeyID: must be base64-encoded$/,
      ],
      [`Global:\n  accessKeyID: ${b64('AKID1234')}\n`, /^--cloud-config: Global\.accessKeySecret: required/],
      ['Global:\n  qps: -1\n', /^--cloud-config: Global\.qps/],
      ['Global:\n  endpoints:\n    rds: x\n', /^--cloud-config: Global\.endpoints/],
      ['Global: [1, 2]\n', /^--cloud-config: Global: must be a mapping$/],
      ['Other:\n  a: 1\n', /^--cloud-config: unknown section "other"/],
      ['Global:\n  region: [unclosed\n', /^--cloud-config: not valid YAML\/JSON/],
      ['Global:\n  serviceBackendType: vm\n', /^--cloud-config: Global\.serviceBackendType/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseCloudConfig(text),
        (e: unknown) => e instanceof CloudConfigError && re.test(e.message) && !e.message.includes('\n'),
        `${text} → ${(() => {
          try {
            parseCloudConfig(text);
            return 'ok';
          } catch (e) {
            return (e as Error).message;
          }
        })()}`,
      );
    }
  });
});

describe('manager/config', () => {
  const flags = (argv: string[]) => parseFlags(argv).flags!;
  const opts = (env: NodeJS.ProcessEnv, metadata?: MetadataSource) => ({
    env,
    available: ['service'],
    known: ['service', 'route', 'node', 'disk'],
    metadata,
    identity: 'me',
  });
  const meta = (values: Record<string, string>): MetadataSource & { asked: string[] } => {
    const asked: string[] = [];
    return {
      asked,
      async get(key) {
        asked.push(key);
        if (key in values) return values[key]!;
        throw new Error('404');
      },
    };
  };

  it('takes kube-aliyun env, fills gaps from metadata, and freezes the result', async () => {
    const m = meta({ 'vswitch-id': 'vsw-meta', 'zone-id': 'cn-hangzhou-b' });
    const env = {
      ALIYUN_REGION: 'cn-hangzhou',
      ALIYUN_VPC: 'vpc-1',
      ALIYUN_ROUTER: 'vrt-1',
      ALIYUN_ROUTE_TABLE: 'vtb-1',
      ALIYUN_NODE_NAME_TYPE: 'hostname',
      ALIYUN_ACCESS_KEY: 'AKIDenv1',
      ALIYUN_ACCESS_KEY_SECRET: 'envSecret99',
    };
    const c = await resolveConfig(flags(['--cluster-cidr=10.2.0.0/16']), opts(env, m));
    assert.equal(c.cloud.region, 'cn-hangzhou');
    assert.equal(c.cloud.vpcId, 'vpc-1');
    assert.equal(c.cloud.routerId, 'vrt-1');
    assert.deepEqual(c.cloud.routeTableIds, ['vtb-1']);
    assert.equal(c.cloud.vswitchId, 'vsw-meta');
    assert.equal(c.cloud.zoneId, 'cn-hangzhou-b');
    assert.equal(c.cloud.nodeNameType, 'hostname');
    assert.equal(c.cloud.accessKeyId, 'AKIDenv1');
    assert.deepEqual(c.cloud.sources, {
      region: 'env',
      vpcId: 'env',
      routerId: 'env',
      routeTableIds: 'env',
      vswitchId: 'metadata',
      zoneId: 'metadata',
      credentials: 'env',
    });
    assert.deepEqual(m.asked, ['vswitch-id', 'zone-id'], 'metadata asked only for what was missing');
    assert.deepEqual(c.controllers, ['disk', 'node', 'route', 'service']);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.cloud) && Object.isFrozen(c.cloud.routeTableIds));
    assert.equal(redactSecrets('envSecret99'), '***');
    // The controllers' slices carry the values resolved here (metadata included), no credentials,
    // and the flags' own defaults: nothing is left for a controller to look up or default later.
    const cc = c.controllerConfig;
    assert.deepEqual(cc.cluster, {
      clusterId: 'clusterid',
      region: 'cn-hangzhou',
      zoneId: 'cn-hangzhou-b',
      vpcId: 'vpc-1',
      vswitchId: 'vsw-meta',
      routerId: 'vrt-1',
      routeTableIds: ['vtb-1'],
      clusterCidrs: ['10.2.0.0/16'],
      dryRun: false,
    });
    assert.deepEqual(cc.route, { enabled: true, reconcilePeriodMs: 300_000, aggregationMs: 1_000 });
    assert.deepEqual(cc.node, {
      monitorPeriodMs: 300_000,
      skipDisableSourceDestCheck: false,
      batchSize: 100,
      aggregationMs: 1_000,
      nameType: 'hostname',
      // The route controller runs here, so new Nodes wait NetworkUnavailable until routed.
      routesConfigured: true,
    });
    assert.equal(cc.service.workers, c.concurrentServiceSyncs);
    assert.equal(cc.service.driftCheckPeriodMs, c.lbDriftCheckPeriodMs);
    assert.ok(!JSON.stringify(cc).includes('envSecret99') && !JSON.stringify(cc).includes('AKIDenv1'));
    assert.ok(Object.isFrozen(cc.cluster) && Object.isFrozen(cc.service));
    assert.equal('controllerConfig' in describeConfig(c), false, 'logged once, not twice');
  });

  it('cloud-config wins over env; region from metadata when nowhere else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccm-'));
    const file = join(dir, 'cloud.yaml');
    writeFileSync(
      file,
      'Global:\n  vpcid: vpc-file\n  clusterID: prod\n  serviceMaxConcurrentReconciles: 7\n',
    );
    const c = await resolveConfig(
      flags([`--cloud-config=${file}`, '--controllers=service']),
      opts({ ALIYUN_VPC: 'vpc-env' }, meta({ 'region-id': 'cn-shanghai' })),
    );
    assert.equal(c.cloud.vpcId, 'vpc-file');
    assert.equal(c.cloud.region, 'cn-shanghai');
    assert.equal(c.cloud.sources.region, 'metadata');
    assert.equal(c.cloud.clusterId, 'prod');
    assert.equal(c.concurrentServiceSyncs, 7);
    assert.equal(c.controllerConfig.service.workers, 7, 'the service slice sees the cloud-config override');
    assert.equal(c.controllerConfig.cluster.vpcId, 'vpc-file');
  });

  it('fails with one line naming the culprit', async () => {
    await assert.rejects(
      resolveConfig(flags(['--controllers=service']), opts({}, meta({}))),
      (e: unknown) => e instanceof ConfigError && /^region: not set/.test(e.message),
    );
    await assert.rejects(
      resolveConfig(
        flags(['--controllers=service']),
        opts({ ALIYUN_REGION: 'r', ALIYUN_NODE_NAME_TYPE: 'fqdn' }),
      ),
      /ALIYUN_NODE_NAME_TYPE: unknown value "fqdn"/,
    );
    await assert.rejects(
      resolveConfig(
        flags(['--controllers=service']),
        opts({ ALIYUN_REGION: 'r', ALIYUN_ACCESS_KEY: 'AKIDonly' }),
      ),
      /ALIYUN_ACCESS_KEY_SECRET: required/,
    );
    await assert.rejects(
      resolveConfig(flags(['--controllers=route']), opts({ ALIYUN_REGION: 'r' })),
      /^FlagError: --cluster-cidr: required/,
    );
    await assert.rejects(
      resolveConfig(
        flags(['--cluster-cidr=10.2.0.0/33', '--controllers=service']),
        opts({ ALIYUN_REGION: 'r' }),
      ),
      /--cluster-cidr: invalid CIDR "10.2.0.0\/33"/,
    );
    await assert.rejects(
      resolveConfig(
        flags(['--leader-elect-renew-deadline=20s', '--controllers=service']),
        opts({ ALIYUN_REGION: 'r' }),
      ),
      /--leader-elect-lease-duration: must be greater than --leader-elect-renew-deadline/,
    );
    await assert.rejects(
      resolveConfig(
        flags(['--cloud-config=/nonexistent/x.yaml', '--controllers=service']),
        opts({ ALIYUN_REGION: 'r' }),
      ),
      /--cloud-config: cannot read "\/nonexistent\/x.yaml"/,
    );
    const c = await resolveConfig(
      flags(['--controllers=*,-route', '--leader-elect=false', '--leader-elect-renew-deadline=20s']),
      opts({ ALIYUN_REGION: 'r' }),
    );
    assert.equal(c.leaderElection.enabled, false, 'timing is only validated when electing');
  });
});
