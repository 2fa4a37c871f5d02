import assert from 'node:assert/strict';
import { buildDesiredModel } from '../../../src/controllers/service/model/build.js';
import { isValidationErrors } from '../../../src/controllers/service/types.js';
import {
  CONFIG,
  P,
  build,
  expectGolden,
  inputs,
  newNode,
  newService,
  withAnnotations,
  withIngress,
  withLocal,
  withPorts,
} from './fixtures.js';

const L = 'service.beta.kubernetes.io/alicloud-loadbalancer-';
/** The operator's reuse grant for cluster c-test (see reuse-grant.ts). */
export const GRANT = 'kube-alicloud.io/reusable/c-test';

/** The official CCM usage guide's examples, as described in the reference annotation tables. */
export const USAGE_EXAMPLES: Record<string, Parameters<typeof newService>> = {
  'basic-tcp': [],
  intranet: [withAnnotations({ [P + 'address-type']: 'intranet' })],
  'intranet-vswitch': [
    withAnnotations({ [P + 'address-type']: 'intranet', [P + 'vswitch-id']: 'vsw-chosen' }),
  ],
  'http-listener': [withAnnotations({ [P + 'protocol-port']: 'http:80' })],
  'https-listener': [
    withPorts({ name: 'https', protocol: 'TCP', port: 443, nodePort: 30443, targetPort: 8080 }),
    withAnnotations({
      [P + 'protocol-port']: 'https:443',
      [P + 'cert-id']: '1231579085529123_166f8204689_1714763408_709691366',
    }),
  ],
  'http-to-https-forward': [
    withPorts(
      { name: 'http', protocol: 'TCP', port: 80, nodePort: 30080, targetPort: 8080 },
      { name: 'https', protocol: 'TCP', port: 443, nodePort: 30443, targetPort: 8080 },
    ),
    withAnnotations({
      [P + 'protocol-port']: 'https:443,http:80',
      [P + 'cert-id']: 'cert-123',
      [P + 'forward-port']: '80:443',
    }),
  ],
  'spec-paybyspec': [withAnnotations({ [P + 'spec']: 'slb.s2.small' })],
  paybybandwidth: [withAnnotations({ [P + 'charge-type']: 'paybybandwidth', [P + 'bandwidth']: '88' })],
  'reuse-existing': [withAnnotations({ [P + 'id']: 'lb-user1' })],
  'reuse-force-override': [
    withAnnotations({ [P + 'id']: 'lb-user1', [P + 'force-override-listeners']: 'true' }),
  ],
  'reuse-vgroup-port-weight': [
    withAnnotations({ [P + 'id']: 'lb-user1', [P + 'vgroup-port']: 'rsp-user80:80', [P + 'weight']: '60' }),
  ],
  'tcp-session-persistence': [
    withAnnotations({ [P + 'persistence-timeout']: '1800', [P + 'established-timeout']: '300' }),
  ],
  'acl-whitelist': [
    withAnnotations({
      [P + 'acl-status']: 'on',
      [P + 'acl-id']: 'acl-2ze1,acl-2ze0',
      [P + 'acl-type']: 'white',
    }),
  ],
  'tcp-health-check-http': [
    withAnnotations({
      [P + 'health-check-type']: 'http',
      [P + 'health-check-uri']: '/test/index.html',
      [P + 'healthy-threshold']: '4',
      [P + 'unhealthy-threshold']: '4',
      [P + 'health-check-interval']: '3',
      [P + 'health-check-connect-timeout']: '3',
      [P + 'health-check-domain']: 'www.example.com',
      [P + 'health-check-httpcode']: 'http_3xx,http_2xx',
    }),
  ],
  'http-health-check-sticky': [
    withAnnotations({
      [P + 'protocol-port']: 'http:80',
      [P + 'health-check-flag']: 'on',
      [P + 'health-check-uri']: '/health',
      [P + 'health-check-timeout']: '8',
      [P + 'sticky-session']: 'on',
      [P + 'sticky-session-type']: 'insert',
      [P + 'cookie-timeout']: '1800',
    }),
  ],
  'backend-label': [withAnnotations({ [P + 'backend-label']: 'pool=edge' })],
  'backend-label-remove-unscheduled': [
    withAnnotations({ [P + 'backend-label']: 'pool=edge', [P + 'remove-unscheduled-backend']: 'on' }),
  ],
  'local-traffic': [withLocal],
  'additional-tags-protection': [
    withAnnotations({
      [P + 'additional-resource-tags']: 'team=web,env=prod',
      [P + 'delete-protection']: 'off',
      [P + 'modification-protection']: 'NonProtection',
      [P + 'name']: 'web-slb',
    }),
  ],
  'udp-connection-drain': [
    withPorts({ name: 'dns', protocol: 'UDP', port: 53, nodePort: 30053, targetPort: 53 }),
    withAnnotations({
      [P + 'connection-drain']: 'on',
      [P + 'connection-drain-timeout']: '30',
      [P + 'proxy-protocol']: 'on',
    }),
  ],
  'scheduler-wrr-default-weight': [
    withAnnotations({ [P + 'scheduler']: 'wrr', [P + 'default-weight']: '30' }),
  ],
  'https-domain-extensions': [
    withPorts({ name: 'https', protocol: 'TCP', port: 443, nodePort: 30443, targetPort: 8080 }),
    withAnnotations({
      [P + 'protocol-port']: 'https:443',
      [P + 'cert-id']: 'cert-main',
      [P + 'domain-extensions']: 'a.example.com:cert-a,b.example.com:cert-b',
      [P + 'tls-cipher-policy']: 'tls_cipher_policy_1_2',
      [P + 'http2-enabled']: 'on',
    }),
  ],
  'master-slave-zone-ip-version': [
    withAnnotations({
      [P + 'master-zoneid']: 'cn-hangzhou-b',
      [P + 'slave-zoneid']: 'cn-hangzhou-c',
      [P + 'resource-group-id']: 'rg-abc',
    }),
  ],
};

describe('service model builder', () => {
  describe('golden models for the official usage-guide examples', () => {
    for (const [name, tweaks] of Object.entries(USAGE_EXAMPLES)) {
      it(name, () => {
        const reusedLoadBalancer = name.startsWith('reuse')
          ? {
              loadBalancerId: 'lb-user1',
              tags: { [GRANT]: '*' },
              address: '47.1.1.1',
              vgroups: [{ id: 'rsp-user80', name: 'user-group' }],
            }
          : undefined;
        expectGolden(
          `model-${name}`,
          build(newService(...tweaks), reusedLoadBalancer ? { reusedLoadBalancer } : {}),
        );
      });
    }
  });

  it('the 2017 article https example (ProtocolPort https:443, CertID, Bandwidth 60, HealthCheckFlag off)', () => {
    const svc = newService(
      withPorts({ protocol: 'TCP', port: 443, nodePort: 30146, targetPort: 80 }),
      withAnnotations({
        [L + 'ProtocolPort']: 'https:443',
        [L + 'Bandwidth']: '60',
        [L + 'CertID']: '124395s8ifs8ffftte',
        [L + 'HealthCheckFlag']: 'off',
      }),
    );
    const m = build(svc);
    assert.equal(m.listeners.length, 1);
    const l = m.listeners[0]!;
    assert.equal(l.protocol, 'https');
    assert.equal(l.port, 443);
    assert.equal(l.settings.ServerCertificateId, '124395s8ifs8ffftte');
    assert.equal(l.settings.HealthCheck, 'off');
    // Bandwidth alone implies pay-by-bandwidth (the 2017 default charge type).
    assert.equal(m.attributes.internetChargeType, 'paybybandwidth');
    assert.equal(m.attributes.bandwidth, 60);
    assert.equal(m.vgroups[0]!.name, 'k8s/30146/nginx/default/c-test');
    assert.deepEqual(
      m.vgroups[0]!.backends.map((b) => [b.serverId, b.port, b.weight]),
      [
        ['i-w1', 30146, 100],
        ['i-w2', 30146, 100],
        ['i-w3', 30146, 100],
      ],
    );
    expectGolden('model-2017-https-example', m);
  });

  describe('backends', () => {
    it('Cluster: every candidate node; masters, NotReady and excluded nodes are dropped', () => {
      const m = build(newService());
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => b.serverId),
        ['i-w1', 'i-w2', 'i-w3'],
      );
    });
    it('Local: only nodes with ready pods, weighted by pod count', () => {
      const m = build(newService(withLocal));
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => [b.serverId, b.weight]),
        [
          ['i-w1', 2],
          ['i-w2', 1],
        ],
      );
      assert.deepEqual(
        m.skippedBackends.map((s) => s.ip),
        ['10.0.9.2'],
      );
    });
    it('remove-unscheduled-backend drops cordoned nodes', () => {
      const m = build(newService(withAnnotations({ [P + 'remove-unscheduled-backend']: 'on' })));
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => b.serverId),
        ['i-w1', 'i-w2'],
      );
    });
    it('the legacy exclude label and the alpha label both exclude', () => {
      const ns = [newNode('a'), newNode('b'), newNode('c')];
      ns[0]!.metadata!.labels!['alpha.service-controller.kubernetes.io/exclude-balancer'] = 'true';
      ns[1]!.metadata!.labels!['service.beta.kubernetes.io/exclude-node'] = '';
      const m = build(newService(), { nodes: ns });
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => b.serverId),
        ['i-c'],
      );
    });
    it('a node without a providerID is reported, not fatal', () => {
      const bad = newNode('x');
      delete bad.spec!.providerID;
      const m = build(newService(), { nodes: [bad, newNode('w2')] });
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => b.serverId),
        ['i-w2'],
      );
      assert.equal(m.skippedBackends[0]!.nodeName, 'x');
    });
    it('no candidates: empty group and the port is reported', () => {
      const m = build(newService(), { nodes: [] });
      assert.deepEqual(m.vgroups[0]!.backends, []);
      assert.deepEqual(m.portsWithoutBackends, [80]);
    });
    it('vgroup-port + weight spreads the percentage over backends (minimum 1)', () => {
      const m = build(
        newService(
          withAnnotations({
            [P + 'id']: 'lb-user1',
            [P + 'vgroup-port']: 'rsp-user80:80',
            [P + 'weight']: '60',
          }),
        ),
      );
      assert.equal(m.vgroups[0]!.id, 'rsp-user80');
      assert.equal(m.vgroups[0]!.reused, true);
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => b.weight),
        [20, 20, 20],
      );
      assert.equal(m.listeners[0]!.vGroupId, 'rsp-user80');
    });
    it('ENI mode registers pod IPs with their ENI and target port', () => {
      const m = build(newService(withAnnotations({ 'service.beta.kubernetes.io/backend-type': 'eni' })), {
        eniByIp: { '10.0.1.2': 'eni-1', '10.0.1.3': 'eni-1', '10.0.2.2': 'eni-2' },
      });
      assert.equal(m.trafficMode, 'ENI');
      assert.equal(m.vgroups[0]!.name, 'k8s/8080/nginx/default/c-test');
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => [b.serverId, b.serverIp, b.port, b.type]),
        [
          ['eni-1', '10.0.1.2', 8080, 'eni'],
          ['eni-1', '10.0.1.3', 8080, 'eni'],
          ['eni-2', '10.0.2.2', 8080, 'eni'],
        ],
      );
      assert.deepEqual(
        m.skippedBackends.map((s) => s.ip),
        ['10.0.9.2'],
      );
    });
  });

  describe('the SLB quota of backends per VServer group', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => newNode(`n${String(i).padStart(3, '0')}`));
    const ids = (m: ReturnType<typeof build>) => m.vgroups[0]!.backends.map((b) => b.serverId);
    it('keeps a deterministic subset of 200, reports the rest, and spreads different Services over different nodes', () => {
      const m = build(newService(), { nodes: many(250) });
      assert.equal(ids(m).length, 200);
      assert.deepEqual(ids(build(newService(), { nodes: many(250) })), ids(m), 'same inputs, same subset');
      assert.equal(m.skippedBackends.filter((b) => /over the SLB quota of 200/.test(b.reason)).length, 50);
      const other = build(
        newService((s) => (s.metadata!.uid = '0e4dbfc9-c2ae-4d0b-9a8e-0123456789ff')),
        { nodes: many(250) },
      );
      assert.notDeepEqual(ids(other), ids(m));
    });
    it('a joining node displaces at most one backend; a configured quota is honoured', () => {
      const before = new Set(ids(build(newService(), { nodes: many(250) })));
      const after = ids(build(newService(), { nodes: many(251) }));
      assert.ok(after.filter((id) => !before.has(id)).length <= 1);
      assert.equal(
        ids(build(newService(), { nodes: many(250), config: { ...CONFIG, maxBackendsPerGroup: 300 } }))
          .length,
        250,
      );
    });
  });

  describe('validation beyond single annotations', () => {
    const errorsOf = (...args: Parameters<typeof inputs>) => {
      const r = buildDesiredModel(inputs(...args));
      assert.ok(isValidationErrors(r), 'expected validation errors');
      return r.errors;
    };
    it('ENI backends without a pod-IP → ENI map (this cluster mode): refused, naming the annotation or the cloud-config', () => {
      const e = errorsOf(newService(withAnnotations({ 'service.beta.kubernetes.io/backend-type': 'eni' })));
      assert.equal(e[0]!.key, 'service.beta.kubernetes.io/backend-type');
      assert.match(e[0]!.reason, /not supported in this cluster mode/);
      const fromConfig = errorsOf(newService(), { config: { ...CONFIG, serviceBackendType: 'eni' } });
      assert.equal(fromConfig[0]!.key, 'cloud-config serviceBackendType');
      assert.ok(
        isValidationErrors(
          buildDesiredModel(
            inputs(newService(withAnnotations({ 'service.beta.kubernetes.io/backend-type': 'ecs' })), {
              config: { ...CONFIG, serviceBackendType: 'eni' },
            }),
          ),
        ) === false,
        'ecs annotation overrides',
      );
    });
    it('https without a certificate', () =>
      assert.match(
        errorsOf(newService(withAnnotations({ [P + 'protocol-port']: 'https:80' })))[0]!.reason,
        /cert-id is missing/,
      ));
    it('a 2017 Region other than the cluster region', () =>
      assert.equal(
        errorsOf(newService(withAnnotations({ [L + 'Region']: 'cn-beijing' })))[0]!.key,
        L + 'Region',
      ));
    it('http on a UDP port', () => {
      const e = errorsOf(
        newService(
          withPorts({ protocol: 'UDP', port: 80, nodePort: 30080 }),
          withAnnotations({ [P + 'protocol-port']: 'http:80' }),
        ),
      );
      assert.match(e[0]!.reason, /does not fit the UDP Service port 80/);
    });
    it('SCTP ports', () =>
      assert.match(
        errorsOf(newService(withPorts({ protocol: 'SCTP', port: 80, nodePort: 30080 })))[0]!.reason,
        /TCP and UDP/,
      ));
    it('disablePublicSLB refuses internet SLBs', () => {
      assert.equal(
        errorsOf(newService(), { config: { ...CONFIG, disablePublicSlb: true } })[0]!.key,
        P + 'address-type',
      );
    });
    it('reusing an SLB that carries cluster ownership tags', () => {
      const e = errorsOf(newService(withAnnotations({ [P + 'id']: 'lb-x' })), {
        reusedLoadBalancer: { loadBalancerId: 'lb-x', tags: { 'ack.aliyun.com': 'other' }, vgroups: [] },
      });
      assert.match(e[0]!.reason, /created by a Kubernetes cluster/);
    });
    it('vgroup-port naming a controller-created group', () => {
      const e = errorsOf(
        newService(withAnnotations({ [P + 'id']: 'lb-x', [P + 'vgroup-port']: 'rsp-k:80' })),
        {
          reusedLoadBalancer: {
            loadBalancerId: 'lb-x',
            tags: { [GRANT]: 'default' },
            vgroups: [{ id: 'rsp-k', name: 'k8s/30080/other/default/c-test' }],
          },
        },
      );
      assert.match(e[0]!.reason, /created by a controller/);
    });
    it('rebinding a Service with an ingress IP to a different reused SLB', () => {
      const e = errorsOf(newService(withIngress('1.2.3.4'), withAnnotations({ [P + 'id']: 'lb-x' })), {
        reusedLoadBalancer: {
          loadBalancerId: 'lb-x',
          tags: { [GRANT]: 'default' },
          address: '5.6.7.8',
          vgroups: [],
        },
      });
      assert.match(e[0]!.reason, /cannot be rebound to 5.6.7.8/);
    });
    it('annotation errors come back untouched', () => {
      const e = errorsOf(newService(withAnnotations({ [L + 'HealthCheckFlag']: 'maybe' })));
      assert.deepEqual(
        e.map((x) => x.key),
        [L + 'HealthCheckFlag'],
      );
    });
  });

  it('is deterministic: node and slice order do not matter', () => {
    const a = build(newService(withLocal));
    const b = build(newService(withLocal), { nodes: [...inputs(newService()).nodes].reverse() });
    assert.deepEqual(a, b);
  });
});
