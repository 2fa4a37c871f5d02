// Node facts kept current by the shared list/watch informer (which re-lists after 410 and backs
// off after errors). Only changes that alter a Node's facts reach the loop, so the status
// heartbeats every kubelet sends do not cause any `ip` invocation.
import type { Logger } from '../util/log.js';
import { Informer } from '../kube/informer.js';
import { Resources } from '../kube/resources.js';
import type { KubeClient } from '../kube/rest.js';
import { factsKey, nodeFacts, type NodeFacts, type NodeObject } from './node-facts.js';

export interface NodeSourceOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  /** Called after a relevant change; the loop debounces. */
  readonly onChange: () => void;
  /** Informer resync; harmless here (unchanged facts are dropped) but keeps parity with kube tooling. */
  readonly resyncMs?: number;
}

export class NodeSource {
  private readonly facts = new Map<string, { facts: NodeFacts; key: string }>();
  private readonly informer: Informer<NodeObject>;

  constructor(private readonly options: NodeSourceOptions) {
    this.informer = new Informer<NodeObject>({
      client: options.client,
      resource: Resources.nodes,
      logger: options.log,
      ...(options.resyncMs ? { resyncMs: options.resyncMs } : {}),
    });
    this.informer.addHandlers({
      add: (n) => this.upsert(n),
      update: (_old, n) => this.upsert(n),
      delete: (n) => this.remove(n),
    });
  }

  list(): NodeFacts[] {
    return [...this.facts.values()].map((e) => e.facts);
  }

  /** Runs until the signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return this.informer.run(signal);
  }

  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.informer.waitForSync(signal);
  }

  private upsert(node: NodeObject): void {
    const facts = nodeFacts(node);
    if (!facts) return;
    const key = factsKey(facts);
    if (this.facts.get(facts.name)?.key === key) return;
    this.facts.set(facts.name, { facts, key });
    this.options.onChange();
  }

  private remove(node: NodeObject): void {
    const name = node.metadata?.name;
    if (name && this.facts.delete(name)) this.options.onChange();
  }
}
