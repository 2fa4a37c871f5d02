import assert from 'node:assert/strict';
import type { TableOutcome } from '../../../src/controllers/route/apply/index.js';
import type { RoutePlan } from '../../../src/controllers/route/diff.js';
import type { DesiredRoute, RouteModel } from '../../../src/controllers/route/model/index.js';
import { computeVerdicts, type TableResult } from '../../../src/controllers/route/model/verdict.js';

const a: DesiredRoute = { nodeName: 'a', cidr: '10.0.1.0/24', instanceId: 'i-a' };
const b: DesiredRoute = { nodeName: 'b', cidr: '10.0.2.0/24', instanceId: 'i-b' };

function result(tableId: string, plan: Partial<RoutePlan>, outcome: Partial<TableOutcome>): TableResult {
  return {
    plan: { tableId, deletes: [], creates: [], conflicts: [], satisfied: [], awaitGone: [], ...plan },
    outcome: {
      tableId,
      available: new Set(),
      pending: new Set(),
      quota: new Set(),
      failed: new Map(),
      deleted: [],
      deleteFailed: [],
      calls: { create: 0, delete: 0, poll: 0 },
      ...outcome,
    },
  };
}
const model = (desired: DesiredRoute[], unroutable: RouteModel['unroutable'] = []) => ({
  desired,
  unroutable,
});

describe('route verdicts', () => {
  it('RouteCreated only when the route is Available in every managed table', () => {
    const v = computeVerdicts(model([a, b]), [
      result('vtb-1', { creates: [a] }, { available: new Set([a.cidr, b.cidr]) }),
      result('vtb-2', {}, { available: new Set([a.cidr]), pending: new Set([b.cidr]) }),
    ]);
    assert.deepEqual(v.conditions.get('a'), {
      status: 'False',
      reason: 'RouteCreated',
      message: 'RouteController created a route',
    });
    assert.equal(v.conditions.get('b')?.status, 'True');
    assert.equal(v.conditions.get('b')?.reason, 'RoutePending');
    assert.deepEqual(
      v.events.map((e) => `${e.nodeName}:${e.reason}`),
      ['a:CreatedRoute'],
    );
  });

  it('a foreign route is a Warning and keeps NetworkUnavailable True', () => {
    const conflict = {
      nodeName: 'a',
      cidr: a.cidr,
      kind: 'same-cidr' as const,
      remote: { cidr: a.cidr, nextHopType: 'Instance', nextHopId: 'i-x' },
    };
    const v = computeVerdicts(model([a]), [result('vtb-1', { conflicts: [conflict] }, {})]);
    assert.equal(v.conditions.get('a')?.reason, 'RouteConflict');
    assert.equal(v.conditions.get('a')?.status, 'True');
    assert.equal(v.events[0]?.type, 'Warning');
    assert.match(v.events[0].message, /i-x.*left alone/);
  });

  it('quota exhaustion says so and how to get room (not hostroutes)', () => {
    const v = computeVerdicts(model([a]), [result('vtb-1', { creates: [a] }, { quota: new Set([a.cidr]) })]);
    assert.equal(v.conditions.get('a')?.reason, 'RouteQuotaExceeded');
    assert.equal(v.events[0]?.reason, 'RouteQuotaExceeded');
    assert.match(v.events[0].message, /full.*raise the route table quota/);
    assert.doesNotMatch(v.events[0].message, /switch to hostroutes/);
  });

  it('a failed create names the code; conflict outranks it', () => {
    const failed = result(
      'vtb-1',
      { creates: [a] },
      { failed: new Map([[a.cidr, { code: 'InternalError', message: 'boom' }]]) },
    );
    assert.match(computeVerdicts(model([a]), [failed]).conditions.get('a')!.message, /InternalError: boom/);
    const conflict = {
      nodeName: 'a',
      cidr: a.cidr,
      kind: 'same-cidr' as const,
      remote: { cidr: a.cidr, nextHopType: 'Instance', nextHopId: 'i-x' },
    };
    const v = computeVerdicts(model([a]), [failed, result('vtb-2', { conflicts: [conflict] }, {})]);
    assert.equal(v.conditions.get('a')?.reason, 'RouteConflict');
  });

  it('unroutable Nodes get their reason, except ones without a pod CIDR yet', () => {
    const v = computeVerdicts(
      model(
        [],
        [
          { nodeName: 'x', reason: 'PodCIDROutsideClusterCIDR', message: 'outside' },
          { nodeName: 'y', reason: 'NoPodCIDR', message: 'none' },
        ],
      ),
      [result('vtb-1', {}, {})],
    );
    assert.deepEqual([...v.conditions.keys()], ['x']);
    assert.equal(v.conditions.get('x')?.reason, 'PodCIDROutsideClusterCIDR');
  });
});
