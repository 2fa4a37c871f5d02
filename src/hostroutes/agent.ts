// Composition of one hostroutes agent: node source → sync loop → reconciler → ip, plus the status
// server. main.ts adds flags and signals; tests and the bench build agents through this too.
import type { Logger } from '../util/log.js';
import { startStatusServer, type StatusServer } from './http.js';
import { createIpRouteTable, type RouteTable } from './ip.js';
import { resolveEndpoint } from './kube-endpoint.js';
import { SyncLoop } from './loop.js';
import { createMetrics, type HostroutesMetrics } from './metrics.js';
import { NodeSource } from './node-source.js';
import type { HostroutesOptions } from './options.js';
import { Reconciler } from './reconciler.js';

export interface AgentDeps {
  readonly log: Logger;
  /** Defaults to the real `ip` binary acting on the current network namespace. */
  readonly kernel?: RouteTable;
  readonly metrics?: HostroutesMetrics;
}

export interface Agent {
  readonly loop: SyncLoop;
  readonly metrics: HostroutesMetrics;
  readonly status: StatusServer;
  /** Stops watching and serving; routes are deliberately left in place. */
  stop(): Promise<void>;
}

export async function startAgent(options: HostroutesOptions, deps: AgentDeps): Promise<Agent> {
  const { log } = deps;
  const metrics = deps.metrics ?? createMetrics({ defaultMetrics: true });
  const kernel = deps.kernel ?? createIpRouteTable({ binary: options.ipBinary });
  const endpoint = await resolveEndpoint({
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.master ? { master: options.master } : {}),
  });

  const reconciler = new Reconciler(
    {
      nodeName: options.nodeName,
      protocol: options.protocol,
      table: options.table,
      clusterCIDRs: options.clusterCIDRs,
    },
    kernel,
    metrics,
    log,
  );
  // The source is built before the loop it notifies; events before wiring only fill the cache.
  const notify = { current: (): void => undefined };
  const source = new NodeSource({
    endpoint,
    log,
    onChange: () => notify.current(),
    onError: () => metrics.syncErrors.inc({ kind: 'watch' }),
  });
  const loop = new SyncLoop(
    reconciler,
    () => source.list(),
    { debounceMs: options.debounceMs, resyncMs: options.resyncMs },
    log,
    () => source.takeChanges(),
  );

  const abort = new AbortController();
  const running = source.run(abort.signal);
  notify.current = () => loop.trigger();
  const activeLoop = loop;
  void source.waitForSync(abort.signal).then((ok) => {
    if (!ok) return;
    log.info({ event: 'nodes-synced', nodes: source.list().length }, 'node cache synced');
    activeLoop.markSynced();
  });

  const status = await startStatusServer(options.bindAddress, options.port, activeLoop, metrics.registry);
  return {
    loop: activeLoop,
    metrics,
    status,
    async stop() {
      abort.abort();
      await activeLoop.stop();
      await running;
      await status.close();
      endpoint.close();
      if (!deps.kernel) kernel.close?.();
    },
  };
}
