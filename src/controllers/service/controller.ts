// The Service controller loop: a work queue keyed by `namespace/name`, fed by Service, Node and
// EndpointSlice events; each key is reconciled against the informer caches:
//
//   cleanup path (deleted, or no longer an SLB Service, and our finalizer is on it):
//       find → planDeletion → apply → drop labels/status → remove finalizer (only after success)
//   sync path:
//       annotations → desired model (pure) → hash; an unchanged hash ends the sync with ZERO
//       cloud calls. Otherwise: finalizer first, observe, plan, apply, labels, status.
//
// The hash covers the whole desired model (attributes, listeners, every backend), so Node and
// EndpointSlice churn that changes no backend costs nothing. It is kept in memory and in the
// `service.beta.kubernetes.io/hash` label, so a restarted controller also makes no call for a
// Service whose label matches (hand-made drift is the periodic drift check's job, not startup's).
import { errorText } from '../../util/errors.js';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { EventRecorder, EventType } from '../../kube/events.js';
import type { InformerFactory } from '../../kube/factory.js';
import type { Informer } from '../../kube/informer.js';
import { ValidationError } from '../../kube/outcome.js';
import { Resources } from '../../kube/resources.js';
import type { KubeClient } from '../../kube/rest.js';
import { keyOf, splitKey, type KubeObject } from '../../kube/types.js';
import { runWorkers } from '../../kube/worker.js';
import { WorkQueue } from '../../kube/workqueue.js';
import type { Logger } from '../../util/log.js';
import { redactSecrets } from '../../util/secrets.js';
import {
  cleanupOwnership,
  managedTagKeys,
  notOurService,
  parseServiceAnnotations,
} from './annotations/index.js';
import { applyPlan, describeAction, type ApplyResult } from './apply.js';
import { ServiceDriftCheck, type DriftPassReport } from './drift-pass.js';
import { PodBackends } from './pod-backends.js';
import type { ServiceCloudPort } from './cloudport.js';
import { ownershipOf, planChanges, planDeletion } from './diff/index.js';
import { ServiceEvents } from './events.js';
import {
  withLookups,
  type BackendLookups,
  observe,
  type ClusterConfig,
  type EndpointSliceLike,
  type NodeLike,
  type Observed,
  type ReusedLoadBalancerInfo,
} from './inputs/index.js';
import {
  ANNOTATION_MANAGED_TAGS,
  buildDesiredModel,
  defaultLoadBalancerName,
  desiredHash,
  formatManagedTagKeys,
} from './model/index.js';
import { isEmptyPlan, type Plan } from './plan.js';
import {
  desiredIngress,
  LABEL_HASH,
  LABEL_LB_ID,
  needsCleanupFinalizer,
  ServiceWriter,
  type ServiceKubePort,
  type ServiceObject,
} from './kubeport.js';
import { isValidationErrors, type AnnotationError, type DesiredLoadBalancer } from './types.js';

export interface ServiceControllerDeps {
  client: KubeClient;
  informers: InformerFactory;
  cloud: ServiceCloudPort;
  recorder: EventRecorder;
  config: ClusterConfig;
  logger: Logger;
  /** `--concurrent-service-syncs` (default 3). */
  workers?: number;
  /** `--max-concurrent-actions`: cloud calls in flight per Service sync (default 10). */
  maxConcurrentActions?: number;
  /** `--dry-run`: the cloud client logs writes instead of sending; no Kubernetes writes either. */
  dryRun?: boolean;
  /** `--lb-drift-check-period` in ms (default 10 min; 0 disables). */
  driftCheckPeriodMs?: number;
  /** Mixed into the hash: bump to force one full sync of every Service after an upgrade. */
  hashSalt?: string;
  queue?: WorkQueue;
  /** Where the workers' reconcile outcome counter goes (the manager's /metrics). */
  registry?: Registry;
  /** How soon a Service with gated Pods whose containers are not ready yet is looked at again (ms, default 5 s). */
  gateRecheckMs?: number;
}

export type { DriftPassReport } from './drift-pass.js';

export interface SyncReport {
  key: string;
  path: 'skip' | 'sync' | 'cleanup' | 'ignored' | 'invalid';
  plan?: Plan;
  apply?: ApplyResult;
}

type ServiceInformer = Informer<ServiceObject & KubeObject>;
type NodeObject = NodeLike & KubeObject;
type SliceObject = EndpointSliceLike & KubeObject;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const BY_SERVICE = 'byService';

export class ServiceController {
  readonly queue: WorkQueue;
  private readonly services: ServiceInformer;
  private readonly nodes: Informer<NodeObject>;
  private readonly slices: Informer<SliceObject>;
  private readonly writer: ServiceKubePort;
  /** Hash of the last model applied successfully, per key. */
  private readonly applied = new Map<string, string>();
  /** Keys whose next sync must re-read the cloud even when the hash is unchanged (drift check). */
  private readonly force = new Set<string>();
  /** Additional-tag keys we set, per key: the only tags we may ever remove. */
  private readonly managedTags = new Map<string, string[]>();
  /** What the last read of a reused SLB said, for the reuse checks of the pure model. */
  private readonly reused = new Map<string, ReusedLoadBalancerInfo>();
  /** One ClientToken per SLB we are creating, kept across retries (dropped once deleted). */
  private readonly tokens = new Map<string, string>();
  /** Last validation message per key, so a standing mistake is reported once, not every resync. */
  private readonly reportedInvalid = new Map<string, string>();
  private readonly drift: ServiceDriftCheck;
  /** Gated Pods and pod ENIs: lookups, their caches, and the settle step (pod-backends.ts). */
  private readonly backends: PodBackends;
  /** Keys being reconciled right now (the queue only counts waiting ones). */
  private inflight = 0;
  /** Observer for tests and the bench. */
  onSync?: (report: SyncReport) => void;

  constructor(private readonly deps: ServiceControllerDeps) {
    this.queue = deps.queue ?? new WorkQueue({ name: 'service' });
    this.services = deps.informers.informer(Resources.services);
    this.nodes = deps.informers.informer(Resources.nodes);
    this.slices = deps.informers.informer(Resources.endpointslices);
    this.slices.addIndexer(BY_SERVICE, (s) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata?.namespace ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    this.writer = new ServiceWriter(deps.client, deps.dryRun === true);
    this.backends = new PodBackends({
      client: deps.client,
      eniCloud: deps.cloud,
      vpcId: () => deps.config.vpcId,
    });
    this.wire();
    this.drift = new ServiceDriftCheck({
      cloud: deps.cloud,
      logger: deps.logger,
      config: deps.config,
      periodMs: deps.driftCheckPeriodMs ?? 600_000,
      services: () => this.services.list(),
      reused: (key) => this.reused.get(key),
      desired: (key, svc, reused) => this.cheapDesired(key, svc, reused),
      force: (key) => {
        this.force.add(key);
        this.queue.add(key);
      },
    });
  }

  /**
   * Runs workers (once this controller's caches synced) and the drift check until `signal`
   * aborts. The informers are shared with the other controllers, so whoever composed the process
   * starts them, once; this only waits for the three it reads.
   */
  async start(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.services, this.nodes, this.slices].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    this.drift.start(signal);
    await runWorkers(this.queue, (key) => this.tracked(key), {
      controller: 'service',
      workers: this.deps.workers ?? 3,
      signal,
      logger: this.deps.logger,
      ...(this.deps.registry ? { registry: this.deps.registry } : {}),
    });
  }

  /** Keys waiting or being reconciled: 0 means the controller has caught up with what it saw. */
  pending(): number {
    return this.queue.len() + this.inflight;
  }

  private async tracked(key: string): Promise<void> {
    this.inflight++;
    try {
      await this.reconcile(key);
    } finally {
      this.inflight--;
    }
  }

  /** One drift pass now (drift-pass.ts); the bench and tests call it, the period runs it. */
  driftCheck(): Promise<DriftPassReport> {
    return this.drift.check();
  }

  /** The desired model as a sync would build it (without cloud lookups); undefined when invalid. */
  private cheapDesired(
    key: string,
    svc: ServiceObject,
    reused?: ReusedLoadBalancerInfo,
  ): DesiredLoadBalancer | undefined {
    const built = buildDesiredModel({
      ...this.inputsFor(key, svc),
      ...(reused ? { reusedLoadBalancer: reused } : {}),
    });
    if (isValidationErrors(built)) return undefined;
    const previousTags =
      this.managedTags.get(key) ?? managedTagKeys(svc.metadata?.annotations) ?? Object.keys(built.tags);
    return { ...built, previouslyManagedTagKeys: [...previousTags].sort() };
  }

  private wire(): void {
    this.services.addHandlers({
      add: (svc) => this.enqueueService(svc),
      update: (oldSvc, newSvc) => {
        if (oldSvc === newSvc || serviceChanged(oldSvc, newSvc)) {
          // An edited Service re-reads the SLB it names rather than trusting an old refusal.
          if (oldSvc !== newSvc) this.reused.delete(keyOf(newSvc));
          this.enqueueService(newSvc);
        }
      },
      delete: (svc) => this.forget(keyOf(svc)),
    });
    // Coalesced to one pass per turn of the event loop: a list page or a resync delivers Nodes
    // hundreds at a time, and a pass per Node cost Nodes × Services queue adds (75M at 15k × 5k).
    let allQueued = false;
    const nodeChanged = () => {
      if (allQueued) return;
      allQueued = true;
      setImmediate(() => {
        allQueued = false;
        this.enqueueAll();
      });
    };
    this.nodes.addHandlers({
      add: nodeChanged,
      delete: nodeChanged,
      update: (a, b) => {
        if (a === b || nodeRelevantChange(a, b)) nodeChanged();
      },
    });
    const slice = (s: SliceObject) => {
      const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!name || !s.metadata?.namespace) return;
      const svc = this.services.getByName(s.metadata.namespace, name);
      if (svc && notOurService(svc, this.deps.config.featureGates) === undefined) this.queue.add(keyOf(svc));
    };
    this.slices.addHandlers({
      add: slice,
      delete: slice,
      update: (a, b) => {
        if (a === b || JSON.stringify([a.endpoints, a.ports]) !== JSON.stringify([b.endpoints, b.ports]))
          slice(b);
      },
    });
  }

  private enqueueService(svc: ServiceObject & KubeObject): void {
    if (notOurService(svc, this.deps.config.featureGates) === undefined || needsCleanupFinalizer(svc))
      this.queue.add(keyOf(svc));
  }

  /** Node changes can alter any Service's backend set; the hash makes the unaffected ones free. */
  private enqueueAll(): void {
    for (const svc of this.services.list())
      if (notOurService(svc, this.deps.config.featureGates) === undefined) this.queue.add(keyOf(svc));
  }

  private forget(key: string): void {
    this.applied.delete(key);
    this.force.delete(key);
    this.managedTags.delete(key);
    this.reused.delete(key);
    this.reportedInvalid.delete(key);
    this.drift.forget(key);
    this.backends.forget(key);
  }

  /** One reconcile of one key; throws for the worker's outcome mapping. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.getByName(namespace, name);
    if (!svc) {
      this.forget(key);
      return;
    }
    const deleting = Boolean(svc.metadata?.deletionTimestamp);
    if (deleting || notOurService(svc, this.deps.config.featureGates) !== undefined) {
      if (needsCleanupFinalizer(svc)) await this.cleanup(key, svc, deleting);
      else this.report({ key, path: 'ignored' });
      this.forget(key);
      return;
    }
    await this.sync(key, svc);
  }

  /** The model's inputs: with this sync's lookups, or (drift pass) from the caches alone. */
  private inputsFor(key: string, svc: ServiceObject, looked?: BackendLookups) {
    const base = this.baseInputs(key, svc);
    return looked ? withLookups(base, looked) : this.backends.peek(key, base);
  }

  private baseInputs(key: string, svc: ServiceObject) {
    return {
      service: svc,
      // The same array until a Node changes: the model memoizes candidate nodes on it.
      nodes: this.nodes.snapshot(),
      endpointSlices: this.slices.byIndex(BY_SERVICE, key),
      config: this.deps.config,
      ...(this.reused.has(key) ? { reusedLoadBalancer: this.reused.get(key)! } : {}),
    };
  }

  private async sync(key: string, svcIn: ServiceObject & KubeObject): Promise<void> {
    let svc: ServiceObject = svcIn;
    const prefetched = this.drift.takePrefetched(key);
    // A drift check re-reads a reused SLB: its reuse grant (a tag) may have been added or removed.
    if (this.force.has(key)) this.reused.delete(key);
    const looked = await this.lookUp(key, svc);
    const built = buildDesiredModel(this.inputsFor(key, svc, looked));
    if (isValidationErrors(built)) return this.invalid(key, svc, built.errors);
    const hash = desiredHash(built, this.deps.hashSalt ?? null);
    const forced = this.force.delete(key);
    if (!forced) {
      if (this.applied.get(key) === hash) {
        this.report({ key, path: 'skip' });
        return this.settleBackends(key, svc, built, looked);
      }
      // After a restart the label says what the previous process applied.
      if (
        !this.applied.has(key) &&
        svc.metadata?.labels?.[LABEL_HASH] === hash &&
        svc.metadata.labels[LABEL_LB_ID]
      ) {
        this.applied.set(key, hash);
        this.report({ key, path: 'skip' });
        return this.settleBackends(key, svc, built, looked);
      }
    }
    this.reportedInvalid.delete(key);

    try {
      svc = await this.writer.addFinalizer(svc);
    } catch (err) {
      this.event(
        svc,
        'Warning',
        ServiceEvents.FailedAddFinalizer,
        `could not add finalizer: ${message(err)}`,
      );
      throw err;
    }

    // A Service that never had our finalizer nor an ingress cannot have an untagged legacy SLB.
    const maybeLegacy =
      needsCleanupFinalizer(svcIn) || (svcIn.status?.loadBalancer?.ingress ?? []).length > 0;
    const known = prefetched ? { known: prefetched } : {};
    const observed = await observe(this.deps.cloud, {
      ...this.target(built),
      nameLookup: maybeLegacy,
      ...known,
    });
    const readAt = Date.now();
    let desired: DesiredLoadBalancer = built;
    if (built.reusedLoadBalancerId && observed) {
      // The reuse rules need what the cloud says about the user's SLB: rebuild with it.
      const info = reusedInfo(observed);
      this.reused.set(key, info);
      const again = buildDesiredModel({ ...this.inputsFor(key, svc, looked), reusedLoadBalancer: info });
      if (isValidationErrors(again)) return this.invalid(key, svc, again.errors);
      desired = again;
    }
    // The tag keys we may untag: what the last success recorded (in memory, else on the Service,
    // so a restart does not forget them); before anything was recorded, only what we set now.
    const previousTags =
      this.managedTags.get(key) ?? managedTagKeys(svc.metadata?.annotations) ?? Object.keys(desired.tags);
    desired = { ...desired, previouslyManagedTagKeys: [...previousTags].sort() };
    const plan = planChanges(desired, observed?.remote, ownershipOf(desired));
    if (plan.conflicts.length > 0) {
      const text = plan.conflicts.map((c) => c.reason).join('; ');
      // Another Service's objects: name it as a conflict, distinct from a failed cloud call.
      const reason = plan.conflicts.some((c) => c.kind === 'ownership')
        ? ServiceEvents.LoadBalancerConflict
        : ServiceEvents.SyncLoadBalancerFailed;
      this.event(
        svc,
        'Warning',
        reason,
        `Error syncing load balancer [${plan.loadBalancerId ?? ''}], nothing was changed: ${text}`,
      );
      this.report({ key, path: 'sync', plan });
      // Retrying cannot help until someone changes the Service or the SLB (the drift check re-reads).
      throw new ValidationError(text);
    }

    let result: ApplyResult | undefined;
    if (!isEmptyPlan(plan)) {
      this.event(
        svc,
        'Normal',
        ServiceEvents.EnsuringLoadBalancer,
        forced ? 'Repairing load balancer after a drift check' : 'Ensuring load balancer',
      );
      this.deps.logger.info(
        { key, actions: plan.actions.map(describeAction), dryRun: this.deps.dryRun === true },
        'applying SLB plan',
      );
      // Record new tag keys before tagging: a sync that fails half-way still knows they are ours.
      const claimed = formatManagedTagKeys([...previousTags, ...Object.keys(desired.tags)]);
      if (claimed !== svc.metadata?.annotations?.[ANNOTATION_MANAGED_TAGS])
        svc = await this.writer.setLabels(svc, {}, { [ANNOTATION_MANAGED_TAGS]: claimed });
      const token = this.tokens.get(desired.defaultName) ?? randomUUID();
      this.tokens.set(desired.defaultName, token);
      result = await applyPlan(this.deps.cloud, plan, {
        clientToken: token,
        concurrency: this.deps.maxConcurrentActions ?? 10,
        dryRun: this.deps.dryRun === true,
      });
      if (result.error) {
        // A rejected ENI backend may come from a stale pod IP → ENI answer: ask again next time.
        this.backends.eni.invalidate(
          desired.vgroups.flatMap((g) => g.backends.flatMap((b) => b.serverIp ?? [])),
        );
        this.event(
          svc,
          'Warning',
          ServiceEvents.SyncLoadBalancerFailed,
          `Error syncing load balancer [${result.loadBalancerId ?? ''}]: ${result.error.message}`,
        );
        this.report({ key, path: 'sync', plan, apply: result });
        throw result.error;
      }
    }
    const lbId = result?.loadBalancerId ?? observed?.remote.attributes.loadBalancerId;
    const address = result?.created?.address ?? observed?.remote.attributes.address;
    try {
      svc = await this.writer.setLabels(
        svc,
        { [LABEL_HASH]: hash, [LABEL_LB_ID]: lbId },
        { [ANNOTATION_MANAGED_TAGS]: formatManagedTagKeys(Object.keys(desired.tags)) },
      );
      svc = await this.writer.setIngress(svc, desiredIngress(address, desired.hostname));
    } catch (err) {
      this.event(
        svc,
        'Warning',
        ServiceEvents.FailedUpdateStatus,
        `could not write the Service status: ${message(err)}`,
      );
      throw err;
    }
    this.applied.set(key, hash);
    this.managedTags.set(key, Object.keys(desired.tags).sort());
    this.drift.fullRead(key, !isEmptyPlan(plan), readAt);
    if (!isEmptyPlan(plan)) {
      if (desired.portsWithoutBackends.length > 0) {
        this.event(
          svc,
          'Normal',
          ServiceEvents.UnAvailableLoadBalancer,
          `There are no available nodes for LoadBalancer (ports ${desired.portsWithoutBackends.join(', ')})`,
        );
      }
      const overQuota = desired.skippedBackends.filter((b) => b.reason.includes('over the SLB quota'));
      if (overQuota.length > 0) {
        this.event(
          svc,
          'Warning',
          ServiceEvents.BackendQuotaExceeded,
          `${overQuota.length} backend(s) left out: ${overQuota[0]!.reason.replace(/^[^:]*: /, '')} (raise the quota and set maxBackendsPerGroup, or use externalTrafficPolicy: Local)`,
        );
      }
      if (forced)
        this.event(
          svc,
          'Warning',
          ServiceEvents.DriftRepaired,
          `Reverted hand-made changes: ${plan.actions.map(describeAction).join(', ')}`,
        );
      this.event(svc, 'Normal', ServiceEvents.EnsuredLoadBalancer, `Ensured load balancer [${lbId ?? ''}]`);
    }
    if (observed && desired.preserveOnDelete) {
      this.event(
        svc,
        'Warning',
        ServiceEvents.PreservedOnDelete,
        `The lb [${lbId ?? ''}] will be preserved after the service is deleted.`,
      );
    }
    this.report({ key, path: 'sync', plan, ...(result ? { apply: result } : {}) });
    await this.settleBackends(key, svc, desired, looked);
  }

  /** ENI ids and gated Pods for this sync (pod-backends.ts); a failed lookup is a Warning and a retry. */
  private lookUp(key: string, svc: ServiceObject): Promise<BackendLookups> {
    return this.backends.lookUp(key, this.baseInputs(key, svc), (text) =>
      this.event(svc, 'Warning', ServiceEvents.SyncLoadBalancerFailed, text),
    );
  }

  /** After the model is on the SLB: skipped-pod events, readiness gates, rechecks (settle.ts). */
  private settleBackends(
    key: string,
    svc: ServiceObject,
    desired: DesiredLoadBalancer,
    looked: BackendLookups,
  ): Promise<void> {
    return this.backends.settle(
      {
        writer: this.writer,
        event: (type, reason, msg) => this.event(svc, type, reason, msg),
        recheck: () => this.queue.addAfter(key, this.deps.gateRecheckMs ?? 5_000),
        vpcId: this.deps.config.vpcId,
      },
      key,
      svc,
      desired,
      looked,
    );
  }

  private async cleanup(key: string, svcIn: ServiceObject & KubeObject, deleting: boolean): Promise<void> {
    let svc: ServiceObject = svcIn;
    const ownership = cleanupOwnership(svc, this.deps.config.clusterId);
    const defaultName = defaultLoadBalancerName(ownership.identity.uid);
    this.event(svc, 'Normal', ServiceEvents.DeletingLoadBalancer, 'Deleting load balancer');
    let result: ApplyResult | undefined;
    const owned = !ownership.reusedLoadBalancerId;
    const observed = await observe(this.deps.cloud, {
      identity: ownership.identity,
      defaultName,
      ...(ownership.reusedLoadBalancerId ? { reusedLoadBalancerId: ownership.reusedLoadBalancerId } : {}),
      // Our backends in the user's groups (vgroup-port) must be taken out too.
      reusedVGroupIds: reusedGroupIds(svc),
      // A deleted SLB takes its listeners with it; read them only when they must go one by one.
      listeners: owned ? ownership.preserveOnDelete : ownership.forceOverrideListeners,
    }).catch((err: unknown) => {
      const code = (err as { code?: unknown }).code;
      // The reused SLB is already gone: nothing of ours is left on it.
      if (ownership.reusedLoadBalancerId && typeof code === 'string' && /NotFound|NotExist/i.test(code))
        return undefined;
      throw err;
    });
    const plan: Plan = planDeletion(observed?.remote, ownership);
    if (plan.conflicts.length > 0) {
      // The SLB is not ours (another cluster's, or a cluster-created one named by id): we never
      // touched it, so there is nothing to clean up; say so and let the Service go.
      this.event(
        svc,
        'Warning',
        ServiceEvents.LoadBalancerConflict,
        `Not cleaning up: ${plan.conflicts.map((c) => c.reason).join('; ')}`,
      );
    } else if (!isEmptyPlan(plan)) {
      this.deps.logger.info(
        { key, actions: plan.actions.map(describeAction), dryRun: this.deps.dryRun === true },
        'applying SLB deletion plan',
      );
      result = await applyPlan(this.deps.cloud, plan, {
        concurrency: this.deps.maxConcurrentActions ?? 10,
        dryRun: this.deps.dryRun === true,
      });
      if (result.error) {
        this.event(
          svc,
          'Warning',
          ServiceEvents.CleanLoadBalancerFailed,
          `Error deleting load balancer [${plan.loadBalancerId ?? ''}]: ${result.error.message}`,
        );
        this.report({ key, path: 'cleanup', plan, apply: result });
        throw result.error;
      }
    }
    this.tokens.delete(defaultName);
    svc = await this.writer.setLabels(
      svc,
      { [LABEL_HASH]: undefined, [LABEL_LB_ID]: undefined },
      { [ANNOTATION_MANAGED_TAGS]: undefined },
    );
    if (!deleting) svc = await this.writer.setIngress(svc, []);
    try {
      await this.writer.removeFinalizers(svc);
    } catch (err) {
      this.event(
        svc,
        'Warning',
        ServiceEvents.FailedRemoveFinalizer,
        `could not remove finalizer: ${message(err)}`,
      );
      throw err;
    }
    const what = plan.actions.some((a) => a.kind === 'DeleteLoadBalancer')
      ? `Deleted load balancer [${plan.loadBalancerId ?? ''}]`
      : observed
        ? `Removed this Service's listeners and backends from [${plan.loadBalancerId ?? ''}]`
        : 'No load balancer to delete';
    this.event(svc, 'Normal', ServiceEvents.DeletedLoadBalancer, what);
    this.report({ key, path: 'cleanup', plan, ...(result ? { apply: result } : {}) });
  }

  private target(desired: DesiredLoadBalancer) {
    const https = desired.listeners
      .filter((l) => l.protocol === 'https' && l.domainExtensions !== undefined)
      .map((l) => l.port);
    return {
      identity: desired.identity,
      defaultName: desired.defaultName,
      ...(desired.reusedLoadBalancerId ? { reusedLoadBalancerId: desired.reusedLoadBalancerId } : {}),
      reusedVGroupIds: desired.vgroups.filter((g) => g.reused && g.id).map((g) => g.id!),
      listeners: !desired.reusedLoadBalancerId || desired.forceOverrideListeners,
      domainExtensionPorts: https,
    };
  }

  private invalid(key: string, svc: ServiceObject, errors: AnnotationError[]): never {
    const text = errors.map((e) => `annotation ${e.key}="${e.value}": ${e.reason}`).join('; ');
    if (this.reportedInvalid.get(key) !== text) {
      this.reportedInvalid.set(key, text);
      this.event(
        svc,
        'Warning',
        ServiceEvents.InvalidAnnotation,
        `Not syncing the load balancer, nothing was changed: ${text}`,
      );
    }
    this.report({ key, path: 'invalid' });
    throw new ValidationError(text, errors[0]?.key);
  }

  private event(svc: ServiceObject, type: EventType, reason: string, msg: string): void {
    const text = redactSecrets(this.deps.dryRun ? `DryRun: ${msg}` : msg);
    this.deps.recorder.event({ ...svc, apiVersion: 'v1', kind: 'Service' }, type, reason, text);
  }

  private report(r: SyncReport): void {
    this.onSync?.(r);
  }
}

function message(err: unknown): string {
  return redactSecrets(errorText(err));
}

function reusedInfo(observed: Observed): ReusedLoadBalancerInfo {
  const r = observed.remote;
  return {
    loadBalancerId: r.attributes.loadBalancerId ?? '',
    tags: r.tags,
    ...(r.attributes.address ? { address: r.attributes.address } : {}),
    vgroups: r.vgroups.filter((g) => g.id).map((g) => ({ id: g.id!, name: g.name })),
  };
}

function reusedGroupIds(svc: ServiceObject): string[] {
  const parsed = parseServiceAnnotations(svc.metadata?.annotations);
  return parsed.ok ? (parsed.config.vgroupPort ?? []).map((v) => v.vGroupId) : [];
}

/** Service updates that can change what we do (status-only and our own label writes cannot). */
export function serviceChanged(a: ServiceObject, b: ServiceObject): boolean {
  return (
    a.metadata?.uid !== b.metadata?.uid ||
    a.metadata?.deletionTimestamp !== b.metadata?.deletionTimestamp ||
    JSON.stringify(a.metadata?.annotations ?? {}) !== JSON.stringify(b.metadata?.annotations ?? {}) ||
    JSON.stringify(a.spec ?? {}) !== JSON.stringify(b.spec ?? {}) ||
    JSON.stringify(a.metadata?.finalizers ?? []) !== JSON.stringify(b.metadata?.finalizers ?? [])
  );
}

/** Node updates that can change a backend set: labels, schedulability, readiness, identity, taints, InternalIP. */
export function nodeRelevantChange(a: NodeLike, b: NodeLike): boolean {
  const ready = (n: NodeLike) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'False';
  // NLB "Ip" server groups register a node by this address.
  const ip = (n: NodeLike) => n.status?.addresses?.find((x) => x.type === 'InternalIP')?.address;
  return (
    ip(a) !== ip(b) ||
    JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {}) ||
    Boolean(a.spec?.unschedulable) !== Boolean(b.spec?.unschedulable) ||
    ready(a) !== ready(b) ||
    a.spec?.providerID !== b.spec?.providerID ||
    JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? [])
  );
}
