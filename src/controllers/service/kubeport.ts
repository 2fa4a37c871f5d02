// Writes the controller makes on the Service object itself: the finalizer, the bookkeeping
// labels and `status.loadBalancer`. Each write happens only when it changes something, and each
// carries the resourceVersion it was computed from, so a concurrent edit makes it fail with a
// conflict (and the sync retry re-reads) instead of silently overwriting someone's change.
import type { KubeClient } from '../../kube/rest.js';
import { Resources } from '../../kube/resources.js';
import { isConflict, isNotFound } from '../../kube/errors.js';

/** Our finalizer, the same string as the official CCM so the two can hand a cluster over. */
export const FINALIZER = 'service.k8s.alibaba/resources';
/** The upstream service controller's finalizer; a Service carrying it also gets cleaned up by us. */
export const UPSTREAM_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
export const LABEL_HASH = 'service.beta.kubernetes.io/hash';
export const LABEL_LB_ID = 'service.k8s.alibaba/loadbalancer-id';

export interface IngressEntry {
  ip?: string;
  hostname?: string;
}

export interface ServiceObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec?: {
    type?: string;
    ports?: Array<{
      name?: string;
      protocol?: string;
      port: number;
      nodePort?: number;
      targetPort?: number | string;
    }>;
    externalTrafficPolicy?: string;
    loadBalancerClass?: string;
  };
  status?: { loadBalancer?: { ingress?: IngressEntry[] } };
}

/** `[{hostname}]` when the hostname annotation is set, else `[{ip: address}]` (docs/design/service.md § "Status and finalizer"). */
export function desiredIngress(address: string | undefined, hostname: string | undefined): IngressEntry[] {
  if (hostname) return [{ hostname }];
  return address ? [{ ip: address }] : [];
}

export function sameIngress(
  a: readonly IngressEntry[] | undefined,
  b: readonly IngressEntry[] | undefined,
): boolean {
  const norm = (l: readonly IngressEntry[] | undefined) =>
    (l ?? [])
      .map((e) => `${e.ip ?? ''}|${e.hostname ?? ''}`)
      .sort()
      .join(',');
  return norm(a) === norm(b);
}

export function hasFinalizer(svc: ServiceObject, name = FINALIZER): boolean {
  return (svc.metadata?.finalizers ?? []).includes(name);
}

/** True when cleanup must run before the Service may go: ours or the upstream finalizer is on it. */
export function needsCleanupFinalizer(svc: ServiceObject): boolean {
  return hasFinalizer(svc, FINALIZER) || hasFinalizer(svc, UPSTREAM_FINALIZER);
}

/** One readiness-gate condition on one Pod (model/readiness.ts decides which). */
export interface PodConditionWrite {
  namespace: string;
  name: string;
  /** Sent as a precondition: a Pod recreated under the same name is not written. */
  uid?: string;
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/**
 * The Kubernetes writes of the Service controller: on the Service itself, and the readiness-gate
 * condition on its Pods (`pods/status`, nothing else of a Pod). Each returns the
 * object as written (the input when nothing needed writing), so the next write carries its
 * resourceVersion.
 */
export interface ServiceKubePort {
  addFinalizer(svc: ServiceObject): Promise<ServiceObject>;
  /** `undefined` when the Service is already gone. */
  removeFinalizers(svc: ServiceObject): Promise<ServiceObject | undefined>;
  setLabels(
    svc: ServiceObject,
    labels: Record<string, string | undefined>,
    annotations?: Record<string, string | undefined>,
  ): Promise<ServiceObject>;
  setIngress(svc: ServiceObject, ingress: IngressEntry[]): Promise<ServiceObject>;
  /** `false` when the Pod is gone or is another Pod now (uid): nothing to mark. */
  setPodCondition(w: PodConditionWrite): Promise<boolean>;
}

/** The port's adapter onto the REST client; in dry-run every method is a no-op that returns the input. */
export class ServiceWriter implements ServiceKubePort {
  constructor(
    private readonly client: KubeClient,
    private readonly dryRun = false,
  ) {}

  async addFinalizer(svc: ServiceObject): Promise<ServiceObject> {
    if (hasFinalizer(svc) || this.dryRun) return svc;
    const finalizers = [...(svc.metadata?.finalizers ?? []), FINALIZER];
    return this.patch(svc, { metadata: { finalizers, resourceVersion: svc.metadata?.resourceVersion } });
  }

  /** Removes ours and the upstream cleanup finalizer (its cleanup is what we just did). */
  async removeFinalizers(svc: ServiceObject): Promise<ServiceObject | undefined> {
    if (!needsCleanupFinalizer(svc) || this.dryRun) return svc;
    const finalizers = (svc.metadata?.finalizers ?? []).filter(
      (f) => f !== FINALIZER && f !== UPSTREAM_FINALIZER,
    );
    try {
      return await this.patch(svc, {
        metadata: { finalizers, resourceVersion: svc.metadata?.resourceVersion },
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Sets (or with `undefined`, removes) our labels, and optionally our annotations, when they differ: one patch. */
  async setLabels(
    svc: ServiceObject,
    labels: Record<string, string | undefined>,
    annotations: Record<string, string | undefined> = {},
  ): Promise<ServiceObject> {
    const labelPatch = changes(svc.metadata?.labels ?? {}, labels);
    const annotationPatch = changes(svc.metadata?.annotations ?? {}, annotations);
    if ((labelPatch === undefined && annotationPatch === undefined) || this.dryRun) return svc;
    try {
      return await this.patch(svc, {
        metadata: {
          ...(labelPatch ? { labels: labelPatch } : {}),
          ...(annotationPatch ? { annotations: annotationPatch } : {}),
        },
      });
    } catch (err) {
      if (isNotFound(err)) return svc;
      throw err;
    }
  }

  /** Patches `status.loadBalancer` only when it differs; NotFound counts as done. */
  async setIngress(svc: ServiceObject, ingress: IngressEntry[]): Promise<ServiceObject> {
    if (sameIngress(svc.status?.loadBalancer?.ingress, ingress) || this.dryRun) return svc;
    try {
      const ns = svc.metadata?.namespace;
      const name = svc.metadata?.name ?? '';
      return await this.client.patch<ServiceObject & { metadata?: { name?: string } }>(
        Resources.services,
        ns,
        name,
        { status: { loadBalancer: { ingress: ingress.length > 0 ? ingress : null } } },
        'application/merge-patch+json',
        'status',
      );
    } catch (err) {
      if (isNotFound(err)) return svc;
      throw err;
    }
  }

  /**
   * A strategic-merge patch of `pods/status`: conditions merge by type, so only ours changes and
   * the kubelet's stay. The uid in the body is a precondition (the apiserver answers 409 for
   * another Pod), as in the official CCM's patch.
   */
  async setPodCondition(w: PodConditionWrite): Promise<boolean> {
    if (this.dryRun) return true;
    const { namespace, name, uid, ...condition } = w;
    try {
      await this.client.patch(
        Resources.pods,
        namespace,
        name,
        { metadata: uid ? { uid } : {}, status: { conditions: [condition] } },
        'application/strategic-merge-patch+json',
        'status',
      );
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }

  private patch(svc: ServiceObject, body: unknown): Promise<ServiceObject> {
    return this.client.patch<ServiceObject & { metadata?: { name?: string } }>(
      Resources.services,
      svc.metadata?.namespace,
      svc.metadata?.name ?? '',
      body,
      'application/merge-patch+json',
    );
  }
}

/** The merge-patch that turns `current` into `wanted` for the keys named (null deletes); undefined when nothing differs. */
function changes(
  current: Record<string, string>,
  wanted: Record<string, string | undefined>,
): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (v === undefined && k in current) patch[k] = null;
    else if (v !== undefined && current[k] !== v) patch[k] = v;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
