// The disk controller loop: two work queues (claims by `ns/name`, volumes by name) fed by the
// shared PVC, PV and StorageClass informers. Workers start only after every cache synced — a
// PV reconciler that saw an empty claim cache would think every claim was deleted.
import type { Informer } from '../../kube/informer.js';
import { keyOf, splitKey } from '../../kube/types.js';
import { runWorkers } from '../../kube/worker.js';
import { WorkQueue } from '../../kube/workqueue.js';
import type { Registry } from 'prom-client';
import { Annotations, PROVISIONERS, PV_FINALIZER } from './types.js';
import { Reasons } from './events.js';
import { classNameOf, nextClaimStep, provisionerFor } from './plan.js';
import { expand } from './apply/expand.js';
import { bind, cleanup, getVolume, isOurVolume, provision, type ProvisionDeps } from './apply/provision.js';
import { reclaim, type ReclaimDeps } from './apply/reclaim.js';
import type { Claim, StorageClass, Volume } from './types.js';

/** Volume index: PVs by the `namespace/name` of the claim they reference. */
const BY_CLAIM = 'disk-by-claim';

/** What provisioning needs, plus the caches it is served from (cachedVolume is built from them). */
export interface DiskControllerDeps extends Omit<ProvisionDeps, 'cachedVolume'> {
  claims: Informer<Claim>;
  volumes: Informer<Volume>;
  classes: Informer<StorageClass>;
  workers?: number;
  registry?: Registry;
  inUseRetryMs?: number;
}

export class DiskController {
  readonly claimQueue: WorkQueue;
  readonly volumeQueue: WorkQueue;
  private readonly provisionDeps: ProvisionDeps;
  private readonly reclaimDeps: ReclaimDeps;
  /** Claims already told they wait for a consumer, so resyncs do not repeat the Event. */
  private readonly waitingNoted = new Set<string>();

  constructor(private readonly d: DiskControllerDeps) {
    this.claimQueue = new WorkQueue({ name: 'disk-claims', ...(d.registry ? { registry: d.registry } : {}) });
    this.volumeQueue = new WorkQueue({
      name: 'disk-volumes',
      ...(d.registry ? { registry: d.registry } : {}),
    });
    this.provisionDeps = {
      client: d.client,
      port: d.port,
      recorder: d.recorder,
      logger: d.logger,
      zones: d.zones,
      clusterId: d.clusterId,
      regionId: d.regionId,
      cachedVolume: (name) => d.volumes.getByName(undefined, name),
    };
    this.reclaimDeps = {
      client: d.client,
      port: d.port,
      recorder: d.recorder,
      logger: d.logger,
      clusterId: d.clusterId,
      cachedClaim: (ns, name) => d.claims.getByName(ns, name),
      ...(d.inUseRetryMs !== undefined ? { inUseRetryMs: d.inUseRetryMs } : {}),
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.subscribe();
    try {
      const synced = await Promise.all(
        [this.d.claims, this.d.volumes, this.d.classes].map((i) => i.waitForSync(signal)),
      );
      if (!synced.every(Boolean)) return;
      this.d.logger.info(
        { provisioners: PROVISIONERS, clusterId: this.d.clusterId },
        'disk controller started',
      );
      const common = {
        signal,
        logger: this.d.logger,
        ...(this.d.registry ? { registry: this.d.registry } : {}),
      };
      await Promise.all([
        runWorkers(this.claimQueue, (key) => this.syncClaim(key), {
          ...common,
          controller: 'disk-claims',
          workers: this.d.workers ?? 4,
        }),
        runWorkers(this.volumeQueue, (key) => this.syncVolume(key), {
          ...common,
          controller: 'disk-volumes',
          workers: this.d.workers ?? 4,
        }),
      ]);
    } finally {
      unsubscribe();
    }
  }

  private subscribe(): () => void {
    this.d.volumes.addIndexer(BY_CLAIM, (pv) => {
      const ref = pv.spec?.claimRef;
      return ref?.name ? [`${ref.namespace ?? ''}/${ref.name}`] : [];
    });
    const claimKey = (c: Claim) => this.claimQueue.add(keyOf(c));
    const offClaims = this.d.claims.addHandlers({
      add: claimKey,
      update: (_o, n) => claimKey(n),
      // A deleted claim releases its PV: the PV's reconcile decides what happens to the disk.
      delete: (c) => {
        if (c.spec?.volumeName) this.volumeQueue.add(c.spec.volumeName);
        // A PV pre-bound by claimRef alone (claim never got volumeName) is released too.
        for (const pv of this.d.volumes.byIndex(BY_CLAIM, keyOf(c))) this.volumeQueue.add(keyOf(pv));
        this.waitingNoted.delete(c.metadata?.uid ?? '');
      },
    });
    const volumeKey = (v: Volume) => {
      if (isOurVolume(v) || v.metadata?.finalizers?.includes(PV_FINALIZER)) this.volumeQueue.add(keyOf(v));
      const ref = v.spec?.claimRef;
      if (ref?.name) this.claimQueue.add(`${ref.namespace}/${ref.name}`);
    };
    const offVolumes = this.d.volumes.addHandlers({ add: volumeKey, update: (_o, n) => volumeKey(n) });
    // A new or edited class may unblock claims that were waiting for it.
    const offClasses = this.d.classes.addHandlers({
      add: () => this.requeueClaims(),
      update: (o, n) => {
        if (o.metadata?.resourceVersion !== n.metadata?.resourceVersion) this.requeueClaims();
      },
    });
    return () => {
      offClaims();
      offVolumes();
      offClasses();
    };
  }

  private requeueClaims(): void {
    for (const c of this.d.claims.list()) if (c.status?.phase !== 'Bound') this.claimQueue.add(keyOf(c));
  }

  async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.d.claims.getByName(namespace, name);
    if (!claim) return;
    const classes = this.d.classes.list();
    const className = classNameOf(claim, classes);
    const cls = className ? this.d.classes.getByName(undefined, className) : undefined;
    const provisioner = provisionerFor(claim, cls);
    const step = nextClaimStep(claim, cls, provisioner !== undefined);
    switch (step.step) {
      case 'ignore':
        return;
      case 'cleanup':
        return cleanup(this.provisionDeps, claim);
      case 'waitForConsumer': {
        const uid = claim.metadata?.uid ?? key;
        if (!this.waitingNoted.has(uid)) {
          this.waitingNoted.add(uid);
          this.d.recorder.event(
            claim,
            'Normal',
            Reasons.waitForFirstConsumer,
            `waiting for first consumer to be created before binding (annotation ${Annotations.selectedNode})`,
          );
        }
        return;
      }
      case 'provision':
        return provision(this.provisionDeps, claim, cls, provisioner!);
      case 'bind':
        return bind(this.provisionDeps, claim);
      case 'bound': {
        const pv = await getVolume(this.provisionDeps, claim.spec?.volumeName ?? '');
        if (!pv || !isOurVolume(pv)) return;
        return expand(this.provisionDeps, claim, pv, cls);
      }
    }
  }

  async syncVolume(name: string): Promise<void> {
    const pv = this.d.volumes.getByName(undefined, name);
    if (!pv) return;
    if (!isOurVolume(pv) && !pv.metadata?.finalizers?.includes(PV_FINALIZER)) return;
    return reclaim(this.reclaimDeps, pv);
  }
}
