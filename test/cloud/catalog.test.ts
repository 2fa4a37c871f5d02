// Every parameter a facade sends must be a wire name the catalog lists for that action, so a
// typo cannot reach the API (which would reject it, or worse, silently ignore a filter).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CallOptions, RpcClient, RpcParams } from '../../src/cloud/client.js';
import { EcsApi } from '../../src/cloud/ecs.js';
import { CLIENT_TOKEN_ACTIONS, isMutating } from '../../src/cloud/mutating.js';
import { SlbApi } from '../../src/cloud/slb.js';
import { VpcApi } from '../../src/cloud/vpc.js';

interface CatalogAction {
  request: { name: string; wire: string[] }[];
}
const catalog = JSON.parse(readFileSync('data/alicloud-api/catalog.json', 'utf8')) as {
  products: Record<string, { actions: Record<string, CatalogAction> }>;
};

function wireMatchers(product: string, action: string): RegExp[] {
  const a = catalog.products[product]?.actions[action];
  assert.ok(a, `${product}.${action} is not in the catalog`);
  return a.request
    .flatMap((r) => r.wire)
    .map((w) => new RegExp(`^${w.replace(/\./g, '\\.').replace(/\{n\}/g, '\\d+')}$`));
}

interface Sent {
  action: string;
  params: RpcParams;
  kind: 'read' | 'write';
}

/** Stands in for RpcClient: records calls and answers with an empty page. */
function recorder(): { rpc: RpcClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const answer = (action: string, params: RpcParams, kind: Sent['kind'], _o?: CallOptions) => {
    sent.push({ action, params, kind });
    return Promise.resolve({ RequestId: 'r', TotalCount: 0 });
  };
  const rpc = {
    read: (a: string, p: RpcParams = {}, o?: CallOptions) => answer(a, p, 'read', o),
    write: (a: string, p: RpcParams = {}, o?: CallOptions) => answer(a, p, 'write', o),
  } as unknown as RpcClient;
  return { rpc, sent };
}

const tags = [{ Key: 'k', Value: 'v' }];
const backends = [{ ServerId: 'i-1', Weight: 100, Port: 30080, Type: 'ecs', Description: 'k8s/80/svc/ns/c' }];

describe('facades vs the API catalog', () => {
  it('send only catalog wire names, through read/write according to the action', async () => {
    const ecs = recorder();
    const e = new EcsApi(ecs.rpc);
    await e.describeInstancesByIds(['i-1']);
    await e.describeInstancesByPrivateIps('vpc-1', ['10.0.0.1']);
    await e.describeInstances({
      vpcId: 'v',
      vswitchId: 's',
      zoneId: 'z',
      instanceName: 'n',
      status: 'Running',
      tags,
    });
    await e.describeInstanceStatus(['i-1'], 'z');
    await e.describeNetworkInterfaces({
      instanceId: 'i',
      vpcId: 'v',
      networkInterfaceIds: ['eni-1'],
      privateIps: ['10.0.0.1'],
      type: 'Primary',
    });
    await e.setSourceDestCheck('eni-1', false);
    await e.modifyNetworkInterfaceAttribute('eni-1', { name: 'n', description: 'd' });
    await e.describeDisks({
      diskIds: ['d-1'],
      instanceId: 'i',
      zoneId: 'z',
      diskName: 'n',
      status: 'Available',
      category: 'cloud_essd',
      diskType: 'data',
      tags,
    });
    await e.createDisk({
      zoneId: 'z',
      diskCategory: 'cloud_essd',
      size: 20,
      snapshotId: 's',
      diskName: 'n',
      description: 'd',
      encrypted: true,
      kmsKeyId: 'k',
      performanceLevel: 'PL1',
      resourceGroupId: 'rg',
      tags,
    });
    await e.deleteDisk('d-1');
    await e.attachDisk({ instanceId: 'i', diskId: 'd', deleteWithInstance: false, device: '/dev/xvdb' });
    await e.detachDisk('i', 'd');
    await e.resizeDisk('d', 40);
    await e.modifyDiskAttribute({ diskId: 'd', diskName: 'n', description: 'x', deleteWithInstance: false });
    await e.tagResources('disk', ['d'], tags);
    await e.untagResources('disk', ['d'], ['k']);
    await e.listTagResources('disk', ['d'], tags);
    await e.describeZones();

    const vpc = recorder();
    const v = new VpcApi(vpc.rpc);
    await v.describeVpcs({ vpcId: 'v', vpcName: 'n', tags });
    await v.describeVRouters('vrt');
    await v.describeRouteTables({ vRouterId: 'vrt', routeTableId: 'vtb', type: 'System' });
    await v.describeRouteTableList({
      vpcId: 'v',
      routerId: 'r',
      routerType: 'VRouter',
      routeTableId: 'vtb',
      routeTableType: 'Custom',
    });
    await v.describeRouteEntryList({
      routeTableId: 'vtb',
      routeEntryType: 'Custom',
      nextHopType: 'Instance',
      nextHopId: 'i',
      routeEntryId: 'rte',
      destinationCidrBlock: '10.1.0.0/24',
      destCidrBlocks: ['10.1.0.0/24', '10.2.0.0/24'],
    });
    await v.createRouteEntry({
      routeTableId: 'vtb',
      destinationCidrBlock: '10.1.0.0/24',
      nextHopId: 'i',
      name: 'n',
      description: 'd',
    });
    await v.createRouteEntries([
      { routeTableId: 'vtb', dstCidrBlock: '10.1.0.0/24', nextHop: 'i', name: 'n', description: 'd' },
    ]);
    await v.deleteRouteEntry({
      routeTableId: 'vtb',
      routeEntryId: 'rte',
      destinationCidrBlock: '10.1.0.0/24',
      nextHopId: 'i',
    });
    await v.deleteRouteEntries([
      { routeTableId: 'vtb', routeEntryId: 'rte' },
      { routeTableId: 'vtb', dstCidrBlock: '10.1.0.0/24', nextHop: 'i' },
    ]);
    await v.describeVSwitches({ vpcId: 'v', vswitchId: 's', zoneId: 'z' });
    await v.describeEipAddresses({
      allocationId: 'a',
      eipAddress: '1.2.3.4',
      associatedInstanceId: 'i',
      associatedInstanceType: 'EcsInstance',
      status: 'InUse',
    });

    const slb = recorder();
    const s = new SlbApi(slb.rpc);
    await s.createLoadBalancer({
      LoadBalancerName: 'a',
      AddressType: 'intranet',
      AddressIPVersion: 'ipv4',
      VpcId: 'v',
      VSwitchId: 's',
      Address: '10.0.0.9',
      LoadBalancerSpec: 'slb.s1.small',
      InternetChargeType: 'paybytraffic',
      InstanceChargeType: 'PayBySpec',
      Bandwidth: 5,
      MasterZoneId: 'z',
      SlaveZoneId: 'z2',
      ResourceGroupId: 'rg',
      DeleteProtection: 'on',
      ModificationProtectionStatus: 'ConsoleProtection',
      ModificationProtectionReason: 'r',
      tags,
    });
    await s.deleteLoadBalancer('lb');
    await s.describeLoadBalancers({
      loadBalancerId: 'lb',
      loadBalancerName: 'a',
      address: '1.1.1.1',
      addressType: 'internet',
      vpcId: 'v',
      vswitchId: 's',
      tags,
    });
    await s.describeLoadBalancerAttribute('lb');
    await s.setLoadBalancerName('lb', 'n');
    await s.setLoadBalancerStatus('lb', 'active');
    await s.modifyLoadBalancerInstanceSpec('lb', 'slb.s2.small');
    await s.modifyLoadBalancerInstanceChargeType('lb', 'PayByCLCU', 'slb.s1.small');
    await s.modifyLoadBalancerInternetSpec('lb', { InternetChargeType: 'paybybandwidth', Bandwidth: 10 });
    await s.setDeleteProtection('lb', true);
    await s.setModificationProtection('lb', 'ConsoleProtection', 'r');
    await s.addBackendServers('lb', backends);
    await s.removeBackendServers('lb', backends);
    await s.setBackendServers('lb', backends);
    await s.addTags('lb', tags);
    await s.removeTags('lb', tags);
    await s.describeTags('lb', tags);
    await s.tagResources(['lb'], tags);
    await s.untagResources(['lb'], ['k']);
    await s.listTagResources(['lb'], tags);
    await s.describeServerCertificates('cert');
    await s.describeDomainExtensions('lb', 443);
    await s.createDomainExtension('lb', 443, 'a.example.com', 'cert');
    await s.setDomainExtensionAttribute('de', 'cert');
    await s.deleteDomainExtension('de');
    for (const protocol of ['tcp', 'udp', 'http', 'https'] as const) {
      const settings = {
        ListenerPort: 80,
        BackendServerPort: 30080,
        VServerGroupId: 'rsp',
        Bandwidth: -1,
        Scheduler: 'wrr',
        Description: 'k8s/80/svc/ns/c',
        AclId: 'acl',
        AclStatus: 'on' as const,
        AclType: 'white' as const,
      };
      await s.listeners.create('lb', protocol, settings);
      await s.listeners.set('lb', protocol, settings);
      await s.listeners.describeAttribute('lb', protocol, 80);
      await s.listeners.start('lb', 80, protocol);
      await s.listeners.stop('lb', 80, protocol);
      await s.listeners.delete('lb', 80, protocol);
    }
    await s.listeners.create('lb', 'tcp', {
      ListenerPort: 81,
      PersistenceTimeout: 10,
      EstablishedTimeout: 900,
      ConnectionDrain: 'on',
      ConnectionDrainTimeout: 30,
      ProxyProtocolV2Enabled: true,
      HealthCheckConnectPort: 1,
      HealthCheckType: 'tcp',
      HealthyThreshold: 3,
      UnhealthyThreshold: 3,
      HealthCheckConnectTimeout: 5,
      HealthCheckSwitch: 'on',
      HealthCheckInterval: 2,
    });
    await s.listeners.set('lb', 'udp', { ListenerPort: 81, HealthCheckInterval: 2, VServerGroupId: 'rsp' });
    await s.listeners.create('lb', 'https', {
      ListenerPort: 443,
      ServerCertificateId: 'c',
      CACertificateId: 'ca',
      StickySession: 'on',
      StickySessionType: 'insert',
      CookieTimeout: 1800,
      XForwardedFor: 'on',
      HealthCheck: 'on',
      HealthCheckURI: '/',
      HealthCheckDomain: 'd',
      HealthCheckTimeout: 5,
      HealthCheckInterval: 2,
      HealthCheckHttpCode: 'http_2xx',
      HealthCheckMethod: 'head',
      IdleTimeout: 15,
      RequestTimeout: 60,
      TLSCipherPolicy: 'tls_cipher_policy_1_0',
      EnableHttp2: 'on',
      extra: { XForwardedFor_proto: 'on' },
    });
    await s.listeners.create('lb', 'http', {
      ListenerPort: 8080,
      ListenerForward: 'on',
      ForwardPort: 443,
      Cookie: 'c',
      StickySession: 'on',
      StickySessionType: 'server',
    });
    await s.listeners.describe(['lb'], { protocol: 'tcp', listenerPort: 80, description: 'd' });
    await s.vgroups.create('lb', 'k8s/30080/svc/ns/c', backends, tags);
    await s.vgroups.delete('rsp');
    await s.vgroups.describe('lb', { includeListener: true });
    await s.vgroups.describeAttribute('rsp');
    await s.vgroups.setAttribute('rsp', { name: 'n', backends });
    await s.vgroups.addBackends('rsp', backends);
    await s.vgroups.removeBackends('rsp', backends);
    await s.vgroups.modifyBackends('rsp', backends, backends);

    const all = [
      ...ecs.sent.map((x) => ['Ecs', x] as const),
      ...vpc.sent.map((x) => ['Vpc', x] as const),
      ...slb.sent.map((x) => ['Slb', x] as const),
    ];
    for (const [product, call] of all) {
      const matchers = wireMatchers(product, call.action);
      for (const [name, value] of Object.entries(call.params)) {
        if (value === undefined) continue;
        assert.ok(
          matchers.some((m) => m.test(name)),
          `${product}.${call.action} does not take "${name}"`,
        );
      }
      assert.equal(
        call.kind,
        isMutating(call.action) ? 'write' : 'read',
        `${product}.${call.action} used ${call.kind}()`,
      );
    }
  });

  it('knows exactly which actions take a ClientToken', () => {
    const withToken = Object.entries(catalog.products).flatMap(([p, { actions }]) =>
      Object.entries(actions)
        .filter(([, a]) => a.request.some((r) => r.name === 'ClientToken'))
        .map(([name]) => `${p}.${name}`),
    );
    assert.deepEqual([...CLIENT_TOKEN_ACTIONS].sort(), withToken.sort());
  });

  it('classifies every catalog action as read or write by its verb', () => {
    const reads = ['Describe', 'List', 'Get'];
    for (const [p, { actions }] of Object.entries(catalog.products)) {
      for (const name of Object.keys(actions)) {
        assert.equal(isMutating(name), !reads.some((r) => name.startsWith(r)), `${p}.${name}`);
      }
    }
  });
});
