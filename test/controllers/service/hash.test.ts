import assert from 'node:assert/strict';
import { canSkipSync, canonicalJson, desiredHash } from '../../../src/controllers/service/model/hash.js';
import {
  P,
  build,
  newNode,
  newService,
  nodes,
  slices,
  withAnnotations,
  withIngress,
  withLocal,
} from './fixtures.js';

describe('service hash (zero calls at steady state)', () => {
  const h = (...args: Parameters<typeof build>) => desiredHash(build(...args));

  it('canonical JSON ignores key order', () =>
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), canonicalJson({ a: { c: 3, d: 2 }, b: 1 })));
  it('is stable for the same inputs', () => assert.equal(h(newService()), h(newService())));
  it('ignores unrelated annotations and node order', () => {
    assert.equal(
      h(newService(withAnnotations({ 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}' }))),
      h(newService()),
    );
    assert.equal(h(newService(), { nodes: nodes().reverse() }), h(newService()));
  });
  it('ignores the published ingress (writing status is not a change)', () =>
    assert.equal(h(newService(withIngress('47.0.0.1'))), h(newService())));
  it('ignores a node change that alters no backend', () => {
    const extraMaster = [
      ...nodes(),
      newNode('m2', (n) => (n.metadata!.labels!['node-role.kubernetes.io/master'] = '')),
    ];
    assert.equal(h(newService(), { nodes: extraMaster }), h(newService()));
  });
  it('changes with a backend-set change', () =>
    assert.notEqual(h(newService(), { nodes: [newNode('w1')] }), h(newService())));
  it('changes when a Local pod moves (weights)', () => {
    const s = slices();
    s[0]!.endpoints[1]!.nodeName = 'w2';
    assert.notEqual(h(newService(withLocal), { endpointSlices: s }), h(newService(withLocal)));
  });
  it('changes with a relevant annotation', () =>
    assert.notEqual(h(newService(withAnnotations({ [P + 'scheduler']: 'wrr' }))), h(newService())));
  it('changes with the extra salt', () =>
    assert.notEqual(desiredHash(build(newService()), 'v2'), desiredHash(build(newService()))));
  it('canSkipSync only on an exact match', () => {
    assert.equal(canSkipSync(undefined, 'x'), false);
    assert.equal(canSkipSync('x', 'y'), false);
    assert.equal(canSkipSync('x', 'x'), true);
  });
});
