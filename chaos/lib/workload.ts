// The storm: LoadBalancer Services created, changed and deleted, PersistentVolumeClaims created and
// deleted, Nodes joining and leaving — written straight into the kube emulator's store (the same
// semantics and watch events as the HTTP API, without a client per operation).
import type { KubeObject } from '../../emulators/kube/index.js';
import type { ChaosCluster, NodeSeat } from './cluster.js';
import { STORAGE_CLASS } from './cluster.js';
import type { Rng } from './rng.js';

export const NS = 'default';
export const ANN = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

export interface ServiceShape {
  ports: Array<{ name: string; port: number; targetPort: number }>;
  annotations: Record<string, string>;
}

export const BASE_SHAPE: ServiceShape = {
  ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  annotations: {},
};
/** The "changed" Service: one more listener and a different scheduler. */
export const CHANGED_SHAPE: ServiceShape = {
  ports: [
    { name: 'http', port: 80, targetPort: 8080 },
    { name: 'https', port: 443, targetPort: 8443 },
  ],
  annotations: { [`${ANN}scheduler`]: 'wrr' },
};

export function serviceObject(name: string, shape: ServiceShape = BASE_SHAPE): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, annotations: { ...shape.annotations } },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: shape.ports.map((p) => ({ protocol: 'TCP', ...p })),
    },
  };
}

export interface OpCounts {
  creates: number;
  changes: number;
  deletes: number;
  pvcCreates: number;
  pvcDeletes: number;
  nodeJoins: number;
  nodeLeaves: number;
}

export function zeroOps(): OpCounts {
  return { creates: 0, changes: 0, deletes: 0, pvcCreates: 0, pvcDeletes: 0, nodeJoins: 0, nodeLeaves: 0 };
}

export function totalOps(o: OpCounts): number {
  return Object.values<number>({ ...o }).reduce((a, b) => a + b, 0);
}

export class Workload {
  readonly ops = zeroOps();
  /** Services this storm created and has not deleted. */
  readonly live = new Set<string>();
  readonly pvcs = new Set<string>();
  private seq = 0;

  constructor(
    private readonly c: ChaosCluster,
    private readonly rng: Rng,
    private readonly prefix = 'svc',
  ) {}

  createService(shape: ServiceShape = BASE_SHAPE): string {
    const name = `${this.prefix}-${this.seq++}`;
    this.c.kube.store.create('services', serviceObject(name, shape));
    this.live.add(name);
    this.ops.creates++;
    return name;
  }

  changeService(name: string, shape: ServiceShape = CHANGED_SHAPE): void {
    // Read-modify-write can lose to the controller's own status/finalizer writes; bounded retries.
    for (let i = 0; i < 10; i++) {
      const cur = this.c.kube.store.get('services', name, NS);
      if (!cur) return;
      const spec = (cur as { spec: Record<string, unknown> }).spec;
      try {
        this.c.kube.store.update('services', {
          ...cur,
          metadata: {
            ...cur.metadata,
            annotations: { ...(cur.metadata.annotations ?? {}), ...shape.annotations },
          },
          spec: { ...spec, ports: shape.ports.map((p) => ({ protocol: 'TCP', ...p })) },
        });
        this.ops.changes++;
        return;
      } catch {
        // conflict: re-read
      }
    }
    throw new Error(`could not change service ${name}`);
  }

  deleteService(name: string): void {
    this.c.kube.store.delete('services', name, NS);
    this.live.delete(name);
    this.ops.deletes++;
  }

  createPvc(): string {
    const name = `${this.prefix}-pvc-${this.seq++}`;
    this.c.kube.store.create('persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: NS },
      spec: {
        storageClassName: STORAGE_CLASS,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '20Gi' } },
      },
    });
    this.pvcs.add(name);
    this.ops.pvcCreates++;
    return name;
  }

  deletePvc(name: string): void {
    this.c.kube.store.delete('persistentvolumeclaims', name, NS);
    this.pvcs.delete(name);
    this.ops.pvcDeletes++;
  }

  joinNode(seat: NodeSeat): void {
    this.c.addNode(seat);
    this.ops.nodeJoins++;
  }

  leaveNode(name: string): void {
    this.c.deleteNode(name);
    this.ops.nodeLeaves++;
  }

  pick<T>(from: Iterable<T>): T | undefined {
    const all = [...from];
    return all.length ? all[Math.floor(this.rng() * all.length)] : undefined;
  }

  /**
   * A mixed storm: `services` creates; about a third of them changed and a third deleted while the
   * rest are still being created; `pvcs` claims (half deleted again); `nodeChurn` spare nodes join
   * and as many original nodes leave. `pace` is awaited between operations (kill points, faults).
   */
  async storm(
    o: { services: number; pvcs: number; nodeChurn: number; spareSeats: NodeSeat[]; leavers: string[] },
    pace: (i: number) => Promise<void>,
  ): Promise<void> {
    const plan: Array<() => void> = [];
    for (let i = 0; i < o.services; i++) plan.push(() => void this.createService());
    for (let i = 0; i < Math.floor(o.services / 3); i++) {
      plan.push(() => {
        const n = this.pick(this.live);
        if (n) this.changeService(n);
      });
      plan.push(() => {
        const n = this.pick(this.live);
        if (n) this.deleteService(n);
      });
    }
    for (let i = 0; i < o.pvcs; i++) plan.push(() => void this.createPvc());
    for (let i = 0; i < Math.floor(o.pvcs / 2); i++)
      plan.push(() => {
        const n = this.pick(this.pvcs);
        if (n) this.deletePvc(n);
      });
    for (let i = 0; i < o.nodeChurn; i++) {
      const seat = o.spareSeats[i];
      const leaver = o.leavers[i];
      if (seat) plan.push(() => this.joinNode(seat));
      if (leaver) plan.push(() => this.leaveNode(leaver));
    }
    // Creates first in order so changes/deletes find something; the rest shuffled among them.
    const creates = plan.slice(0, o.services);
    const rest = plan.slice(o.services);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    const ordered: Array<() => void> = [];
    const every = Math.max(1, Math.floor(creates.length / Math.max(1, rest.length)));
    for (let i = 0; i < creates.length || rest.length; i++) {
      if (i < creates.length) ordered.push(creates[i]!);
      if ((i % every === every - 1 || i >= creates.length) && rest.length) ordered.push(rest.shift()!);
    }
    for (let i = 0; i < ordered.length; i++) {
      ordered[i]!();
      await pace(i);
    }
  }

  /** Delete every Service and claim this storm still has. */
  deleteAll(): void {
    for (const n of [...this.live]) this.deleteService(n);
    for (const n of [...this.pvcs]) this.deletePvc(n);
  }
}
