// deploy/ram/controller-manager.json evaluated against a real run: the controller-manager
// process creates, changes and deletes LoadBalancer Services against the cloud emulator, and every
// cloud call it made is checked the way RAM would check it — some Allow statement names the
// action, its Resource matches, and its tag condition holds (acs:RequestTag: the request carries
// the tag; acs:ResourceTag: the resource carried it when called). So the tag conditions are
// proven not to break the product, not just present.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TAG_CLUSTER_ID } from '../../src/cloud/ownership.js';
import type { CallRecord } from '../../emulators/alicloud/calls.js';
import { eventually } from '../helpers/eventually.js';
import { hasKubectl } from '../helpers/kube.js';
import { CLUSTER_ID, serviceManifest, startProcessHarness, waitIngress, type ProcessHarness } from '../controllers/service/process.js';

interface Statement {
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const POLICY = JSON.parse(readFileSync(join(process.cwd(), 'deploy/ram/controller-manager.json'), 'utf8')) as { Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
/** The test cluster's policy: the placeholders filled as the operator would. */
const fill = (v: string) => v.replace('FILL-cluster-id', CLUSTER_ID);

/** Tags a request puts on what it creates (`Tag.N.Key`/`Tag.N.Value`). */
function requestTags(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const m = /^Tag\.(\d+)\.Key$/.exec(k);
    if (m) out[v] = params[`Tag.${m[1]}.Value`] ?? '';
  }
  return out;
}

/** VServer group → its SLB: a group's operations are authorised on the SLB it belongs to. */
const parentOf = new Map<string, string>();

/** The resource ids a call acts on, as RAM would resolve them. */
function resourcesOf(params: Record<string, string>): string[] {
  const ids = [
    params.LoadBalancerId ?? (params.VServerGroupId ? (parentOf.get(params.VServerGroupId) ?? `unknown parent of ${params.VServerGroupId}`) : undefined),
    params.DiskId,
    ...Object.entries(params).filter(([k]) => /^ResourceId\.\d+$/.test(k)).map(([, v]) => v),
  ];
  return ids.filter((x): x is string => !!x);
}

function denial(call: CallRecord, tagsOf: (id: string) => Record<string, string> | undefined): string | undefined {
  const action = `${call.product.toLowerCase()}:${call.action}`;
  const candidates = POLICY.Statement.filter((s) => s.Effect === 'Allow' && s.Action.includes(action));
  if (!candidates.length) return `${action}: no statement allows it`;
  for (const s of candidates) {
    if (!list(s.Resource).includes('*')) continue; // ARN-scoped statements (routes, ENIs) are not in an SLB run
    const cond = Object.entries(s.Condition?.StringEquals ?? {});
    const ok = cond.every(([key, want]) => {
      const tag = key.replace(/^acs:(Request|Resource)Tag\//, '');
      if (key.startsWith('acs:RequestTag/')) return requestTags(call.params)[tag] === fill(want);
      const ids = resourcesOf(call.params);
      return ids.length > 0 && ids.every((id) => tagsOf(id)?.[tag] === fill(want));
    });
    if (ok) return undefined;
  }
  return `${action} ${JSON.stringify(resourcesOf(call.params))}: every statement's condition fails`;
}

describe('deploy/ram/controller-manager.json against a real run of the service controller', function () {
  this.timeout(120_000);
  let h: ProcessHarness;
  before(async function () {
    if (!(await hasKubectl())) {
      if (process.env.CI === 'true') throw new Error('kubectl is required in CI');
      console.warn('SKIPPING the RAM policy run: kubectl is not installed');
      this.skip();
    }
    h = await startProcessHarness({ nodes: 2 });
  });
  after(async () => h?.close());

  it('allows every call of create, update and delete — and the tag conditions hold for each', async () => {
    const svc = (ports: Array<{ name: string; port: number; targetPort: number }>) =>
      stringify(serviceManifest({ name: 'shop', ports, annotations: { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-additional-resource-tags': 'team=shop' } }));
    await h.kubectl(['apply', '-f', '-'], svc([{ name: 'http', port: 80, targetPort: 8080 }]));
    await waitIngress(h, 'shop');
    await h.kubectl(['apply', '-f', '-'], svc([{ name: 'http', port: 80, targetPort: 8080 }, { name: 'alt', port: 8080, targetPort: 8080 }]));
    await h.settle();
    // Tags of every SLB as they are now, before the delete phase removes them.
    const ledger = new Map<string, Record<string, string>>();
    const snapshot = () => {
      for (const [id, lb] of Object.entries(h.cloudEmu.emu.state.loadBalancers)) ledger.set(id, Object.fromEntries(lb.Tags.map((t) => [t.Key, t.Value])));
      for (const [id, g] of Object.entries(h.cloudEmu.emu.state.vserverGroups)) parentOf.set(id, g.LoadBalancerId);
    };
    snapshot();
    await h.kubectl(['delete', 'service', 'shop', '--wait=false']);
    await eventually(() => (Object.keys(h.cloudEmu.emu.state.loadBalancers).length === 0 ? true : undefined), 'the SLB deleted', { tries: 400, intervalMs: 50 });
    const calls = h.cloudEmu.emu.calls().filter((c) => !c.action.startsWith('_') && c.code === 'Success');
    const writes = calls.filter((c) => !/^(Describe|List)/.test(c.action));
    assert.ok(writes.some((c) => c.action === 'CreateLoadBalancer') && writes.some((c) => c.action === 'DeleteLoadBalancer'), writes.map((c) => c.action).join(','));
    assert.ok(writes.length >= 6, `${writes.length} writes`);
    const denied = calls.map((c) => denial(c, (id) => ledger.get(id))).filter(Boolean);
    assert.deepEqual(denied, [], 'calls the policy would deny');
    assert.equal(ledger.size, 1);
    assert.equal([...ledger.values()][0]![TAG_CLUSTER_ID], CLUSTER_ID);
  });

  it('would deny the same writes on an SLB without the cluster tag (the condition is not vacuous)', () => {
    const calls = h.cloudEmu.emu.calls().filter((c) => c.code === 'Success' && /^(Delete|Set|Create)LoadBalancer(Listener|TCPListener|HTTPListener)?$/.test(c.action) && c.action !== 'CreateLoadBalancer');
    assert.ok(calls.length > 0);
    for (const c of calls) assert.ok(denial(c, () => ({ team: 'shop' })), `${c.action} allowed on an untagged SLB`);
    const create = h.cloudEmu.emu.calls().find((c) => c.action === 'CreateLoadBalancer')!;
    const untagged = { ...create, params: Object.fromEntries(Object.entries(create.params).filter(([k]) => !k.startsWith('Tag.'))) };
    assert.ok(denial(untagged, () => undefined), 'CreateLoadBalancer without the cluster tag');
  });
});
