// The NLB drift check against both emulators, in process: hand-made changes made through the NLB
// API (as from the console) are repaired by later passes, and a clean pass costs ⌈N/20⌉ batched
// ListLoadBalancers plus the rotation's full reads, with no write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { ROTATION_MIN, rotationSize } from '../../../src/controllers/nlb/diff/drift.js';
import type { NlbDriftReport } from '../../../src/controllers/nlb/drift-pass.js';
import { LABEL_LB_ID } from '../../../src/controllers/nlb/kubeport.js';
import { eventually } from '../../helpers/eventually.js';
import { startNlbHarness, type NlbHarness } from './harness.js';

const A = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const COUNT = 25;
const IDS_PER_CALL = 20;
/** A full read of a one-port NLB: find by tag, its listeners, our groups, the group's servers. */
const CALLS_PER_FULL_READ = 4;

describe('NLB drift check against the emulators', function () {
  this.timeout(180_000);
  let h: NlbHarness;
  const names = Array.from({ length: COUNT }, (_, i) => `d-${i}`);

  const nlbCalls = () => h.cloudEmu.emu.calls().filter((c) => c.product.toLowerCase() === 'nlb');
  const svcOf = (name: string) =>
    h.kube.emu.store.get('services', name, 'default') as
      | {
          metadata?: { labels?: Record<string, string> };
          status?: { loadBalancer?: { ingress?: unknown[] } };
        }
      | undefined;
  const lbIdOf = (name: string): string => {
    const id = svcOf(name)?.metadata?.labels?.[LABEL_LB_ID];
    assert.ok(id, `${name} has no NLB yet`);
    return id;
  };
  const warnings = (name: string, reason: string) =>
    h.kube.emu.store
      .list('events', { namespace: 'default' })
      .map(
        (e) => e as { involvedObject?: { name?: string }; reason?: string; type?: string; message?: string },
      )
      .filter((e) => e.involvedObject?.name === name && e.reason === reason && e.type === 'Warning')
      .map((e) => e.message ?? '');
  /** Quiet: nothing queued or running and no NLB call for two checks in a row. */
  const settle = async (): Promise<void> => {
    let last = -1;
    let same = 0;
    await eventually(
      () => {
        const mark = nlbCalls().length;
        same = h.controller.pending() === 0 && mark === last ? same + 1 : 0;
        last = mark;
        return same >= 2 || undefined;
      },
      'the NLB controller to go quiet',
      { intervalMs: 50, timeoutMs: 60_000 },
    );
  };
  /** Drift passes until `repaired()` holds; returns how many it took (0 = not within `max`). */
  const passesUntil = async (repaired: () => Promise<boolean>, max: number): Promise<number> => {
    for (let i = 1; i <= max; i++) {
      await h.controller.drift.check();
      await settle();
      if (await repaired()) return i;
    }
    return 0;
  };

  before(async function () {
    h = await startNlbHarness({ nodes: 3, workers: 4 });
    Object.assign(h.cloudEmu.emu.state.nlb.config, { jobMs: 5, provisionMs: 5 });
    for (const name of names)
      h.kube.emu.store.create('services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name,
          namespace: 'default',
          annotations: {
            [A + 'zone-maps']: h.zoneMaps,
            // One Service manages a tag, so a hand-made change to it is drift the cheap read sees.
            ...(name === 'd-7' ? { [A + 'additional-resource-tags']: 'team=blue' } : {}),
          },
        },
        spec: {
          type: 'LoadBalancer',
          loadBalancerClass: 'alibabacloud.com/nlb',
          selector: { app: name },
          ports: [{ name: 'tcp', protocol: 'TCP', port: 80, targetPort: 8080 }],
        },
      });
    await eventually(
      () => names.every((n) => svcOf(n)?.status?.loadBalancer?.ingress?.length) || undefined,
      `all ${COUNT} NLB Services to get an ingress`,
      { intervalMs: 100, timeoutMs: 150_000 },
    );
    await settle();
  });
  after(async () => {
    await h?.stop();
  });

  it('a clean pass costs ⌈N/20⌉ batched reads plus the rotation slice read in full, and writes nothing', async () => {
    // Two passes: the first has no fingerprints yet, the second is the steady one.
    for (let pass = 0; pass < 2; pass++) {
      h.cloudEmu.emu.clearCalls();
      const report = await h.controller.drift.check();
      await settle();
      const calls = nlbCalls();
      const batched = calls.filter((c) => c.action === 'ListLoadBalancers' && c.params['LoadBalancerIds.1']);
      assert.equal(report.services, COUNT);
      assert.equal(report.batchedCalls, Math.ceil(COUNT / IDS_PER_CALL));
      assert.equal(batched.length, Math.ceil(COUNT / IDS_PER_CALL));
      assert.ok(batched.every((c) => !c.params[`LoadBalancerIds.${IDS_PER_CALL + 1}`]));
      assert.equal(report.fullReads.size, ROTATION_MIN);
      assert.ok([...report.fullReads.values()].every((r) => r === 'rotation'));
      assert.equal(
        calls.length,
        report.batchedCalls + ROTATION_MIN * CALLS_PER_FULL_READ,
        calls.map((c) => c.action).join(','),
      );
      assert.deepEqual(
        calls.filter((c) => !/^(List|Get)/.test(c.action)).map((c) => c.action),
        [],
        'a clean pass writes nothing',
      );
    }
  });

  it('repairs a managed tag changed by hand on the very next pass (the cheap record shows it)', async () => {
    const id = lbIdOf('d-7');
    await h.cloud.nlb.tagResources('loadbalancer', [id], [{ Key: 'team', Value: 'red' }]);
    const report = await h.controller.drift.check();
    await settle();
    assert.equal(report.fullReads.get('default/d-7'), 'attributes');
    const lb = await h.cloud.nlb.getLoadBalancer(id);
    assert.equal(lb?.Tags?.find((t) => t.Key === 'team')?.Value, 'blue');
    assert.ok(
      h.reports.some(
        (r) => r.key === 'default/d-7' && r.plan?.actions.some((a) => a.kind === 'TagLoadBalancer'),
      ),
    );
  });

  it('re-creates a listener deleted by hand within the rotation bound', async () => {
    const id = lbIdOf('d-3');
    const [listener] = await h.cloud.nlb.listListeners([id]);
    assert.ok(listener?.ListenerId);
    await h.cloud.nlb.deleteListener(listener.ListenerId);
    const bound = Math.ceil(COUNT / rotationSize(COUNT)) + 1;
    const took = await passesUntil(async () => (await h.cloud.nlb.listListeners([id])).length === 1, bound);
    assert.ok(took > 0, `the listener was not re-created within ${bound} passes`);
    const [again] = await h.cloud.nlb.listListeners([id]);
    assert.equal(again?.ListenerPort, 80);
    assert.equal(again?.ServerGroupId, listener.ServerGroupId, 'it points at the same server group');
    const said = await eventually(
      () => warnings('d-3', 'DriftRepaired').find((m) => m.includes('create listener')),
      'a DriftRepaired Warning naming the re-created listener on d-3',
    );
    assert.match(said, /^Reverted hand-made changes: /);
  });

  it('re-adds a server removed by hand within the rotation bound', async () => {
    const id = lbIdOf('d-5');
    const [listener] = await h.cloud.nlb.listListeners([id]);
    const groupId = listener!.ServerGroupId!;
    const before = await h.cloud.nlb.listServers(groupId);
    assert.equal(before.length, 3, 'one server per node');
    const gone = before[0]!;
    await h.cloud.nlb.removeServers(groupId, [
      { ServerId: gone.ServerId, ServerType: gone.ServerType, Port: gone.Port },
    ]);
    assert.equal((await h.cloud.nlb.listServers(groupId)).length, 2);
    const bound = Math.ceil(COUNT / rotationSize(COUNT)) + 1;
    const took = await passesUntil(async () => (await h.cloud.nlb.listServers(groupId)).length === 3, bound);
    assert.ok(took > 0, `the server was not re-added within ${bound} passes`);
    assert.ok((await h.cloud.nlb.listServers(groupId)).some((s) => s.ServerId === gone.ServerId));
  });

  it('retries a failed repair with a fresh read instead of skipping it on the unchanged hash', async () => {
    const id = lbIdOf('d-9');
    const [listener] = await h.cloud.nlb.listListeners([id]);
    await h.cloud.nlb.deleteListener(listener!.ListenerId);
    // A rename is drift the cheap record shows (the name is managed), so this pass reads d-9 in full.
    await h.cloud.nlb.updateLoadBalancer(id, { LoadBalancerName: 'renamed-by-hand' });
    h.cloudEmu.emu.setFaults({ 'Nlb.CreateListener': { jobFails: true, times: 1 } });
    const failedBefore = h.reports.filter((r) => r.key === 'default/d-9').length;
    const report = await h.controller.drift.check();
    assert.equal(report.fullReads.get('default/d-9'), 'attributes');
    await eventually(
      async () => (await h.cloud.nlb.listListeners([id])).length === 1 || undefined,
      'the listener of d-9 re-created by the retry of the failed repair',
      { intervalMs: 50, timeoutMs: 30_000 },
    );
    await settle();
    const syncs = h.reports.filter((r) => r.key === 'default/d-9').slice(failedBefore);
    assert.ok(syncs.length >= 2, 'the failed sync, then its retry');
    assert.ok(
      syncs.every((r) => r.path === 'sync'),
      'the retry was not skipped on the hash',
    );
    assert.notEqual((await h.cloud.nlb.getLoadBalancer(id))?.LoadBalancerName, 'renamed-by-hand');
  });

  it('re-creates an NLB deleted by hand on the next pass, on the same server group', async () => {
    const id = lbIdOf('d-11');
    const [listener] = await h.cloud.nlb.listListeners([id]);
    await h.cloud.nlb.updateProtection(id, { DeletionProtectionEnabled: false });
    await h.cloud.nlb.deleteLoadBalancer(id);
    assert.equal(await h.cloud.nlb.getLoadBalancer(id), undefined);
    const report: NlbDriftReport = await h.controller.drift.check();
    await settle();
    assert.equal(report.fullReads.get('default/d-11'), 'gone');
    const fresh = lbIdOf('d-11');
    assert.notEqual(fresh, id, 'a new NLB, recorded on the Service');
    const lb = await h.cloud.nlb.getLoadBalancer(fresh);
    assert.equal(lb?.LoadBalancerStatus, 'Active');
    const [again] = await h.cloud.nlb.listListeners([fresh]);
    assert.equal(again?.ServerGroupId, listener?.ServerGroupId, 'the surviving server group is reused');
    // The next pass finds the new NLB clean: nothing for d-11 but (at most) its rotation turn.
    const next = await h.controller.drift.check();
    await settle();
    assert.notEqual(next.fullReads.get('default/d-11'), 'gone');
    assert.notEqual(next.fullReads.get('default/d-11'), 'attributes');
  });
});
