// Every action the emulator implements, called once over the wire with a representative request,
// and its success body checked against the vendored catalog's response shape: strict clients
// (pop-core users, the Go SDK's typed unmarshal) fail on a wrong JSON type or an unknown nesting,
// and treat any `Code` in a 200 body as an error.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import {
  rawCall,
  startTestEmulator,
  VERSIONS,
  type ProductName,
  type TestEmulator,
} from '../../helpers/alicloud.js';

interface Shape {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'any';
  fields?: Record<string, Shape>;
  fieldNames?: string[];
  items?: Shape;
  truncated?: boolean;
}
interface RawCatalog {
  products: Record<ProductName, { version: string; actions: Record<string, { response: Shape }> }>;
}
// Tests read the vendored copy (data/), never ../shared.
const CATALOG = JSON.parse(
  readFileSync(new URL('../../../data/alicloud-api/catalog.json', import.meta.url), 'utf8'),
) as RawCatalog;

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Problems with `value` against `shape`, as "path: reason" lines (empty when it conforms). */
export function schemaViolations(value: unknown, shape: Shape, path = '$'): string[] {
  if (shape.type === 'any') return [];
  const actual = jsonType(value);
  if (actual !== shape.type) return [`${path}: expected ${shape.type}, got ${actual}`];
  if (shape.type === 'array')
    return shape.items
      ? (value as unknown[]).flatMap((v, i) => schemaViolations(v, shape.items!, `${path}[${i}]`))
      : [];
  if (shape.type !== 'object') return [];
  const out: string[] = [];
  // Fields are allowed, never required: shared SDK types list fields a given action never returns.
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (shape.fields) {
      const f = shape.fields[k];
      if (!f) out.push(`${path}.${k}: not in the catalog`);
      else out.push(...schemaViolations(v, f, `${path}.${k}`));
    } else if (shape.fieldNames && !shape.fieldNames.includes(k))
      out.push(`${path}.${k}: not in the truncated object's field names`);
  }
  return out;
}

type Params = Record<string, string>;
interface Row {
  product: ProductName;
  action: string;
  params: (ids: Ids) => Params;
  /** Proof the body carries the seeded/created data rather than an empty shell. */
  check?: (body: Record<string, unknown>, ids: Ids) => void;
}
interface Ids {
  instance: string;
  instance2: string;
  eni: string;
  vpc: string;
  vswitch: string;
  zone: string;
  vrouter: string;
  table: string;
  disk: string;
  lb: string;
  cert: string;
  acl: string;
  eip: string;
  created: Record<string, string>;
}

const dig = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    o,
  );
const firstOf = (o: unknown, ...path: string[]): Record<string, unknown> => {
  const arr = dig(o, ...path);
  assert.ok(Array.isArray(arr) && arr.length > 0, `${path.join('.')} should be a non-empty list`);
  return (arr as Record<string, unknown>[])[0]!;
};
const tag = { 'Tag.1.Key': 'team', 'Tag.1.Value': 'edge' };
const lbTags = (ids: Ids) => ({
  LoadBalancerId: ids.lb,
  Tags: JSON.stringify([{ TagKey: 'team', TagValue: 'edge' }]),
});
const backends = (ids: Ids, port = 80) =>
  JSON.stringify([{ ServerId: ids.instance, Weight: 100, Type: 'ecs', Port: port }]);

// Ordered: creates and mutations before the reads that should see them, deletes last (the TCP
// listener goes before its VServer group, which it keeps in use).
const ROWS: Row[] = [
  // ---- ECS
  {
    product: 'Ecs',
    action: 'DescribeRegions',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'Regions', 'Region').RegionId),
  },
  {
    product: 'Ecs',
    action: 'DescribeZones',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'Zones', 'Zone').ZoneId),
  },
  {
    product: 'Ecs',
    action: 'DescribeInstanceTypes',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'InstanceTypes', 'InstanceType').InstanceTypeId),
  },
  {
    product: 'Ecs',
    action: 'DescribeInstances',
    params: (ids) => ({ InstanceIds: JSON.stringify([ids.instance]) }),
    check: (b, ids) => assert.equal(firstOf(b, 'Instances', 'Instance').InstanceId, ids.instance),
  },
  {
    product: 'Ecs',
    action: 'DescribeInstanceAttribute',
    params: (ids) => ({ InstanceId: ids.instance }),
    check: (b, ids) => assert.equal(b.InstanceId, ids.instance),
  },
  {
    product: 'Ecs',
    action: 'DescribeInstanceStatus',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'InstanceStatuses', 'InstanceStatus').Status),
  },
  {
    product: 'Ecs',
    action: 'DescribeNetworkInterfaces',
    params: (ids) => ({ InstanceId: ids.instance }),
    check: (b, ids) =>
      assert.equal(firstOf(b, 'NetworkInterfaceSets', 'NetworkInterfaceSet').InstanceId, ids.instance),
  },
  {
    product: 'Ecs',
    action: 'ModifyNetworkInterfaceAttribute',
    params: (ids) => ({ NetworkInterfaceId: ids.eni, SourceDestCheck: 'false' }),
  },
  {
    product: 'Ecs',
    action: 'CreateDisk',
    params: (ids) => ({
      ZoneId: ids.zone,
      DiskCategory: 'cloud_essd',
      Size: '40',
      ClientToken: 'schema-disk',
    }),
    check: (b) => assert.match(String(b.DiskId), /^d-/),
  },
  { product: 'Ecs', action: 'AttachDisk', params: (ids) => ({ DiskId: ids.disk, InstanceId: ids.instance }) },
  {
    product: 'Ecs',
    action: 'DescribeDisks',
    params: (ids) => ({ DiskIds: JSON.stringify([ids.disk]) }),
    check: (b, ids) => assert.equal(firstOf(b, 'Disks', 'Disk').DiskId, ids.disk),
  },
  { product: 'Ecs', action: 'ResizeDisk', params: (ids) => ({ DiskId: ids.created.disk!, NewSize: '60' }) },
  {
    product: 'Ecs',
    action: 'ModifyDiskAttribute',
    params: (ids) => ({ DiskId: ids.created.disk!, DiskName: 'renamed' }),
  },
  {
    product: 'Ecs',
    action: 'AddTags',
    params: (ids) => ({ ResourceType: 'instance', ResourceId: ids.instance, ...tag }),
  },
  {
    product: 'Ecs',
    action: 'TagResources',
    params: (ids) => ({ ResourceType: 'instance', 'ResourceId.1': ids.instance2, ...tag }),
  },
  {
    product: 'Ecs',
    action: 'DescribeTags',
    params: (ids) => ({ ResourceType: 'instance', ResourceId: ids.instance }),
    check: (b) => assert.equal(firstOf(b, 'Tags', 'Tag').TagKey, 'team'),
  },
  {
    product: 'Ecs',
    action: 'ListTagResources',
    params: (ids) => ({ ResourceType: 'instance', 'ResourceId.1': ids.instance }),
    check: (b, ids) => assert.equal(firstOf(b, 'TagResources', 'TagResource').ResourceId, ids.instance),
  },
  {
    product: 'Ecs',
    action: 'UntagResources',
    params: (ids) => ({ ResourceType: 'instance', 'ResourceId.1': ids.instance2, 'TagKey.1': 'team' }),
  },
  { product: 'Ecs', action: 'DetachDisk', params: (ids) => ({ DiskId: ids.disk, InstanceId: ids.instance }) },
  { product: 'Ecs', action: 'DeleteDisk', params: (ids) => ({ DiskId: ids.created.disk! }) },
  // ---- VPC
  {
    product: 'Vpc',
    action: 'DescribeRegions',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'Regions', 'Region').RegionId),
  },
  {
    product: 'Vpc',
    action: 'DescribeZones',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'Zones', 'Zone').ZoneId),
  },
  {
    product: 'Vpc',
    action: 'DescribeVpcs',
    params: () => ({}),
    check: (b, ids) => assert.equal(firstOf(b, 'Vpcs', 'Vpc').VpcId, ids.vpc),
  },
  {
    product: 'Vpc',
    action: 'DescribeVpcAttribute',
    params: (ids) => ({ VpcId: ids.vpc }),
    check: (b, ids) => assert.equal(b.VpcId, ids.vpc),
  },
  {
    product: 'Vpc',
    action: 'DescribeVSwitches',
    params: (ids) => ({ VpcId: ids.vpc }),
    check: (b) => assert.ok(firstOf(b, 'VSwitches', 'VSwitch').VSwitchId),
  },
  {
    product: 'Vpc',
    action: 'DescribeVSwitchAttributes',
    params: (ids) => ({ VSwitchId: ids.vswitch }),
    check: (b, ids) => assert.equal(b.VSwitchId, ids.vswitch),
  },
  {
    product: 'Vpc',
    action: 'DescribeVRouters',
    params: () => ({}),
    check: (b, ids) => assert.equal(firstOf(b, 'VRouters', 'VRouter').VRouterId, ids.vrouter),
  },
  {
    product: 'Vpc',
    action: 'DescribeRouteTables',
    params: (ids) => ({ RouteTableId: ids.table }),
    check: (b, ids) => assert.equal(firstOf(b, 'RouteTables', 'RouteTable').RouteTableId, ids.table),
  },
  {
    product: 'Vpc',
    action: 'DescribeRouteTableList',
    params: (ids) => ({ VpcId: ids.vpc }),
    check: (b) => assert.ok(firstOf(b, 'RouterTableList', 'RouterTableListType').RouteTableId),
  },
  {
    product: 'Vpc',
    action: 'CreateRouteEntry',
    params: (ids) => ({
      RouteTableId: ids.table,
      DestinationCidrBlock: '10.1.0.0/24',
      NextHopType: 'Instance',
      NextHopId: ids.instance,
      ClientToken: 'schema-rte',
    }),
    check: (b) => assert.match(String(b.RouteEntryId), /^rte-/),
  },
  {
    product: 'Vpc',
    action: 'CreateRouteEntries',
    params: (ids) => ({
      'RouteEntries.1.RouteTableId': ids.table,
      'RouteEntries.1.DstCidrBlock': '10.1.1.0/24',
      'RouteEntries.1.NextHopType': 'Instance',
      'RouteEntries.1.NextHop': ids.instance2,
    }),
  },
  {
    product: 'Vpc',
    action: 'DescribeRouteEntryList',
    params: (ids) => ({ RouteTableId: ids.table }),
    check: (b) => assert.ok(firstOf(b, 'RouteEntrys', 'RouteEntry').RouteEntryId),
  },
  {
    product: 'Vpc',
    action: 'ModifyRouteEntry',
    params: (ids) => ({ RouteEntryId: ids.created.routeEntry!, RouteEntryName: 'renamed' }),
  },
  {
    product: 'Vpc',
    action: 'DeleteRouteEntry',
    params: (ids) => ({ RouteEntryId: ids.created.routeEntry! }),
  },
  {
    product: 'Vpc',
    action: 'DeleteRouteEntries',
    params: (ids) => ({
      'RouteEntries.1.RouteTableId': ids.table,
      'RouteEntries.1.DstCidrBlock': '10.1.1.0/24',
      'RouteEntries.1.NextHop': ids.instance2,
    }),
  },
  {
    product: 'Vpc',
    action: 'DescribeEipAddresses',
    params: () => ({}),
    check: (b, ids) => assert.equal(firstOf(b, 'EipAddresses', 'EipAddress').AllocationId, ids.eip),
  },
  // ---- SLB
  {
    product: 'Slb',
    action: 'DescribeRegions',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'Regions', 'Region').RegionId),
  },
  {
    product: 'Slb',
    action: 'DescribeZones',
    params: () => ({}),
    check: (b) => assert.ok(firstOf(b, 'Zones', 'Zone').ZoneId),
  },
  {
    product: 'Slb',
    action: 'CreateLoadBalancer',
    params: () => ({ AddressType: 'internet', LoadBalancerName: 'schema', ClientToken: 'schema-lb' }),
    check: (b) => assert.match(String(b.LoadBalancerId), /^lb-/),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancers',
    params: (ids) => ({ LoadBalancerId: ids.lb }),
    check: (b, ids) => assert.equal(firstOf(b, 'LoadBalancers', 'LoadBalancer').LoadBalancerId, ids.lb),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerName',
    params: (ids) => ({ LoadBalancerId: ids.lb, LoadBalancerName: 'renamed' }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerDeleteProtection',
    params: (ids) => ({ LoadBalancerId: ids.created.lb!, DeleteProtection: 'off' }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerModificationProtection',
    params: (ids) => ({ LoadBalancerId: ids.lb, ModificationProtectionStatus: 'NonProtection' }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerStatus',
    params: (ids) => ({ LoadBalancerId: ids.lb, LoadBalancerStatus: 'active' }),
  },
  {
    product: 'Slb',
    action: 'ModifyLoadBalancerInstanceSpec',
    params: (ids) => ({ LoadBalancerId: ids.lb, LoadBalancerSpec: 'slb.s2.small' }),
  },
  {
    product: 'Slb',
    action: 'ModifyLoadBalancerInternetSpec',
    params: (ids) => ({ LoadBalancerId: ids.lb, InternetChargeType: 'paybytraffic' }),
  },
  {
    product: 'Slb',
    action: 'ModifyLoadBalancerInstanceChargeType',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      InstanceChargeType: 'PayBySpec',
      LoadBalancerSpec: 'slb.s2.small',
    }),
  },
  {
    product: 'Slb',
    action: 'CreateVServerGroup',
    params: (ids) => ({ LoadBalancerId: ids.lb, VServerGroupName: 'g', BackendServers: backends(ids) }),
    check: (b) => assert.match(String(b.VServerGroupId), /^rsp-/),
  },
  {
    product: 'Slb',
    action: 'CreateLoadBalancerTCPListener',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      ListenerPort: '80',
      BackendServerPort: '30080',
      Bandwidth: '-1',
      VServerGroupId: ids.created.vsg!,
    }),
  },
  {
    product: 'Slb',
    action: 'CreateLoadBalancerUDPListener',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      ListenerPort: '53',
      BackendServerPort: '30053',
      Bandwidth: '-1',
    }),
  },
  {
    product: 'Slb',
    action: 'CreateLoadBalancerHTTPListener',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      ListenerPort: '8080',
      BackendServerPort: '30081',
      Bandwidth: '-1',
      StickySession: 'off',
      HealthCheck: 'off',
    }),
  },
  {
    product: 'Slb',
    action: 'CreateLoadBalancerHTTPSListener',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      ListenerPort: '443',
      BackendServerPort: '30443',
      Bandwidth: '-1',
      StickySession: 'off',
      HealthCheck: 'off',
      ServerCertificateId: ids.cert,
    }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerTCPListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '80', Description: 'tcp' }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerUDPListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '53', Description: 'udp' }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerHTTPListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '8080', Description: 'http' }),
  },
  {
    product: 'Slb',
    action: 'SetLoadBalancerHTTPSListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '443', Description: 'https' }),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancerTCPListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '80' }),
    check: (b) => assert.equal(b.ListenerPort, 80),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancerUDPListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '53' }),
    check: (b) => assert.equal(b.ListenerPort, 53),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancerHTTPListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '8080' }),
    check: (b) => assert.equal(b.ListenerPort, 8080),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancerHTTPSListenerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '443' }),
    check: (b, ids) => assert.equal(b.ServerCertificateId, ids.cert),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancerListeners',
    params: (ids) => ({ 'LoadBalancerId.1': ids.lb }),
    check: (b) => assert.ok(firstOf(b, 'Listeners').ListenerPort),
  },
  {
    product: 'Slb',
    action: 'StopLoadBalancerListener',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '53' }),
  },
  {
    product: 'Slb',
    action: 'StartLoadBalancerListener',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '53' }),
  },
  {
    product: 'Slb',
    action: 'CreateDomainExtension',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      ListenerPort: '443',
      Domain: 'a.example.com',
      ServerCertificateId: ids.cert,
    }),
    check: (b) => assert.ok(b.DomainExtensionId),
  },
  {
    product: 'Slb',
    action: 'SetDomainExtensionAttribute',
    params: (ids) => ({ DomainExtensionId: ids.created.domainExtension!, ServerCertificateId: ids.cert }),
  },
  {
    product: 'Slb',
    action: 'DescribeDomainExtensions',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '443' }),
    check: (b) => assert.equal(firstOf(b, 'DomainExtensions', 'DomainExtension').Domain, 'a.example.com'),
  },
  {
    product: 'Slb',
    action: 'DeleteDomainExtension',
    params: (ids) => ({ DomainExtensionId: ids.created.domainExtension! }),
  },
  {
    product: 'Slb',
    action: 'AddBackendServers',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      BackendServers: JSON.stringify([{ ServerId: ids.instance, Weight: '100' }]),
    }),
    check: (b, ids) => assert.equal(firstOf(b, 'BackendServers', 'BackendServer').ServerId, ids.instance),
  },
  {
    product: 'Slb',
    action: 'SetBackendServers',
    params: (ids) => ({
      LoadBalancerId: ids.lb,
      BackendServers: JSON.stringify([{ ServerId: ids.instance, Weight: '50' }]),
    }),
  },
  { product: 'Slb', action: 'DescribeHealthStatus', params: (ids) => ({ LoadBalancerId: ids.lb }) },
  {
    product: 'Slb',
    action: 'RemoveBackendServers',
    params: (ids) => ({ LoadBalancerId: ids.lb, BackendServers: JSON.stringify([ids.instance]) }),
  },
  {
    product: 'Slb',
    action: 'DescribeVServerGroups',
    params: (ids) => ({ LoadBalancerId: ids.lb }),
    check: (b, ids) =>
      assert.equal(firstOf(b, 'VServerGroups', 'VServerGroup').VServerGroupId, ids.created.vsg),
  },
  {
    product: 'Slb',
    action: 'DescribeVServerGroupAttribute',
    params: (ids) => ({ VServerGroupId: ids.created.vsg! }),
    check: (b, ids) => assert.equal(firstOf(b, 'BackendServers', 'BackendServer').ServerId, ids.instance),
  },
  {
    product: 'Slb',
    action: 'SetVServerGroupAttribute',
    params: (ids) => ({ VServerGroupId: ids.created.vsg!, VServerGroupName: 'g2' }),
  },
  {
    product: 'Slb',
    action: 'AddVServerGroupBackendServers',
    params: (ids) => ({
      VServerGroupId: ids.created.vsg!,
      BackendServers: JSON.stringify([{ ServerId: ids.instance2, Weight: 100, Port: 80 }]),
    }),
  },
  {
    product: 'Slb',
    action: 'ModifyVServerGroupBackendServers',
    params: (ids) => ({
      VServerGroupId: ids.created.vsg!,
      OldBackendServers: JSON.stringify([{ ServerId: ids.instance2, Weight: 100, Port: 80 }]),
      NewBackendServers: JSON.stringify([{ ServerId: ids.instance2, Weight: 50, Port: 81 }]),
    }),
  },
  {
    product: 'Slb',
    action: 'RemoveVServerGroupBackendServers',
    params: (ids) => ({
      VServerGroupId: ids.created.vsg!,
      BackendServers: JSON.stringify([{ ServerId: ids.instance2, Port: 81 }]),
    }),
  },
  { product: 'Slb', action: 'AddTags', params: (ids) => lbTags(ids) },
  {
    product: 'Slb',
    action: 'DescribeTags',
    params: (ids) => ({ LoadBalancerId: ids.lb }),
    check: (b) => assert.equal(firstOf(b, 'TagSets', 'TagSet').TagKey, 'team'),
  },
  { product: 'Slb', action: 'RemoveTags', params: (ids) => lbTags(ids) },
  {
    product: 'Slb',
    action: 'TagResources',
    params: (ids) => ({ ResourceType: 'instance', 'ResourceId.1': ids.lb, ...tag }),
  },
  {
    product: 'Slb',
    action: 'ListTagResources',
    params: (ids) => ({ ResourceType: 'instance', 'ResourceId.1': ids.lb }),
    check: (b, ids) => assert.equal(firstOf(b, 'TagResources', 'TagResource').ResourceId, ids.lb),
  },
  {
    product: 'Slb',
    action: 'UntagResources',
    params: (ids) => ({ ResourceType: 'instance', 'ResourceId.1': ids.lb, 'TagKey.1': 'team' }),
  },
  {
    product: 'Slb',
    action: 'DescribeServerCertificates',
    params: () => ({}),
    check: (b, ids) =>
      assert.equal(firstOf(b, 'ServerCertificates', 'ServerCertificate').ServerCertificateId, ids.cert),
  },
  {
    product: 'Slb',
    action: 'DescribeAccessControlLists',
    params: () => ({}),
    check: (b, ids) => assert.equal(firstOf(b, 'Acls', 'Acl').AclId, ids.acl),
  },
  {
    product: 'Slb',
    action: 'DescribeAccessControlListAttribute',
    params: (ids) => ({ AclId: ids.acl }),
    check: (b) => assert.equal(firstOf(b, 'AclEntrys', 'AclEntry').AclEntryIP, '10.0.0.0/8'),
  },
  {
    product: 'Slb',
    action: 'DescribeLoadBalancerAttribute',
    params: (ids) => ({ LoadBalancerId: ids.lb }),
    check: (b) => assert.ok(firstOf(b, 'ListenerPortsAndProtocol', 'ListenerPortAndProtocol').ListenerPort),
  },
  {
    product: 'Slb',
    action: 'DeleteLoadBalancerListener',
    params: (ids) => ({ LoadBalancerId: ids.lb, ListenerPort: '80' }),
  },
  { product: 'Slb', action: 'DeleteVServerGroup', params: (ids) => ({ VServerGroupId: ids.created.vsg! }) },
  { product: 'Slb', action: 'DeleteLoadBalancer', params: (ids) => ({ LoadBalancerId: ids.created.lb! }) },
];

// Ids a create answers with, kept for the rows after it.
const CAPTURE: Record<string, [string, string]> = {
  'Ecs.CreateDisk': ['disk', 'DiskId'],
  'Vpc.CreateRouteEntry': ['routeEntry', 'RouteEntryId'],
  'Slb.CreateLoadBalancer': ['lb', 'LoadBalancerId'],
  'Slb.CreateVServerGroup': ['vsg', 'VServerGroupId'],
  'Slb.CreateDomainExtension': ['domainExtension', 'DomainExtensionId'],
};

describe('emulator/alicloud responses match the catalog schemas', function () {
  let t: TestEmulator;
  let ids: Ids;

  before(async () => {
    t = await startTestEmulator();
    const s = t.emu.state;
    const vpc = Object.keys(s.vpcs)[0]!;
    const vswitch = Object.values(s.vswitches).find((v) => v.VpcId === vpc)!;
    const table = Object.values(s.routeTables).find((r) => r.VpcId === vpc && r.RouteTableType === 'System')!;
    t.emu.mergeState({
      Instances: {
        Instance: [
          {
            InstanceId: 'i-schema0001',
            InstanceName: 'node-a',
            HostName: 'node-a',
            VpcAttributes: { VpcId: vpc, VSwitchId: vswitch.VSwitchId },
          },
          {
            InstanceId: 'i-schema0002',
            InstanceName: 'node-b',
            HostName: 'node-b',
            VpcAttributes: { VpcId: vpc, VSwitchId: vswitch.VSwitchId },
          },
        ],
      },
      Disks: [{ DiskId: 'd-schema0001', ZoneId: vswitch.ZoneId, Category: 'cloud_essd', Size: 40 }],
      LoadBalancers: [
        {
          LoadBalancerId: 'lb-schema0001',
          LoadBalancerName: 'seeded',
          AddressType: 'intranet',
          VSwitchId: vswitch.VSwitchId,
        },
      ],
      EipAddresses: [{ AllocationId: 'eip-schema0001' }],
      ServerCertificates: [{ ServerCertificateId: 'cert-schema0001', CommonName: 'a.example.com' }],
      Acls: [
        { AclId: 'acl-schema0001', AclEntrys: [{ AclEntryIP: '10.0.0.0/8', AclEntryComment: 'inside' }] },
      ],
      config: { diskTransitionMs: 0, routeTransitionMs: 0 },
    });
    const enis = (await rawCall(t, 'Ecs', 'DescribeNetworkInterfaces', { InstanceId: 'i-schema0001' })).body;
    ids = {
      instance: 'i-schema0001',
      instance2: 'i-schema0002',
      eni: String(firstOf(enis, 'NetworkInterfaceSets', 'NetworkInterfaceSet').NetworkInterfaceId),
      vpc,
      vswitch: vswitch.VSwitchId,
      zone: vswitch.ZoneId,
      vrouter: s.vpcs[vpc]!.VRouterId,
      table: table.RouteTableId,
      disk: 'd-schema0001',
      lb: 'lb-schema0001',
      cert: 'cert-schema0001',
      acl: 'acl-schema0001',
      eip: 'eip-schema0001',
      created: {},
    };
  });
  after(() => t?.close());

  it('covers every catalog action exactly once', () => {
    // The catalog also lists the VPC actions the ECS version still serves; the emulator answers
    // those in their ECS-era shapes, which test/emulator/alicloud/ecs-vpc-actions.test.ts checks.
    const ecsEra = ['DescribeVSwitches', 'DescribeRouteTables', 'CreateRouteEntry', 'DeleteRouteEntry'].map(
      (a) => `Ecs.${a}`,
    );
    const catalogActions = (Object.keys(VERSIONS) as ProductName[])
      .flatMap((p) => Object.keys(CATALOG.products[p].actions).map((a) => `${p}.${a}`))
      .filter((a) => !ecsEra.includes(a));
    const rows = ROWS.map((r) => `${r.product}.${r.action}`);
    assert.equal(new Set(rows).size, rows.length, 'duplicate rows');
    assert.deepEqual([...rows].sort(), [...catalogActions].sort());
    assert.equal(rows.length, 90);
  });

  for (const row of ROWS) {
    it(`${row.product}.${row.action}`, async () => {
      const r = await rawCall(t, row.product, row.action, row.params(ids));
      assert.equal(r.status, 200, `${row.product}.${row.action}: ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.RequestId, 'string', 'RequestId present');
      assert.ok(!('Code' in r.body), `no Code in a success body: ${JSON.stringify(r.body)}`);
      const shape = CATALOG.products[row.product].actions[row.action]!.response;
      assert.deepEqual(schemaViolations(r.body, shape), [], JSON.stringify(r.body));
      const cap = CAPTURE[`${row.product}.${row.action}`];
      if (cap) ids.created[cap[0]] = String(r.body[cap[1]]);
      row.check?.(r.body, ids);
    });
  }
});

describe('schemaViolations', () => {
  const shape: Shape = {
    type: 'object',
    fields: {
      A: { type: 'number' },
      L: { type: 'object', fields: { X: { type: 'array', items: { type: 'string' } } } },
    },
  };
  it('accepts a body that uses a subset of the declared fields with their types', () => {
    assert.deepEqual(schemaViolations({ L: { X: ['a'] } }, shape), []);
  });
  it('names unknown fields and wrong types by path', () => {
    assert.deepEqual(schemaViolations({ A: '1', B: 1, L: { X: ['a', 2] } }, shape), [
      '$.A: expected number, got string',
      '$.B: not in the catalog',
      '$.L.X[1]: expected string, got number',
    ]);
  });
});
