// Reads the Pods the readiness-gate step needs (docs/service-load-balancers.md § "Readiness gates")
// without an informer over all Pods (at 15k nodes that cache alone would dwarf the controller):
// only Pods behind not-ready endpoints of an SLB Service are read, one GET each. A Pod's
// readiness gates are immutable, so what they are is remembered by Pod uid: a Pod that does not
// declare this Service's gate (a crash-looping Pod, say) is read once, not on every sync. A Pod
// that does is read each time, since its containers' readiness is what decides.
import { gateState, podKey, type PodRef } from '../model/readiness.js';
import type { PodLike } from './objects.js';

export interface PodReadResult {
  /** The Pods read, by `namespace/name`. */
  pods: Map<string, PodLike>;
  /** Pods that are backends although not ready (gate declared, containers ready). */
  admitted: Set<string>;
  /** Pods that may turn into backends soon: the Service is looked at again after a delay. */
  waiting: Set<string>;
  reads: number;
}

export interface PodReaderOptions {
  /** GET one Pod; `undefined` when it does not exist. */
  get(namespace: string, name: string): Promise<PodLike | undefined>;
  capacity?: number;
  concurrency?: number;
}

export class PodReader {
  /** Pod uid → its readiness gate condition types (LRU by Map order). */
  private readonly gates = new Map<string, string[]>();

  constructor(private readonly opts: PodReaderOptions) {}

  async read(refs: readonly PodRef[], gateType: string): Promise<PodReadResult> {
    const out: PodReadResult = { pods: new Map(), admitted: new Set(), waiting: new Set(), reads: 0 };
    const todo = refs.filter((r) => {
      const known = r.uid ? this.gates.get(r.uid) : undefined;
      return known === undefined || known.includes(gateType);
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const ref = todo[next++]!;
        out.reads++;
        const pod = await this.opts.get(ref.namespace, ref.name);
        const uid = pod?.metadata?.uid;
        if (pod && uid)
          this.remember(
            uid,
            (pod.spec?.readinessGates ?? []).map((g) => g.conditionType),
          );
        if (pod) out.pods.set(podKey(ref), pod);
        const state = gateState(pod, ref, gateType);
        if (state === 'admit') out.admitted.add(podKey(ref));
        else if (state === 'wait') out.waiting.add(podKey(ref));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, todo.length) }, worker));
    return out;
  }

  private remember(uid: string, gates: string[]): void {
    this.gates.delete(uid);
    this.gates.set(uid, gates);
    while (this.gates.size > (this.opts.capacity ?? 65_536))
      this.gates.delete(this.gates.keys().next().value!);
  }
}
