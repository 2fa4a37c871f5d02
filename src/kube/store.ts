// The informer's cache: objects by key plus named secondary indexes (e.g. Pods by node name,
// Services by label). Indexes are maintained on every write so lookups never scan.
import { keyOf, type KubeObject } from './types.js';

export type IndexFunc<T> = (obj: T) => string[];

export class IndexedStore<T extends KubeObject> {
  private items = new Map<string, T>();
  private indexers = new Map<string, IndexFunc<T>>();
  private indices = new Map<string, Map<string, Set<string>>>();
  private snap: readonly T[] | undefined;

  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`indexer ${name} already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) addTo(index, fn(obj), key);
  }

  hasIndexer(name: string): boolean {
    return this.indexers.has(name);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /**
   * Every object, as one frozen array that stays the same until the next write: consumers that
   * derive something from the whole set (a Service's candidate nodes) can key a memo on it instead
   * of redoing the work per call (per Service sync × 15,000 Nodes was most of the manager's CPU).
   */
  snapshot(): readonly T[] {
    return (this.snap ??= Object.freeze([...this.items.values()]));
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no indexer ${name}`);
    return [...(index.get(value) ?? [])].map((k) => this.items.get(k)).filter((o): o is T => o !== undefined);
  }

  /** Stores `obj` and returns the previous version under its key. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.snap = undefined;
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) addTo(this.indices.get(name)!, fn(obj), key);
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.snap = undefined;
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set && set.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let set = index.get(v);
    if (!set) index.set(v, (set = new Set()));
    set.add(key);
  }
}

/** Index functions most controllers want. */
export const Indexers = {
  namespace: <T extends KubeObject>(obj: T): string[] =>
    obj.metadata?.namespace ? [obj.metadata.namespace] : [],
  /** One entry per `label=value` pair, so byIndex('labels', 'app=web') works. */
  labels: <T extends KubeObject>(obj: T): string[] =>
    Object.entries(obj.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`),
};
