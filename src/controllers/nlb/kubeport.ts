// Writes the NLB controller makes on the Service: its finalizer, the bookkeeping labels and
// `status.loadBalancer`. Each write happens only when it changes something and carries the
// resourceVersion it was computed from (a concurrent edit fails with a conflict and the retry
// re-reads). In dry-run every write is a no-op.
import { isNotFound } from '../../kube/errors.js';
import { Resources } from '../../kube/resources.js';
import type { KubeClient } from '../../kube/rest.js';
import {
  LABEL_HASH,
  LABEL_LB_ID,
  ServiceWriter,
  type IngressEntry,
  type PodConditionWrite,
  type ServiceObject,
} from '../service/kubeport.js';

export { LABEL_HASH, LABEL_LB_ID, type IngressEntry, type ServiceObject };

/**
 * The official CCM's NLB finalizer. It differs from the CLB one on purpose: each controller
 * removes only its own, so a Service switched from CLB to NLB keeps both until both cleaned up.
 */
export const NLB_FINALIZER = 'service.k8s.alibaba/nlb';

export function hasNlbFinalizer(svc: ServiceObject): boolean {
  return (svc.metadata?.finalizers ?? []).includes(NLB_FINALIZER);
}

/** An NLB has no fixed address: the CCM publishes its DNS name (or the `hostname` annotation). */
export function nlbIngress(dnsName: string | undefined, hostname: string | undefined): IngressEntry[] {
  const h = hostname ?? dnsName;
  return h ? [{ hostname: h }] : [];
}

export interface NlbKubePort {
  addFinalizer(svc: ServiceObject): Promise<ServiceObject>;
  /** `undefined` when the Service is already gone. */
  removeFinalizer(svc: ServiceObject): Promise<ServiceObject | undefined>;
  setLabels(svc: ServiceObject, labels: Record<string, string | undefined>): Promise<ServiceObject>;
  setIngress(svc: ServiceObject, ingress: IngressEntry[]): Promise<ServiceObject>;
  setPodCondition(w: PodConditionWrite): Promise<boolean>;
}

export class NlbWriter implements NlbKubePort {
  private readonly service: ServiceWriter;

  constructor(
    private readonly client: KubeClient,
    private readonly dryRun = false,
  ) {
    this.service = new ServiceWriter(client, dryRun);
  }

  async addFinalizer(svc: ServiceObject): Promise<ServiceObject> {
    if (hasNlbFinalizer(svc) || this.dryRun) return svc;
    const finalizers = [...(svc.metadata?.finalizers ?? []), NLB_FINALIZER];
    return this.patch(svc, { metadata: { finalizers, resourceVersion: svc.metadata?.resourceVersion } });
  }

  async removeFinalizer(svc: ServiceObject): Promise<ServiceObject | undefined> {
    if (!hasNlbFinalizer(svc) || this.dryRun) return svc;
    const finalizers = (svc.metadata?.finalizers ?? []).filter((f) => f !== NLB_FINALIZER);
    try {
      return await this.patch(svc, {
        metadata: { finalizers, resourceVersion: svc.metadata?.resourceVersion },
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  // Labels and status are written exactly as the CLB controller writes them; only the finalizer
  // is the NLB controller's own.
  setLabels(svc: ServiceObject, labels: Record<string, string | undefined>): Promise<ServiceObject> {
    return this.service.setLabels(svc, labels);
  }

  setIngress(svc: ServiceObject, ingress: IngressEntry[]): Promise<ServiceObject> {
    return this.service.setIngress(svc, ingress);
  }

  /** The readiness-gate condition, as the CLB controller writes it (same type prefix, same rules). */
  setPodCondition(w: PodConditionWrite): Promise<boolean> {
    return this.service.setPodCondition(w);
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
