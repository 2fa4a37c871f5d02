// One informer per (resource, namespace, selectors) for the whole process, so four controllers
// watching Nodes cost one list/watch, not four.
import type { Logger } from '../util/log.js';
import type { Clock } from '../util/clock.js';
import { Informer } from './informer.js';
import type { ResourceRef } from './resources.js';
import type { KubeClient } from './rest.js';
import type { KubeObject } from './types.js';

export interface InformerFilter {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerFactoryOptions {
  resyncMs?: number;
  clock?: Clock;
  logger?: Logger;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class InformerFactory {
  private informers = new Map<string, Informer<KubeObject>>();
  private runs: Promise<void>[] = [];
  private signal: AbortSignal | undefined;

  constructor(
    readonly client: KubeClient,
    private readonly opts: InformerFactoryOptions = {},
  ) {}

  /** The shared informer; created on first use and started at once if the factory already runs. */
  informer<T extends KubeObject>(resource: ResourceRef, filter: InformerFilter = {}): Informer<T> {
    const id = [
      resource.group,
      resource.version,
      resource.resource,
      filter.namespace ?? '',
      filter.labelSelector ?? '',
      filter.fieldSelector ?? '',
    ].join('|');
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer<KubeObject>({ client: this.client, resource, ...filter, ...this.opts });
      this.informers.set(id, inf);
      if (this.signal) this.launch(inf, this.signal);
    }
    return inf as unknown as Informer<T>;
  }

  start(signal: AbortSignal): void {
    if (this.signal) return;
    this.signal = signal;
    for (const inf of this.informers.values()) this.launch(inf, signal);
  }

  hasSynced(): boolean {
    for (const inf of this.informers.values()) if (!inf.hasSynced()) return false;
    return true;
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves when every started informer has stopped (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.runs);
  }

  private launch(inf: Informer<KubeObject>, signal: AbortSignal): void {
    this.runs.push(inf.run(signal).catch(() => undefined));
  }
}
