// Generated malformed input for R5, each case with the culprit its error must name.
import { ANN } from './workload.js';

export interface BadCase<T> {
  input: T;
  /** Text the error must contain to count as specific (the flag, field, annotation or problem). */
  culprit: string;
  /** The reply status the case must get when it is not a Failure (driver calls it does not know: "Not supported"). */
  status?: 'Not supported';
}

/** Bad Service annotation values (suffix under the current prefix). */
const ANNOTATIONS: Array<[string, string[]]> = [
  ['protocol-port', ['tcp:abc', 'foo:80', 'http:', ':80', 'tcp:70000']],
  ['scheduler', ['fastest', 'round-robin']],
  ['bandwidth', ['-5', 'lots', '99999']],
  ['address-type', ['public', 'INTERNETS']],
  ['health-check-switch', ['maybe', 'yes']],
  ['idle-timeout', ['0', '61', 'soon']],
  ['request-timeout', ['181', '-1']],
  ['established-timeout', ['5', '901']],
  ['persistence-timeout', ['-1', '3601']],
  ['connection-drain', ['enabled']],
  ['connection-drain-timeout', ['9', '1000']],
  ['spec', ['huge', 'slb.x1']],
  ['ip-version', ['ipv5']],
  ['ip', ['999.1.1.1', 'not-an-ip']],
  ['acl-type', ['grey']],
  ['acl-status', ['half']],
  ['health-check-method', ['post']],
  ['cookie-timeout', ['0', '86401']],
  ['sticky-session-type', ['magic']],
  ['default-weight', ['101', '-1']],
  ['delete-protection', ['perhaps']],
  ['modification-protection', ['Always']],
  ['network-type', ['lan']],
  ['charge-type', ['free']],
  ['id', ['slb-123', 'lb 1']],
  ['resource-group-id', ['group-1']],
  ['vswitch-id', ['switch-1']],
  ['master-zoneid', ['Zone A']],
  ['backend-ip-version', ['ipv9']],
  ['tls-cipher-policy', ['weak']],
];

export function badAnnotations(): Array<BadCase<Record<string, string>>> {
  const out: Array<BadCase<Record<string, string>>> = [];
  for (const [suffix, values] of ANNOTATIONS)
    for (const v of values) out.push({ input: { [`${ANN}${suffix}`]: v }, culprit: `${ANN}${suffix}` });
  return out;
}

/** Bad command lines; the culprit is the flag the one-line error must name. */
export function badFlags(): Array<BadCase<string[]>> {
  return [
    { input: ['--no-such-flag'], culprit: '--no-such-flag' },
    { input: ['--leader-elect-lease-duration=abc'], culprit: '--leader-elect-lease-duration' },
    { input: ['--leader-elect-retry-period=soon'], culprit: '--leader-elect-retry-period' },
    { input: ['--leader-elect-renew-deadline=-1s'], culprit: '--leader-elect-renew-deadline' },
    { input: ['--concurrent-service-syncs=0'], culprit: '--concurrent-service-syncs' },
    { input: ['--concurrent-service-syncs=many'], culprit: '--concurrent-service-syncs' },
    { input: ['--port=70000'], culprit: '--port' },
    { input: ['--secure-port=abc'], culprit: '--secure-port' },
    { input: ['--log-level=loud'], culprit: '--log-level' },
    { input: ['--v=x'], culprit: '--v' },
    // A name neither this manager nor the official CCM has (the official names are accepted on purpose).
    { input: ['--controllers=service,bogus'], culprit: '--controllers' },
    { input: ['--cluster-cidr=10.0.0.0/33'], culprit: '--cluster-cidr' },
    { input: ['--cluster-cidr=banana'], culprit: '--cluster-cidr' },
    { input: ['--leader-elect=maybe'], culprit: '--leader-elect' },
    { input: ['--dry-run=perhaps'], culprit: '--dry-run' },
    { input: ['--node-event-aggregation-wait-seconds=x'], culprit: '--node-event-aggregation-wait-seconds' },
    { input: ['--node-reconcile-batch-size=-3'], culprit: '--node-reconcile-batch-size' },
    { input: ['--lb-drift-check-period=soon'], culprit: '--lb-drift-check-period' },
    { input: ['--route-reconciliation-period=1parsec'], culprit: '--route-reconciliation-period' },
    { input: ['--node-monitor-period=x'], culprit: '--node-monitor-period' },
    { input: ['stray-argument'], culprit: 'stray-argument' },
    { input: ['--master=http://127.0.0.1:1', '--server=http://127.0.0.1:2'], culprit: '--server' },
    { input: ['--configure-cloud-routes=2'], culprit: '--configure-cloud-routes' },
    {
      input: ['--leader-elect', '--leader-elect-lease-duration=1s', '--leader-elect-renew-deadline=5s'],
      culprit: 'renew',
    },
  ];
}

/** Bad cloud-config file contents; the culprit is the field (or the file) the error must name. */
export function badCloudConfigs(): Array<BadCase<string>> {
  const g = (o: Record<string, unknown>) => JSON.stringify({ Global: o });
  return [
    { input: '{{{ not yaml', culprit: '--cloud-config' },
    { input: '[1, 2, 3]', culprit: '--cloud-config' },
    { input: g({ vpcID: 'xyz' }), culprit: 'Global.vpcID' },
    { input: g({ region: 'CN HANGZHOU' }), culprit: 'Global.region' },
    { input: g({ clusterID: 'has spaces in it' }), culprit: 'Global.clusterID' },
    // Not an empty string: empty values mean "absent", as Go's zero value does for the official CCM.
    { input: g({ zoneID: 42 }), culprit: 'Global.zoneID' },
    { input: g({ routeTableIDs: 'rtb-1,rtb 2' }), culprit: 'Global.routeTableIDs' },
    { input: g({ serviceBackendType: 'vm' }), culprit: 'Global.serviceBackendType' },
    { input: g({ disablePublicSLB: 'sometimes' }), culprit: 'Global.disablePublicSLB' },
    { input: g({ serviceMaxConcurrentReconciles: -2 }), culprit: 'Global.serviceMaxConcurrentReconciles' },
    { input: g({ metadataEndpoint: 'ftp://x y' }), culprit: 'Global.metadataEndpoint' },
    { input: g({ qps: { ecs: -1 } }), culprit: 'Global.qps' },
    { input: g({ endpoints: { rds: 'http://x' } }), culprit: 'Global.endpoints' },
    { input: g({ noSuchSetting: 1 }), culprit: 'Global.noSuchSetting' },
  ];
}

/** Bad FlexVolume driver invocations (argv after the driver path). */
export function badDriverCalls(): Array<BadCase<string[]>> {
  const opts = (o: unknown) => JSON.stringify(o);
  return [
    { input: [], culprit: 'not implemented', status: 'Not supported' },
    { input: ['bogus'], culprit: 'not implemented', status: 'Not supported' },
    { input: ['ATTACH'], culprit: 'not implemented', status: 'Not supported' },
    { input: ['attach'], culprit: '' },
    { input: ['attach', 'not json', 'node-0'], culprit: 'JSON' },
    { input: ['attach', '"a string"', 'node-0'], culprit: '' },
    { input: ['attach', '[1,2]', 'node-0'], culprit: '' },
    { input: ['attach', '{}', 'node-0'], culprit: 'volumeId' },
    { input: ['attach', opts({ volumeId: 'd-doesnotexist' }), 'node-0'], culprit: 'd-doesnotexist' },
    { input: ['attach', opts({ volumeId: 'not a disk id' }), 'node-0'], culprit: 'not a disk id' },
    { input: ['attach', opts({ volumeId: 'd-doesnotexist' }), ''], culprit: '' },
    { input: ['isattached', 'not json', 'node-0'], culprit: 'JSON' },
    { input: ['isattached', '{}', 'node-0'], culprit: 'volumeId' },
    { input: ['detach'], culprit: '' },
    { input: ['detach', 'd-doesnotexist'], culprit: '' },
    { input: ['waitforattach', '', 'not json'], culprit: 'JSON' },
    { input: ['mountdevice'], culprit: '' },
    { input: ['mountdevice', '/tmp/chaos-mnt', '/dev/null', 'not json'], culprit: 'JSON' },
    { input: ['unmountdevice'], culprit: '' },
    { input: ['expandvolume', '{}', '/mnt/x', '10Gi', '5Gi'], culprit: 'volumeId' },
    { input: ['expandvolume', '{}', '10Gi', '5Gi'], culprit: 'missing arguments' },
    { input: ['expandvolume', opts({ volumeId: 'd-doesnotexist' }), 'lots', '1Gi'], culprit: '' },
    { input: ['getvolumename', '{bad'], culprit: 'JSON' },
    { input: ['attach', opts({ volumeId: 'd-x', 'kubernetes.io/fsType': 'ntfs' }), 'node-0'], culprit: '' },
    { input: ['attach', '{"volumeId":' + '"d-'.padEnd(5000, 'x') + '"}', 'node-0'], culprit: '' },
  ];
}
