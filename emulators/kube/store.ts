// Raw object storage: buckets of immutable objects, one global resourceVersion counter, and a
// bounded history of changes (the "watch cache") that watches replay from. Objects are never
// mutated in place — every write stores a new object — so readers can serialize without copying.
import type { KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  type: ChangeType;
  bucket: string;
  object: KubeObject;
  /** The object before this change (for selector transitions in filtered watches). */
  prev?: KubeObject;
  /** Serialized watch lines, cached per view so N watchers cost one JSON.stringify. */
  lines?: Map<string, string>;
}

export type ChangeListener = (c: Change) => void;

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export interface StoreSnapshot {
  resourceVersion: number;
  buckets: Record<string, KubeObject[]>;
}

export class ObjectStore {
  private rv = 0;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly history: (Change | undefined)[];
  private head = 0; // next write slot
  private size = 0;
  /** Oldest resourceVersion a watch may resume from; anything older gets 410 Gone. */
  private floor = 0;
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private readonly anyListeners = new Set<() => void>();

  constructor(readonly capacity: number) {
    this.history = new Array<Change | undefined>(capacity);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResumable(): number {
    return this.floor;
  }

  bucket(name: string): Map<string, KubeObject> {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Map();
      this.buckets.set(name, b);
    }
    return b;
  }

  get(bucket: string, key: string): KubeObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  nextResourceVersion(): number {
    return ++this.rv;
  }

  /** Store `object` (whose metadata.resourceVersion must already be `rv`) and publish the change. */
  put(bucket: string, key: string, object: KubeObject, type: 'ADDED' | 'MODIFIED', rv: number): void {
    const b = this.bucket(bucket);
    const prev = b.get(key);
    b.set(key, object);
    this.record({ rv, type, bucket, object, ...(prev ? { prev } : {}) });
  }

  remove(bucket: string, key: string, finalObject: KubeObject, rv: number): void {
    const prev = this.buckets.get(bucket)?.get(key);
    this.buckets.get(bucket)?.delete(key);
    this.record({ rv, type: 'DELETED', bucket, object: finalObject, ...(prev ? { prev } : {}) });
  }

  private record(c: Change): void {
    const evicted = this.history[this.head];
    if (evicted && this.size === this.capacity) this.floor = evicted.rv;
    this.history[this.head] = c;
    this.head = (this.head + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    const ls = this.listeners.get(c.bucket);
    if (ls) for (const l of [...ls]) l(c);
    for (const l of this.anyListeners) l();
  }

  /** Changes in `bucket` newer than `rv`, oldest first; undefined when `rv` left the window. */
  changesSince(bucket: string, rv: number): Change[] | undefined {
    if (rv < this.floor) return undefined;
    const out: Change[] = [];
    for (let i = 0; i < this.size; i++) {
      const c = this.history[(this.head - this.size + i + this.capacity) % this.capacity]!;
      if (c.rv > rv && c.bucket === bucket) out.push(c);
    }
    return out;
  }

  subscribe(bucket: string, l: ChangeListener): () => void {
    let set = this.listeners.get(bucket);
    if (!set) {
      set = new Set();
      this.listeners.set(bucket, set);
    }
    set.add(l);
    return () => set.delete(l);
  }

  /** Any write at all (used to schedule persistence). */
  onAnyChange(l: () => void): () => void {
    this.anyListeners.add(l);
    return () => this.anyListeners.delete(l);
  }

  /** Forget history so every resume point older than now is too old (the forceGone fault). */
  compact(): void {
    this.floor = this.rv;
    this.history.fill(undefined);
    this.size = 0;
  }

  snapshot(): StoreSnapshot {
    const buckets: Record<string, KubeObject[]> = {};
    for (const [name, b] of this.buckets) buckets[name] = [...b.values()];
    return { resourceVersion: this.rv, buckets };
  }

  /** Load a snapshot; history starts empty, so only "now" is resumable (as after an apiserver restart). */
  restore(s: StoreSnapshot, keyOf: (bucket: string, o: KubeObject) => string): void {
    this.buckets.clear();
    for (const [name, objs] of Object.entries(s.buckets)) {
      const b = this.bucket(name);
      for (const o of objs) b.set(keyOf(name, o), o);
    }
    this.rv = s.resourceVersion;
    this.floor = this.rv;
  }
}
