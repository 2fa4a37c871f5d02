// The official CCM usage guide's examples (annotations as in docs/annotations.md; the rules they
// exercise in docs/design/service.md § "Listeners" and § "Backends"), each applied with kubectl to
// the real controller-manager process and checked in the emulated cloud. One kubectl apply creates
// every example Service at once; each `it` then checks what that example asked for. (Reusing an
// existing SLB with and without override-listeners is covered in e2e.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { stringify } from 'yaml';
import { eventually } from '../../helpers/eventually.js';
import {
  eventsFor,
  getService,
  groupsOf,
  lbFor,
  PFX,
  serviceManifest,
  setNodeLabels,
  startProcessHarness,
  waitIngress,
  type ProcessHarness,
  type SvcSpec,
} from './process.js';

const CERT = 'cert-usage-main';
const ACL = 'acl-2zeusage1';
const HTTPS = [{ name: 'https', port: 443, targetPort: 8443 }];
const WEB_AND_TLS = [{ name: 'http', port: 80, targetPort: 8080 }, ...HTTPS];

describe('service controller: the official usage-guide examples (real controller-manager process)', function () {
  this.timeout(90_000);
  let h: ProcessHarness;
  let vswitch = '';
  let zones: string[] = [];

  const examples = (): SvcSpec[] => [
    {
      name: 'intranet-vsw',
      annotations: { [`${PFX}address-type`]: 'intranet', [`${PFX}vswitch-id`]: vswitch },
    },
    {
      name: 'bandwidth',
      annotations: { [`${PFX}charge-type`]: 'paybybandwidth', [`${PFX}bandwidth`]: '88' },
    },
    { name: 'spec', annotations: { [`${PFX}spec`]: 'slb.s2.small' } },
    {
      name: 'https',
      ports: HTTPS,
      annotations: { [`${PFX}protocol-port`]: 'https:443', [`${PFX}cert-id`]: CERT },
    },
    {
      name: 'forward',
      ports: WEB_AND_TLS,
      annotations: {
        [`${PFX}protocol-port`]: 'https:443,http:80',
        [`${PFX}cert-id`]: CERT,
        [`${PFX}forward-port`]: '80:443',
      },
    },
    {
      name: 'hc-tcp',
      annotations: {
        [`${PFX}health-check-type`]: 'tcp',
        [`${PFX}health-check-connect-timeout`]: '8',
        [`${PFX}healthy-threshold`]: '4',
        [`${PFX}unhealthy-threshold`]: '4',
        [`${PFX}health-check-interval`]: '3',
      },
    },
    {
      name: 'hc-http',
      annotations: {
        [`${PFX}health-check-type`]: 'http',
        [`${PFX}health-check-uri`]: '/test/index.html',
        [`${PFX}health-check-domain`]: 'www.example.com',
        [`${PFX}health-check-httpcode`]: 'http_3xx,http_2xx',
        [`${PFX}healthy-threshold`]: '4',
        [`${PFX}unhealthy-threshold`]: '4',
        [`${PFX}health-check-interval`]: '3',
        [`${PFX}health-check-connect-timeout`]: '3',
      },
    },
    {
      name: 'sticky',
      annotations: {
        [`${PFX}protocol-port`]: 'http:80',
        [`${PFX}health-check-flag`]: 'on',
        [`${PFX}health-check-uri`]: '/health',
        [`${PFX}health-check-timeout`]: '8',
        [`${PFX}sticky-session`]: 'on',
        [`${PFX}sticky-session-type`]: 'insert',
        [`${PFX}cookie-timeout`]: '1800',
      },
    },
    { name: 'persist', annotations: { [`${PFX}persistence-timeout`]: '1800' } },
    {
      name: 'acl',
      annotations: { [`${PFX}acl-status`]: 'on', [`${PFX}acl-id`]: ACL, [`${PFX}acl-type`]: 'white' },
    },
    { name: 'wrr', annotations: { [`${PFX}scheduler`]: 'wrr', [`${PFX}default-weight`]: '30' } },
    { name: 'label', annotations: { [`${PFX}backend-label`]: 'pool=edge' } },
    {
      name: 'label-unsched',
      annotations: { [`${PFX}backend-label`]: 'pool=edge', [`${PFX}remove-unscheduled-backend`]: 'on' },
    },
    {
      name: 'tags',
      annotations: {
        [`${PFX}additional-resource-tags`]: 'team=web,env=prod',
        [`${PFX}delete-protection`]: 'off',
        [`${PFX}modification-protection`]: 'NonProtection',
        [`${PFX}name`]: 'web-slb',
      },
    },
    { name: 'zones', annotations: { [`${PFX}master-zoneid`]: zones[0]!, [`${PFX}slave-zoneid`]: zones[1]! } },
    { name: 'ipv6', annotations: { [`${PFX}address-type`]: 'internet', [`${PFX}ip-version`]: 'ipv6' } },
    { name: 'hostname', annotations: { [`${PFX}hostname`]: 'shop.example.com' } },
  ];

  before(async function () {
    this.timeout(90_000);
    h = await startProcessHarness({
      nodes: 3,
      args: ['--lb-drift-check-period', '1h', '--concurrent-service-syncs', '8'],
    });
    const s = h.cloudEmu.emu.state;
    vswitch = Object.values(s.vswitches).at(-1)!.VSwitchId;
    zones = s.zones.map((z) => z.ZoneId);
    s.serverCertificates[CERT] = {
      ServerCertificateId: CERT,
      ServerCertificateName: CERT,
      Fingerprint: 'aa',
      CommonName: 'example.com',
      ExpireTime: '2099-01-01T00:00Z',
      ExpireTimeStamp: 4070908800000,
      CreateTime: '2024-01-01T00:00Z',
      CreateTimeStamp: 0,
      Tags: [],
    };
    s.acls[ACL] = {
      AclId: ACL,
      AclName: 'office',
      AddressIPVersion: 'ipv4',
      CreateTime: '2024-01-01T00:00Z',
      Entries: [{ AclEntryIP: '192.0.2.0/24', AclEntryComment: 'office' }],
      Tags: [],
    };
    // node-0 and node-1 are in the edge pool; node-1 is cordoned.
    setNodeLabels(h.kube, 'node-0', { pool: 'edge' });
    setNodeLabels(h.kube, 'node-1', { pool: 'edge' });
    await h.kubectl(['cordon', 'node-1']);
    const docs = examples().map((e) =>
      stringify(serviceManifest(e), { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
    );
    await h.kubectl(['apply', '-f', '-'], docs.join('---\n'));
    for (const e of examples()) {
      await waitIngress(h, e.name).catch((err: Error) => {
        throw new Error(
          `${err.message}: ${JSON.stringify(eventsFor(h, e.name).filter((x) => x.type === 'Warning'))}`,
        );
      });
    }
    await h.settle();
  });
  after(async function () {
    if (this.currentTest?.state === 'failed' && h) console.error(h.manager().stderr().slice(-6000));
    await h?.close();
  });

  const lb = (name: string) => {
    const found = lbFor(h, name);
    assert.ok(found, `an SLB for ${name} (events: ${JSON.stringify(eventsFor(h, name))})`);
    return found;
  };
  const listener = (name: string, port = 80) => {
    const l = lb(name).Listeners.find((x) => x.ListenerPort === port);
    assert.ok(l, `listener ${port} of ${name}`);
    assert.equal(l.Status, 'running');
    return l;
  };
  const backends = (name: string) => groupsOf(h, lb(name).LoadBalancerId).flatMap((g) => g.BackendServers);
  const ids = (...i: number[]) => i.map((n) => h.instanceIds[n]!).sort();

  it('intranet SLB in a chosen vswitch', () => {
    const l = lb('intranet-vsw');
    assert.equal(l.AddressType, 'intranet');
    assert.equal(l.VSwitchId, vswitch);
    assert.equal(l.VpcId, h.cloudEmu.emu.state.vswitches[vswitch]!.VpcId);
  });

  it('internet SLB charged by bandwidth', () => {
    const l = lb('bandwidth');
    assert.equal(l.AddressType, 'internet');
    assert.equal(l.InternetChargeType, 'paybybandwidth');
    assert.equal(l.Bandwidth, 88);
  });

  it('instance spec (pay by spec)', () => {
    assert.equal(lb('spec').LoadBalancerSpec, 'slb.s2.small');
    assert.equal(lb('spec').InstanceChargeType, 'PayBySpec');
  });

  it('HTTPS listener with a certificate', () => {
    const l = listener('https', 443);
    assert.equal(l.ListenerProtocol, 'https');
    assert.equal(l.Attributes.ServerCertificateId, CERT);
  });

  it('HTTP → HTTPS forwarding', () => {
    const http = listener('forward', 80);
    assert.equal(http.ListenerProtocol, 'http');
    assert.equal(http.Attributes.ListenerForward, 'on');
    assert.equal(Number(http.Attributes.ForwardPort), 443);
    assert.equal(listener('forward', 443).ListenerProtocol, 'https');
  });

  it('TCP health check with thresholds and timeouts', () => {
    const a = listener('hc-tcp').Attributes;
    assert.equal(a.HealthCheckType, 'tcp');
    assert.equal(Number(a.HealthCheckConnectTimeout), 8);
    assert.equal(Number(a.HealthyThreshold), 4);
    assert.equal(Number(a.UnhealthyThreshold), 4);
    assert.equal(Number(a.HealthCheckInterval), 3);
  });

  it('HTTP health check on a TCP listener (URI, domain, codes)', () => {
    const a = listener('hc-http').Attributes;
    assert.equal(a.HealthCheckType, 'http');
    assert.equal(a.HealthCheckURI, '/test/index.html');
    assert.equal(a.HealthCheckDomain, 'www.example.com');
    assert.deepEqual(String(a.HealthCheckHttpCode).split(',').sort(), ['http_2xx', 'http_3xx']);
  });

  it('session persistence on an HTTP listener: cookie insert', () => {
    const l = listener('sticky');
    assert.equal(l.ListenerProtocol, 'http');
    assert.equal(l.Attributes.StickySession, 'on');
    assert.equal(l.Attributes.StickySessionType, 'insert');
    assert.equal(Number(l.Attributes.CookieTimeout), 1800);
    assert.equal(l.Attributes.HealthCheck, 'on');
    assert.equal(l.Attributes.HealthCheckURI, '/health');
  });

  it('session persistence on a TCP listener: persistence timeout', () => {
    assert.equal(Number(listener('persist').Attributes.PersistenceTimeout), 1800);
  });

  it('access control list (whitelist)', () => {
    const a = listener('acl').Attributes;
    assert.equal(a.AclStatus, 'on');
    assert.equal(a.AclId, ACL);
    assert.equal(a.AclType, 'white');
  });

  it('weighted round robin with a default weight', () => {
    assert.equal(listener('wrr').Attributes.Scheduler, 'wrr');
    assert.deepEqual(
      backends('wrr').map((b) => b.Weight),
      [30, 30, 30],
    );
  });

  it('backend-label: only labelled nodes; remove-unscheduled-backend drops the cordoned one', () => {
    assert.deepEqual(
      backends('label')
        .map((b) => b.ServerId)
        .sort(),
      ids(0, 1),
    );
    assert.deepEqual(
      backends('label-unsched')
        .map((b) => b.ServerId)
        .sort(),
      ids(0),
    );
  });

  it('additional tags, delete protection off, modification protection off, a name', () => {
    const l = lb('tags');
    const tags = Object.fromEntries(l.Tags.map((t) => [t.Key, t.Value]));
    assert.equal(tags.team, 'web');
    assert.equal(tags.env, 'prod');
    assert.equal(tags['ack.aliyun.com'], 'test-cluster');
    assert.equal(l.DeleteProtection, 'off');
    assert.equal(l.ModificationProtectionStatus, 'NonProtection');
    assert.equal(l.LoadBalancerName, 'web-slb');
    // Without those annotations the defaults protect the SLB.
    assert.equal(lb('spec').DeleteProtection, 'on');
    assert.equal(lb('spec').ModificationProtectionStatus, 'ConsoleProtection');
  });

  it('master and slave zones', () => {
    assert.equal(lb('zones').MasterZoneId, zones[0]);
    assert.equal(lb('zones').SlaveZoneId, zones[1]);
  });

  it('address type with IP version', () => {
    assert.equal(lb('ipv6').AddressType, 'internet');
    assert.equal(lb('ipv6').AddressIPVersion, 'ipv6');
  });

  it('hostname: published instead of the IP', () => {
    assert.deepEqual(getService(h, 'hostname')?.status?.loadBalancer?.ingress, [
      { hostname: 'shop.example.com' },
    ]);
  });

  it('removing an additional tag from the annotation untags it, even after a restart', async () => {
    const id = lb('tags').LoadBalancerId;
    assert.equal(
      getService(h, 'tags')?.metadata?.annotations?.['service.k8s.alibaba/managed-resource-tags'],
      'env,team',
    );
    await h.restart(['--lb-drift-check-period', '1h']);
    const svc = serviceManifest(examples().find((e) => e.name === 'tags')!);
    (svc.metadata as { annotations: Record<string, string> }).annotations[`${PFX}additional-resource-tags`] =
      'team=web';
    await h.kubectl(
      ['apply', '-f', '-'],
      stringify(svc, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
    );
    await eventually(
      () => (!h.cloudEmu.emu.state.loadBalancers[id]!.Tags.some((t) => t.Key === 'env') ? true : undefined),
      'env untagged',
      { tries: 400 },
    );
    const keys = h.cloudEmu.emu.state.loadBalancers[id]!.Tags.map((t) => t.Key).sort();
    assert.deepEqual(keys, ['ack.aliyun.com', 'kubernetes.do.not.delete', 'team']);
    await eventually(
      () =>
        getService(h, 'tags')?.metadata?.annotations?.['service.k8s.alibaba/managed-resource-tags'] === 'team'
          ? true
          : undefined,
      'recorded tag keys',
      { tries: 400 },
    );
  });
});
