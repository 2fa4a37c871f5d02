// deploy/ram/*.json: one RAM policy per component, checked against the cloud calls its code can
// make (test/deploy/ram-actions.ts) — no action missing, none extra — and against least
// privilege: every action that changes something is limited to what carries this cluster's tag
// (acs:ResourceTag on existing resources, acs:RequestTag on creation) or to named resources.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TAG_CLUSTER_ID, TAG_DISK_OPEN_PREFIX } from '../../src/cloud/ownership.js';
import { componentActions, type Component } from './ram-actions.js';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const DIR = join(process.cwd(), 'deploy/ram');
const POLICIES: Record<string, Component> = {
  'controller-manager.json': 'controller-manager',
  'flexvolume-central.json': 'flexvolume',
  'flexvolume-node.json': 'flexvolume',
};
const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
const read = (name: string): Policy => JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Policy;
// Nlb names its reads Get* as well (GetLoadBalancerAttribute, GetJobStatus).
const isRead = (action: string): boolean => /^[a-z]+:(Describe|List|Get)[A-Z]/.test(action);
const tagCondition = (s: Statement, kind: 'ResourceTag' | 'RequestTag'): boolean =>
  Object.values(s.Condition ?? {}).some((c) => Object.keys(c).includes(`acs:${kind}/${TAG_CLUSTER_ID}`));

describe('deploy/ram: one least-privilege RAM policy per component', () => {
  it('has exactly the three policies (controller-manager, driver central mode, driver node mode)', () => {
    assert.deepEqual(readdirSync(DIR).filter((f) => f.endsWith('.json')).sort(), Object.keys(POLICIES).sort());
  });

  for (const [file, component] of Object.entries(POLICIES)) {
    describe(file, () => {
      it(`allows exactly the actions the ${component} code calls`, () => {
        const p = read(file);
        assert.equal(p.Version, '1');
        const allowed = [...new Set(p.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)))].sort();
        const needed = componentActions(component);
        assert.deepEqual(needed.filter((a) => !allowed.includes(a)), [], `missing from ${file} (the code calls them)`);
        assert.deepEqual(allowed.filter((a) => !needed.includes(a)), [], `in ${file} but no code calls them`);
      });

      it('has no wildcard actions, and reads are the only actions on every resource without a condition', () => {
        for (const s of read(file).Statement) {
          for (const a of list(s.Action)) assert.match(a, /^(ecs|vpc|slb|nlb):[A-Z][A-Za-z]+$/, `wildcard or malformed action ${a}`);
          const unrestricted = list(s.Resource).includes('*') && !s.Condition;
          if (unrestricted) for (const a of list(s.Action)) assert.ok(isRead(a), `${a} is allowed on every resource without a condition`);
        }
      });

      it(`every write is limited by the cluster tag (${TAG_CLUSTER_ID}) or to named resource types`, () => {
        for (const s of read(file).Statement) {
          const writes = list(s.Action).filter((a) => !isRead(a));
          if (!writes.length) continue;
          const creates = writes.filter((a) => /:Create(LoadBalancer|Disk)$/.test(a));
          if (creates.length) assert.ok(tagCondition(s, 'RequestTag'), `${creates.join(',')}: creation must carry the cluster tag (acs:RequestTag)`);
          const scoped = list(s.Resource).every((r) => r !== '*' && /^acs:(ecs|vpc|slb|nlb):/.test(r));
          assert.ok(tagCondition(s, 'ResourceTag') || tagCondition(s, 'RequestTag') || scoped, `${writes.join(',')}: neither tag-conditioned nor resource-scoped`);
        }
      });
    });
  }

  it('disks are attached, detached and resized only when they carry the cluster tag (both driver modes)', () => {
    for (const file of ['flexvolume-central.json', 'flexvolume-node.json']) {
      const onDisks = read(file).Statement.filter((s) => list(s.Resource).some((r) => r.includes(':disk/')));
      const owned = onDisks.filter((s) => tagCondition(s, 'ResourceTag'));
      assert.deepEqual(owned.flatMap((s) => list(s.Action)).sort(), ['ecs:AttachDisk', 'ecs:DetachDisk', 'ecs:ResizeDisk', 'ecs:TagResources'], file);
      // Disks made elsewhere reach the driver only through the owner's open-to tag, never resized.
      const opened = onDisks.filter((s) => !tagCondition(s, 'ResourceTag'));
      for (const s of opened) {
        assert.ok(Object.values(s.Condition ?? {}).some((c) => Object.keys(c).some((k) => k.startsWith(`acs:ResourceTag/${TAG_DISK_OPEN_PREFIX}`))), `${file}: disk writes without a cluster or open-to tag condition`);
        assert.deepEqual(list(s.Action).sort(), ['ecs:AttachDisk', 'ecs:DetachDisk', 'ecs:TagResources'], file);
      }
    }
  });

  it('the controller-manager may not attach disks, and the driver may not delete or create anything', () => {
    const manager = read('controller-manager.json').Statement.flatMap((s) => list(s.Action));
    for (const a of ['ecs:AttachDisk', 'ecs:DetachDisk']) assert.ok(!manager.includes(a), a);
    for (const file of ['flexvolume-central.json', 'flexvolume-node.json']) {
      const driver = read(file).Statement.flatMap((s) => list(s.Action));
      assert.deepEqual(driver.filter((a) => /:(Delete|Create)/.test(a)), [], file);
    }
  });
});
