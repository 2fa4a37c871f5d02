// The three patch formats and the selector parser, on their own.
import { strict as assert } from 'node:assert';
import { applyJsonPatch } from '../../../../emulators/kube/patch/jsonpatch.js';
import { mergePatch } from '../../../../emulators/kube/patch/merge.js';
import { strategicMerge } from '../../../../emulators/kube/patch/strategic.js';
import { parseFieldSelector, parseLabelSelector } from '../../../../emulators/kube/selectors.js';
import type { KubeObject } from '../../../../emulators/kube/types.js';

describe('kube emulator patches and selectors', () => {
  it('merge patch merges maps, deletes on null and replaces lists', () => {
    const out = mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] });
    assert.deepEqual(out, { a: { c: 2, d: 3 }, l: [3] });
  });

  it('strategic merge merges containers by name, ports by containerPort/port, conditions by type', () => {
    const pod = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', ports: [{ containerPort: 80, name: 'http' }] },
          { name: 'b', image: 'b:1' },
        ],
      },
    };
    const out = strategicMerge(pod, {
      $setElementOrder: { containers: [{ name: 'a' }, { name: 'b' }] },
      spec: {
        containers: [
          { name: 'a', image: 'a:2', ports: [{ containerPort: 443 }] },
          { name: 'b', $patch: 'delete' },
        ],
      },
    }) as { spec: { containers: { name: string; image: string; ports?: unknown[] }[] } };
    assert.deepEqual(out.spec.containers, [
      { name: 'a', image: 'a:2', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] },
    ]);
    const svc = strategicMerge(
      { spec: { ports: [{ port: 80, nodePort: 30001 }, { port: 443 }] } },
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
    );
    assert.deepEqual(svc, {
      spec: { ports: [{ port: 80, nodePort: 30001, targetPort: 8080 }, { port: 443 }] },
    });
    const node = strategicMerge(
      {
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'MemoryPressure', status: 'False' },
          ],
        },
      },
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    );
    assert.deepEqual(node, {
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'MemoryPressure', status: 'False' },
        ],
      },
    });
  });

  it('strategic merge unions finalizers, honours $deleteFromPrimitiveList, $patch: replace and $retainKeys', () => {
    const meta = strategicMerge(
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } },
    );
    assert.deepEqual(meta, { metadata: { finalizers: ['b', 'c'] } });
    assert.deepEqual(strategicMerge({ s: { x: 1, y: 2 } }, { s: { $patch: 'replace', z: 3 } }), {
      s: { z: 3 },
    });
    assert.deepEqual(
      strategicMerge({ s: { type: 'A', a: 1 } }, { s: { $retainKeys: ['type', 'b'], type: 'B', b: 2 } }),
      { s: { type: 'B', b: 2 } },
    );
    assert.deepEqual(
      strategicMerge({ tolerations: [{ key: 'a' }] }, { tolerations: [{ key: 'b' }] }),
      { tolerations: [{ key: 'b' }] },
      'lists without a merge key are replaced',
    );
  });

  it('JSON patch supports add/remove/replace/move/copy/test and fails a failed test', () => {
    const doc = { metadata: { labels: { a: '1' }, finalizers: ['x'] } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/b~1c', value: '2' },
      { op: 'replace', path: '/metadata/labels/a', value: '9' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'y' },
      { op: 'copy', from: '/metadata/labels/a', path: '/metadata/labels/d' },
      { op: 'move', from: '/metadata/labels/d', path: '/metadata/labels/e' },
      { op: 'remove', path: '/metadata/finalizers/0' },
      { op: 'test', path: '/metadata/finalizers', value: ['y'] },
    ]);
    assert.deepEqual(out, { metadata: { labels: { a: '9', 'b/c': '2', e: '9' }, finalizers: ['y'] } });
    assert.deepEqual(doc.metadata.finalizers, ['x'], 'input untouched');
    assert.throws(
      () => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/labels/a', value: '2' }]),
      /testing value/,
    );
    assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/metadata/nope' }]));
  });

  it('label selectors: =, ==, !=, in, notin, exists, !key', () => {
    const o = (labels: Record<string, string>): KubeObject => ({ metadata: { labels } });
    const cases: [string, Record<string, string>, boolean][] = [
      ['a=1', { a: '1' }, true],
      ['a==1', { a: '2' }, false],
      ['a!=1', {}, true],
      ['a in (1, 2),b', { a: '2', b: '' }, true],
      ['a notin (1,2)', { a: '3' }, true],
      ['a notin (1,2)', { a: '1' }, false],
      ['!a', { b: '1' }, true],
      ['!a', { a: '1' }, false],
      ['node-role.kubernetes.io/master', { 'node-role.kubernetes.io/master': '' }, true],
    ];
    for (const [sel, labels, want] of cases)
      assert.equal(parseLabelSelector(sel)(o(labels)), want, `${sel} on ${JSON.stringify(labels)}`);
    assert.throws(() => parseLabelSelector('a in 1'), /unable to parse/);
  });

  it('field selectors compare dotted paths, with != and missing fields as empty', () => {
    const pod: KubeObject = {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { nodeName: 'n1' },
      status: { phase: 'Running' },
    };
    assert.equal(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed')(pod), true);
    assert.equal(parseFieldSelector('spec.nodeName=')(pod), false);
    assert.equal(parseFieldSelector('spec.schedulerName=')(pod), true);
    assert.equal(parseFieldSelector('metadata.namespace==ns')(pod), true);
  });
});
