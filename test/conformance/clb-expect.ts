// How a conformance row's expectation is checked against what the pure layers produced: a value
// by path in the model, and a plan's actions and conflicts by kind and by partial match.
import assert from 'node:assert/strict';
import type { Plan, PlanAction } from '../../src/controllers/service/plan.js';
import type { Expect } from './clb-runner.js';

/** `a.b[0].c`; a key containing dots (a tag key) is matched greedily; `x#len` is a length. */
export function valueAt(root: unknown, path: string): unknown {
  const lengthOf = path.endsWith('#len');
  const tokens = (lengthOf ? path.slice(0, -4) : path).split('.');
  let cur: unknown = root;
  let i = 0;
  while (i < tokens.length) {
    if (cur === undefined || cur === null) return undefined;
    let j = tokens.length;
    let hit: { name: string; idx: number[] } | undefined;
    for (; j > i; j--) {
      const m = /^([^[]*)((?:\[\d+\])*)$/.exec(tokens.slice(i, j).join('.'));
      if (m && (m[1] === '' || Object.prototype.hasOwnProperty.call(cur, m[1]!))) {
        hit = { name: m[1]!, idx: [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])) };
        break;
      }
    }
    if (!hit) return undefined;
    if (hit.name) cur = (cur as Record<string, unknown>)[hit.name];
    for (const n of hit.idx) cur = (cur as unknown[] | undefined)?.[n];
    i = j;
  }
  return lengthOf ? (cur as unknown[] | undefined)?.length : cur;
}

/** `expected` is contained in `actual`: objects by key, arrays of scalars as sets, else equal. */
export function includes(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    if (expected.every((e) => typeof e !== 'object'))
      return JSON.stringify([...actual].sort()) === JSON.stringify([...expected].sort());
    return expected.every((e, k) => includes(actual[k], e));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => includes((actual as Record<string, unknown>)[k], v));
  }
  return actual === expected;
}

export function checkPlanExpect(plan: Plan, e: Expect): void {
  const kinds = plan.actions.map((a) => a.kind);
  const show = `actions ${JSON.stringify(kinds)}, conflicts ${JSON.stringify(plan.conflicts.map((x) => x.reason))}`;
  if (e.conflict !== undefined) {
    const want = e.conflict.toLowerCase();
    assert.ok(
      plan.conflicts.some((x) => x.reason.toLowerCase().includes(want)),
      `no conflict mentions "${e.conflict}": ${show}`,
    );
    return;
  }
  assert.deepEqual(plan.conflicts, [], show);
  if (e.empty) assert.deepEqual(kinds, [], show);
  if (e.actions) assert.deepEqual([...kinds].sort(), [...e.actions].sort(), show);
  for (const k of e.includes ?? [])
    assert.ok(kinds.includes(k as PlanAction['kind']), `missing ${k}: ${show}`);
  for (const k of e.excludes ?? [])
    assert.ok(!kinds.includes(k as PlanAction['kind']), `unexpected ${k}: ${show}`);
  for (const f of e.fields ?? []) {
    const hit = plan.actions.some((a) => a.kind === f.kind && includes(a, f.match));
    assert.ok(hit, `no ${f.kind} with ${JSON.stringify(f.match)}: ${JSON.stringify(plan.actions)}`);
  }
  for (const f of e.excludesMatch ?? []) {
    const hit = plan.actions.some((a) => a.kind === f.kind && includes(a, f.match));
    assert.ok(!hit, `unexpected ${f.kind} with ${JSON.stringify(f.match)}: ${show}`);
  }
}
