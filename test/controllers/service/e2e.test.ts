// End to end: kubectl → Kubernetes API emulator → the real alicloud-controller-manager process
// (--controllers=service) → Alibaba Cloud emulator. One manager serves the cases of a describe;
// it is restarted only where a flag must differ (the drift-check period) or a restart is the point.
// Each case uses its own Service names so the shared process carries on from one to the next.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { stringify } from 'yaml';
import { seedInstances } from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';
import {
  addNode,
  CAMEL,
  CLUSTER_ID,
  eventsFor,
  FINALIZER,
  getService,
  groupsOf,
  lbFor,
  PFX,
  serviceManifest,
  setNodeLabels,
  setNodeReady,
  slbCalls,
  slbWrites,
  startProcessHarness,
  waitIngress,
  type ProcessHarness,
  type SvcSpec,
} from './process.js';

const SKIPS: [string, string] = ['path', 'skip'];

describe('service controller end to end (real controller-manager process)', function () {
  this.timeout(90_000);
  let h: ProcessHarness;

  before(async function () {
    this.timeout(60_000);
    h = await startProcessHarness({
      nodes: 3,
      args: ['--lb-drift-check-period', '1h', '--concurrent-service-syncs', '4'],
    });
  });
  after(async function () {
    if (this.currentTest?.state === 'failed' && h) console.error(h.manager().stderr().slice(-6000));
    await h?.close();
  });

  const apply = async (...specs: SvcSpec[]) => {
    await applyDocs(specs.map(serviceManifest));
  };
  /** One kubectl apply of a multi-document stream (kubectl cannot validate a `kind: List`). */
  const applyDocs = async (docs: unknown[]) => {
    await h.kubectl(
      ['apply', '-f', '-'],
      docs
        .map((d) => stringify(d, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }))
        .join('---\n'),
    );
  };
  const del = async (name: string) => {
    await h.kubectl(['delete', 'service', name, '--wait=false']);
  };
  /** Services the controller owns an SLB for (each costs one skip per full resync). */
  const lbServices = () =>
    h.kube.emu.store
      .list('services', { namespace: 'default' })
      .filter((s) =>
        (s as { metadata?: { finalizers?: string[] } }).metadata?.finalizers?.includes(FINALIZER),
      ).length;

  it('creates an SLB with ownership tags, a listener and a VServer group of every ready node, and publishes its IP', async () => {
    await apply({ name: 'web' });
    const ingress = await waitIngress(h, 'web');
    await h.settle();
    const svc = getService(h, 'web')!;
    assert.ok(svc.metadata?.finalizers?.includes(FINALIZER));
    const lb = lbFor(h, 'web')!;
    assert.equal(lb.Address, ingress.ip);
    const tags = Object.fromEntries(lb.Tags.map((t) => [t.Key, t.Value]));
    assert.equal(tags['ack.aliyun.com'], CLUSTER_ID);
    assert.equal(tags['kubernetes.do.not.delete'], ('a' + svc.metadata!.uid!.replace(/-/g, '')).slice(0, 32));
    assert.equal(lb.Listeners.length, 1);
    const l = lb.Listeners[0]!;
    assert.equal(l.ListenerPort, 80);
    assert.equal(l.ListenerProtocol, 'tcp');
    assert.equal(l.Status, 'running');
    assert.equal(l.Attributes.Description, `k8s/80/web/default/${CLUSTER_ID}`);
    const nodePort = svc.spec!.ports![0]!.nodePort!;
    const [group] = groupsOf(h, lb.LoadBalancerId);
    assert.equal(group!.VServerGroupName, `k8s/${nodePort}/web/default/${CLUSTER_ID}`);
    assert.deepEqual(group!.BackendServers.map((b) => b.ServerId).sort(), [...h.instanceIds].sort());
    assert.ok(
      group!.BackendServers.every((b) => b.Port === nodePort && b.Description === group!.VServerGroupName),
    );
    assert.equal(l.Attributes.VServerGroupId, group!.VServerGroupId);
    const reasons = eventsFor(h, 'web').map((e) => e.reason);
    assert.ok(
      reasons.includes('EnsuringLoadBalancer') && reasons.includes('EnsuredLoadBalancer'),
      reasons.join(','),
    );
  });

  it('makes zero cloud calls when unchanged Services are resynced (node label churn, unrelated annotation)', async () => {
    await h.settle();
    h.cloudEmu.emu.clearCalls();
    // A node label change re-queues every Service; none of their backend sets changes.
    const before = await h.metric('kube_alicloud_service_syncs_total', SKIPS);
    setNodeLabels(h.kube, 'node-0', { 'e2e.example.com/touched': 'yes' });
    await eventually(
      async () =>
        (await h.metric('kube_alicloud_service_syncs_total', SKIPS)) >= before + lbServices()
          ? true
          : undefined,
      'every Service resynced',
    );
    await h.kubectl(['annotate', 'service', 'web', 'e2e.example.com/note=unrelated']);
    await eventually(
      async () =>
        (await h.metric('kube_alicloud_service_syncs_total', SKIPS)) >= before + lbServices() + 1
          ? true
          : undefined,
      'the annotated Service resynced',
    );
    await h.settle();
    assert.deepEqual(slbCalls(h.cloudEmu.emu.calls()), []);
    assert.deepEqual(h.cloudEmu.emu.calls(), [], 'no ECS/VPC call either');
  });

  it('serves the 2017 https example: ProtocolPort https:443, CertID, Bandwidth, HealthCheckFlag off', async () => {
    const certId = seedCert(h, 'cert-e2e-2017');
    await apply({
      name: 'secure',
      ports: [{ name: 'https', port: 443, targetPort: 8443 }],
      annotations: {
        [`${CAMEL}ProtocolPort`]: 'https:443',
        [`${CAMEL}CertID`]: certId,
        [`${CAMEL}Bandwidth`]: '60',
        [`${CAMEL}HealthCheckFlag`]: 'off',
      },
    });
    await waitIngress(h, 'secure');
    const lb = lbFor(h, 'secure')!;
    assert.equal(lb.InternetChargeType, 'paybybandwidth');
    assert.equal(lb.Bandwidth, 60);
    const l = lb.Listeners.find((x) => x.ListenerPort === 443)!;
    assert.equal(l.ListenerProtocol, 'https');
    assert.equal(l.Attributes.ServerCertificateId, certId);
    assert.equal(l.Attributes.HealthCheck, 'off');
    assert.equal(l.Status, 'running');
  });

  it('rejects an invalid annotation with a Warning naming key, value and what is allowed; no cloud change; others unaffected', async () => {
    await h.settle();
    h.cloudEmu.emu.clearCalls();
    await apply({
      name: 'broken',
      annotations: { [`${PFX}address-type`]: 'public', [`${PFX}scheduler`]: 'wrr' },
    });
    const ev = await eventually(
      () => eventsFor(h, 'broken').find((e) => e.reason === 'InvalidAnnotation'),
      'InvalidAnnotation event',
      { tries: 400 },
    );
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message, /alibaba-cloud-loadbalancer-address-type/);
    assert.match(ev.message, /"public"/);
    assert.match(ev.message, /intranet/);
    await h.settle();
    assert.deepEqual(slbCalls(h.cloudEmu.emu.calls()), []);
    assert.equal(getService(h, 'broken')?.status?.loadBalancer?.ingress, undefined);
    assert.ok(
      !getService(h, 'broken')?.metadata?.finalizers?.includes(FINALIZER),
      'no finalizer before a valid spec',
    );
    // Other Services are unaffected: a new good one still gets its SLB while the bad one stands.
    await apply({ name: 'neighbour' });
    await waitIngress(h, 'neighbour');
    // Fixing the annotation makes the broken one sync.
    await apply({
      name: 'broken',
      annotations: { [`${PFX}address-type`]: 'internet', [`${PFX}scheduler`]: 'wrr' },
    });
    await waitIngress(h, 'broken');
    assert.equal(lbFor(h, 'broken')!.Listeners[0]!.Attributes.Scheduler, 'wrr');
  });

  it('follows nodes joining, leaving and turning not-ready', async () => {
    const lbId = lbFor(h, 'web')!.LoadBalancerId;
    const servers = () => groupsOf(h, lbId)[0]!.BackendServers.map((b) => b.ServerId);
    const [extra] = seedInstances(h.cloudEmu.emu, 1).instanceIds;
    addNode(h.kube, 'node-extra', `${h.region}.${extra}`);
    await eventually(() => (servers().includes(extra!) ? true : undefined), 'new node as backend', {
      tries: 400,
    });
    setNodeReady(h.kube, 'node-extra', false);
    await eventually(() => (!servers().includes(extra!) ? true : undefined), 'not-ready node removed', {
      tries: 400,
    });
    setNodeReady(h.kube, 'node-extra', true);
    await eventually(() => (servers().includes(extra!) ? true : undefined), 'ready again', { tries: 400 });
    await h.kubectl(['delete', 'node', 'node-extra']);
    await eventually(() => (!servers().includes(extra!) ? true : undefined), 'deleted node removed', {
      tries: 400,
    });
    assert.deepEqual(servers().sort(), [...h.instanceIds].sort());
  });

  it('Local traffic: backends are the nodes running ready pods, weighted by pods, and follow the pods; Cluster keeps all nodes', async () => {
    await apply({ name: 'local', externalTrafficPolicy: 'Local' }, { name: 'cluster' });
    const slice = (svc: string, nodes: string[]) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${svc}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: nodes.map((n, i) => ({
        addresses: [`10.0.${i}.7`],
        conditions: { ready: true },
        nodeName: n,
      })),
    });
    await applyDocs([slice('local', ['node-1']), slice('cluster', ['node-1'])]);
    await waitIngress(h, 'local');
    await waitIngress(h, 'cluster');
    const servers = (svc: string) => groupsOf(h, lbFor(h, svc)!.LoadBalancerId)[0]!.BackendServers;
    const ids = (svc: string) =>
      servers(svc)
        .map((b) => b.ServerId)
        .sort()
        .join();
    await eventually(() => (ids('local') === h.instanceIds[1] ? true : undefined), 'node-1 only', {
      tries: 400,
    });
    await applyDocs([
      slice('local', ['node-0', 'node-2', 'node-2']),
      slice('cluster', ['node-0', 'node-2', 'node-2']),
    ]);
    const want = [h.instanceIds[0], h.instanceIds[2]].sort().join();
    await eventually(() => (ids('local') === want ? true : undefined), 'pods moved to node-0 and node-2', {
      tries: 400,
    });
    assert.equal(
      servers('local').find((b) => b.ServerId === h.instanceIds[2])!.Weight,
      2,
      'weight = pods on the node',
    );
    assert.equal(servers('local').find((b) => b.ServerId === h.instanceIds[0])!.Weight, 1);
    await h.settle();
    assert.equal(
      ids('cluster'),
      [...h.instanceIds].sort().join(),
      'Cluster mode: every ready node, wherever the pods are',
    );
    assert.ok(servers('cluster').every((b) => b.Weight === 100));
    // All pods gone: a Local Service keeps its SLB but has no backends (and says so).
    await applyDocs([slice('local', [])]);
    await eventually(() => (servers('local').length === 0 ? true : undefined), 'no backends without pods', {
      tries: 400,
    });
    await eventually(
      () => eventsFor(h, 'local').find((e) => e.reason === 'UnAvailableLoadBalancer'),
      'UnAvailableLoadBalancer event',
      { tries: 400 },
    );
  });

  /** A hand-made SLB with a user listener on 22 and a user VServer group holding one user backend. */
  function userSlb(n: number, grant = true): { lbId: string; groupId: string } {
    const s = h.cloudEmu.emu.state;
    const template = lbFor(h, 'web')!;
    const lbId = `lb-user${n}`;
    s.loadBalancers[lbId] = {
      ...template,
      LoadBalancerId: lbId,
      LoadBalancerName: 'users-own',
      Address: `198.51.100.${n}`,
      DeleteProtection: 'off',
      ModificationProtectionStatus: 'NonProtection',
      // The operator opened it to this cluster's `default` namespace (reuse needs a grant).
      Tags: [
        { Key: 'team', Value: 'payments' },
        ...(grant ? [{ Key: `kube-alicloud.io/reusable/${CLUSTER_ID}`, Value: 'default' }] : []),
      ],
      BackendServers: [],
      Listeners: [
        {
          ListenerPort: 22,
          ListenerProtocol: 'tcp',
          Status: 'running',
          Attributes: { Description: 'ssh bastion', BackendServerPort: 22 },
        },
      ],
    };
    const groupId = `rsp-user${n}`;
    s.vserverGroups[groupId] = {
      VServerGroupId: groupId,
      VServerGroupName: 'users-group',
      LoadBalancerId: lbId,
      CreateTime: '',
      BackendServers: [
        {
          ServerId: h.instanceIds[0]!,
          Weight: 50,
          Type: 'ecs',
          ServerIp: '',
          Port: 9999,
          Description: 'by hand',
        },
      ],
      Tags: [],
    };
    return { lbId, groupId };
  }

  it('reuses a user SLB without force-override: own VServer group only, listeners untouched, SLB kept on delete', async () => {
    const { lbId, groupId } = userSlb(1);
    await apply({ name: 'reuse', annotations: { [`${PFX}id`]: lbId } });
    const ingress = await waitIngress(h, 'reuse');
    assert.equal(ingress.ip, '198.51.100.1');
    await eventually(
      () => groupsOf(h, lbId).find((g) => g.VServerGroupName.startsWith('k8s/')),
      'our group on the user SLB',
      { tries: 400 },
    );
    const lb = h.cloudEmu.emu.state.loadBalancers[lbId]!;
    assert.deepEqual(
      lb.Listeners.map((l) => l.ListenerPort),
      [22],
      'no listener created without force-override',
    );
    assert.equal(lb.Tags.find((t) => t.Key === 'team')?.Value, 'payments');
    assert.equal(lb.Tags.find((t) => t.Key === 'kubernetes.reused.by.user')?.Value, 'true');
    assert.ok(
      !lb.Tags.some((t) => t.Key === 'ack.aliyun.com' || t.Key === 'kubernetes.do.not.delete'),
      'never marked as cluster-created',
    );
    assert.equal(h.cloudEmu.emu.state.vserverGroups[groupId]!.BackendServers.length, 1);
    await del('reuse');
    await eventually(() => (getService(h, 'reuse') === undefined ? true : undefined), 'reuse Service gone', {
      tries: 400,
    });
    assert.ok(h.cloudEmu.emu.state.loadBalancers[lbId], 'the user SLB survives');
    assert.deepEqual(
      h.cloudEmu.emu.state.loadBalancers[lbId].Listeners.map((l) => l.ListenerPort),
      [22],
    );
    assert.ok(!groupsOf(h, lbId).some((g) => g.VServerGroupName.startsWith('k8s/')), 'our group removed');
    assert.ok(h.cloudEmu.emu.state.vserverGroups[groupId], 'the user group survives');
    assert.equal(
      h.cloudEmu.emu.state.loadBalancers[lbId].Tags.find((t) => t.Key === 'team')?.Value,
      'payments',
    );
  });

  it('reuses with force-override and vgroup-port: our listener into the user group, user backend and listener kept, SLB kept on delete', async () => {
    const { lbId, groupId } = userSlb(2);
    await apply({
      name: 'forced',
      annotations: {
        [`${PFX}id`]: lbId,
        [`${PFX}force-override-listeners`]: 'true',
        [`${PFX}vgroup-port`]: `${groupId}:80`,
      },
    });
    await waitIngress(h, 'forced');
    await eventually(
      () =>
        h.cloudEmu.emu.state.loadBalancers[lbId]!.Listeners.find(
          (l) => l.ListenerPort === 80 && l.Status === 'running',
        ),
      'listener 80 running',
      { tries: 400 },
    );
    const lb = h.cloudEmu.emu.state.loadBalancers[lbId]!;
    const l80 = lb.Listeners.find((l) => l.ListenerPort === 80)!;
    assert.equal(l80.Attributes.VServerGroupId, groupId);
    assert.equal(l80.Attributes.Description, `k8s/80/forced/default/${CLUSTER_ID}`);
    assert.ok(
      lb.Listeners.some((l) => l.ListenerPort === 22),
      'the user listener stays',
    );
    const g = h.cloudEmu.emu.state.vserverGroups[groupId]!;
    assert.ok(
      g.BackendServers.some((b) => b.Description === 'by hand'),
      'user backend kept',
    );
    assert.equal(g.BackendServers.filter((b) => b.Description !== 'by hand').length, 3);
    await del('forced');
    await eventually(
      () => (getService(h, 'forced') === undefined ? true : undefined),
      'forced Service gone',
      { tries: 400 },
    );
    const after = h.cloudEmu.emu.state.loadBalancers[lbId]!;
    assert.deepEqual(
      after.Listeners.map((l) => l.ListenerPort),
      [22],
    );
    assert.deepEqual(
      h.cloudEmu.emu.state.vserverGroups[groupId]!.BackendServers.map((b) => b.Description),
      ['by hand'],
    );
  });

  it('reuses a hand-made SLB only when opened to it: refused without a grant, accepted through cloud-config reusableLoadBalancers', async () => {
    const closed = userSlb(8, false);
    const before = JSON.stringify([
      h.cloudEmu.emu.state.loadBalancers[closed.lbId],
      h.cloudEmu.emu.state.vserverGroups[closed.groupId],
    ]);
    await apply({ name: 'unopened', annotations: { [`${PFX}id`]: closed.lbId } });
    const ev = await eventually(
      () => eventsFor(h, 'unopened').find((e) => e.reason === 'InvalidAnnotation'),
      'refusal',
      { tries: 400 },
    );
    assert.match(ev.message, /not open to namespace "default".*reusableLoadBalancers "lb-user8\/default"/);
    await h.settle();
    assert.equal(
      JSON.stringify([
        h.cloudEmu.emu.state.loadBalancers[closed.lbId],
        h.cloudEmu.emu.state.vserverGroups[closed.groupId],
      ]),
      before,
      'the unopened SLB is byte-for-byte unchanged',
    );
    assert.ok(!groupsOf(h, closed.lbId).some((g) => g.VServerGroupName.startsWith('k8s/')));
    // lb-user9 carries no grant tag; the harness's cloud-config lists "lb-user9/default".
    const opened = userSlb(9, false);
    await apply({ name: 'opened', annotations: { [`${PFX}id`]: opened.lbId } });
    await waitIngress(h, 'opened');
    await eventually(
      () =>
        groupsOf(h, opened.lbId).find(
          (g) =>
            g.VServerGroupName ===
            `k8s/${getService(h, 'opened')!.spec!.ports![0]!.nodePort}/opened/default/${CLUSTER_ID}`,
        ),
      'our group on the opened SLB',
      { tries: 400 },
    );
    await del('unopened');
    await del('opened');
    await eventually(
      () => (getService(h, 'unopened') || getService(h, 'opened') ? undefined : true),
      'both gone',
      { tries: 400 },
    );
    assert.equal(
      JSON.stringify([
        h.cloudEmu.emu.state.loadBalancers[closed.lbId],
        h.cloudEmu.emu.state.vserverGroups[closed.groupId],
      ]),
      before,
    );
  });

  it('refuses to adopt an SLB created by a cluster, with a Warning and no change', async () => {
    const taken = lbFor(h, 'neighbour')!;
    await h.settle();
    h.cloudEmu.emu.clearCalls();
    await apply({ name: 'thief', annotations: { [`${PFX}id`]: taken.LoadBalancerId } });
    const ev = await eventually(
      () => eventsFor(h, 'thief').find((e) => e.type === 'Warning'),
      'refusal event',
      { tries: 400 },
    );
    assert.match(ev.message, /cluster/i);
    await h.settle();
    assert.deepEqual(slbWrites(h.cloudEmu.emu.calls()), []);
    await del('thief');
    await eventually(() => (getService(h, 'thief') === undefined ? true : undefined), 'thief gone', {
      tries: 400,
    });
    assert.ok(
      h.cloudEmu.emu.state.loadBalancers[taken.LoadBalancerId],
      'the other SLB is untouched by the refused Service',
    );
  });

  it('deletes the SLB, its listeners and VServer groups when the Service is deleted', async () => {
    const lbId = lbFor(h, 'neighbour')!.LoadBalancerId;
    await del('neighbour');
    await eventually(
      () => (getService(h, 'neighbour') === undefined ? true : undefined),
      'Service gone (finalizer removed)',
      { tries: 400 },
    );
    assert.equal(h.cloudEmu.emu.state.loadBalancers[lbId], undefined);
    assert.deepEqual(groupsOf(h, lbId), []);
    // The recorder writes Events in the background, so the last one may land after the finalizer went.
    await eventually(
      () => (eventsFor(h, 'neighbour').some((e) => e.reason === 'DeletedLoadBalancer') ? true : undefined),
      'DeletedLoadBalancer Event',
      { tries: 400 },
    );
  });

  it('cleans up when the type changes away from LoadBalancer', async () => {
    const lbId = lbFor(h, 'secure')!.LoadBalancerId;
    await apply({
      name: 'secure',
      type: 'NodePort',
      ports: [{ name: 'https', port: 443, targetPort: 8443 }],
    });
    await eventually(
      () => (h.cloudEmu.emu.state.loadBalancers[lbId] === undefined ? true : undefined),
      'SLB deleted',
      { tries: 400 },
    );
    await eventually(
      () =>
        !getService(h, 'secure')?.metadata?.finalizers?.includes(FINALIZER) &&
        getService(h, 'secure')?.status?.loadBalancer?.ingress === undefined
          ? true
          : undefined,
      'finalizer and status cleared',
      { tries: 400 },
    );
    assert.deepEqual(groupsOf(h, lbId), []);
  });

  it('after a restart makes zero cloud calls for every unchanged Service', async () => {
    await h.settle();
    h.cloudEmu.emu.clearCalls();
    await h.restart(['--lb-drift-check-period', '1h']);
    await eventually(
      async () =>
        (await h.metric('kube_alicloud_service_syncs_total', SKIPS)) >= lbServices() ? true : undefined,
      'the startup pass',
      { tries: 400 },
    );
    await h.settle();
    assert.deepEqual(slbCalls(h.cloudEmu.emu.calls()), []);
  });

  it('repairs hand-made drift on the periodic drift check, and a clean drift check writes nothing', async () => {
    await h.restart(['--lb-drift-check-period', '1s']);
    const lb = lbFor(h, 'web')!;
    const group = groupsOf(h, lb.LoadBalancerId)[0]!;
    // Someone stops a listener, reweights one backend and drops another; on a Service that set
    // its scheduler by annotation, someone switches the scheduler.
    lb.Listeners[0]!.Status = 'stopped';
    group.BackendServers[0]!.Weight = 7;
    const dropped = group.BackendServers.pop()!;
    const other = lbFor(h, 'broken')!;
    other.Listeners[0]!.Attributes.Scheduler = 'wlc';
    await eventually(
      () => (lbFor(h, 'web')!.Listeners[0]!.Status === 'running' ? true : undefined),
      'listener restarted',
      { tries: 400 },
    );
    await eventually(
      () =>
        groupsOf(h, lb.LoadBalancerId)[0]!.BackendServers.some((b) => b.ServerId === dropped.ServerId)
          ? true
          : undefined,
      'backend re-added',
      { tries: 400 },
    );
    await eventually(
      () =>
        groupsOf(h, lb.LoadBalancerId)[0]!.BackendServers.every((b) => b.Weight === 100) ? true : undefined,
      'weight restored',
      { tries: 400 },
    );
    await eventually(
      () => (lbFor(h, 'broken')!.Listeners[0]!.Attributes.Scheduler === 'wrr' ? true : undefined),
      'scheduler restored',
      { tries: 400 },
    );
    await eventually(
      () => eventsFor(h, 'web').find((e) => e.reason === 'DriftRepaired'),
      'DriftRepaired event',
      { tries: 400 },
    );
    // Once repaired, further drift checks re-read but change nothing.
    await h.settle();
    h.cloudEmu.emu.clearCalls();
    await eventually(
      () =>
        slbCalls(h.cloudEmu.emu.calls()).some((c) => c.action === 'DescribeLoadBalancers') ? true : undefined,
      'a later drift check',
      { tries: 400 },
    );
    await h.settle();
    assert.deepEqual(slbWrites(h.cloudEmu.emu.calls()), []);
    // Back to a rare drift check: the next cases count calls, and a 1 s check's reads would race them.
    await h.restart(['--lb-drift-check-period', '1h']);
  });

  it('backend-type: eni registers pod IPs on their ENIs (Type eni, ServerIp, targetPort), not nodes', async () => {
    await h.settle();
    // Terway's doing: the pods' IPs are secondary IPs of an ENI on node-0's instance.
    const { NetworkInterfaceId: eni } = await fetch(`${h.cloudEmu.url}/_emulator/pod-ips`, {
      method: 'POST',
      body: JSON.stringify({ InstanceId: h.instanceIds[0], Ips: ['192.168.15.10', '192.168.15.11'] }),
    }).then((r) => r.json() as Promise<{ NetworkInterfaceId: string }>);
    await apply({ name: 'pods-direct', annotations: { 'service.beta.kubernetes.io/backend-type': 'eni' } });
    await applyDocs([
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'pods-direct-abc',
          namespace: 'default',
          labels: { 'kubernetes.io/service-name': 'pods-direct' },
        },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: ['192.168.15.10', '192.168.15.11'].map((ip) => ({
          addresses: [ip],
          conditions: { ready: true },
          nodeName: 'node-0',
        })),
      },
    ]);
    await waitIngress(h, 'pods-direct');
    const servers = () => groupsOf(h, lbFor(h, 'pods-direct')!.LoadBalancerId)[0]?.BackendServers ?? [];
    await eventually(() => (servers().length === 2 ? true : undefined), 'two ENI backends', { tries: 400 });
    assert.deepEqual(
      servers()
        .map((b) => `${b.Type} ${b.ServerId} ${b.ServerIp} ${b.Port}`)
        .sort(),
      [`eni ${eni} 192.168.15.10 8080`, `eni ${eni} 192.168.15.11 8080`],
    );
  });

  it('delete leaves nothing: every remaining Service deleted → no SLB (but the user ones), listener or VServer group of ours', async () => {
    const names = h.kube.emu.store
      .list('services', { namespace: 'default' })
      .map((s) => (s as { metadata: { name: string } }).metadata.name)
      .filter((n) => n !== 'kubernetes');
    await h.kubectl(['delete', 'service', ...names, '--wait=false']);
    await eventually(
      () =>
        h.kube.emu.store
          .list('services', { namespace: 'default' })
          .every((s) => (s as { metadata: { name: string } }).metadata.name === 'kubernetes')
          ? true
          : undefined,
      'all Services gone',
      { tries: 600 },
    );
    const left = Object.values(h.cloudEmu.emu.state.loadBalancers);
    assert.deepEqual(left.map((l) => l.LoadBalancerId).sort(), [
      'lb-user1',
      'lb-user2',
      'lb-user8',
      'lb-user9',
    ]);
    assert.ok(
      Object.values(h.cloudEmu.emu.state.vserverGroups).every((g) => !g.VServerGroupName.startsWith('k8s/')),
    );
    assert.ok(
      left.every((l) => l.Listeners.every((x) => !String(x.Attributes.Description ?? '').startsWith('k8s/'))),
    );
  });
});

describe('service controller --dry-run (real controller-manager process)', function () {
  this.timeout(60_000);
  let h: ProcessHarness;
  before(async function () {
    this.timeout(60_000);
    h = await startProcessHarness({ nodes: 2, args: ['--dry-run', '--log-level', 'info'] });
  });
  after(async () => {
    await h?.close();
  });

  it('logs every call it would make, sends no mutating call and writes no status', async () => {
    await h.kubectl(['apply', '-f', '-'], JSON.stringify(serviceManifest({ name: 'dry' })));
    await eventually(
      async () =>
        (await h.metric('kube_alicloud_service_syncs_total', ['path', 'sync'])) >= 1 ? true : undefined,
      'a dry-run sync',
      { tries: 400 },
    );
    await h.settle();
    assert.deepEqual(slbWrites(h.cloudEmu.emu.calls()), []);
    assert.deepEqual(Object.values(h.cloudEmu.emu.state.loadBalancers), []);
    const svc = getService(h, 'dry')!;
    assert.equal(svc.status?.loadBalancer?.ingress, undefined);
    assert.ok(!svc.metadata?.finalizers?.includes(FINALIZER));
    const lines = h
      .manager()
      .stderr()
      .split('\n')
      .filter((l) => l.includes('dry-run: cloud change not sent'));
    const logged = lines.map((l) => (JSON.parse(l) as { action: string }).action);
    for (const action of [
      'CreateLoadBalancer',
      'CreateVServerGroup',
      'AddVServerGroupBackendServers',
      'CreateLoadBalancerTCPListener',
      'StartLoadBalancerListener',
    ]) {
      assert.ok(logged.includes(action), `${action} logged (got ${logged.join(',')})`);
    }
    assert.ok(!h.manager().stderr().includes(h.cloudEmu.accessKeySecret), 'no secret in the log');
  });
});

function seedCert(h: ProcessHarness, id: string): string {
  h.cloudEmu.emu.state.serverCertificates[id] = {
    ServerCertificateId: id,
    ServerCertificateName: id,
    Fingerprint: 'aa',
    CommonName: 'example.com',
    ExpireTime: '2099-01-01T00:00Z',
    ExpireTimeStamp: 4070908800000,
    CreateTime: '2024-01-01T00:00Z',
    CreateTimeStamp: 0,
    Tags: [],
  };
  return id;
}
