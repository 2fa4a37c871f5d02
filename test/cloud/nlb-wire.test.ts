// Parameter placement for Nlb's ACS3 requests must be what the SDK sends (catalog `position`):
// the signature covers the query and body separately, so a parameter in the wrong place is a
// different request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RpcClient, RpcParams } from '../../src/cloud/client.js';
import { isMutating } from '../../src/cloud/mutating.js';
import { NlbFacade } from '../../src/cloud/nlb.js';
import { nlbParamInQuery } from '../../src/cloud/nlb-wire.js';

interface CatalogParam {
  name: string;
  position: 'Query' | 'Body';
  wire: string[];
}
const catalog = JSON.parse(readFileSync('data/alicloud-api/catalog.json', 'utf8')) as {
  products: {
    Nlb: { actions: Record<string, { request: CatalogParam[]; async?: { jobIdField?: string | null } }> };
  };
};

describe('Nlb parameter placement', () => {
  it('puts every catalogued key where the SDK puts it', () => {
    let checked = 0;
    for (const [action, spec] of Object.entries(catalog.products.Nlb.actions)) {
      for (const param of spec.request) {
        for (const template of param.wire) {
          const key = template.replace(/\{n\}/g, '1');
          assert.equal(nlbParamInQuery(action, key), param.position === 'Query', `${action} ${key}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 300, `checked ${checked} keys`);
  });
});

describe('NLB facade vs the API catalog', () => {
  it('sends only catalogued keys, reads through read() and writes through write(), and waits on every job', async () => {
    const sent: { action: string; params: RpcParams; kind: 'read' | 'write' }[] = [];
    const answer = (action: string, params: RpcParams, kind: 'read' | 'write') => {
      sent.push({ action, params, kind });
      if (action === 'GetJobStatus') return Promise.resolve({ Status: 'Succeeded' });
      if (action === 'GetLoadBalancerAttribute')
        return Promise.resolve({ LoadBalancerId: 'nlb-1', LoadBalancerStatus: 'Active' });
      if (action === 'GetListenerAttribute')
        return Promise.resolve({
          ListenerId: 'lsn-1',
          LoadBalancerId: 'nlb-1',
          ListenerProtocol: 'TCP',
          ListenerPort: 80,
        });
      return Promise.resolve({
        JobId: `job-${sent.length}`,
        LoadbalancerId: 'nlb-1',
        ListenerId: 'lsn-1',
        ServerGroupId: 'sgp-1',
        TotalCount: 0,
      });
    };
    const rpc = {
      region: 'cn-hangzhou',
      read: (a: string, p: RpcParams = {}) => answer(a, p, 'read'),
      write: (a: string, p: RpcParams = {}) => answer(a, p, 'write'),
    } as unknown as RpcClient;
    const nlb = new NlbFacade(rpc, { sleep: () => Promise.resolve() });
    const tags = [{ Key: 'k', Value: 'v' }];
    const zones = [
      { ZoneId: 'z-1', VSwitchId: 'vsw-1', AllocationId: 'eip-1', PrivateIPv4Address: '10.0.0.9' },
    ];
    const hc = {
      HealthCheckEnabled: true,
      HealthCheckType: 'HTTP',
      HealthCheckConnectPort: 80,
      HealthCheckConnectTimeout: 5,
      HealthCheckInterval: 5,
      HealthyThreshold: 2,
      UnhealthyThreshold: 2,
      HealthCheckDomain: 'd',
      HealthCheckUrl: '/',
      HealthCheckHttpCode: ['http_2xx'],
      HttpCheckMethod: 'GET',
    };
    const server = {
      ServerId: 'i-1',
      ServerType: 'Ecs',
      ServerIp: '10.0.0.1',
      Port: 80,
      Weight: 100,
      Description: 'd',
    };

    await nlb.listLoadBalancers({
      LoadBalancerIds: ['nlb-1'],
      LoadBalancerNames: ['n'],
      VpcIds: ['vpc-1'],
      Tags: tags,
      AddressType: 'Intranet',
    });
    await nlb.getLoadBalancer('nlb-1');
    await nlb.createLoadBalancer({
      LoadBalancerName: 'n',
      AddressType: 'Internet',
      VpcId: 'vpc-1',
      ZoneMappings: zones,
      AddressIpVersion: 'DualStack',
      BandwidthPackageId: 'cbwp-1',
      ResourceGroupId: 'rg-1',
      DeletionProtection: { Enabled: true, Reason: 'r' },
      ModificationProtection: { Status: 'ConsoleProtection', Reason: 'r' },
      Tags: tags,
      ClientToken: 't',
    });
    await nlb.deleteLoadBalancer('nlb-1');
    await nlb.updateLoadBalancer('nlb-1', { LoadBalancerName: 'n', CrossZoneEnabled: true, Cps: 10 });
    await nlb.updateAddressType('nlb-1', 'Internet', zones);
    await nlb.updateZones('nlb-1', zones);
    await nlb.updateProtection('nlb-1', {
      DeletionProtectionEnabled: true,
      DeletionProtectionReason: 'r',
      ModificationProtectionStatus: 'NonProtection',
      ModificationProtectionReason: 'r',
    });
    await nlb.setIpv6Internet('nlb-1', true);
    await nlb.setIpv6Internet('nlb-1', false);
    await nlb.attachBandwidthPackage('nlb-1', 'cbwp-1');
    await nlb.detachBandwidthPackage('nlb-1', 'cbwp-1');
    await nlb.joinSecurityGroups('nlb-1', ['sg-1']);
    await nlb.leaveSecurityGroups('nlb-1', ['sg-1']);
    const listener = {
      ListenerProtocol: 'TCPSSL' as const,
      ListenerPort: 0,
      StartPort: 1,
      EndPort: 9,
      ServerGroupId: 'sgp-1',
      ListenerDescription: 'd',
      IdleTimeout: 900,
      Cps: 1,
      Mss: 1,
      ProxyProtocolEnabled: true,
      ProxyProtocolV2Config: { Ppv2VpcIdEnabled: true },
      SecSensorEnabled: true,
      SecurityPolicyId: 'sp',
      CertificateIds: ['c-1'],
      CaCertificateIds: ['ca-1'],
      CaEnabled: true,
      AlpnEnabled: true,
      AlpnPolicy: 'HTTP2Only',
      Tags: tags,
    };
    await nlb.listListeners(['nlb-1']);
    await nlb.getListener('lsn-1');
    await nlb.createListener('nlb-1', listener);
    await nlb.updateListener('lsn-1', { ...listener, Tags: undefined } as never);
    await nlb.deleteListener('lsn-1');
    await nlb.startListener('lsn-1');
    await nlb.stopListener('lsn-1');
    await nlb.listListenerCertificates('lsn-1');
    await nlb.associateCertificates('lsn-1', ['c-2']);
    await nlb.disassociateCertificates('lsn-1', ['c-2']);
    await nlb.listServerGroups({
      ServerGroupIds: ['sgp-1'],
      ServerGroupNames: ['n'],
      VpcId: 'vpc-1',
      Tags: tags,
    });
    await nlb.createServerGroup({
      ServerGroupName: 'n',
      VpcId: 'vpc-1',
      ServerGroupType: 'Ip',
      Protocol: 'TCP',
      Scheduler: 'Wrr',
      AddressIPVersion: 'ipv4',
      AnyPortEnabled: true,
      ConnectionDrainEnabled: true,
      ConnectionDrainTimeout: 10,
      PreserveClientIpEnabled: true,
      HealthCheckConfig: hc,
      ResourceGroupId: 'rg-1',
      Tags: tags,
    });
    await nlb.updateServerGroup('sgp-1', {
      ServerGroupName: 'n',
      Scheduler: 'rr',
      ConnectionDrainEnabled: false,
      ConnectionDrainTimeout: 1,
      PreserveClientIpEnabled: false,
      HealthCheckConfig: hc,
    });
    await nlb.deleteServerGroup('sgp-1');
    await nlb.listServers('sgp-1');
    await nlb.addServers('sgp-1', [server]);
    await nlb.removeServers('sgp-1', [server]);
    await nlb.updateServers('sgp-1', [server]);
    await nlb.listTagResources('loadbalancer', ['nlb-1']);
    await nlb.tagResources('loadbalancer', ['nlb-1'], tags);
    await nlb.untagResources('loadbalancer', ['nlb-1'], ['k']);
    await nlb.describeZones();

    const actions = new Set(sent.map((s) => s.action));
    for (const a of Object.keys(catalog.products.Nlb.actions))
      if (!['GetListenerHealthStatus', 'DescribeRegions', 'ListAsynJobs'].includes(a))
        assert.ok(actions.has(a), `facade never calls ${a}`);
    for (const call of sent) {
      const spec = catalog.products.Nlb.actions[call.action];
      assert.ok(spec, `${call.action} is not in the catalog`);
      const patterns = spec.request
        .flatMap((r) => r.wire)
        .map((w) => new RegExp(`^${w.replace(/\./g, '\\.').replace(/\{n\}/g, '\\d+')}$`));
      for (const [k, v] of Object.entries(call.params)) {
        if (v === undefined) continue;
        assert.ok(
          patterns.some((p) => p.test(k)),
          `${call.action} does not take ${k}`,
        );
      }
      assert.equal(
        call.kind,
        isMutating(call.action) ? 'write' : 'read',
        `${call.action} used ${call.kind}()`,
      );
    }
    // Every write answered with a JobId was followed by a GetJobStatus poll for that job.
    for (const [i, call] of sent.entries()) {
      if (call.kind !== 'write' || !catalog.products.Nlb.actions[call.action]!.async?.jobIdField) continue;
      assert.equal(sent[i + 1]?.action, 'GetJobStatus', `${call.action} was not waited on`);
      assert.equal(sent[i + 1]?.params.JobId, `job-${i + 1}`);
    }
    const ppv2 = sent.find((s) => s.action === 'CreateListener')!.params.ProxyProtocolV2Config;
    assert.equal(ppv2, '{"Ppv2VpcIdEnabled":true}');
  });
});
