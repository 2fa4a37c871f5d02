// In-process API of the Kubernetes API emulator, for tests, benches and main.ts.
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { createFacade, type KubeStore } from './facade.js';
import { newFaultState, type FaultControls } from './faults.js';
import { createKubeServer } from './http/server.js';
import { WatchHub } from './http/watch.js';
import { renderKubeconfig } from './kubeconfig.js';
import { loadState, persistOnChange } from './persistence.js';
import { Registry } from './registry.js';
import { ReviewAuthority } from './reviews.js';
import { seedCluster } from './seed.js';
import { ObjectStore } from './store.js';
import type { AuditRecord } from './audit.js';

export type { KubeStore, StoreListOptions, StorePatchOptions } from './facade.js';
export type { KubeObject, ObjectMeta, JsonValue, JsonObject } from './types.js';
export type { FaultControls } from './faults.js';
export { ApiError } from './errors.js';
export { RESOURCES, type ResourceDef } from './resources.js';
export type { AuditRecord } from './audit.js';
export type { EmulatedUser, ReviewAuthority } from './reviews.js';

export interface KubeEmulatorOptions {
  port?: number;
  host?: string;
  stateFile?: string;
  /** How many changes watches can resume across (older resourceVersions get 410). Default 10000. */
  watchCacheSize?: number;
  /** kube-apiserver's --service-node-port-range. Default 30000-32767. */
  nodePortRange?: { min: number; max: number };
  /** BOOKMARK interval for watches that allow them. Default 10s. */
  bookmarkIntervalMs?: number;
  /** Request audit hook (RBAC terms), e.g. to compare a ClusterRole with what a component did. */
  onRequest?: (record: AuditRecord) => void;
}

export interface KubeEmulator {
  url: string;
  close(): Promise<void>;
  /** YAML text. */
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  faults: FaultControls;
  store: KubeStore;
  /** Number of currently open watch streams. */
  openWatches(): number;
  /** Bearer tokens TokenReview accepts; SubjectAccessReview answers from the stored RBAC objects. */
  auth: Pick<ReviewAuthority, 'addToken' | 'addServiceAccountToken' | 'removeToken'>;
}

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const store = new ObjectStore(opts.watchCacheSize ?? 10000);
  const registry = new Registry(store, opts.nodePortRange);
  const loaded = opts.stateFile ? loadState(store, opts.stateFile) : false;
  if (!loaded) seedCluster(registry);
  const persist = opts.stateFile ? persistOnChange(store, opts.stateFile) : undefined;
  persist?.flush();

  const faults = newFaultState();
  const hub = new WatchHub();
  const reviews = new ReviewAuthority(registry);
  const controls: FaultControls = {
    dropWatches: () => hub.dropAll(),
    forceGoneOnNextWatch: () => {
      faults.goneNextWatch = true;
    },
    setLatencyMs: (ms) => {
      faults.latencyMs = Math.max(0, ms);
    },
    failNextRequests: (n, status) => {
      faults.failNext = { remaining: n, status };
    },
  };
  const server = createKubeServer({
    registry,
    hub,
    faults,
    controls,
    reviews,
    watchOptions: {
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 10_000,
      maxBufferedBytes: 64 * 1024 * 1024,
    },
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    kubeconfig: () => renderKubeconfig(url),
    writeKubeconfig: (path) => writeFile(path, renderKubeconfig(url), { mode: 0o600 }),
    faults: controls,
    store: createFacade(registry),
    openWatches: () => hub.count,
    auth: reviews,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        hub.dropAll();
        persist?.flush();
        persist?.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
