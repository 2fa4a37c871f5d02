// Lease storage for leader election, behind a small interface so the election logic can be
// tested with a fake clock and an in-memory lease, and run for real against coordination.k8s.io/v1.
import { isNotFound } from './errors.js';
import { Resources } from './resources.js';
import type { KubeClient } from './rest.js';
import type { KubeObject } from './types.js';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaseStore {
  readonly description: string;
  get(signal?: AbortSignal): Promise<Lease | undefined>;
  /** Fails (409 AlreadyExists) if someone created it first. */
  create(lease: Lease, signal?: AbortSignal): Promise<Lease>;
  /** Optimistic: fails (409 Conflict) unless `lease.metadata.resourceVersion` is current. */
  update(lease: Lease, signal?: AbortSignal): Promise<Lease>;
}

export class KubeLeaseStore implements LeaseStore {
  readonly description: string;
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.description = `lease ${namespace}/${name}`;
  }

  async get(signal?: AbortSignal): Promise<Lease | undefined> {
    try {
      return await this.client.get<Lease>(Resources.leases, this.namespace, this.name, signal);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  create(lease: Lease, signal?: AbortSignal): Promise<Lease> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...lease,
      metadata: { ...lease.metadata, name: this.name, namespace: this.namespace },
    };
    return this.client.create(Resources.leases, this.namespace, body, signal);
  }

  update(lease: Lease, signal?: AbortSignal): Promise<Lease> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...lease,
      metadata: { ...lease.metadata, name: this.name, namespace: this.namespace },
    };
    return this.client.update(Resources.leases, body, undefined, signal);
  }
}

/** Lease times are MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
