// End to end: kubectl → Kubernetes API emulator → Service controller → Alibaba Cloud emulator.
// One emulator pair and one controller serve every case; each case uses its own Service names.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { eventually, hasKubectl } from '../../helpers/kube.js';
import { addNode, eventsFor, getService, lbsOf, serviceYaml, setNodeReady, settle, slbCalls, slbWrites, startHarness, waitIngress, type Harness } from './harness.js';

const PFX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const CAMEL = 'service.beta.kubernetes.io/alicloud-loadbalancer-';

describe('service controller end to end', function () {
  this.timeout(60_000);
  let h: Harness;
  let kubectlOk = false;

  before(async function () {
    kubectlOk = await hasKubectl();
    h = await startHarness({ nodes: 3 });
  });
  after(async () => {
    await h?.stop();
  });

  async function apply(yaml: string): Promise<void> {
    if (kubectlOk) await h.kube.kubectl(['apply', '-f', '-'], { input: yaml });
    else await h.client.create({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true }, 'default', JSON.parse(yaml));
  }

  function lbFor(name: string) {
    const svc = getService(h, name);
    const id = svc?.metadata?.labels?.['service.k8s.alibaba/loadbalancer-id'];
    return id ? h.cloudEmu.emu.state.loadBalancers[id] : undefined;
  }

  it('creates an SLB with ownership tags, a listener and a VServer group of every ready node, and publishes its IP', async () => {
    await apply(serviceYaml({ name: 'web' }));
    const ingress = await waitIngress(h, 'web');
    await settle(h);
    const svc = getService(h, 'web')!;
    assert.ok(svc.metadata?.finalizers?.includes('service.k8s.alibaba/resources'));
    const lb = lbFor('web')!;
    assert.equal(lb.Address, ingress.ip);
    const tags = Object.fromEntries(lb.Tags.map((t) => [t.Key, t.Value]));
    assert.equal(tags['ack.aliyun.com'], 'test-cluster');
    assert.equal(tags['kubernetes.do.not.delete'], ('a' + svc.metadata!.uid!.replace(/-/g, '')).slice(0, 32));
    assert.equal(lb.Listeners.length, 1);
    const l = lb.Listeners[0]!;
    assert.equal(l.ListenerPort, 80);
    assert.equal(l.ListenerProtocol, 'tcp');
    assert.equal(l.Status, 'running');
    assert.equal(l.Attributes.Description, 'k8s/80/web/default/test-cluster');
    const nodePort = svc.spec!.ports![0]!.nodePort!;
    const group = Object.values(h.cloudEmu.emu.state.vserverGroups).find((g) => g.LoadBalancerId === lb.LoadBalancerId)!;
    assert.equal(group.VServerGroupName, `k8s/${nodePort}/web/default/test-cluster`);
    assert.deepEqual(group.BackendServers.map((b) => b.ServerId).sort(), [...h.instanceIds].sort());
    assert.ok(group.BackendServers.every((b) => b.Port === nodePort && b.Description === group.VServerGroupName));
    assert.equal(l.Attributes.VServerGroupId, group.VServerGroupId);
    const reasons = eventsFor(h, 'web').map((e) => e.reason);
    assert.ok(reasons.includes('EnsuredLoadBalancer'), reasons.join(','));
  });

  it('makes zero cloud calls when an unchanged Service is resynced', async () => {
    await settle(h);
    h.cloudEmu.emu.clearCalls();
    const before = h.reports.length;
    // A resync re-delivers every cached object; the drift-free steady state must be free.
    h.runnable.controller.queue.add('default/web');
    await eventually(() => h.reports.length > before, 'a resync report');
    await settle(h);
    assert.equal(h.reports.at(-1)!.path, 'skip');
    assert.deepEqual(slbCalls(h.cloudEmu.emu.calls()), []);
  });

  it('serves the 2017 https example: ProtocolPort https:443, CertID, Bandwidth, HealthCheckFlag off', async () => {
    const cert = Object.values(h.cloudEmu.emu.state.serverCertificates)[0];
    let certId = cert?.ServerCertificateId;
    if (!certId) {
      certId = 'cert-e2e-1';
      h.cloudEmu.emu.state.serverCertificates[certId] = { ServerCertificateId: certId, ServerCertificateName: 'e2e', Fingerprint: 'aa', CommonName: 'example.com', ExpireTime: '2099-01-01T00:00Z', ExpireTimeStamp: 4070908800000, CreateTime: '2024-01-01T00:00Z', CreateTimeStamp: 0, Tags: [] };
    }
    await apply(
      serviceYaml({
        name: 'secure',
        ports: [{ name: 'https', port: 443, targetPort: 8443 }],
        annotations: { [`${CAMEL}ProtocolPort`]: 'https:443', [`${CAMEL}CertID`]: certId, [`${CAMEL}Bandwidth`]: '60', [`${CAMEL}HealthCheckFlag`]: 'off' },
      }),
    );
    await waitIngress(h, 'secure');
    await settle(h);
    const lb = lbFor('secure')!;
    assert.equal(lb.InternetChargeType, 'paybybandwidth');
    assert.equal(lb.Bandwidth, 60);
    const l = lb.Listeners.find((x) => x.ListenerPort === 443)!;
    assert.equal(l.ListenerProtocol, 'https');
    assert.equal(l.Attributes.ServerCertificateId, certId);
    assert.equal(l.Attributes.HealthCheck, 'off');
    assert.equal(l.Status, 'running');
  });

  it('rejects an invalid annotation with a Warning naming key, value and what is allowed, and changes nothing', async () => {
    await settle(h);
    h.cloudEmu.emu.clearCalls();
    await apply(serviceYaml({ name: 'broken', annotations: { [`${PFX}address-type`]: 'public', [`${PFX}scheduler`]: 'wrr' } }));
    const ev = await eventually(() => eventsFor(h, 'broken').find((e) => e.reason === 'InvalidAnnotation'), 'InvalidAnnotation event');
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message, /alibaba-cloud-loadbalancer-address-type/);
    assert.match(ev.message, /"public"/);
    assert.match(ev.message, /intranet/);
    await settle(h);
    assert.deepEqual(slbCalls(h.cloudEmu.emu.calls()), []);
    assert.equal(getService(h, 'broken')?.status?.loadBalancer?.ingress, undefined);
    // Other Services are unaffected: a new good one still gets its SLB.
    await apply(serviceYaml({ name: 'neighbour' }));
    await waitIngress(h, 'neighbour');
  });

  it('follows nodes joining, leaving and turning not-ready', async () => {
    await settle(h);
    const lb = lbFor('web')!;
    const group = () => Object.values(h.cloudEmu.emu.state.vserverGroups).find((g) => g.LoadBalancerId === lb.LoadBalancerId)!;
    const [extra] = (await import('../../helpers/alicloud.js')).seedInstances(h.cloudEmu.emu, 1).instanceIds;
    addNode(h.kube, 'node-extra', `${h.region}.${extra}`);
    await eventually(() => group().BackendServers.some((b) => b.ServerId === extra), 'new node as backend');
    setNodeReady(h.kube, 'node-extra', false);
    await eventually(() => !group().BackendServers.some((b) => b.ServerId === extra), 'not-ready node removed');
    setNodeReady(h.kube, 'node-extra', true);
    await eventually(() => group().BackendServers.some((b) => b.ServerId === extra), 'ready again');
    h.kube.emu.store.delete('nodes', 'node-extra');
    await eventually(() => !group().BackendServers.some((b) => b.ServerId === extra), 'deleted node removed');
  });

  it('repairs a hand-made change when the drift check runs', async () => {
    await settle(h);
    const lb = lbFor('web')!;
    // Someone points the listener elsewhere and stops it in the console.
    lb.Listeners[0]!.Attributes.Description = 'k8s/80/web/default/test-cluster';
    lb.Listeners[0]!.Status = 'stopped';
    lb.Listeners[0]!.Attributes.Scheduler = 'wlc';
    await apply(serviceYaml({ name: 'web', annotations: { [`${PFX}scheduler`]: 'wrr' } }));
    await eventually(() => lbFor('web')!.Listeners[0]!.Attributes.Scheduler === 'wrr', 'scheduler applied');
    await settle(h);
    lbFor('web')!.Listeners[0]!.Attributes.Scheduler = 'wlc';
    lbFor('web')!.Listeners[0]!.Status = 'stopped';
    h.runnable.controller.driftCheck();
    await eventually(() => lbFor('web')!.Listeners[0]!.Attributes.Scheduler === 'wrr' && lbFor('web')!.Listeners[0]!.Status === 'running', 'drift repaired');
  });

  it('deletes the SLB, its listeners and VServer groups when the Service is deleted', async () => {
    await settle(h);
    const lbId = lbFor('neighbour')!.LoadBalancerId;
    if (kubectlOk) await h.kube.kubectl(['delete', 'service', 'neighbour', '--wait=false']);
    else h.kube.emu.store.delete('services', 'neighbour', 'default');
    await eventually(() => getService(h, 'neighbour') === undefined, 'Service gone (finalizer removed)');
    assert.equal(h.cloudEmu.emu.state.loadBalancers[lbId], undefined);
    assert.deepEqual(Object.values(h.cloudEmu.emu.state.vserverGroups).filter((g) => g.LoadBalancerId === lbId), []);
  });

  it('cleans up when the type changes away from LoadBalancer', async () => {
    await settle(h);
    const lbId = lbFor('secure')!.LoadBalancerId;
    await apply(serviceYaml({ name: 'secure', type: 'NodePort', ports: [{ name: 'https', port: 443, targetPort: 8443 }] }));
    await eventually(() => h.cloudEmu.emu.state.loadBalancers[lbId] === undefined, 'SLB deleted');
    await eventually(() => !getService(h, 'secure')?.metadata?.finalizers?.includes('service.k8s.alibaba/resources') && getService(h, 'secure')?.status?.loadBalancer?.ingress === undefined, 'finalizer and status cleared');
    assert.ok(lbsOf(h).every((l) => l.LoadBalancerId !== lbId));
    assert.equal(slbWrites(h.cloudEmu.emu.calls()).length > 0, true);
  });
});

describe('service controller: reusing a user SLB, Local traffic, dry-run', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ nodes: 3 });
  });
  after(async () => {
    await h?.stop();
  });

  async function create(yaml: string): Promise<void> {
    await h.client.create({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true }, 'default', JSON.parse(yaml));
  }

  /** A hand-made SLB with a user listener on 22 and a user VServer group holding one user backend. */
  function userSlb(): { lbId: string; groupId: string } {
    const s = h.cloudEmu.emu.state;
    const lbId = `lb-user${Object.keys(s.loadBalancers).length}`;
    const template = { ...Object.values(s.loadBalancers)[0] };
    s.loadBalancers[lbId] = {
      ...(template as (typeof s.loadBalancers)[string]),
      LoadBalancerId: lbId,
      LoadBalancerName: 'users-own',
      Address: `198.51.100.${Object.keys(s.loadBalancers).length + 1}`,
      AddressType: 'internet',
      AddressIPVersion: 'ipv4',
      DeleteProtection: 'off',
      Tags: [{ Key: 'team', Value: 'payments' }],
      BackendServers: [],
      Listeners: [{ ListenerPort: 22, ListenerProtocol: 'tcp', Status: 'running', Attributes: { Description: 'ssh bastion', BackendServerPort: 22 } }],
    };
    const groupId = `rsp-user${Object.keys(s.vserverGroups).length}`;
    s.vserverGroups[groupId] = { VServerGroupId: groupId, VServerGroupName: 'users-group', LoadBalancerId: lbId, CreateTime: '', BackendServers: [{ ServerId: h.instanceIds[0]!, Weight: 50, Type: 'ecs', ServerIp: '', Port: 9999, Description: 'by hand' }], Tags: [] };
    return { lbId, groupId };
  }

  it('reuses a user SLB without force-override: own VServer group only, listeners untouched, SLB kept on delete', async () => {
    // Seed one SLB first so the template has realistic fields.
    await create(serviceYaml({ name: 'seed' }));
    await waitIngress(h, 'seed');
    const { lbId, groupId } = userSlb();
    await create(serviceYaml({ name: 'reuse', annotations: { [`${PFX}id`]: lbId } }));
    await eventually(() => Object.values(h.cloudEmu.emu.state.vserverGroups).some((g) => g.LoadBalancerId === lbId && g.VServerGroupName.startsWith('k8s/')), 'our group on the user SLB');
    await waitIngress(h, 'reuse');
    const lb = h.cloudEmu.emu.state.loadBalancers[lbId]!;
    assert.deepEqual(lb.Listeners.map((l) => l.ListenerPort), [22], 'no listener created without force-override');
    assert.equal(lb.Tags.find((t) => t.Key === 'team')?.Value, 'payments');
    assert.equal(lb.Tags.find((t) => t.Key === 'kubernetes.reused.by.user')?.Value, 'true');
    assert.equal(h.cloudEmu.emu.state.vserverGroups[groupId]!.BackendServers.length, 1);
    await h.client.delete({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true }, 'default', 'reuse');
    await eventually(() => getService(h, 'reuse') === undefined, 'reuse Service gone');
    assert.ok(h.cloudEmu.emu.state.loadBalancers[lbId], 'the user SLB survives');
    assert.deepEqual(h.cloudEmu.emu.state.loadBalancers[lbId]!.Listeners.map((l) => l.ListenerPort), [22]);
    assert.ok(!Object.values(h.cloudEmu.emu.state.vserverGroups).some((g) => g.LoadBalancerId === lbId && g.VServerGroupName.startsWith('k8s/')), 'our group removed');
    assert.ok(h.cloudEmu.emu.state.vserverGroups[groupId], 'the user group survives');
  });

  it('reuses with force-override and vgroup-port: creates our listener into the user group, keeps the user backend and listener', async () => {
    const { lbId, groupId } = userSlb();
    await create(serviceYaml({ name: 'forced', annotations: { [`${PFX}id`]: lbId, [`${PFX}force-override-listeners`]: 'true', [`${PFX}vgroup-port`]: `${groupId}:80` } }));
    await waitIngress(h, 'forced');
    const lb = h.cloudEmu.emu.state.loadBalancers[lbId]!;
    const l80 = lb.Listeners.find((l) => l.ListenerPort === 80)!;
    assert.equal(l80.Attributes.VServerGroupId, groupId);
    assert.equal(l80.Attributes.Description, 'k8s/80/forced/default/test-cluster');
    assert.ok(lb.Listeners.some((l) => l.ListenerPort === 22), 'the user listener stays');
    const g = h.cloudEmu.emu.state.vserverGroups[groupId]!;
    assert.ok(g.BackendServers.some((b) => b.Description === 'by hand'), 'user backend kept');
    assert.equal(g.BackendServers.filter((b) => b.Description !== 'by hand').length, 3);
    await h.client.delete({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true }, 'default', 'forced');
    await eventually(() => getService(h, 'forced') === undefined, 'forced Service gone');
    const after = h.cloudEmu.emu.state.loadBalancers[lbId]!;
    assert.deepEqual(after.Listeners.map((l) => l.ListenerPort), [22]);
    assert.deepEqual(h.cloudEmu.emu.state.vserverGroups[groupId]!.BackendServers.map((b) => b.Description), ['by hand']);
  });

  it('refuses to adopt an SLB created by another cluster, with a Warning and no change', async () => {
    const seedLb = lbsOf(h).find((l) => l.Tags.some((t) => t.Key === 'ack.aliyun.com'))!;
    h.cloudEmu.emu.clearCalls();
    await create(serviceYaml({ name: 'thief', annotations: { [`${PFX}id`]: seedLb.LoadBalancerId } }));
    const ev = await eventually(() => eventsFor(h, 'thief').find((e) => e.type === 'Warning'), 'refusal event');
    assert.match(ev.message, /cluster/i);
    await settle(h);
    assert.deepEqual(slbWrites(h.cloudEmu.emu.calls()), []);
  });

  it('Local traffic: backends are the nodes running ready pods, and follow the pods', async () => {
    await create(serviceYaml({ name: 'local', externalTrafficPolicy: 'Local' }));
    const slice = (nodes: string[]) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'local-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'local' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: nodes.map((n, i) => ({ addresses: [`10.0.${i}.7`], conditions: { ready: true }, nodeName: n })),
    });
    h.kube.emu.store.create('endpointslices', slice(['node-1']));
    await waitIngress(h, 'local');
    const group = () => {
      const id = getService(h, 'local')!.metadata!.labels!['service.k8s.alibaba/loadbalancer-id']!;
      return Object.values(h.cloudEmu.emu.state.vserverGroups).find((g) => g.LoadBalancerId === id)!;
    };
    await eventually(() => group().BackendServers.length === 1 && group().BackendServers[0]!.ServerId === h.instanceIds[1], 'node-1 only');
    const current = h.kube.emu.store.get('endpointslices', 'local-abc', 'default')!;
    h.kube.emu.store.update('endpointslices', { ...current, endpoints: slice(['node-0', 'node-2', 'node-2']).endpoints });
    await eventually(() => group().BackendServers.map((b) => b.ServerId).sort().join() === [h.instanceIds[0], h.instanceIds[2]].sort().join(), 'pods moved to node-0 and node-2');
    assert.equal(group().BackendServers.find((b) => b.ServerId === h.instanceIds[2])!.Weight, 2, 'weight = pods on the node');
  });
});

describe('service controller --dry-run', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ nodes: 2, settings: { dryRun: true } });
  });
  after(async () => {
    await h?.stop();
  });

  it('logs every call it would make, sends no mutating call and writes no status', async () => {
    await h.client.create({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true }, 'default', JSON.parse(serviceYaml({ name: 'dry' })));
    await eventually(() => h.reports.some((r) => r.key === 'default/dry' && r.path === 'sync'), 'a dry-run sync');
    await settle(h);
    assert.deepEqual(slbWrites(h.cloudEmu.emu.calls()), []);
    assert.deepEqual(lbsOf(h), []);
    const svc = getService(h, 'dry')!;
    assert.equal(svc.status?.loadBalancer?.ingress, undefined);
    assert.ok(!svc.metadata?.finalizers?.includes('service.k8s.alibaba/resources'));
    const logged = h.logLines.filter((l) => l.includes('dry-run: cloud change not sent')).map((l) => (JSON.parse(l) as { action: string }).action);
    for (const action of ['CreateLoadBalancer', 'CreateVServerGroup', 'AddVServerGroupBackendServers', 'CreateLoadBalancerTCPListener', 'StartLoadBalancerListener']) {
      assert.ok(logged.includes(action), `${action} logged (got ${logged.join(',')})`);
    }
    assert.ok(!h.logLines.some((l) => l.includes(h.cloudEmu.accessKeySecret)), 'no secret in the log');
  });
});
