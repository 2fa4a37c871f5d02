// The apiserver's REST semantics over the raw store: create/get/list/update/patch/delete with
// optimistic concurrency, status subresources, generation (for the kinds that have one), finalizers
// and per-kind hooks.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  gone,
  invalid,
  notFound,
  unsupportedMediaType,
} from './errors.js';
import { prepareCreate, specPart } from './kinds/defaults.js';
import { validateNodeUpdate } from './kinds/node.js';
import { prepareService } from './kinds/service.js';
import { ServiceAllocator, type NodePortRange } from './kinds/service-alloc.js';
import { fromView, generateSuffix, nowTimestamp, settleNamespace, toView, validateName } from './meta.js';
import { applyJsonPatch } from './patch/jsonpatch.js';
import { mergePatch } from './patch/merge.js';
import { strategicMerge } from './patch/strategic.js';
import { RESOURCES, resourceKey, storageKey, type ResourceDef } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { objectKey, type ObjectStore } from './store.js';
import { clone, isPlainObject, type KubeObject } from './types.js';

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+json': 'apply',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

interface ContinueToken {
  rv: number;
  start: string;
}

export class Registry {
  readonly services: ServiceAllocator;

  constructor(
    readonly store: ObjectStore,
    nodePorts?: NodePortRange,
  ) {
    this.services = new ServiceAllocator(() => store.bucket('/services').values(), nodePorts);
  }

  private fail404(def: ResourceDef, name: string): ApiError {
    return notFound(def.group, def.resource, name);
  }

  private requireNamespace(def: ResourceDef, ns: string | undefined): void {
    if (def.namespaced && ns && !this.store.get('/namespaces', ns)) throw notFound('', 'namespaces', ns);
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(storageKey(def), objectKey(def.namespaced ? ns : undefined, name));
    if (!o) throw this.fail404(def, name);
    return toView(def, o);
  }

  /** Objects of `def` in `ns` (all namespaces when undefined) matching the selectors, by key order. */
  list(def: ResourceDef, ns: string | undefined, opts: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    let rv = this.store.resourceVersion;
    let start = '';
    if (opts.continue) {
      let token: ContinueToken;
      try {
        token = JSON.parse(Buffer.from(opts.continue, 'base64url').toString()) as ContinueToken;
      } catch {
        throw badRequest(
          'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
        );
      }
      if (token.rv < this.store.oldestResumable) {
        throw gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      rv = token.rv;
      start = token.start;
    }
    const bucket = this.store.bucket(storageKey(def));
    const prefix = def.namespaced && ns ? `${ns}/` : '';
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > start).sort();
    const items: KubeObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    let i = 0;
    for (; i < keys.length && items.length < limit; i++) {
      const o = toView(def, bucket.get(keys[i]!)!);
      if (labels(o) && fields(o)) items.push(o);
    }
    const result: ListResult = { items, resourceVersion: String(rv) };
    if (i < keys.length) {
      // Without selectors every remaining key counts: rendering each remaining object on every
      // page made a paginated list of N objects cost N²/limit renderings (minutes at 15k Nodes).
      const selective = Boolean(opts.labelSelector || opts.fieldSelector);
      const rest = selective
        ? keys.slice(i).filter((k) => {
            const o = toView(def, bucket.get(k)!);
            return labels(o) && fields(o);
          }).length
        : keys.length - i;
      if (rest > 0) {
        result.continue = Buffer.from(
          JSON.stringify({ rv, start: keys[i - 1]! } satisfies ContinueToken),
        ).toString('base64url');
        if (!opts.labelSelector && !opts.fieldSelector) result.remainingItemCount = rest;
      }
    }
    return result;
  }

  create(def: ResourceDef, ns: string | undefined, body: unknown, dryRun = false): KubeObject {
    if (!isPlainObject(body)) throw badRequest('the body of the request must be an object');
    const o = fromView(def, clone(body) as KubeObject);
    o.metadata = isPlainObject(o.metadata) ? o.metadata : {};
    settleNamespace(def, o, ns);
    this.requireNamespace(def, o.metadata.namespace);
    if (!o.metadata.name && o.metadata.generateName)
      o.metadata.name = o.metadata.generateName + generateSuffix();
    validateName(def, o);
    const bucket = storageKey(def);
    const key = objectKey(o.metadata.namespace, o.metadata.name!);
    if (this.store.get(bucket, key)) throw alreadyExists(def.group, def.resource, o.metadata.name!);
    const nsObj = o.metadata.namespace ? this.store.get('/namespaces', o.metadata.namespace) : undefined;
    if (nsObj?.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${def.resource} "${o.metadata.name}" is forbidden: unable to create new content in namespace ${o.metadata.namespace} because it is being terminated`,
      );
    }
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = nowTimestamp();
    delete o.metadata.deletionTimestamp;
    delete o.metadata.deletionGracePeriodSeconds;
    delete o.metadata.managedFields;
    if (def.generation) o.metadata.generation = 1;
    else delete o.metadata.generation;
    prepareCreate(bucket, o);
    if (bucket === '/services') prepareService(o, undefined, this.services);
    if (dryRun) return toView(def, o);
    const rv = this.store.nextResourceVersion();
    o.metadata.resourceVersion = String(rv);
    this.store.put(bucket, key, o, 'ADDED', rv);
    return toView(def, o);
  }

  /** PUT semantics. `subresource === 'status'` takes only status; otherwise status is kept from storage. */
  update(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
    dryRun = false,
  ): KubeObject {
    if (!isPlainObject(body)) throw badRequest('the body of the request must be an object');
    const bucket = storageKey(def);
    const key = objectKey(def.namespaced ? ns : undefined, name);
    const old = this.store.get(bucket, key);
    if (!old) throw this.fail404(def, name);
    const incoming = fromView(def, clone(body) as KubeObject);
    incoming.metadata = isPlainObject(incoming.metadata) ? incoming.metadata : {};
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const sentRv = incoming.metadata.resourceVersion;
    if (sentRv && sentRv !== old.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    // A uid in the body is a precondition (a patch carrying one is how a client says "only this
    // incarnation of the object"): the apiserver answers 409 for an object recreated under the name.
    const sentUid = incoming.metadata.uid;
    if (sentUid && sentUid !== old.metadata.uid) {
      throw conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: UID in precondition: ${sentUid}, UID in object meta: ${old.metadata.uid ?? ''}`,
      );
    }
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...clone(old), status: incoming.status };
      if (incoming.status === undefined) delete next.status;
    } else {
      next = incoming;
      settleNamespace(def, next, ns);
      next.metadata.name = name;
      if (def.status) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      const m = next.metadata;
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      // Clients never set generation; kinds without one keep none.
      if (old.metadata.generation === undefined) delete m.generation;
      else m.generation = old.metadata.generation;
      if (old.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
      else delete m.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined)
        m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      else delete m.deletionGracePeriodSeconds;
      delete m.managedFields;
      validateName(def, next);
      if (old.metadata.deletionTimestamp) {
        const added = (m.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
        if (added.length) {
          throw invalid(def.group, def.kind, name, [
            {
              reason: 'FieldValueForbidden',
              field: 'metadata.finalizers',
              message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
            },
          ]);
        }
      }
      if (bucket === '/services') prepareService(next, old, this.services);
      if (bucket === '/nodes') validateNodeUpdate(next, old);
      if (def.generation && specPart(next) !== specPart(old))
        m.generation = (old.metadata.generation ?? 1) + 1;
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    // A no-op write neither bumps resourceVersion nor wakes watchers, as with the real apiserver.
    if (JSON.stringify(next) === JSON.stringify(old)) return toView(def, old);
    if (dryRun) return toView(def, next);
    const rv = this.store.nextResourceVersion();
    next.metadata.resourceVersion = String(rv);
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length) {
      this.reallyDelete(bucket, key, next, rv);
      return toView(def, next);
    }
    this.store.put(bucket, key, next, 'MODIFIED', rv);
    if (bucket === '/services') this.services.invalidate();
    return toView(def, next);
  }

  patch(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    type: string,
    body: string,
    subresource?: string,
    dryRun = false,
  ): KubeObject {
    const kind = (PATCH_CONTENT_TYPES[type] ?? type) as PatchType;
    if (!['merge', 'strategic', 'json', 'apply'].includes(kind)) throw unsupportedMediaType(type);
    let patchBody: unknown;
    try {
      patchBody = kind === 'apply' ? parseYaml(body) : JSON.parse(body);
    } catch (err) {
      throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
    }
    let current: KubeObject;
    try {
      current = this.get(def, ns, name);
    } catch (err) {
      // Server-side apply creates what does not exist yet.
      if (kind === 'apply' && err instanceof ApiError && err.code === 404 && subresource !== 'status') {
        const created = isPlainObject(patchBody) ? { ...patchBody } : {};
        const meta = isPlainObject(created['metadata']) ? { ...created['metadata'] } : {};
        created['metadata'] = { ...meta, name };
        return this.create(def, ns, created, dryRun);
      }
      throw err;
    }
    let patched: unknown;
    if (kind === 'merge') patched = mergePatch(current, patchBody);
    else if (kind === 'strategic') patched = strategicMerge(current, patchBody);
    else if (kind === 'json') patched = applyJsonPatch(current, patchBody);
    else patched = strategicMerge(current, patchBody);
    if (!isPlainObject(patched) || !isPlainObject(patched['metadata']))
      throw badRequest('patch removed metadata');
    // Server-side apply never carries optimistic locking unless the applied config names a version.
    const rvInPatch =
      isPlainObject(patchBody) &&
      isPlainObject(patchBody['metadata']) &&
      'resourceVersion' in patchBody['metadata'];
    if (!rvInPatch) patched['metadata']['resourceVersion'] = current.metadata.resourceVersion;
    return this.update(def, ns, name, patched, subresource, dryRun);
  }

  delete(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    opts: DeleteOptions = {},
    dryRun = false,
  ): KubeObject {
    const bucket = storageKey(def);
    const key = objectKey(def.namespaced ? ns : undefined, name);
    const old = this.store.get(bucket, key);
    if (!old) throw this.fail404(def, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${old.metadata.resourceVersion}`,
      );
    }
    if (dryRun) return toView(def, old);
    if (bucket === '/namespaces') return toView(def, this.deleteNamespace(old));
    if ((old.metadata.finalizers ?? []).length) {
      if (old.metadata.deletionTimestamp) return toView(def, old);
      const rv = this.store.nextResourceVersion();
      const next = clone(old);
      next.metadata.deletionTimestamp = nowTimestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      // Marking for deletion is a change controllers must see, for kinds that track generation.
      if (old.metadata.generation !== undefined) next.metadata.generation = old.metadata.generation + 1;
      next.metadata.resourceVersion = String(rv);
      this.store.put(bucket, key, next, 'MODIFIED', rv);
      return toView(def, next);
    }
    const rv = this.store.nextResourceVersion();
    const final = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.reallyDelete(bucket, key, final, rv);
    return toView(def, final);
  }

  deleteCollection(
    def: ResourceDef,
    ns: string | undefined,
    opts: ListOptions,
    dryRun = false,
  ): KubeObject[] {
    const { items } = this.list(def, ns, {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
    });
    return items.map((o) => this.delete(def, o.metadata.namespace, o.metadata.name!, {}, dryRun));
  }

  private reallyDelete(bucket: string, key: string, final: KubeObject, rv: number): void {
    this.store.remove(bucket, key, final, rv);
    if (bucket === '/services') this.services.invalidate();
    const ns = final.metadata.namespace;
    if (ns) this.finishNamespaceIfEmpty(ns);
  }

  /** Namespace deletion: delete everything in it; the namespace goes once nothing (finalized) remains. */
  private deleteNamespace(nsObj: KubeObject): KubeObject {
    const name = nsObj.metadata.name!;
    let current = nsObj;
    if (!nsObj.metadata.deletionTimestamp) {
      const rv = this.store.nextResourceVersion();
      current = clone(nsObj);
      current.metadata.deletionTimestamp = nowTimestamp();
      current.metadata.resourceVersion = String(rv);
      current.status = { ...(isPlainObject(current.status) ? current.status : {}), phase: 'Terminating' };
      this.store.put('/namespaces', name, current, 'MODIFIED', rv);
    }
    for (const def of RESOURCES) {
      if (!def.namespaced || def.storageOf) continue;
      for (const o of [...this.store.bucket(storageKey(def)).values()]) {
        if (o.metadata.namespace === name) this.delete(def, name, o.metadata.name!);
      }
    }
    this.finishNamespaceIfEmpty(name);
    return this.store.get('/namespaces', name) ?? current;
  }

  private finishNamespaceIfEmpty(ns: string): void {
    const nsObj = this.store.get('/namespaces', ns);
    if (!nsObj?.metadata.deletionTimestamp || (nsObj.metadata.finalizers ?? []).length) return;
    const prefix = `${ns}/`;
    for (const def of RESOURCES) {
      if (!def.namespaced || def.storageOf) continue;
      for (const k of this.store.bucket(resourceKey(def)).keys()) if (k.startsWith(prefix)) return;
    }
    const rv = this.store.nextResourceVersion();
    this.store.remove(
      '/namespaces',
      ns,
      { ...nsObj, metadata: { ...nsObj.metadata, resourceVersion: String(rv) } },
      rv,
    );
  }
}
