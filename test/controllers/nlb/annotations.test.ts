import assert from 'node:assert/strict';
import { notOurService } from '../../../src/controllers/service/annotations/index.js';
import {
  isNlbService,
  NLB_ANNOTATIONS,
  parseNlbAnnotations,
  type NlbAnnotationName,
} from '../../../src/controllers/nlb/annotations/index.js';
import { ZONE_MAPS, ZONES } from './fixtures.js';

const P = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const LEGACY = 'service.beta.kubernetes.io/alicloud-loadbalancer-';

/** One accepted and one refused value per annotation: every row of the table is exercised. */
const SAMPLES: Record<NlbAnnotationName, { good: string; bad: string }> = {
  loadBalancerType: { good: 'NLB', bad: 'alb' },
  loadBalancerId: { good: 'nlb-abc123', bad: 'lb-abc123' },
  name: { good: 'my-nlb', bad: '-x' },
  addressType: { good: 'intranet', bad: 'public' },
  ipVersion: { good: 'dualstack', bad: 'ipv6' },
  ipv6AddressType: { good: 'internet', bad: 'public' },
  zoneMaps: { good: ZONES, bad: 'cn-hangzhou-k' },
  securityGroupIds: { good: 'sg-b,sg-a', bad: 'group-1' },
  bandwidthPackageId: { good: 'cbwp-abc', bad: 'bwp-abc' },
  crossZoneEnabled: { good: 'on', bad: 'yes' },
  resourceGroupId: { good: 'rg-abc', bad: 'abc' },
  additionalResourceTags: { good: 'team=a,env', bad: 'aliyun-x=1' },
  deleteProtection: { good: 'off', bad: 'no' },
  modificationProtection: { good: 'nonprotection', bad: 'Locked' },
  preserveLbOnDelete: { good: 'true', bad: 'maybe' },
  forceOverrideListeners: { good: 'false', bad: 'maybe' },
  hostname: { good: 'www.example.com', bad: 'not a host' },
  protocolPort: { good: 'tcpssl:443,udp:53', bad: 'https:443' },
  listenerPortRange: { good: '1000-2000:80', bad: '2000-1000:80' },
  certId: { good: '123-cn-hangzhou', bad: ',' },
  caCertId: { good: '456-cn-hangzhou', bad: ',' },
  caCert: { good: 'on', bad: 'true!' },
  additionalCertIds: { good: '1-a,2-b', bad: ',' },
  tlsCipherPolicy: { good: 'tls_cipher_policy_1_2', bad: 'a b' },
  alpn: { good: 'on', bad: 'enable' },
  alpnPolicy: { good: 'HTTP2Preferred', bad: 'HTTP3' },
  idleTimeout: { good: '60', bad: '901' },
  cps: { good: '1000', bad: '-1' },
  proxyProtocol: { good: 'on', bad: 'v2' },
  ppv2PrivateLinkEpIdEnabled: { good: 'on', bad: 'x' },
  ppv2PrivateLinkEpsIdEnabled: { good: 'off', bad: 'x' },
  ppv2VpcIdEnabled: { good: 'on', bad: 'x' },
  serverGroupType: { good: 'ip', bad: 'Eni' },
  vgroupPort: { good: 'sgp-abc:80', bad: 'rsp-abc:80' },
  scheduler: { good: 'wrr', bad: 'random' },
  connectionDrain: { good: 'on', bad: 'x' },
  connectionDrainTimeout: { good: '30', bad: '901' },
  preserveClientIp: { good: 'on', bad: 'x' },
  healthCheckFlag: { good: 'on', bad: 'x' },
  healthCheckType: { good: 'HTTP', bad: 'udp' },
  healthCheckConnectPort: { good: '8080', bad: '70000' },
  healthyThreshold: { good: '3', bad: '1' },
  unhealthyThreshold: { good: '3', bad: '11' },
  healthCheckConnectTimeout: { good: '5', bad: '0' },
  healthCheckInterval: { good: '10', bad: '51' },
  healthCheckDomain: { good: 'www.example.com', bad: 'bad domain!' },
  healthCheckUri: { good: '/healthz', bad: 'healthz' },
  healthCheckHttpCode: { good: 'http_2xx,http_3xx', bad: 'http_6xx' },
  healthCheckMethod: { good: 'get', bad: 'post' },
  backendLabel: { good: 'pool=edge', bad: '=x' },
  removeUnscheduledBackend: { good: 'on', bad: 'x' },
  defaultWeight: { good: '50', bad: '101' },
  ignoreWeightUpdate: { good: 'on', bad: 'x' },
  backendType: { good: 'eni', bad: 'pod' },
};

/** What a good value needs beside it to pass the combination rules. */
const COMPANIONS: Partial<Record<NlbAnnotationName, Record<string, string>>> = {
  vgroupPort: { [P + 'id']: 'nlb-abc' },
  listenerPortRange: { 'service.beta.kubernetes.io/backend-type': 'eni' },
  protocolPort: { [P + 'cert-id']: 'c-1' },
  caCert: { [P + 'cacert-id']: 'ca-1' },
};

describe('NLB annotations table', () => {
  for (const name of Object.keys(NLB_ANNOTATIONS) as NlbAnnotationName[]) {
    const spec = NLB_ANNOTATIONS[name];
    it(`${spec.canonical}: accepts "${SAMPLES[name].good}", refuses "${SAMPLES[name].bad}" naming the key`, () => {
      const base = { [ZONE_MAPS]: ZONES, ...(COMPANIONS[name] ?? {}) };
      const ok = parseNlbAnnotations({ ...base, [spec.canonical]: SAMPLES[name].good });
      assert.ok(ok.ok, JSON.stringify(ok));
      assert.notEqual(ok.config[name], undefined);
      const bad = parseNlbAnnotations({ ...base, [spec.canonical]: SAMPLES[name].bad });
      assert.equal(bad.ok, false);
      if (!bad.ok)
        assert.ok(
          bad.errors.some((e) => e.key === spec.canonical && e.value === SAMPLES[name].bad),
          JSON.stringify(bad.errors),
        );
    });
  }

  it('has a sample for every annotation (a new row needs a test)', () => {
    assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(NLB_ANNOTATIONS).sort());
  });

  it('reads the legacy spelling, and the current one wins when both are present', () => {
    const legacy = parseNlbAnnotations({ [LEGACY + 'zone-maps']: ZONES, [LEGACY + 'scheduler']: 'rr' });
    assert.ok(legacy.ok);
    assert.equal(legacy.config.scheduler, 'rr');
    const both = parseNlbAnnotations({
      [ZONE_MAPS]: ZONES,
      [P + 'scheduler']: 'wrr',
      [LEGACY + 'scheduler']: 'bogus',
    });
    assert.ok(both.ok);
    assert.equal(both.config.scheduler, 'Wrr');
  });

  it('normalises zone maps (sorted by zone, optional IP and EIP) and refuses a zone listed twice', () => {
    const r = parseNlbAnnotations({
      [ZONE_MAPS]: 'cn-hangzhou-k:vsw-k1:10.0.0.5:eip-1,cn-hangzhou-j:vsw-j1',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.config.zoneMaps, [
      { zoneId: 'cn-hangzhou-j', vSwitchId: 'vsw-j1' },
      { zoneId: 'cn-hangzhou-k', vSwitchId: 'vsw-k1', ipv4Addr: '10.0.0.5', allocationId: 'eip-1' },
    ]);
    const twice = parseNlbAnnotations({ [ZONE_MAPS]: 'cn-hangzhou-k:vsw-1,cn-hangzhou-k:vsw-2' });
    assert.equal(twice.ok, false);
  });

  it('present-but-empty security-group-ids means "none" (leave them all), absent means "not managed"', () => {
    const empty = parseNlbAnnotations({ [ZONE_MAPS]: ZONES, [P + 'security-group-ids']: '' });
    assert.ok(empty.ok);
    assert.deepEqual(empty.config.securityGroupIds, []);
    const absent = parseNlbAnnotations({ [ZONE_MAPS]: ZONES });
    assert.ok(absent.ok);
    assert.equal(absent.config.securityGroupIds, undefined);
  });

  it('combination rules name the key at fault', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, ZONE_MAPS],
      [{ [ZONE_MAPS]: ZONES, [P + 'vgroup-port']: 'sgp-a:80' }, P + 'vgroup-port'],
      [{ [ZONE_MAPS]: ZONES, [P + 'protocol-port']: 'tcpssl:443' }, P + 'protocol-port'],
      [{ [ZONE_MAPS]: ZONES, [P + 'listener-port-range']: '1000-2000:80' }, P + 'listener-port-range'],
      [{ [ZONE_MAPS]: ZONES, [P + 'cacert']: 'on' }, P + 'cacert'],
      [
        { [ZONE_MAPS]: ZONES, [P + 'additional-resource-tags']: 'kubernetes.do.not.delete=x' },
        P + 'additional-resource-tags',
      ],
    ];
    for (const [annotations, key] of cases) {
      const r = parseNlbAnnotations(annotations);
      assert.equal(r.ok, false, key);
      if (!r.ok)
        assert.ok(
          r.errors.some((e) => e.key === key),
          `${key}: ${JSON.stringify(r.errors)}`,
        );
    }
    // Reusing an NLB needs no zone maps.
    assert.ok(parseNlbAnnotations({ [P + 'id']: 'nlb-abc' }).ok);
  });
});

describe('isNlbService', () => {
  const svc = (cls?: string, annotations: Record<string, string> = {}, type = 'LoadBalancer') => ({
    spec: { type, ...(cls ? { loadBalancerClass: cls } : {}) },
    metadata: { annotations },
  });
  const gateOn = { LoadBalancerTypeAnnotation: true };
  it('selects the NLB class; the type annotation only behind the official gate', () => {
    assert.equal(isNlbService(svc('alibabacloud.com/nlb')), true);
    // Default gates (as the official CCM): the annotation alone still means a CLB.
    assert.equal(isNlbService(svc(undefined, { [P + 'type']: 'nlb' })), false);
    assert.equal(isNlbService(svc(undefined, { [P + 'type']: 'nlb' }), gateOn), true);
    assert.equal(isNlbService(svc(undefined, { [P + 'type']: 'NLB' }), gateOn), true);
    // The CLB controller reads one spelling under the gate; so does this one.
    assert.equal(isNlbService(svc(undefined, { [LEGACY + 'type']: 'nlb' }), gateOn), false);
    assert.equal(isNlbService(svc()), false);
    assert.equal(isNlbService(svc(undefined, { [P + 'type']: 'clb' }), gateOn), false);
    // Another class owns the Service even when the annotation says nlb.
    assert.equal(isNlbService(svc('example.com/other', { [P + 'type']: 'nlb' }), gateOn), false);
    assert.equal(isNlbService(svc('alibabacloud.com/nlb', {}, 'NodePort')), false);
  });

  it('no Service is taken by both the CLB and the NLB controller, whatever the gate', () => {
    const annotationSets: Record<string, string>[] = [
      {},
      { [P + 'type']: 'nlb' },
      { [P + 'type']: 'clb' },
      { [LEGACY + 'type']: 'nlb' },
      { [P + 'type']: 'NLB', [LEGACY + 'type']: 'clb' },
    ];
    for (const gates of [undefined, gateOn, { LoadBalancerTypeAnnotation: false }])
      for (const cls of [undefined, 'alibabacloud.com/nlb', 'example.com/x'])
        for (const a of annotationSets) {
          const s = svc(cls, a);
          const clb = notOurService(s, gates) === undefined;
          assert.ok(!(clb && isNlbService(s, gates)), JSON.stringify({ gates, cls, a }));
        }
  });
});

describe('NLB annotation reference', () => {
  it('docs/annotations-nlb.md is generated from the table (npm run docs:annotations)', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderNlbAnnotationsDoc } = await import('../../../src/controllers/nlb/annotations/doc.js');
    const onDisk = readFileSync(new URL('../../../docs/annotations-nlb.md', import.meta.url), 'utf8');
    assert.equal(onDisk, renderNlbAnnotationsDoc());
    for (const spec of Object.values(NLB_ANNOTATIONS))
      for (const k of spec.keys) assert.ok(onDisk.includes(k), k);
  });
});
