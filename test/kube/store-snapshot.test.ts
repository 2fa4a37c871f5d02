// IndexedStore.snapshot(): one array per cache state, which memos downstream key on. A snapshot
// that survived a write would hand every Service a stale node list.
import assert from 'node:assert/strict';
import { IndexedStore } from '../../src/kube/store.js';
import type { KubeObject } from '../../src/kube/types.js';

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, resourceVersion: rv } });

describe('IndexedStore.snapshot', () => {
  it('is the same frozen array until a write, then a new one with the write in it', () => {
    const s = new IndexedStore<KubeObject>();
    s.upsert(obj('a', '1'));
    const first = s.snapshot();
    assert.equal(s.snapshot(), first);
    assert.ok(Object.isFrozen(first));

    s.upsert(obj('a', '2'));
    const second = s.snapshot();
    assert.notEqual(second, first);
    assert.deepEqual(
      second.map((o) => o.metadata?.resourceVersion),
      ['2'],
    );

    s.upsert(obj('b', '3'));
    const third = s.snapshot();
    assert.deepEqual(
      third.map((o) => o.metadata?.name),
      ['a', 'b'],
    );

    s.remove('a');
    assert.deepEqual(
      s.snapshot().map((o) => o.metadata?.name),
      ['b'],
    );
    // Removing what is not there is no write.
    const fourth = s.snapshot();
    s.remove('zzz');
    assert.equal(s.snapshot(), fourth);
  });
});
