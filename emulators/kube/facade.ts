// Typed in-process access to the emulator's objects for tests and benches: the same semantics
// as the HTTP API (allocation, status separation, finalizers, watch events), minus the wire.
import { ApiError } from './errors.js';
import type { PatchType, Registry } from './registry.js';
import { resolveResource } from './resources.js';
import { clone, type KubeObject } from './types.js';

export interface StoreListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface StorePatchOptions {
  namespace?: string;
  /** Default 'merge'. */
  type?: Exclude<PatchType, 'apply'>;
  subresource?: 'status';
}

export interface KubeStore {
  readonly resourceVersion: number;
  /** `resource` is a plural ("nodes"), kind ("Node"), short name ("svc") or "leases.coordination.k8s.io". */
  get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): T | undefined;
  list<T extends KubeObject = KubeObject>(resource: string, opts?: StoreListOptions): T[];
  create<T extends KubeObject = KubeObject>(resource: string, obj: KubeObject): T;
  update<T extends KubeObject = KubeObject>(resource: string, obj: KubeObject): T;
  updateStatus<T extends KubeObject = KubeObject>(resource: string, obj: KubeObject): T;
  patch<T extends KubeObject = KubeObject>(
    resource: string,
    name: string,
    patch: unknown,
    opts?: StorePatchOptions,
  ): T;
  /** Returns the object as deleted (or marked for deletion), undefined when it did not exist. */
  delete(resource: string, name: string, namespace?: string): KubeObject | undefined;
}

export function createFacade(reg: Registry): KubeStore {
  const nsOf = (o: KubeObject): string | undefined => o.metadata?.namespace ?? 'default';
  return {
    get resourceVersion() {
      return reg.store.resourceVersion;
    },
    get<T extends KubeObject>(resource: string, name: string, namespace?: string): T | undefined {
      try {
        return clone(reg.get(resolveResource(resource), namespace ?? 'default', name)) as T;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
    list<T extends KubeObject>(resource: string, opts: StoreListOptions = {}): T[] {
      const { namespace, ...sel } = opts;
      return clone(reg.list(resolveResource(resource), namespace, sel).items) as T[];
    },
    create<T extends KubeObject>(resource: string, obj: KubeObject): T {
      return clone(reg.create(resolveResource(resource), nsOf(obj), obj)) as T;
    },
    update<T extends KubeObject>(resource: string, obj: KubeObject): T {
      return clone(reg.update(resolveResource(resource), nsOf(obj), obj.metadata.name ?? '', obj)) as T;
    },
    updateStatus<T extends KubeObject>(resource: string, obj: KubeObject): T {
      return clone(
        reg.update(resolveResource(resource), nsOf(obj), obj.metadata.name ?? '', obj, 'status'),
      ) as T;
    },
    patch<T extends KubeObject>(
      resource: string,
      name: string,
      patch: unknown,
      opts: StorePatchOptions = {},
    ): T {
      const def = resolveResource(resource);
      return clone(
        reg.patch(
          def,
          opts.namespace ?? 'default',
          name,
          opts.type ?? 'merge',
          JSON.stringify(patch),
          opts.subresource,
        ),
      ) as T;
    },
    delete(resource: string, name: string, namespace?: string): KubeObject | undefined {
      try {
        return clone(reg.delete(resolveResource(resource), namespace ?? 'default', name));
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
  };
}
