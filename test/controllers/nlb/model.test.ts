import assert from 'node:assert/strict';
import {
  buildNlb,
  buildErrors,
  nlbService,
  P,
  withAnnotations,
  withLocal,
  withPorts,
  CONFIG,
  nodes,
} from './fixtures.js';
import type { NodeLike } from '../../../src/controllers/service/inputs/objects.js';

const NAME = 'a5e4dbfc9c2ae4d0b9a8e0123456789a'; // 'a' + UID without dashes, 32 characters

describe('NLB model', () => {
  it("builds the official CCM's basic example: one TCP listener, one server group of Ready workers", () => {
    const d = buildNlb(nlbService());
    assert.equal(d.defaultName, NAME);
    assert.deepEqual(d.attributes, {
      name: NAME,
      addressType: 'Internet',
      vpcId: 'vpc-main',
      zoneMappings: [
        { zoneId: 'cn-hangzhou-j', vSwitchId: 'vsw-j1' },
        { zoneId: 'cn-hangzhou-k', vSwitchId: 'vsw-k1' },
      ],
    });
    assert.deepEqual(d.ownershipTags, { 'kubernetes.do.not.delete': NAME, 'ack.aliyun.com': 'c-test' });
    assert.equal(d.listeners.length, 1);
    const l = d.listeners[0]!;
    assert.equal(l.description, 'k8s.80.TCP.nginx.default.c-test');
    assert.equal(l.serverGroupName, 'k8s.30080.TCP.nginx.default.c-test');
    assert.deepEqual(l.settings, {});
    const g = d.serverGroups[0]!;
    assert.equal(g.type, 'Instance');
    // w1 and w2 are Ready candidates; w3 is cordoned but stays (remove-unscheduled is off).
    assert.deepEqual(
      g.servers.map((s) => [s.serverId, s.serverType, s.port, s.weight, s.description]),
      [
        ['i-w1', 'Ecs', 30080, 100, g.name],
        ['i-w2', 'Ecs', 30080, 100, g.name],
        ['i-w3', 'Ecs', 30080, 100, g.name],
      ],
    );
  });

  it('Local traffic weighs nodes by their ready pods', () => {
    const d = buildNlb(nlbService(withLocal));
    assert.deepEqual(
      d.serverGroups[0]!.servers.map((s) => [s.serverId, s.weight]),
      [
        ['i-w1', 2],
        ['i-w2', 1],
      ],
    );
  });

  it('TCPSSL listener carries the TLS settings; a TCP listener of the same Service does not', () => {
    const d = buildNlb(
      nlbService(
        withPorts(
          { name: 'https', protocol: 'TCP', port: 443, nodePort: 30443, targetPort: 8443 },
          { name: 'raw', protocol: 'TCP', port: 9000, nodePort: 30900, targetPort: 9000 },
        ),
        withAnnotations({
          [P + 'protocol-port']: 'tcpssl:443',
          [P + 'cert-id']: '123-cn-hangzhou',
          [P + 'tls-cipher-policy']: 'tls_cipher_policy_1_2',
          [P + 'idle-timeout']: '60',
          [P + 'alpn']: 'on',
        }),
      ),
    );
    const ssl = d.listeners.find((l) => l.port === 443)!;
    const tcp = d.listeners.find((l) => l.port === 9000)!;
    assert.equal(ssl.protocol, 'TCPSSL');
    assert.equal(ssl.description, 'k8s.443.TCPSSL.nginx.default.c-test');
    assert.deepEqual(ssl.settings, {
      idleTimeout: 60,
      securityPolicyId: 'tls_cipher_policy_1_2',
      certificateIds: ['123-cn-hangzhou'],
      alpnEnabled: true,
    });
    assert.deepEqual(tcp.settings, { idleTimeout: 60 });
    assert.equal(d.serverGroups.find((g) => g.name.includes('30443'))!.protocol, 'TCPSSL');
  });

  it('server group settings and health check come from the annotations only when set', () => {
    const d = buildNlb(
      nlbService(
        withAnnotations({
          [P + 'scheduler']: 'sch',
          [P + 'connection-drain']: 'on',
          [P + 'connection-drain-timeout']: '30',
          [P + 'preserve-client-ip']: 'on',
          [P + 'health-check-flag']: 'on',
          [P + 'health-check-type']: 'http',
          [P + 'health-check-uri']: '/healthz',
          [P + 'health-check-httpcode']: 'http_2xx,http_3xx',
          [P + 'healthy-threshold']: '3',
        }),
      ),
    );
    assert.deepEqual(d.serverGroups[0]!.settings, {
      scheduler: 'sch',
      connectionDrainEnabled: true,
      connectionDrainTimeout: 30,
      preserveClientIpEnabled: true,
      healthCheck: {
        enabled: true,
        type: 'http',
        url: '/healthz',
        httpCodes: ['http_2xx', 'http_3xx'],
        healthyThreshold: 3,
      },
    });
    assert.deepEqual(buildNlb(nlbService()).serverGroups[0]!.settings, {});
  });

  it('ENI backends register pod IPs at the target port in an Ip group, without any ENI lookup', () => {
    const eni = { 'service.beta.kubernetes.io/backend-type': 'eni' };
    const d = buildNlb(nlbService(withAnnotations({ ...eni, [P + 'server-group-type']: 'Ip' })));
    const g = d.serverGroups[0]!;
    assert.equal(g.name, 'k8s.8080.TCP.nginx.default.c-test');
    assert.equal(g.type, 'Ip');
    // Terminating and not-ready pods are left out; pods on excluded nodes still count (ENI mode).
    assert.deepEqual(
      g.servers.map((s) => [s.serverId, s.serverIp, s.serverType, s.port]),
      [
        ['10.0.1.2', '10.0.1.2', 'Ip', 8080],
        ['10.0.1.3', '10.0.1.3', 'Ip', 8080],
        ['10.0.2.2', '10.0.2.2', 'Ip', 8080],
        ['10.0.9.2', '10.0.9.2', 'Ip', 8080],
      ],
    );
    assert.deepEqual(d.skipped, []);
  });

  it('ENI backends in the default Instance group register each pod by its ENI; a pod no ENI holds is skipped', () => {
    const eni = { 'service.beta.kubernetes.io/backend-type': 'eni' };
    const eniByIp = { '10.0.1.2': 'eni-a', '10.0.1.3': 'eni-a', '10.0.2.2': 'eni-b' };
    const d = buildNlb(nlbService(withAnnotations(eni)), { eniByIp });
    const g = d.serverGroups[0]!;
    assert.equal(g.type, 'Instance');
    assert.equal(d.trafficMode, 'ENI');
    assert.deepEqual(
      g.servers.map((s) => [s.serverId, s.serverIp, s.serverType, s.port]),
      [
        ['eni-a', '10.0.1.2', 'Eni', 8080],
        ['eni-a', '10.0.1.3', 'Eni', 8080],
        ['eni-b', '10.0.2.2', 'Eni', 8080],
      ],
    );
    assert.deepEqual(
      d.skipped.map((s) => [s.ip, s.reason]),
      [['10.0.9.2', 'no ENI found for the pod IP']],
    );
    // Nothing resolved yet: every pod is skipped, no server is invented.
    const none = buildNlb(nlbService(withAnnotations(eni)));
    assert.deepEqual(none.serverGroups[0]!.servers, []);
    assert.deepEqual(none.portsWithoutServers, [80]);
  });

  it('an Ip group with node backends registers each candidate node by its InternalIP at the node port', () => {
    const withIp = (n: NodeLike, i: number): NodeLike => ({
      ...n,
      status: { ...n.status, addresses: [{ type: 'InternalIP', address: `192.168.0.${i + 10}` }] },
    });
    const all = nodes().map((n, i) =>
      n.metadata?.name === 'w2' ? { ...n, status: { ...n.status } } : withIp(n, i),
    );
    const d = buildNlb(nlbService(withAnnotations({ [P + 'server-group-type']: 'Ip' })), { nodes: all });
    const g = d.serverGroups[0]!;
    assert.equal(g.type, 'Ip');
    // w1 and w3 are candidates with an address; w2 has none and is reported, not guessed.
    assert.deepEqual(
      g.servers.map((s) => [s.serverId, s.serverIp, s.serverType, s.port]),
      [
        ['192.168.0.10', '192.168.0.10', 'Ip', 30080],
        ['192.168.0.12', '192.168.0.12', 'Ip', 30080],
      ],
    );
    assert.match(d.skipped.map((s) => s.reason).join(), /i-w2 has no InternalIP/);
  });

  it('a port range listener forwards to an any-port group with a health check on the target port', () => {
    const d = buildNlb(
      nlbService(
        withAnnotations({
          'service.beta.kubernetes.io/backend-type': 'eni',
          [P + 'server-group-type']: 'Ip',
          [P + 'listener-port-range']: '1000-2000:80',
        }),
      ),
    );
    const l = d.listeners[0]!;
    assert.equal(l.port, 0);
    assert.equal(l.description, 'k8s.1000_2000.TCP.nginx.default.c-test');
    const g = d.serverGroups[0]!;
    assert.equal(g.anyPortEnabled, true);
    assert.deepEqual(g.settings.healthCheck, { enabled: true, connectPort: 8080 });
  });

  it('reuse: a cluster-made NLB is refused, a hand-made one needs a grant, and its attributes are never desired', () => {
    const svc = nlbService(withAnnotations({ [P + 'id']: 'nlb-user1' }));
    const made = buildErrors(svc, { reusedTags: { 'kubernetes.do.not.delete': 'aother' } });
    assert.match(made[0]!.reason, /created by a cluster/);
    const ungranted = buildErrors(svc, { reusedTags: {} });
    assert.match(ungranted[0]!.reason, /not open to namespace "default"/);
    const d = buildNlb(svc, { reusedTags: { 'kube-alicloud.io/reusable/c-test': 'default' } });
    assert.deepEqual(d.attributes, { loadBalancerId: 'nlb-user1' });
    assert.equal(d.reusedLoadBalancerId, 'nlb-user1');
    const byConfig = buildNlb(svc, {
      reusedTags: {},
      config: { ...CONFIG, reusableLoadBalancers: [{ loadBalancerId: 'nlb-user1' }] },
    });
    assert.equal(byConfig.reusedLoadBalancerId, 'nlb-user1');
  });

  it('a bad annotation and a port without a nodePort are reported together, each by key', () => {
    const errs = buildErrors(
      nlbService(
        withPorts({ name: 'x', protocol: 'TCP', port: 80, targetPort: 80 }),
        withAnnotations({ [P + 'scheduler']: 'random' }),
      ),
    );
    assert.deepEqual(
      errs.map((e) => e.key),
      [P + 'scheduler'],
    );
    const ports = buildErrors(
      nlbService(withPorts({ name: 'x', protocol: 'TCP', port: 80, targetPort: 80 })),
    );
    assert.deepEqual(
      ports.map((e) => e.key),
      ['spec.ports'],
    );
    const sctp = buildErrors(
      nlbService(withPorts({ name: 'x', protocol: 'SCTP', port: 80, nodePort: 30080, targetPort: 80 })),
    );
    assert.match(sctp[0]!.reason, /TCP, UDP or TCPSSL/);
  });

  it('refuses loadBalancerSourceRanges rather than leave the NLB open', () => {
    const errs = buildErrors(
      nlbService((s) => {
        (s.spec as { loadBalancerSourceRanges?: string[] }).loadBalancerSourceRanges = ['10.0.0.0/8'];
      }),
    );
    assert.deepEqual(
      errs.map((e) => e.key),
      ['spec.loadBalancerSourceRanges'],
    );
  });
});
