// Candidate nodes are computed once per node list and rule set (the controllers pass the
// informer's snapshot), so the memo must never answer for a list or rule set it was not given.
import assert from 'node:assert/strict';
import { candidateNodes } from '../../../src/controllers/service/model/backends.js';
import { label, newNode, notReady } from './fixtures.js';

const names = (r: ReturnType<typeof candidateNodes>) => r.candidates.map((c) => c.name);

describe('service model: candidateNodes memo', () => {
  const rules = { removeUnscheduled: false };

  it('answers the same list and rules with the same result, without recomputing', () => {
    const list = Object.freeze([newNode('b'), newNode('a')]);
    const first = candidateNodes(list, rules);
    assert.deepEqual(names(first), ['a', 'b']);
    assert.equal(candidateNodes(list, { removeUnscheduled: false }), first);
  });

  it('recomputes for a new list (a Node changed) even when its other objects are the same', () => {
    const a = newNode('a');
    const before = candidateNodes(Object.freeze([a, newNode('b')]), rules);
    const after = candidateNodes(Object.freeze([a, newNode('b', notReady)]), rules);
    assert.deepEqual(names(before), ['a', 'b']);
    assert.deepEqual(names(after), ['a']);
  });

  it('keeps rule sets apart on one list', () => {
    const list = Object.freeze([newNode('a', label('pool', 'x')), newNode('b')]);
    assert.deepEqual(names(candidateNodes(list, rules)), ['a', 'b']);
    assert.deepEqual(names(candidateNodes(list, { ...rules, backendLabel: { pool: 'x' } })), ['a']);
    assert.deepEqual(names(candidateNodes(list, { ...rules, backendLabel: { pool: 'y' } })), []);
    assert.deepEqual(names(candidateNodes(list, rules)), ['a', 'b']);
  });
});
