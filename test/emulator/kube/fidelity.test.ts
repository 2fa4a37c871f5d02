// Behaviours of the real apiserver that 2017-era clients found missing in the emulator: Node pod
// CIDRs are assigned once and then immutable; only the kinds whose registry strategy tracks
// metadata.generation get one (Nodes, Services, ConfigMaps... do not; Pods, Deployments... do);
// /openapi/v2 speaks the protobuf client-go asks for.
import { strict as assert } from 'node:assert';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

const FORBIDDEN = 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid';

describe('kube emulator fidelity: node pod CIDRs, metadata.generation, /openapi/v2', () => {
  let k: TestKube;
  beforeEach(async () => {
    k = await startTestKube();
  });
  afterEach(async () => {
    await k.close();
  });

  const merge = (path: string, body: unknown) => k.api('PATCH', path, body, 'application/merge-patch+json');

  describe('Node spec.podCIDR / spec.podCIDRs', () => {
    it('may be set once, from none, and re-sent unchanged', async () => {
      assert.equal((await k.api('POST', '/api/v1/nodes', { metadata: { name: 'n1' } })).status, 201);
      const set = await merge('/api/v1/nodes/n1', {
        spec: { podCIDR: '198.18.1.0/24', podCIDRs: ['198.18.1.0/24'] },
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const same = await merge('/api/v1/nodes/n1', {
        spec: { podCIDR: '198.18.1.0/24', unschedulable: true },
      });
      assert.equal(same.status, 200, JSON.stringify(same.body));
      assert.equal(same.body.spec.unschedulable, true);
    });

    it('refuses a change of podCIDR (merge patch and PUT) with 422 Invalid, leaving the Node as it was', async () => {
      await k.api('POST', '/api/v1/nodes', { metadata: { name: 'n1' }, spec: { podCIDR: '198.18.1.0/24' } });
      const patched = await merge('/api/v1/nodes/n1', { spec: { podCIDR: '198.18.2.0/24' } });
      assert.equal(patched.status, 422, JSON.stringify(patched.body));
      assert.equal(patched.body.reason, 'Invalid');
      assert.equal(patched.body.message, `Node "n1" is invalid: ${FORBIDDEN}`);
      assert.deepEqual(patched.body.details.causes, [
        {
          reason: 'FieldValueForbidden',
          field: 'spec.podCIDRs',
          message: 'Forbidden: node updates may not change podCIDR except from "" to valid',
        },
      ]);
      const cur = (await k.api('GET', '/api/v1/nodes/n1')).body;
      const put = await k.api('PUT', '/api/v1/nodes/n1', { ...cur, spec: { podCIDR: '198.18.3.0/24' } });
      assert.equal(put.status, 422);
      const cleared = await k.api('PUT', '/api/v1/nodes/n1', { ...cur, spec: {} });
      assert.equal(cleared.status, 422, 'clearing is a change too');
      const after = (await k.api('GET', '/api/v1/nodes/n1')).body;
      assert.equal(after.spec.podCIDR, '198.18.1.0/24');
      assert.equal(after.metadata.resourceVersion, cur.metadata.resourceVersion);
    });

    it('refuses a change of podCIDRs (another list, or a second family added later)', async () => {
      await k.api('POST', '/api/v1/nodes', {
        metadata: { name: 'n1' },
        spec: { podCIDRs: ['198.18.1.0/24'] },
      });
      const other = await merge('/api/v1/nodes/n1', { spec: { podCIDRs: ['198.18.9.0/24'] } });
      assert.equal(other.status, 422);
      assert.equal(other.body.message, `Node "n1" is invalid: ${FORBIDDEN}`);
      const added = await merge('/api/v1/nodes/n1', { spec: { podCIDRs: ['198.18.1.0/24', 'fd00::/64'] } });
      assert.equal(added.status, 422);
    });

    it('spec.providerID may be set once, from none, and never changed or cleared', async () => {
      await k.api('POST', '/api/v1/nodes', { metadata: { name: 'n1' } });
      const set = await merge('/api/v1/nodes/n1', { spec: { providerID: 'cn-hangzhou.i-1' } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const changed = await merge('/api/v1/nodes/n1', { spec: { providerID: 'cn-hangzhou.i-2' } });
      assert.equal(changed.status, 422, JSON.stringify(changed.body));
      assert.equal(
        changed.body.message,
        'Node "n1" is invalid: spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
      );
      const cleared = await merge('/api/v1/nodes/n1', { spec: { providerID: null } });
      assert.equal(cleared.status, 422, 'clearing is a change too');
      assert.equal((await k.api('GET', '/api/v1/nodes/n1')).body.spec.providerID, 'cn-hangzhou.i-1');
    });

    it('a status update cannot touch it, and delete + re-create is how a Node gets another CIDR', async () => {
      await k.api('POST', '/api/v1/nodes', { metadata: { name: 'n1' }, spec: { podCIDR: '198.18.1.0/24' } });
      const st = await merge('/api/v1/nodes/n1/status', {
        spec: { podCIDR: '198.18.2.0/24' },
        status: { phase: 'x' },
      });
      assert.equal(st.status, 200);
      assert.equal(st.body.spec.podCIDR, '198.18.1.0/24');
      assert.equal((await k.api('DELETE', '/api/v1/nodes/n1')).status, 200);
      const again = await k.api('POST', '/api/v1/nodes', {
        metadata: { name: 'n1' },
        spec: { podCIDR: '198.18.2.0/24' },
      });
      assert.equal(again.status, 201);
      assert.equal(again.body.spec.podCIDR, '198.18.2.0/24');
    });
  });

  it('answers /openapi/v2 in protobuf when asked (what client-go parses), and in JSON otherwise', async () => {
    const pb = await fetch(`${k.url}/openapi/v2`, {
      headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get('content-type'), 'application/octet-stream');
    const bytes = Buffer.from(await pb.arrayBuffer());
    // openapi_v2.Document field 1 (swagger), length-delimited: "2.0"; then field 2 (info).
    assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30]);
    assert.equal(bytes[5], 0x12);
    const json = await fetch(`${k.url}/openapi/v2`, { headers: { Accept: 'application/json' } });
    assert.equal(((await json.json()) as { swagger: string }).swagger, '2.0');
  });

  describe('metadata.generation', () => {
    it('is absent on Nodes, Services, ConfigMaps and Namespaces, through create, spec updates and deletion marks', async () => {
      const node = await k.api('POST', '/api/v1/nodes', {
        metadata: { name: 'n1', generation: 7, finalizers: ['example.com/hold'] },
        spec: { providerID: 'p' },
      });
      assert.equal(node.body.metadata.generation, undefined, 'a client cannot give a Node one either');
      const upd = await merge('/api/v1/nodes/n1', { spec: { unschedulable: true } });
      assert.equal(upd.status, 200);
      assert.equal(upd.body.metadata.generation, undefined);
      const marked = await k.api('DELETE', '/api/v1/nodes/n1');
      assert.ok(marked.body.metadata.deletionTimestamp);
      assert.equal(marked.body.metadata.generation, undefined);

      const svc = await k.api('POST', '/api/v1/namespaces/default/services', {
        metadata: { name: 's' },
        spec: { ports: [{ port: 80 }] },
      });
      assert.equal(svc.body.metadata.generation, undefined);
      const svc2 = await merge('/api/v1/namespaces/default/services/s', { spec: { ports: [{ port: 81 }] } });
      assert.equal(svc2.status, 200);
      assert.equal(svc2.body.metadata.generation, undefined);
      const cm = await k.api('POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: 'c' },
        data: {},
      });
      assert.equal(cm.body.metadata.generation, undefined);
      const ns = await k.api('POST', '/api/v1/namespaces', { metadata: { name: 'gen-ns' } });
      assert.equal(ns.body.metadata.generation, undefined);
    });

    it('starts at 1 and counts spec changes on the kinds that track it (Deployment, Pod, EndpointSlice), and a deletion mark', async () => {
      const dep = await k.api('POST', '/apis/apps/v1/namespaces/default/deployments', {
        metadata: { name: 'd', generation: 9, finalizers: ['example.com/hold'] },
        spec: { replicas: 1 },
      });
      assert.equal(dep.body.metadata.generation, 1);
      const scaled = await merge('/apis/apps/v1/namespaces/default/deployments/d', { spec: { replicas: 2 } });
      assert.equal(scaled.body.metadata.generation, 2);
      const labelled = await merge('/apis/apps/v1/namespaces/default/deployments/d', {
        metadata: { labels: { a: 'b' }, generation: 40 },
      });
      assert.equal(labelled.body.metadata.generation, 2, 'metadata changes and client values do not count');
      const st = await merge('/apis/apps/v1/namespaces/default/deployments/d/status', {
        status: { replicas: 2 },
      });
      assert.equal(st.body.metadata.generation, 2, 'status changes do not count');
      const marked = await k.api('DELETE', '/apis/apps/v1/namespaces/default/deployments/d');
      assert.equal(marked.body.metadata.generation, 3);

      const pod = await k.api('POST', '/api/v1/namespaces/default/pods', {
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      });
      assert.equal(pod.body.metadata.generation, 1);
      const slice = await k.api('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
        metadata: { name: 'e' },
        addressType: 'IPv4',
        endpoints: [],
      });
      assert.equal(slice.body.metadata.generation, 1);
    });
  });
});
