// Pure decisions for adopting an untainted Node without providerID (kube-aliyun clusters).
import assert from 'node:assert/strict';
import { Labels } from '../../../src/controllers/node/types.js';
import { NodeEvents } from '../../../src/controllers/node/events.js';
import { TAINT_SHUTDOWN, TAINT_UNINITIALIZED } from '../../../src/kube/labels.js';
import { needsAdoption } from '../../../src/controllers/node/plan/modifiers.js';
import { planAdopt } from '../../../src/controllers/node/plan/index.js';
import type { Node } from '../../../src/controllers/node/types.js';
import { address, annotate, inst, node, provider, tainted } from './fixtures.js';

function applied(n: Node, mods: ReturnType<typeof planAdopt>['mods']): Node {
  const out = structuredClone(n);
  for (const m of mods) m.apply(out);
  return out;
}

describe('node controller: adopting untainted Nodes (pure)', () => {
  describe('needsAdoption', () => {
    it('only untainted Nodes with no providerID at all', () => {
      assert.equal(needsAdoption(node('10.0.0.1')), true);
      assert.equal(
        needsAdoption(node('10.0.0.1', (n) => void (n.spec!.providerID = ''))),
        true,
        'empty is unset',
      );
      assert.equal(
        needsAdoption(node('10.0.0.1', tainted(TAINT_UNINITIALIZED))),
        false,
        'initialisation owns tainted Nodes',
      );
      assert.equal(needsAdoption(node('10.0.0.1', provider('cn-hangzhou.i-aaaaaa1'))), false);
      assert.equal(
        needsAdoption(node('10.0.0.1', provider('ack-hybrid://cn-hangzhou.i-aaaaaa1'))),
        false,
        'a foreign providerID is still the kubelet speaking',
      );
      assert.equal(
        needsAdoption(node('10.0.0.1', tainted(TAINT_SHUTDOWN))),
        true,
        'other taints do not matter',
      );
    });
  });

  describe('planAdopt', () => {
    const i = inst('i-aaaaaa1', { privateIps: ['10.0.0.1'], hostName: 'iZaaaZ' });

    it('sets providerID, addresses and labels, and no taint change', () => {
      const n = node('10.0.0.1', address('InternalIP', '10.0.0.1'), address('Hostname', '10.0.0.1'));
      const plan = planAdopt(n, i, undefined);
      assert.equal(plan.blocked, undefined);
      assert.deepEqual(plan.events, []);
      const out = applied(n, plan.mods);
      assert.equal(out.spec?.providerID, 'cn-hangzhou.i-aaaaaa1');
      assert.equal(out.metadata?.labels?.[Labels.zone], 'cn-hangzhou-h');
      assert.equal(out.metadata?.labels?.[Labels.instanceType], 'ecs.g6.large');
      assert.deepEqual(out.status?.addresses, [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: '10.0.0.1' },
      ]);
      assert.deepEqual(out.spec?.taints ?? [], []);
    });

    it('adds the shutdown taint for a Stopped instance, like initialisation', () => {
      const out = applied(
        node('10.0.0.1'),
        planAdopt(node('10.0.0.1'), { ...i, status: 'Stopped' }, undefined).mods,
      );
      assert.deepEqual(
        out.spec?.taints?.map((t) => t.key),
        [TAINT_SHUTDOWN],
      );
    });

    it('never replaces a providerID that appears on the fresh read', () => {
      const n = node('10.0.0.1');
      const plan = planAdopt(n, i, undefined);
      const fresh = node('10.0.0.1', provider('cn-hangzhou.i-other01'));
      assert.equal(applied(fresh, plan.mods).spec?.providerID, 'cn-hangzhou.i-other01');
    });

    it('writes nothing while source/destination check is still on (all or nothing)', () => {
      const plan = planAdopt(node('10.0.0.1'), i, 'ModifyNetworkInterfaceAttribute eni-1: Forbidden');
      assert.deepEqual(plan.mods, []);
      assert.match(plan.blocked ?? '', /Forbidden/);
      assert.deepEqual(
        plan.events.map((e) => [e.type, e.reason]),
        [['Warning', NodeEvents.SourceDestCheckFailed]],
      );
      assert.doesNotMatch(
        plan.events[0]!.message,
        /tainted/,
        'an untainted Node is not told it stays tainted',
      );
    });

    it("writes nothing when the kubelet's --node-ip is not the instance's (likely a wrong match)", () => {
      const n = node('10.0.0.1', annotate('alpha.kubernetes.io/provided-node-ip', '10.9.9.9'));
      const plan = planAdopt(n, i, undefined);
      assert.deepEqual(plan.mods, []);
      assert.ok(plan.blocked);
      assert.deepEqual(
        plan.events.map((e) => e.reason),
        [NodeEvents.ProvidedNodeIpMismatch],
      );
    });
  });
});
