// The NLB drift check's pure rules (diff/drift.ts) and its batched read over a fake port: what
// the cheap ListLoadBalancers record alone decides, and what it must leave to the rotation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import {
  attributesDrifted,
  cheapReason,
  fingerprintOf,
  selectFullReads,
  ROTATION_MIN,
  ROTATION_PASSES,
  type CheapNlb,
  type DriftCandidate,
  type NlbCheapReason,
} from '../../../src/controllers/nlb/diff/drift.js';
import { MAX_NLB_IDS_PER_LIST } from '../../../src/controllers/nlb/cloudport.js';
import { readNlbsById } from '../../../src/controllers/nlb/drift-pass.js';
import { TAG_CLUSTER_ID, TAG_DO_NOT_DELETE } from '../../../src/controllers/nlb/model/naming.js';
import type { DesiredNlb } from '../../../src/controllers/nlb/types.js';
import { FakeNlbCloud } from './fake-cloud.js';
import { buildNlb, CONFIG, nlbService, withAnnotations } from './fixtures.js';

const A = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

/** The record the cloud would hold for `d` right after a sync applied it. */
function synced(d: DesiredNlb, id = 'nlb-1'): CheapNlb {
  return {
    attributes: {
      ...d.attributes,
      loadBalancerId: id,
      addressIpVersion: d.attributes.addressIpVersion ?? 'ipv4',
      dnsName: `${id}.example`,
      status: 'Active',
    },
    tags: { ...d.tags, ...d.ownershipTags },
  };
}

describe('NLB drift check: what the cheap read decides (pure)', () => {
  const desired = buildNlb(
    nlbService(
      withAnnotations({ [A + 'cross-zone-enabled']: 'on', [A + 'additional-resource-tags']: 'team=blue' }),
    ),
  );
  const clean = synced(desired);

  it('sees nothing on a freshly synced NLB', () => {
    assert.equal(attributesDrifted(desired, clean), false);
    assert.equal(cheapReason({ lbId: 'nlb-1', record: clean, desired }), undefined);
    assert.equal(
      cheapReason({ lbId: 'nlb-1', record: clean, desired, previousFingerprint: fingerprintOf(clean) }),
      undefined,
    );
  });

  it('flags a managed attribute, a managed tag or our ownership tags changed by hand', () => {
    const cases: Array<[string, CheapNlb]> = [
      ['cross-zone turned off', { ...clean, attributes: { ...clean.attributes, crossZoneEnabled: false } }],
      ['managed tag edited', { ...clean, tags: { ...clean.tags, team: 'red' } }],
      [
        'cluster tag removed',
        {
          ...clean,
          tags: Object.fromEntries(Object.entries(clean.tags).filter(([k]) => k !== TAG_CLUSTER_ID)),
        },
      ],
      ['zone mapping removed', { ...clean, attributes: { ...clean.attributes, zoneMappings: [] } }],
    ];
    for (const [what, record] of cases) {
      assert.equal(attributesDrifted(desired, record), true, what);
      assert.equal(cheapReason({ lbId: 'nlb-1', record, desired }), 'attributes', what);
    }
  });

  it('leaves alone what the Service never asked for, but notices the record moved (fingerprint)', () => {
    const guarded = { ...clean, attributes: { ...clean.attributes, deletionProtection: true } };
    const plain = buildNlb(nlbService());
    const record = synced(plain);
    const touched = { ...record, attributes: { ...record.attributes, deletionProtection: true } };
    assert.equal(attributesDrifted(plain, touched), false, 'deletion protection was never asked for');
    assert.equal(cheapReason({ lbId: 'nlb-1', record: touched, desired: plain }), undefined);
    assert.equal(
      cheapReason({
        lbId: 'nlb-1',
        record: touched,
        desired: plain,
        previousFingerprint: fingerprintOf(record),
      }),
      'fingerprint',
    );
    assert.notEqual(fingerprintOf(clean), fingerprintOf(guarded));
  });

  it('does not take a job in flight (status Configuring) for a change', () => {
    const busy = { ...clean, attributes: { ...clean.attributes, status: 'Configuring' } };
    assert.equal(fingerprintOf(busy), fingerprintOf(clean));
  });

  it('reads in full an NLB it cannot judge: no id recorded, gone from the answer, model not buildable', () => {
    assert.equal(cheapReason({ desired }), 'unknown-nlb');
    assert.equal(cheapReason({ lbId: 'nlb-1', desired }), 'gone');
    assert.equal(cheapReason({ lbId: 'nlb-1', record: clean }), 'unbuildable');
  });

  it('re-reads a reused NLB whose tags (its reuse grant) changed since the last sync read them', () => {
    const grant = { [`kube-alicloud.io/reusable/${CONFIG.clusterId}`]: '*' };
    const reused = buildNlb(nlbService(withAnnotations({ [A + 'id']: 'nlb-user' })), { reusedTags: grant });
    assert.equal(reused.reusedLoadBalancerId, 'nlb-user');
    const record: CheapNlb = { attributes: { loadBalancerId: 'nlb-user', name: 'mine' }, tags: grant };
    assert.equal(cheapReason({ lbId: 'nlb-user', record, desired: reused, reusedTags: grant }), undefined);
    // The user's own attributes are never compared on a reused NLB.
    const renamed = { ...record, attributes: { ...record.attributes, name: 'renamed' } };
    assert.equal(
      cheapReason({ lbId: 'nlb-user', record: renamed, desired: reused, reusedTags: grant }),
      undefined,
    );
    assert.equal(
      cheapReason({ lbId: 'nlb-user', record: { ...record, tags: {} }, desired: reused, reusedTags: grant }),
      'reuse-grant',
    );
    assert.equal(cheapReason({ lbId: 'nlb-user', record, desired: reused }), 'reuse-grant');
  });

  it('reads flagged NLBs plus the rotation slice, never-read first', () => {
    const candidates: DriftCandidate<NlbCheapReason>[] = Array.from({ length: 40 }, (_, i) => ({
      key: `ns/s${String(i).padStart(2, '0')}`,
      lastFullRead: 1000 + i,
    }));
    candidates[39]!.reason = 'gone';
    const picked = selectFullReads([...candidates, { key: 'ns/new' }]);
    assert.equal(picked.get('ns/s39'), 'gone');
    const rotation = [...picked].filter(([, r]) => r === 'rotation').map(([k]) => k);
    assert.equal(rotation.length, ROTATION_MIN);
    assert.deepEqual(rotation.slice(0, 2), ['ns/new', 'ns/s00']);
  });
});

describe('NLB drift check: the batched read', () => {
  it('asks for at most 20 ids per call, keeps only what it asked for, and marks a failed batch unread', async () => {
    const cloud = new FakeNlbCloud();
    const ids = Array.from({ length: 45 }, (_, i) => `nlb-${i}`);
    for (const id of ids.slice(0, 44))
      cloud.lbs.set(id, {
        attributes: { loadBalancerId: id },
        tags: { [TAG_DO_NOT_DELETE]: id, [TAG_CLUSTER_ID]: CONFIG.clusterId },
      });
    const sizes: number[] = [];
    const port = {
      listLoadBalancersByIds: async (asked: readonly string[]) => {
        sizes.push(asked.length);
        if (asked.includes('nlb-20')) throw Object.assign(new Error('throttled'), { code: 'Throttling' });
        // A stray record outside the ids asked for proves nothing and is dropped.
        return [
          ...(await cloud.listLoadBalancersByIds(asked)),
          { attributes: { loadBalancerId: 'nlb-x' }, tags: {} },
        ];
      },
    };
    const read = await readNlbsById(port, [...ids, 'nlb-0'], 2);
    assert.deepEqual(
      sizes.sort((a, b) => a - b),
      [5, 20, 20],
    );
    assert.equal(read.calls, 3);
    assert.equal(read.failed.size, 20);
    assert.ok(read.failed.has('nlb-20'));
    assert.equal(read.found.size, 24, 'the other two batches: 25 ids, one of them absent');
    assert.equal(read.found.has('nlb-44'), false, 'absent: deleted');
    assert.equal(read.found.has('nlb-x'), false);
  });
});

describe('docs/nlb.md § Drift check says what the code does', () => {
  it('quotes the batch size and the rotation rule', () => {
    const text = readFileSync(new URL('../../../docs/nlb.md', import.meta.url), 'utf8');
    const section = text.slice(text.indexOf('## Drift check'), text.indexOf('## Differences'));
    assert.ok(section.includes(`${MAX_NLB_IDS_PER_LIST} per call`), 'batch size');
    assert.ok(section.includes(`at least ${ROTATION_MIN} per pass`), 'rotation minimum');
    assert.ok(section.includes(`once every ${ROTATION_PASSES} passes`), 'rotation length');
    assert.ok(section.includes('`--lb-drift-check-period`'), 'the flag');
  });
});
