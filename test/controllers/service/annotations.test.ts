import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  ANNOTATIONS,
  CURRENT_PREFIX,
  KUBE_ALIYUN_PREFIX,
  LEGACY_PREFIX,
  type AnnotationName,
} from '../../../src/controllers/service/annotations/table.js';
import { renderAnnotationsDoc } from '../../../src/controllers/service/annotations/doc.js';
import {
  notOurService,
  parseServiceAnnotations,
  relevantAnnotations,
} from '../../../src/controllers/service/annotations/parse.js';

const P = CURRENT_PREFIX;
const L = LEGACY_PREFIX;

function ok(a: Record<string, string>) {
  const r = parseServiceAnnotations(a);
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.config;
}
function errs(a: Record<string, string>) {
  const r = parseServiceAnnotations(a);
  if (r.ok) assert.fail(`expected errors, got ${JSON.stringify(r.config)}`);
  return r.errors;
}

describe('service annotations', () => {
  describe('precedence: current > legacy > CamelCase > kube-aliyun', () => {
    const cases: Array<[string, Record<string, string>, number]> = [
      [
        'current wins over all',
        {
          [P + 'healthy-threshold']: '5',
          [L + 'healthy-threshold']: '4',
          [L + 'HealthyThreshold']: '3',
          [KUBE_ALIYUN_PREFIX + 'healthy-threshold']: '2',
        },
        5,
      ],
      [
        'legacy wins over CamelCase and kube-aliyun',
        {
          [L + 'healthy-threshold']: '4',
          [L + 'HealthyThreshold']: '3',
          [KUBE_ALIYUN_PREFIX + 'healthy-threshold']: '2',
        },
        4,
      ],
      [
        'CamelCase wins over kube-aliyun',
        { [L + 'HealthyThreshold']: '3', [KUBE_ALIYUN_PREFIX + 'healthy-threshold']: '2' },
        3,
      ],
      ['kube-aliyun alone', { [KUBE_ALIYUN_PREFIX + 'healthy-threshold']: '2' }, 2],
    ];
    for (const [title, a, want] of cases) it(title, () => assert.equal(ok(a).healthyThreshold, want));

    it('an empty higher-precedence key masks a lower one (CCM Get semantics)', () => {
      assert.equal(ok({ [P + 'spec']: '', [L + 'spec']: 'slb.s2.small' }).spec, undefined);
    });
    it('a bad lower-precedence value is ignored when a higher key is present', () => {
      assert.equal(ok({ [P + 'bandwidth']: '10', [L + 'Bandwidth']: 'lots' }).bandwidth, 10);
    });
  });

  describe('every 2017 CamelCase key from the article is accepted', () => {
    const camel: Array<[string, string, AnnotationName, unknown]> = [
      [
        'ProtocolPort',
        'https:443,http:80',
        'protocolPort',
        [
          { protocol: 'https', port: 443 },
          { protocol: 'http', port: 80 },
        ],
      ],
      ['AddressType', 'intranet', 'addressType', 'intranet'],
      ['SLBNetworkType', 'vpc', 'networkType', 'vpc'],
      ['ChargeType', 'paybytraffic', 'chargeType', 'paybytraffic'],
      ['Region', 'cn-hangzhou', 'region', 'cn-hangzhou'],
      ['Bandwidth', '60', 'bandwidth', 60],
      ['CertID', '124395s8ifs8ffftte', 'certId', '124395s8ifs8ffftte'],
      ['HealthCheckFlag', 'off', 'healthCheckFlag', 'off'],
      ['HealthCheckType', 'http', 'healthCheckType', 'http'],
      ['HealthCheckURI', '/healthz', 'healthCheckUri', '/healthz'],
      ['HealthCheckConnectPort', '8080', 'healthCheckConnectPort', 8080],
      ['HealthyThreshold', '4', 'healthyThreshold', 4],
      ['UnhealthyThreshold', '4', 'unhealthyThreshold', 4],
      ['HealthCheckInterval', '3', 'healthCheckInterval', 3],
      ['HealthCheckConnectTimeout', '6', 'healthCheckConnectTimeout', 6],
      ['HealthCheckTimeout', '7', 'healthCheckTimeout', 7],
    ];
    for (const [suffix, value, name, want] of camel) {
      it(`${L}${suffix}`, () => assert.deepEqual(ok({ [L + suffix]: value })[name], want));
    }
  });

  describe('kube-aliyun keys', () => {
    for (const [suffix, name, value, want] of [
      ['internet-charge-type', 'chargeType', 'paybybandwidth', 'paybybandwidth'],
      ['bandwidth', 'bandwidth', '20', 20],
      ['healthy-threshold', 'healthyThreshold', '3', 3],
      ['unhealthy-threshold', 'unhealthyThreshold', '3', 3],
      ['health-check-connect-timeout', 'healthCheckConnectTimeout', '5', 5],
      ['health-check-interval', 'healthCheckInterval', '2', 2],
    ] as const) {
      it(KUBE_ALIYUN_PREFIX + suffix, () =>
        assert.deepEqual(ok({ [KUBE_ALIYUN_PREFIX + suffix]: value })[name], want),
      );
    }
  });

  describe('bad values name the exact key, the value and what is allowed', () => {
    const cases: Array<[string, string, RegExp]> = [
      [L + 'HealthCheckFlag', 'maybe', /"on", "off"/],
      [P + 'address-type', 'public', /"internet", "intranet"/],
      [P + 'protocol-port', 'https:443,ftp:21', /entry "ftp:21".*tcp, udp, http or https/],
      [P + 'protocol-port', 'https:443,http:443', /port 443 is listed twice/],
      [P + 'protocol-port', 'https', /entry "https"/],
      [P + 'healthy-threshold', '11', /integer from 2 to 10/],
      [P + 'healthy-threshold', '3.5', /integer from 2 to 10/],
      [P + 'health-check-connect-port', '0', /1 to 65535 \(or -520\)/],
      [P + 'bandwidth', '-1', /integer from 1 to 5120/],
      [P + 'persistence-timeout', '3601', /0 to 3600/],
      [P + 'scheduler', 'random', /"rr", "wrr"/],
      [P + 'id', 'i-123', /SLB instance id/],
      [P + 'vswitch-id', 'vpc-1', /vswitch id/],
      [P + 'acl-id', 'acl-1,foo', /ACL ids/],
      [P + 'health-check-httpcode', 'http_2xx,200', /http_2xx, http_3xx/],
      [P + 'health-check-uri', 'healthz', /starting with "\/"/],
      [P + 'ip', '10.0.0.300', /IPv4 address/],
      [P + 'forward-port', '80-443', /httpPort:httpsPort/],
      [P + 'backend-label', 'pool', /label=value/],
      [P + 'additional-resource-tags', 'acs:x=1', /may not start with/],
      [P + 'weight', '101', /0 to 100/],
      [P + 'force-override-listeners', 'yes', /"true" or "false"/],
      ['service.beta.kubernetes.io/backend-type', 'pod', /"ecs", "eni"/],
      [KUBE_ALIYUN_PREFIX + 'bandwidth', 'fast', /integer/],
    ];
    for (const [key, value, reason] of cases) {
      it(`${key}: ${value}`, () => {
        const e = errs({ [key]: value });
        assert.equal(e.length, 1, JSON.stringify(e));
        assert.equal(e[0]!.key, key);
        assert.equal(e[0]!.value, value);
        assert.match(e[0]!.reason, reason);
      });
    }
    it('reports every problem at once', () => {
      assert.equal(
        errs({ [P + 'scheduler']: 'x', [P + 'acl-status']: 'maybe', [L + 'Bandwidth']: 'x' }).length,
        3,
      );
    });
  });

  describe('combinations', () => {
    it('vgroup-port needs id', () =>
      assert.match(
        errs({ [P + 'vgroup-port']: 'rsp-abc:80' })[0]!.reason,
        /only allowed together with .*-id/,
      ));
    it('weight needs id and vgroup-port', () =>
      assert.equal(errs({ [P + 'id']: 'lb-1', [P + 'weight']: '50' })[0]!.key, P + 'weight'));
    it('acl-status on needs acl-id', () =>
      assert.match(errs({ [P + 'acl-status']: 'on' })[0]!.reason, /acl-id/));
    it('forward-port must go http → https', () => {
      const e = errs({ [P + 'protocol-port']: 'http:80,http:8080', [P + 'forward-port']: '80:8080' });
      assert.equal(e[0]!.key, P + 'forward-port');
    });
    it('forward-port http → https is fine', () => {
      assert.deepEqual(
        ok({ [P + 'protocol-port']: 'http:80,https:443', [P + 'forward-port']: '80:443' }).forwardPort,
        [{ from: 80, to: 443 }],
      );
    });
    it('spec with PayByCLCU is contradictory', () =>
      assert.equal(
        errs({ [P + 'spec']: 'slb.s1.small', [P + 'instance-charge-type']: 'PayByCLCU' })[0]!.key,
        P + 'spec',
      ));
  });

  describe('normalisation', () => {
    it('charge types are case-insensitive', () =>
      assert.equal(ok({ [L + 'ChargeType']: 'PayByBandwidth' }).chargeType, 'paybybandwidth'));
    it('instance charge type normalises case', () =>
      assert.equal(ok({ [P + 'instance-charge-type']: 'paybyspec' }).instanceChargeType, 'PayBySpec'));
    it('ACL ids become a sorted set', () =>
      assert.deepEqual(ok({ [P + 'acl-id']: 'acl-b, acl-a,acl-b' }).aclId, ['acl-a', 'acl-b']));
    it('additional tags: bare key, empty value, last duplicate wins', () => {
      assert.deepEqual(
        ok({ [P + 'additional-resource-tags']: ' a=1, b, c=, a=2 ,' }).additionalResourceTags,
        { a: '2', b: '', c: '' },
      );
    });
    it('slb-network-type (documented, never read by the CCM) is accepted as an alias', () => {
      assert.equal(ok({ [P + 'slb-network-type']: 'classic' }).networkType, 'classic');
    });
  });

  describe('table integrity', () => {
    it('no key is claimed by two annotations', () => {
      const seen = new Map<string, string>();
      for (const [name, spec] of Object.entries(ANNOTATIONS)) {
        for (const k of spec.keys) {
          assert.ok(!seen.has(k), `${k} claimed by ${seen.get(k)} and ${name}`);
          seen.set(k, name);
        }
      }
    });
    it('covers every CLB suffix in the reference tables', () => {
      const suffixes =
        `id address-type name resource-group-id additional-resource-tags delete-protection modification-protection vswitch-id network-type
        charge-type bandwidth instance-charge-type spec master-zoneid slave-zoneid ip-version ip force-override-listeners preserve-lb-on-delete
        external-ip-type hostname protocol-port cert-id tls-cipher-policy http2-enabled idle-timeout request-timeout established-timeout
        persistence-timeout scheduler connection-drain connection-drain-timeout acl-status acl-id acl-type forward-port health-check-switch
        health-check-flag health-check-type health-check-uri health-check-domain health-check-httpcode health-check-method
        health-check-connect-port healthy-threshold unhealthy-threshold health-check-interval health-check-connect-timeout
        health-check-timeout sticky-session sticky-session-type cookie-timeout cookie xforwardedfor-proto xforwardedfor-slbport
        xforwardedfor-clientsrcport proxy-protocol domain-extensions vgroup-port backend-label remove-unscheduled-backend weight
        default-weight ignore-weight-update backend-ip-version`
          .split(/\s+/)
          .filter(Boolean);
      const all = new Set(Object.values(ANNOTATIONS).flatMap((s) => s.keys));
      for (const s of suffixes) {
        assert.ok(all.has(P + s), `missing ${P}${s}`);
        assert.ok(all.has(L + s), `missing ${L}${s}`);
      }
      assert.ok(all.has('service.beta.kubernetes.io/backend-type'));
    });
  });

  it('property: the parser never throws and returns either a config or errors naming a present key', () => {
    const keys = Object.values(ANNOTATIONS).flatMap((s) => [...s.keys]);
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'on',
        'off',
        'true',
        '80',
        '-520',
        'https:443,http:80',
        'lb-abc',
        'a=b',
        ' ',
        '0',
        '99999999999',
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string()), value), (a) => {
        const r = parseServiceAnnotations(a);
        if (r.ok) return typeof r.config === 'object';
        return (
          r.errors.length > 0 &&
          r.errors.every(
            (e) =>
              e.reason.length > 0 &&
              (e.key in a || Object.values(ANNOTATIONS).some((s) => s.canonical === e.key)),
          )
        );
      }),
      { numRuns: 500 },
    );
  });

  it('tolerates missing and odd annotation maps', () => {
    assert.deepEqual(parseServiceAnnotations(undefined), { ok: true, config: {}, sources: {} });
    assert.deepEqual(parseServiceAnnotations(null), { ok: true, config: {}, sources: {} });
    assert.equal(parseServiceAnnotations(Object.create(null) as Record<string, string>).ok, true);
  });

  describe('notOurService', () => {
    const svc = (
      annotations: Record<string, string> = {},
      spec: { type?: string; loadBalancerClass?: string } = { type: 'LoadBalancer' },
    ) => ({ metadata: { annotations }, spec });
    it('handles a plain LoadBalancer', () => assert.equal(notOurService(svc()), undefined));
    it('skips NodePort', () => assert.match(notOurService(svc({}, { type: 'NodePort' }))!, /NodePort/));
    it('skips a loadBalancerClass', () =>
      assert.match(
        notOurService(svc({}, { type: 'LoadBalancer', loadBalancerClass: 'alibabacloud.com/nlb' }))!,
        /loadBalancerClass/,
      ));
    it('skips the class annotation', () =>
      assert.ok(notOurService(svc({ 'service.beta.kubernetes.io/class': 'x' }))));
    it('skips tunnel-type', () => assert.ok(notOurService(svc({ [P + 'tunnel-type']: '' }))));
    it('handles type nlb under the default gates, as the official CCM does (LoadBalancerTypeAnnotation off)', () =>
      assert.equal(notOurService(svc({ [P + 'type']: 'nlb' })), undefined));
    it('skips any non-empty type when LoadBalancerTypeAnnotation is on', () => {
      const gates = { LoadBalancerTypeAnnotation: true };
      assert.match(notOurService(svc({ [P + 'type']: 'NLB' }), gates)!, /type is NLB/);
      assert.ok(notOurService(svc({ [P + 'type']: 'clb' }), gates));
      assert.equal(notOurService(svc({ [P + 'type']: '' }), gates), undefined);
    });
  });

  it('relevantAnnotations ignores unrelated annotations', () => {
    assert.deepEqual(
      relevantAnnotations({
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        [L + 'Bandwidth']: '5',
      }),
      { bandwidth: '5' },
    );
  });

  it('docs/annotations.md is up to date (run `npm run docs:annotations`)', () => {
    const onDisk = readFileSync(new URL('../../../docs/annotations.md', import.meta.url), 'utf8');
    assert.equal(onDisk, renderAnnotationsDoc());
  });
});
