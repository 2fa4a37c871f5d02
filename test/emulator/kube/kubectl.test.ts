// The real kubectl against the emulator: the flows the controller-manager's own tests and
// operators rely on (apply, get, patch status, watch, finalizers, conflicts, wait, describe).
import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';
import { hasKubectl, startTestKube, type TestKube } from '../../helpers/kube.js';

const NODE_AND_LB = `
apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels: {topology.kubernetes.io/zone: cn-hangzhou-k}
spec:
  providerID: cn-hangzhou.i-0001
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
`;

describe('kube emulator with the real kubectl', function () {
  let k: TestKube;

  before(async function () {
    if (!(await hasKubectl())) {
      if (process.env.CI === 'true') throw new Error('kubectl is required when CI=true');
      console.log('SKIPPING kube emulator with the real kubectl: kubectl is not installed');
      this.skip();
    }
  });
  beforeEach(async () => {
    k = await startTestKube();
  });
  afterEach(async () => {
    await k?.close();
  });

  it('applies a Node and a LoadBalancer Service from YAML and gets them back with node ports', async () => {
    const out = await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    assert.match(out.stdout, /node\/node-a created/);
    assert.match(out.stdout, /service\/web created/);
    const svc = JSON.parse((await k.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout);
    const ports: { nodePort: number }[] = svc.spec.ports;
    assert.equal(ports.length, 2);
    for (const p of ports) assert.ok(p.nodePort >= 30000 && p.nodePort <= 32767, `nodePort ${p.nodePort}`);
    assert.notEqual(ports[0]!.nodePort, ports[1]!.nodePort);
    assert.ok(svc.spec.healthCheckNodePort >= 30000);
    assert.ok(!ports.some((p) => p.nodePort === svc.spec.healthCheckNodePort));
    assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);
    const node = JSON.parse((await k.kubectl(['get', 'node', 'node-a', '-o', 'json'])).stdout);
    assert.equal(node.spec.providerID, 'cn-hangzhou.i-0001');
    // Re-applying unchanged is a no-op that keeps the allocated ports.
    const again = await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    assert.match(again.stdout, /service\/web unchanged/);
    const svc2 = JSON.parse((await k.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout);
    assert.deepEqual(svc2.spec.ports, svc.spec.ports);
    assert.equal(svc2.metadata.resourceVersion, svc.metadata.resourceVersion);
    // The table printer shows the allocation.
    const table = (await k.kubectl(['get', 'svc', 'web'])).stdout;
    assert.match(table, new RegExp(`80:${ports[0]!.nodePort}/TCP`));
    assert.match(table, /<pending>/);
  });

  it('applies a kind: List manifest (kubectl validates it against the protobuf /openapi/v2)', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'listed', namespace: 'default' },
          data: { k: 'v' },
        },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'listed-node' } },
      ],
    };
    const out = await k.kubectl(['apply', '-f', '-'], { input: JSON.stringify(list) });
    assert.match(out.stdout, /configmap\/listed created/);
    assert.match(out.stdout, /node\/listed-node created/);
    const again = await k.kubectl(['apply', '-f', '-'], { input: JSON.stringify(list) });
    assert.match(again.stdout, /configmap\/listed unchanged/);
    assert.equal(JSON.parse((await k.kubectl(['get', 'cm', 'listed', '-o', 'json'])).stdout).data.k, 'v');
  });

  it('client-side apply merges containers by name and bumps generation only on spec change', async () => {
    const dep = (image: string, label: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ccm, namespace: kube-system, labels: {tier: ${label}}}
spec:
  selector: {matchLabels: {app: ccm}}
  template:
    metadata: {labels: {app: ccm}}
    spec:
      containers:
      - {name: ccm, image: ${image}, ports: [{containerPort: 10258}]}
`;
    await k.kubectl(['apply', '-f', '-'], { input: dep('ccm:1', 'a') });
    await k.kubectl(['apply', '-f', '-'], { input: dep('ccm:1', 'b') });
    let d = k.emu.store.get('deployments', 'ccm', 'kube-system')!;
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.metadata.labels?.tier, 'b');
    await k.kubectl(['apply', '-f', '-'], { input: dep('ccm:2', 'b') });
    d = k.emu.store.get('deployments', 'ccm', 'kube-system')!;
    assert.equal(d.metadata.generation, 2);
    const containers = (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
      .containers;
    assert.deepEqual(
      containers.map((c) => c.image),
      ['ccm:2'],
    );
  });

  it('server-side apply creates and then updates', async () => {
    const cm = (v: string) =>
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default"},"data":{"k":"${v}"}}`;
    assert.match(
      (await k.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('1') })).stdout,
      /serverside-applied/,
    );
    await k.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('2') });
    assert.deepEqual(k.emu.store.get('configmaps', 'cfg')!['data'], { k: '2' });
  });

  it('patches status through --subresource=status, and main-resource patches cannot touch status', async () => {
    await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    await k.kubectl([
      'patch',
      'svc',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"loadBalancer":{"ingress":[{"ip":"47.1.2.3"}]}}}',
    ]);
    assert.match((await k.kubectl(['get', 'svc', 'web'])).stdout, /47\.1\.2\.3/);
    await k.kubectl([
      'patch',
      'svc',
      'web',
      '--type=merge',
      '-p',
      '{"status":{"loadBalancer":{"ingress":[{"ip":"9.9.9.9"}]}}}',
    ]);
    const svc = JSON.parse((await k.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout);
    assert.deepEqual(svc.status.loadBalancer.ingress, [{ ip: '47.1.2.3' }]);
    await k.kubectl([
      'patch',
      'node',
      'node-a',
      '--subresource=status',
      '-p',
      '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    await k.kubectl(['wait', '--for=condition=Ready', 'node/node-a', '--timeout=5s']);
    await k.kubectl([
      'wait',
      '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=47.1.2.3',
      'svc/web',
      '--timeout=5s',
    ]);
    assert.match((await k.kubectl(['get', 'nodes'])).stdout, /node-a\s+Ready/);
    assert.match((await k.kubectl(['describe', 'svc', 'web'])).stdout, /LoadBalancer Ingress:\s+47\.1\.2\.3/);
  });

  it('kubectl get -w sees a change arrive', async () => {
    await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    const watching = k.kubectl(['get', 'nodes', '-w', '-o', 'json', '--output-watch-events'], {
      killAfterMs: 3000,
    });
    await eventually(() => (k.emu.openWatches() > 0 ? true : undefined), 'kubectl watch to open');
    await k.kubectl(['label', 'node', 'node-a', 'changed=yes']);
    const events = (await watching).stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            object: { metadata: { name: string; labels: Record<string, string> } };
          },
      );
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'node-a'],
        ['MODIFIED', 'node-a'],
      ],
    );
    assert.equal(events[1]!.object.metadata.labels['changed'], 'yes');
  });

  it('keeps an object with a finalizer until the finalizer is removed', async () => {
    await k.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n',
    });
    await k.kubectl(['delete', 'configmap', 'held', '--wait=false']);
    const held = JSON.parse((await k.kubectl(['get', 'configmap', 'held', '-o', 'json'])).stdout);
    assert.ok(held.metadata.deletionTimestamp);
    const waiting = k.kubectl(['wait', '--for=delete', 'configmap/held', '--timeout=5s']);
    await k.kubectl([
      'patch',
      'configmap',
      'held',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    await waiting;
    const gone = await k.kubectl(['get', 'configmap', 'held'], { allowFail: true });
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
  });

  it('rejects a stale update with 409 Conflict', async () => {
    await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    const stale = JSON.parse((await k.kubectl(['get', 'node', 'node-a', '-o', 'json'])).stdout);
    await k.kubectl(['label', 'node', 'node-a', 'bump=1']);
    const file = join(k.dir, 'stale.json');
    await writeFile(file, JSON.stringify(stale));
    const r = await k.kubectl(['replace', '-f', file], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Conflict|the object has been modified/);
  });

  it('replaces an object read at its current resourceVersion, leaving status to the subresource', async () => {
    await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    await k.kubectl([
      'patch',
      'svc',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"loadBalancer":{"ingress":[{"ip":"47.1.2.3"}]}}}',
    ]);
    const current = JSON.parse((await k.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout);
    const nodePorts = current.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    current.metadata.labels = { ...(current.metadata.labels ?? {}), tier: 'edge' };
    current.spec.ports = current.spec.ports.filter((p: { name: string }) => p.name === 'http');
    // A replace carries the whole object; status in it must be ignored on the main resource.
    current.status = { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } };
    const file = join(k.dir, 'fresh.json');
    await writeFile(file, JSON.stringify(current));
    const r = await k.kubectl(['replace', '-f', file]);
    assert.match(r.stdout, /service\/web replaced/);
    const after = JSON.parse((await k.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout);
    assert.equal(after.metadata.labels.tier, 'edge');
    assert.deepEqual(
      after.spec.ports.map((p: { name: string }) => p.name),
      ['http'],
    );
    assert.equal(after.spec.ports[0].nodePort, nodePorts[0]);
    assert.equal(after.spec.clusterIP, current.spec.clusterIP);
    assert.equal(after.metadata.uid, current.metadata.uid);
    assert.ok(Number(after.metadata.resourceVersion) > Number(current.metadata.resourceVersion));
    assert.equal(after.status.loadBalancer.ingress[0].ip, '47.1.2.3');
    // The file now holds a superseded resourceVersion: replacing it again is the 409 path.
    const again = await k.kubectl(['replace', '-f', file], { allowFail: true });
    assert.match(again.stderr, /Conflict|the object has been modified/);
  });

  it('reports 422 with the offending field, and AlreadyExists on create', async () => {
    const bad =
      '{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad"},"spec":{"type":"Bogus","ports":[{"port":80}]}}';
    const r = await k.kubectl(['create', '-f', '-'], { input: bad, allowFail: true });
    assert.match(r.stderr, /spec\.type: Unsupported value: "Bogus"/);
    const ns = '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-system"}}';
    const dup = await k.kubectl(['create', '-f', '-'], { input: ns, allowFail: true });
    assert.match(dup.stderr, /AlreadyExists|already exists/);
  });

  it('serves describe for nodes and lists across namespaces with selectors', async () => {
    await k.kubectl(['apply', '-f', '-'], { input: NODE_AND_LB });
    assert.match(
      (await k.kubectl(['describe', 'node', 'node-a'])).stdout,
      /ProviderID:\s+cn-hangzhou\.i-0001/,
    );
    const names = (
      await k.kubectl(['get', 'svc', '-A', '-l', 'provider=kubernetes', '-o', 'name'])
    ).stdout.trim();
    assert.equal(names, 'service/kubernetes');
    const byField = (
      await k.kubectl(['get', 'svc', '-A', '--field-selector', 'metadata.name=web', '-o', 'name'])
    ).stdout.trim();
    assert.equal(byField, 'service/web');
  });

  it('accepts the protobuf bodies of kubectl create namespace/configmap/secret/serviceaccount', async () => {
    await k.kubectl(['create', 'namespace', 'creds']);
    await k.kubectl(['create', 'configmap', 'cfg', '-n', 'creds', '--from-literal=region=cn-hangzhou']);
    await k.kubectl(['create', 'secret', 'generic', 'ak', '-n', 'creds', '--from-literal=id=LTAIexample']);
    await k.kubectl(['create', 'serviceaccount', 'ccm', '-n', 'creds']);
    assert.deepEqual(k.emu.store.get('configmaps', 'cfg', 'creds')!['data'], { region: 'cn-hangzhou' });
    const secret = k.emu.store.get('secrets', 'ak', 'creds')!;
    assert.equal(
      Buffer.from((secret['data'] as Record<string, string>)['id']!, 'base64').toString(),
      'LTAIexample',
    );
    assert.equal(secret['type'], 'Opaque');
    assert.ok(k.emu.store.get('serviceaccounts', 'ccm', 'creds'));
  });
});
