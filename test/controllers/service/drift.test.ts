// The drift check reads SLBs ten per call and reads one in full only when its cheap record shows
// drift or changed, plus a rotating slice; hand-made changes must still be repaired.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import {
  attributesDrifted,
  fingerprintOf,
  rotationSize,
  ROTATION_MIN,
  ROTATION_PASSES,
  selectFullReads,
} from '../../../src/controllers/service/diff/drift.js';
import { LABEL_LB_ID } from '../../../src/controllers/service/kubeport.js';
import { TAG_CLUSTER, TAG_DEFAULT_NAME } from '../../../src/controllers/service/model/naming.js';
import { build, CONFIG, newService, withAnnotations } from './fixtures.js';
import { startHarness, type Harness } from './harness.js';

describe('drift check: what the cheap read decides (pure)', () => {
  it('reads in full every SLB the cheap read flagged, plus the rotation slice, oldest first', () => {
    const candidates = Array.from({ length: 30 }, (_, i) => ({
      key: `ns/s${String(i).padStart(2, '0')}`,
      lastFullRead: 1000 + i,
    }));
    candidates[29] = { key: 'ns/s29', lastFullRead: 1029, reason: 'attributes' } as never;
    const fresh = { key: 'ns/new' };
    const picked = selectFullReads([...candidates, fresh]);
    assert.equal(picked.get('ns/s29'), 'attributes');
    // Never read since start-up first, then the longest ago.
    const rotation = [...picked].filter(([, r]) => r === 'rotation').map(([k]) => k);
    assert.equal(rotation.length, ROTATION_MIN);
    assert.deepEqual(rotation.slice(0, 3), ['ns/new', 'ns/s00', 'ns/s01']);
  });

  it('sizes the rotation so every SLB is read in full within ROTATION_PASSES passes', () => {
    assert.equal(rotationSize(5), 5);
    assert.equal(rotationSize(1000), Math.ceil(1000 / ROTATION_PASSES));
    assert.ok(rotationSize(100_000) * ROTATION_PASSES >= 100_000);
  });

  it('sees attribute and tag drift the full diff would act on, and ignores what the user left unset', () => {
    const desired = build(
      newService(
        withAnnotations({
          'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-bandwidth': '50',
          'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-charge-type': 'paybybandwidth',
        }),
      ),
    );
    const ours = { [TAG_DEFAULT_NAME]: desired.defaultName, [TAG_CLUSTER]: CONFIG.clusterId };
    const same = {
      attributes: { ...desired.attributes, loadBalancerId: 'lb-1' },
      tags: { ...desired.tags, ...ours },
    };
    assert.equal(attributesDrifted(desired, same), false);
    assert.equal(
      attributesDrifted(desired, { ...same, attributes: { ...same.attributes, bandwidth: 10 } }),
      true,
      'a managed attribute changed by hand',
    );
    assert.equal(
      attributesDrifted(desired, { ...same, tags: desired.tags }),
      true,
      'ownership tags removed by hand',
    );
    const unset = build(newService());
    const remote = {
      attributes: { ...unset.attributes, loadBalancerId: 'lb-1', bandwidth: 7 },
      tags: { ...unset.tags, ...ours },
    };
    assert.equal(attributesDrifted(unset, remote), false, 'bandwidth the user never set is left alone');
    assert.notEqual(
      fingerprintOf(remote),
      fingerprintOf({ ...remote, attributes: { ...remote.attributes, bandwidth: 8 } }),
    );
  });
});

const TAGS_ANNOTATION = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-additional-resource-tags';

describe('drift check against the emulator', function () {
  this.timeout(120_000);
  const COUNT = 25;
  let h: Harness;
  const names = Array.from({ length: COUNT }, (_, i) => `d-${i}`);

  const settle = async () => {
    let last = -1;
    for (let same = 0; same < 3;) {
      await new Promise((r) => setTimeout(r, 40));
      const mark = h.cloudEmu.emu.calls().length;
      same = h.runnable.controller.pending() === 0 && mark === last ? same + 1 : 0;
      last = mark;
    }
  };
  const slbCalls = () => h.cloudEmu.emu.calls().filter((c) => c.product.toLowerCase() === 'slb');
  const lbId = (name: string) =>
    (h.kube.emu.store.get('services', name, 'default') as { metadata?: { labels?: Record<string, string> } })
      ?.metadata?.labels?.[LABEL_LB_ID];
  const lbOf = (name: string) => {
    const svc = h.kube.emu.store.get('services', name, 'default') as {
      metadata?: { labels?: Record<string, string> };
    };
    const id = svc.metadata?.labels?.[LABEL_LB_ID];
    assert.ok(id, `${name} has no SLB yet`);
    return h.cloudEmu.emu.state.loadBalancers[id]!;
  };

  before(async function () {
    this.timeout(120_000);
    h = await startHarness({ nodes: 3 });
    for (const name of names)
      h.kube.emu.store.create('services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name,
          namespace: 'default',
          // One Service manages a tag, so a hand-made change to it is drift the cheap read sees.
          ...(name === 'd-7' ? { annotations: { [TAGS_ANNOTATION]: 'team=blue' } } : {}),
        },
        spec: {
          type: 'LoadBalancer',
          selector: { app: name },
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
        },
      });
    for (;;) {
      await settle();
      if (
        names.every(
          (n) =>
            (
              h.kube.emu.store.get('services', n, 'default') as {
                metadata?: { labels?: Record<string, string> };
              }
            )?.metadata?.labels?.[LABEL_LB_ID],
        )
      )
        break;
    }
  });
  after(async () => {
    await h?.stop();
  });

  it('costs one read per ten SLBs plus the full reads of the rotation slice, and writes nothing when clean', async () => {
    h.cloudEmu.emu.clearCalls();
    const report = await h.runnable.controller.driftCheck();
    await settle();
    const calls = slbCalls();
    const describes = calls.filter((c) => c.action === 'DescribeLoadBalancers').length;
    assert.equal(report.batchedCalls, Math.ceil(COUNT / 10));
    assert.equal(
      describes,
      Math.ceil(COUNT / 10),
      'the full reads reuse the batched record instead of a find',
    );
    assert.equal(report.fullReads.size, ROTATION_MIN);
    assert.ok([...report.fullReads.values()].every((r) => r === 'rotation'));
    // A full read of a one-port SLB: its groups, the group's backends, its listeners.
    assert.equal(calls.length, describes + ROTATION_MIN * 3, calls.map((c) => c.action).join(','));
    assert.ok(
      calls.every((c) => c.action.startsWith('Describe')),
      'a clean pass writes nothing',
    );
  });

  it('repairs a hand-made change to a managed tag on the very next pass', async () => {
    const tag = lbOf('d-7').Tags.find((t) => t.Key === 'team');
    assert.equal(tag?.Value, 'blue');
    tag.Value = 'red';
    const report = await h.runnable.controller.driftCheck();
    await settle();
    assert.equal(report.fullReads.get('default/d-7'), 'attributes');
    assert.equal(lbOf('d-7').Tags.find((t) => t.Key === 'team')?.Value, 'blue');
  });

  it('reads an SLB in full when anything in its record changed, even what it leaves alone', async () => {
    const lb = lbOf('d-8');
    const name = lb.LoadBalancerName;
    lb.LoadBalancerName = 'renamed-by-hand';
    const report = await h.runnable.controller.driftCheck();
    await settle();
    assert.equal(report.fullReads.get('default/d-8'), 'fingerprint');
    // The name was never asked for: the sticky rule leaves it as the user made it.
    assert.equal(lbOf('d-8').LoadBalancerName, 'renamed-by-hand');
    assert.notEqual(name, 'renamed-by-hand');
  });

  it('finds drift the cheap read cannot see (a stopped listener) within the rotation', async () => {
    const lb = lbOf('d-13');
    lb.Listeners[0]!.Status = 'stopped';
    const passes = Math.ceil(COUNT / rotationSize(COUNT));
    let found = 0;
    for (let i = 1; i <= passes + 1 && !found; i++) {
      await h.runnable.controller.driftCheck();
      await settle();
      if (lbOf('d-13').Listeners[0]!.Status === 'running') found = i;
    }
    assert.ok(found > 0 && found <= passes + 1, `repaired after ${found} passes (bound ${passes + 1})`);
  });

  it('re-reads a reused SLB at once when its reuse grant is withdrawn (a tag in the cheap record)', async () => {
    const made = await h.cloud.slb.createLoadBalancer({
      LoadBalancerName: 'hand-made',
      AddressType: 'internet',
    });
    const id = made!.LoadBalancerId;
    const grant = { Key: 'kube-alicloud.io/reusable/test-cluster', Value: '*' };
    await h.cloud.slb.tagResources([id], [grant]);
    h.kube.emu.store.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'reuser',
        namespace: 'default',
        annotations: { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id': id },
      },
      spec: {
        type: 'LoadBalancer',
        ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 8080 }],
      },
    });
    for (let i = 0; i < 200; i++) {
      await settle();
      if (lbId('reuser') === id) break;
    }
    assert.equal(lbId('reuser'), id, 'the Service reused the SLB');
    await h.runnable.controller.driftCheck();
    await settle();
    const lb = h.cloudEmu.emu.state.loadBalancers[id]!;
    lb.Tags = lb.Tags.filter((t) => t.Key !== grant.Key);
    const report = await h.runnable.controller.driftCheck();
    await settle();
    assert.equal(report.fullReads.get('default/reuser'), 'unbuildable');
  });

  it('re-creates the full path for an SLB deleted by hand (it is gone from the batched answer)', async () => {
    const lb = lbOf('d-3');
    delete h.cloudEmu.emu.state.loadBalancers[lb.LoadBalancerId];
    const report = await h.runnable.controller.driftCheck();
    await settle();
    assert.equal(report.fullReads.get('default/d-3'), 'gone');
  });
});
