// The NLB Service controller loop: a work queue keyed by `namespace/name`, fed by Service, Node
// and EndpointSlice events, reconciling each key against the informer caches:
//
//   cleanup (deleted, or no longer an NLB Service, and our finalizer is on it):
//       find → planDeletion → apply → drop labels/status → remove finalizer (only after success)
//   sync:
//       lookups (gated Pods, pod IP → ENI: cached, so none at steady state) → annotations →
//       desired model (pure) → hash; an unchanged hash ends the sync with ZERO cloud calls.
//       Otherwise: finalizer first, observe, plan, apply, labels, status. Either way the
//       readiness gates of the registered Pods are settled last (service/settle.ts).
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
import type { EniCloudPort } from '../service/cloudport.js';
import { nodeRelevantChange, serviceChanged } from '../service/controller.js';
import type { BackendLookups } from '../service/inputs/index.js';
import type { ClusterConfig, EndpointSliceLike, NodeLike, ServiceInputs } from '../service/inputs/objects.js';
import { PodBackends } from '../service/pod-backends.js';
import { isNlbService, NLB_ANNOTATIONS, parseNlbAnnotations } from './annotations/index.js';
import { applyNlbPlan, ApplyError } from './apply.js';
import type { NlbCloudPort } from './cloudport.js';
import { ownershipOf, planChanges } from './diff/index.js';
import { message, NlbEvents } from './events.js';
import { observeNlb } from './inputs.js';
import { buildDesiredNlb, gateView, nlbEniPlanner, nlbHash, nlbPodIps } from './model/index.js';
import { cleanupNlb } from './cleanup.js';
import { NlbDriftCheck } from './drift-pass.js';
import { describeAction, isEmptyPlan, type NlbPlan } from './plan.js';
import {
  hasNlbFinalizer,
  LABEL_HASH,
  LABEL_LB_ID,
  NlbWriter,
  nlbIngress,
  type ServiceObject,
} from './kubeport.js';
import { isValidationErrors, type AnnotationError, type DesiredNlb } from './types.js';

export interface NlbControllerDeps {
  client: KubeClient;
  informers: InformerFactory;
  cloud: NlbCloudPort;
  /** Pod IP → ENI reads for pod backends in Instance groups. */
  eniCloud: EniCloudPort;
  recorder: EventRecorder;
  config: ClusterConfig;
  logger: Logger;
  workers?: number;
  dryRun?: boolean;
  queue?: WorkQueue;
  registry?: Registry;
  /** How soon a Service with gated Pods still starting is looked at again (default 5 s). */
  gateRecheckMs?: number;
  /** `--lb-drift-check-period` in ms (default 10 min; 0 disables), shared with the CLB controller. */
  driftCheckPeriodMs?: number;
}

export interface NlbSyncReport {
  key: string;
  path: 'skip' | 'sync' | 'cleanup' | 'ignored' | 'invalid';
  plan?: NlbPlan;
}

type SvcObject = ServiceObject & KubeObject;
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const BY_SERVICE = 'byService';

export class NlbController {
  readonly queue: WorkQueue;
  private readonly services: Informer<SvcObject>;
  private readonly nodes: Informer<NodeLike & KubeObject>;
  private readonly slices: Informer<EndpointSliceLike & KubeObject>;
  readonly writer: NlbWriter;
  private readonly applied = new Map<string, string>();
  /** The reused NLB's tags as last read, for the reuse checks of the pure model. */
  private readonly reusedTags = new Map<string, Record<string, string>>();
  private readonly tokens = new Map<string, string>();
  private readonly reportedInvalid = new Map<string, string>();
  /** Gated Pods and pod ENIs, as the CLB controller handles them (service/pod-backends.ts). */
  private readonly backends: PodBackends;
  private inflight = 0;
  /** Keys whose sync must read the cloud although the hash is unchanged (drift-pass.ts). */
  readonly forceObserve = new Set<string>();
  readonly drift: NlbDriftCheck;
  onSync?: (r: NlbSyncReport) => void;

  constructor(readonly deps: NlbControllerDeps) {
    this.queue = deps.queue ?? new WorkQueue({ name: 'nlb' });
    this.services = deps.informers.informer(Resources.services);
    this.nodes = deps.informers.informer(Resources.nodes);
    this.slices = deps.informers.informer(Resources.endpointslices);
    this.slices.addIndexer(BY_SERVICE, (s) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata?.namespace ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    this.writer = new NlbWriter(deps.client, deps.dryRun === true);
    this.backends = new PodBackends({
      client: deps.client,
      eniCloud: deps.eniCloud,
      vpcId: () => deps.config.vpcId,
      planEni: nlbEniPlanner,
    });
    this.wire();
    this.drift = new NlbDriftCheck({
      cloud: deps.cloud,
      logger: deps.logger,
      config: deps.config,
      periodMs: deps.driftCheckPeriodMs ?? 600_000,
      services: () => this.services.list(),
      applied: (key) => this.applied.has(key),
      desired: (key, svc) => {
        const d = this.build(key, svc);
        return isValidationErrors(d) ? undefined : d;
      },
      reusedTags: (key) => this.reusedTags.get(key),
      force: (key) => {
        this.forceObserve.add(key);
        this.queue.add(key);
      },
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.services, this.nodes, this.slices].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    this.drift.start(signal);
    await runWorkers(this.queue, (key) => this.tracked(key), {
      controller: 'nlb',
      workers: this.deps.workers ?? 3,
      signal,
      logger: this.deps.logger,
      ...(this.deps.registry ? { registry: this.deps.registry } : {}),
    });
  }

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

  private wire(): void {
    const enqueue = (svc: SvcObject): void => {
      if (isNlbService(svc, this.deps.config.featureGates) || hasNlbFinalizer(svc))
        this.queue.add(keyOf(svc));
    };
    this.services.addHandlers({
      add: enqueue,
      update: (a, b) => {
        if (a === b || serviceChanged(a, b)) {
          if (a !== b) this.reusedTags.delete(keyOf(b));
          enqueue(b);
        }
      },
      delete: (svc) => this.forget(keyOf(svc)),
    });
    let allQueued = false;
    const nodeChanged = (): void => {
      if (allQueued) return;
      allQueued = true;
      setImmediate(() => {
        allQueued = false;
        for (const svc of this.services.list())
          if (isNlbService(svc, this.deps.config.featureGates)) this.queue.add(keyOf(svc));
      });
    };
    this.nodes.addHandlers({
      add: nodeChanged,
      delete: nodeChanged,
      update: (a, b) => {
        if (a === b || nodeRelevantChange(a, b)) nodeChanged();
      },
    });
    const slice = (s: EndpointSliceLike & KubeObject): void => {
      const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!name || !s.metadata?.namespace) return;
      const svc = this.services.getByName(s.metadata.namespace, name);
      if (svc && isNlbService(svc, this.deps.config.featureGates)) this.queue.add(keyOf(svc));
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

  private forget(key: string): void {
    this.applied.delete(key);
    this.reusedTags.delete(key);
    this.reportedInvalid.delete(key);
    this.backends.forget(key);
    this.forceObserve.delete(key);
    this.drift.forget(key);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.getByName(namespace, name);
    if (!svc) return this.forget(key);
    const deleting = Boolean(svc.metadata?.deletionTimestamp);
    if (deleting || !isNlbService(svc, this.deps.config.featureGates)) {
      if (hasNlbFinalizer(svc)) {
        const plan = await cleanupNlb(this, svc, deleting);
        this.tokens.delete(key);
        this.report({ key, path: 'cleanup', plan });
      } else this.report({ key, path: 'ignored' });
      return this.forget(key);
    }
    await this.sync(key, svc);
  }

  private baseInputs(key: string, svc: ServiceObject): ServiceInputs {
    return {
      service: svc,
      // The same array until a Node changes: the model memoizes candidate nodes on it.
      nodes: this.nodes.snapshot(),
      endpointSlices: this.slices.byIndex(BY_SERVICE, key),
      config: this.deps.config,
    };
  }

  /** The desired model from this sync's lookups, or (drift pass) from what the caches know, with no call. */
  private build(
    key: string,
    svc: ServiceObject,
    looked: Pick<BackendLookups, 'slices' | 'eniByIp'> = this.peek(key, svc),
  ): ReturnType<typeof buildDesiredNlb> {
    const tags = this.reusedTags.get(key);
    return buildDesiredNlb({
      ...this.baseInputs(key, svc),
      endpointSlices: looked.slices,
      ...(looked.eniByIp ? { eniByIp: looked.eniByIp } : {}),
      ...(tags ? { reusedTags: tags } : {}),
    });
  }

  private peek(key: string, svc: ServiceObject): Pick<BackendLookups, 'slices' | 'eniByIp'> {
    const seen = this.backends.peek(key, this.baseInputs(key, svc));
    return { slices: seen.endpointSlices, ...(seen.eniByIp ? { eniByIp: seen.eniByIp } : {}) };
  }

  /** Gated Pods and pod ENIs for this sync; a failure is a Warning and a retry. */
  private lookUp(key: string, svc: ServiceObject): Promise<BackendLookups> {
    return this.backends.lookUp(key, this.baseInputs(key, svc), (text) =>
      this.event(svc, 'Warning', NlbEvents.SyncLoadBalancerFailed, text),
    );
  }

  /** Once the NLB holds the model: skipped-pod events, readiness gates, rechecks (service/settle.ts). */
  private settle(
    key: string,
    svc: ServiceObject,
    desired: DesiredNlb,
    looked: BackendLookups,
  ): Promise<void> {
    // Pods registered by IP ("Ip" groups) were never looked up, yet they are pod backends too.
    const podIps = new Set(nlbPodIps({ ...this.baseInputs(key, svc), endpointSlices: looked.slices }));
    return this.backends.settle(
      {
        writer: this.writer,
        event: (type, reason, msg) => this.event(svc, type, reason, msg),
        recheck: () => this.queue.addAfter(key, this.deps.gateRecheckMs ?? 5_000),
        vpcId: this.deps.config.vpcId,
      },
      key,
      svc,
      gateView(desired, podIps),
      { ...looked, eniIps: new Set([...looked.eniIps, ...podIps]) },
    );
  }

  private async sync(key: string, svcIn: SvcObject): Promise<void> {
    let svc: ServiceObject = svcIn;
    // Kept until a sync succeeds, so a failed repair's retry is not skipped by the hash.
    const forced = this.forceObserve.has(key);
    // A drift check re-reads a reused NLB: its reuse grant (a tag) may have changed.
    if (forced) this.reusedTags.delete(key);
    const looked = await this.lookUp(key, svc);
    let desired = this.build(key, svc, looked);
    if (isValidationErrors(desired)) return this.invalid(key, svc, desired.errors);
    if (desired.reusedLoadBalancerId && !this.reusedTags.has(key)) {
      // The reuse rules need the user's NLB tags: read them once, then build again.
      const lb = await this.deps.cloud.getLoadBalancer(desired.reusedLoadBalancerId);
      if (!lb)
        return this.invalid(key, svc, [
          {
            key: NLB_ANNOTATIONS.loadBalancerId.canonical,
            value: desired.reusedLoadBalancerId,
            reason: 'no such NLB in this region',
          },
        ]);
      this.reusedTags.set(key, lb.tags);
      desired = this.build(key, svc, looked);
      if (isValidationErrors(desired)) return this.invalid(key, svc, desired.errors);
    }
    const hash = nlbHash(desired);
    if (!forced && this.applied.get(key) === hash) {
      this.report({ key, path: 'skip' });
      return this.settle(key, svc, desired, looked);
    }
    if (
      !forced &&
      !this.applied.has(key) &&
      svc.metadata?.labels?.[LABEL_HASH] === hash &&
      svc.metadata.labels[LABEL_LB_ID]
    ) {
      // After a restart the label says what the previous process applied.
      this.applied.set(key, hash);
      this.report({ key, path: 'skip' });
      return this.settle(key, svc, desired, looked);
    }
    this.reportedInvalid.delete(key);
    try {
      svc = await this.writer.addFinalizer(svc);
    } catch (err) {
      this.event(svc, 'Warning', NlbEvents.FailedAddFinalizer, `could not add finalizer: ${message(err)}`);
      throw err;
    }
    const remote = await observeNlb(this.deps.cloud, {
      ownership: ownershipOf(desired),
      reusedServerGroupIds: desired.serverGroups.filter((g) => g.reused && g.id).map((g) => g.id!),
    });
    const plan = planChanges(desired, remote);
    this.drift.fullRead(key, !isEmptyPlan(plan) && !this.deps.dryRun);
    if (plan.conflicts.length > 0) {
      const text = plan.conflicts.join('; ');
      this.event(
        svc,
        'Warning',
        NlbEvents.LoadBalancerConflict,
        `Error syncing NLB [${plan.loadBalancerId ?? ''}], nothing was changed: ${text}`,
      );
      this.report({ key, path: 'sync', plan });
      // Retrying cannot help until someone edits the Service or the NLB: the next drift pass re-reads.
      this.forceObserve.delete(key);
      throw new ValidationError(text);
    }
    let lbId = plan.loadBalancerId;
    let dnsName = remote?.attributes.dnsName;
    if (this.deps.dryRun) {
      if (!isEmptyPlan(plan)) {
        const text = plan.actions.map(describeAction).join('; ');
        this.deps.logger.info(
          { key, actions: plan.actions.map(describeAction) },
          'dry-run: NLB plan not applied',
        );
        this.event(svc, 'Normal', NlbEvents.EnsuringLoadBalancer, `would apply: ${text}`);
      }
      this.applied.set(key, hash);
      this.forceObserve.delete(key);
      this.report({ key, path: 'sync', plan });
      return this.settle(key, svc, desired, looked);
    }
    if (!isEmptyPlan(plan)) {
      this.event(svc, 'Normal', NlbEvents.EnsuringLoadBalancer, 'Ensuring NLB');
      this.deps.logger.info({ key, actions: plan.actions.map(describeAction) }, 'applying NLB plan');
      const token = this.tokens.get(key) ?? randomUUID();
      this.tokens.set(key, token);
      try {
        const result = await applyNlbPlan(this.deps.cloud, plan, {
          // A reused NLB's server groups belong in its VPC, whatever the cluster's is.
          vpcId: desired.attributes.vpcId ?? remote?.attributes.vpcId ?? this.deps.config.vpcId,
          ...(desired.attributes.resourceGroupId
            ? { resourceGroupId: desired.attributes.resourceGroupId }
            : {}),
          clientToken: token,
        });
        // The token only guards retries of this create: a later one (the NLB deleted by hand)
        // must not replay it and get the deleted NLB's id back.
        if (plan.actions.some((x) => x.kind === 'CreateLoadBalancer')) this.tokens.delete(key);
        if (!lbId && result.loadBalancerId) {
          lbId = result.loadBalancerId;
          dnsName = (await this.deps.cloud.getLoadBalancer(lbId))?.attributes.dnsName;
        }
      } catch (err) {
        // A rejected ENI server may come from a stale pod IP → ENI answer: ask again next time.
        this.backends.eni.invalidate(
          desired.serverGroups.flatMap((g) => g.servers.flatMap((x) => x.serverIp ?? [])),
        );
        const at = err instanceof ApplyError ? err.loadBalancerId : lbId;
        this.event(
          svc,
          'Warning',
          NlbEvents.SyncLoadBalancerFailed,
          `Error syncing NLB [${at ?? ''}]: ${message(err)}`,
        );
        this.report({ key, path: 'sync', plan });
        throw err;
      }
    }
    const hostname = parseNlbAnnotations(svc.metadata?.annotations);
    try {
      svc = await this.writer.setLabels(svc, { [LABEL_HASH]: hash, [LABEL_LB_ID]: lbId });
      svc = await this.writer.setIngress(
        svc,
        nlbIngress(dnsName, hostname.ok ? hostname.config.hostname : undefined),
      );
    } catch (err) {
      this.event(
        svc,
        'Warning',
        NlbEvents.FailedUpdateStatus,
        `could not write the Service status: ${message(err)}`,
      );
      throw err;
    }
    this.applied.set(key, hash);
    this.forceObserve.delete(key);
    if (!isEmptyPlan(plan)) {
      if (forced)
        this.event(
          svc,
          'Warning',
          NlbEvents.DriftRepaired,
          `Reverted hand-made changes: ${plan.actions.map(describeAction).join(', ')}`,
        );
      if (desired.portsWithoutServers.length > 0)
        this.event(
          svc,
          'Normal',
          NlbEvents.UnAvailableLoadBalancer,
          `There are no available backends for ports ${desired.portsWithoutServers.join(', ')}`,
        );
      // Pod IPs no ENI holds get their own, more precise event from the settle step.
      const unresolved = new Set([...looked.invalid, ...looked.outsideVpc]);
      const skipped = desired.skipped.filter((x) => !x.ip || !unresolved.has(x.ip));
      if (skipped.length > 0)
        this.event(
          svc,
          'Warning',
          NlbEvents.SkipSyncBackends,
          `${skipped.length} backend(s) left out: ${skipped[0]!.reason}`,
        );
      this.event(svc, 'Normal', NlbEvents.EnsuredLoadBalancer, `Ensured NLB [${lbId ?? ''}]`);
    }
    this.report({ key, path: 'sync', plan });
    await this.settle(key, svc, desired, looked);
  }

  private invalid(key: string, svc: ServiceObject, errors: AnnotationError[]): never {
    const text = errors.map((e) => `annotation ${e.key}="${e.value}": ${e.reason}`).join('; ');
    if (this.reportedInvalid.get(key) !== text) {
      this.reportedInvalid.set(key, text);
      this.event(
        svc,
        'Warning',
        NlbEvents.InvalidAnnotation,
        `Not syncing the NLB, nothing was changed: ${text}`,
      );
    }
    this.report({ key, path: 'invalid' });
    this.forceObserve.delete(key);
    throw new ValidationError(text, errors[0]?.key);
  }

  event(svc: ServiceObject, type: EventType, reason: string, msg: string): void {
    const text = redactSecrets(this.deps.dryRun ? `DryRun: ${msg}` : msg);
    this.deps.recorder.event({ ...svc, apiVersion: 'v1', kind: 'Service' }, type, reason, text);
  }

  private report(r: NlbSyncReport): void {
    this.onSync?.(r);
  }
}
