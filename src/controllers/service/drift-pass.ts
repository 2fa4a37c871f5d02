// The Service controller's periodic drift check (docs/design/service.md § "Drift check"). A
// steady-state sync makes no cloud call (the hash skip), so a change made by hand on the SLB would
// never be repaired. Every `--lb-drift-check-period` one pass reads every SLB cheaply, ten per
// DescribeLoadBalancers call, and queues a forced full sync only for the SLBs whose cheap record
// shows drift or changed, plus the rotation's slice. The record it read is handed to that sync so
// the full read skips the find. The rules are pure, in diff/drift.ts; this file is the I/O around
// them, as nlb/drift-pass.ts is for NLBs.
import { keyOf, type KubeObject } from '../../kube/types.js';
import type { Logger } from '../../util/log.js';
import { PeriodicPass } from '../../util/periodic-pass.js';
import { errorText } from '../../util/errors.js';
import { redactSecrets } from '../../util/secrets.js';
import { notOurService } from './annotations/index.js';
import type { LoadBalancer, ServiceCloudPort } from './cloudport.js';
import {
  attributesDrifted,
  fingerprintOf,
  selectFullReads,
  type DeepReason,
  type DriftCandidate,
} from './diff/index.js';
import {
  attributesOf,
  readLoadBalancersById,
  tagsOf,
  type ClusterConfig,
  type ReusedLoadBalancerInfo,
} from './inputs/index.js';
import { LABEL_LB_ID, type ServiceObject } from './kubeport.js';
import type { DesiredLoadBalancer } from './types.js';

/** A prefetched record older than this is read again rather than trusted. */
const PREFETCH_TTL_MS = 60_000;

/** What the pass uses of the controller, named here so this file does not import it. */
export interface ServiceDriftHost {
  cloud: ServiceCloudPort;
  logger: Logger;
  config: Pick<ClusterConfig, 'featureGates'>;
  /** `--lb-drift-check-period` in ms; 0 disables the periodic pass (check() still works). */
  periodMs: number;
  services(): ReadonlyArray<ServiceObject & KubeObject>;
  /** What the last sync read about a reused SLB. */
  reused(key: string): ReusedLoadBalancerInfo | undefined;
  /** The desired model from the caches alone (no cloud call); `undefined` when it does not build. */
  desired(key: string, svc: ServiceObject, reused?: ReusedLoadBalancerInfo): DesiredLoadBalancer | undefined;
  /** Queue the key with the hash skip bypassed, so its sync reads the cloud and repairs. */
  force(key: string): void;
}

/** What one drift pass read and decided (for the bench, tests and the log). */
export interface DriftPassReport {
  services: number;
  /** Cloud calls of the cheap read (the full reads happen in the syncs it queues). */
  batchedCalls: number;
  fullReads: Map<string, DeepReason>;
  /** Services whose SLB could not be read on this pass (a failed batch). */
  unread: number;
}

export class ServiceDriftCheck {
  /** Fingerprint of each SLB's cheap record at the last pass (dropped when we change it). */
  private readonly fingerprints = new Map<string, string>();
  /** When each key's SLB was last read in full, for the rotation's order. */
  private readonly fullReadAt = new Map<string, number>();
  /** The pass's record of the SLB, so the full read it asks for skips the find. */
  private readonly prefetched = new Map<string, { lb: LoadBalancer; at: number }>();
  private readonly passes: PeriodicPass<DriftPassReport>;

  constructor(private readonly host: ServiceDriftHost) {
    this.passes = new PeriodicPass(
      () => this.pass(),
      (err) => host.logger.warn({ err: redactSecrets(errorText(err)) }, 'drift check pass failed'),
    );
  }

  /** Runs a pass every period until `signal` aborts. */
  start(signal: AbortSignal): void {
    this.passes.start(this.host.periodMs, signal);
  }

  /** One pass; passes never overlap (a call during one joins it). */
  check(): Promise<DriftPassReport> {
    return this.passes.check();
  }

  /** The SLB record the last pass read for the key, if still fresh; taken once. */
  takePrefetched(key: string): LoadBalancer | undefined {
    const p = this.prefetched.get(key);
    this.prefetched.delete(key);
    return p && Date.now() - p.at < PREFETCH_TTL_MS ? p.lb : undefined;
  }

  /** The sync read the key's SLB in full at `at`; `changed` when its plan wrote to the cloud. */
  fullRead(key: string, changed: boolean, at: number): void {
    this.fullReadAt.set(key, at);
    // Our own write changes the record: its next fingerprint must not look like someone else's.
    if (changed) this.fingerprints.delete(key);
  }

  forget(key: string): void {
    this.fingerprints.delete(key);
    this.fullReadAt.delete(key);
    this.prefetched.delete(key);
  }

  private async pass(): Promise<DriftPassReport> {
    const h = this.host;
    const entries: Array<{ key: string; svc: ServiceObject; lbId?: string }> = [];
    for (const svc of h.services()) {
      if (notOurService(svc, h.config.featureGates) !== undefined || svc.metadata?.deletionTimestamp)
        continue;
      const lbId = svc.metadata?.labels?.[LABEL_LB_ID];
      entries.push({ key: keyOf(svc), svc, ...(lbId ? { lbId } : {}) });
    }
    const read = await readLoadBalancersById(
      h.cloud,
      entries.flatMap((e) => (e.lbId ? [e.lbId] : [])),
    );
    if (read.errors.length > 0)
      h.logger.warn(
        { err: redactSecrets(errorText(read.errors[0])), failedIds: read.failed.size },
        'drift check: some SLBs could not be read; they are checked on the next pass',
      );
    const now = Date.now();
    const candidates: DriftCandidate[] = [];
    let unread = 0;
    for (const e of entries) {
      const last = this.fullReadAt.get(e.key);
      const c: DriftCandidate = { key: e.key, ...(last !== undefined ? { lastFullRead: last } : {}) };
      // Never synced to an SLB (or its label was lost): only the full path can find it.
      if (!e.lbId) {
        c.reason = 'unknown-slb';
        candidates.push(c);
        continue;
      }
      if (read.failed.has(e.lbId)) {
        unread++;
        continue;
      }
      candidates.push(c);
      const lb = read.found.get(e.lbId);
      if (!lb) {
        c.reason = 'gone';
        continue;
      }
      this.prefetched.set(e.key, { lb, at: now });
      const remote = { attributes: attributesOf(lb), tags: tagsOf(lb) };
      const fp = fingerprintOf(remote);
      const before = this.fingerprints.get(e.key);
      this.fingerprints.set(e.key, fp);
      // A reused SLB's reuse grant is a tag: judge it by the tags just read, not the last sync's.
      const reused = h.reused(e.key);
      const fresh =
        reused?.loadBalancerId === lb.LoadBalancerId ? { ...reused, tags: remote.tags } : undefined;
      const desired = h.desired(e.key, e.svc, fresh);
      if (!desired) c.reason = 'unbuildable';
      else if (attributesDrifted(desired, remote)) c.reason = 'attributes';
      else if (before !== undefined && before !== fp) c.reason = 'fingerprint';
    }
    const fullReads = selectFullReads(candidates);
    for (const e of entries) {
      if (fullReads.has(e.key)) h.force(e.key);
      else this.prefetched.delete(e.key);
    }
    const reasons: Record<string, number> = {};
    for (const r of fullReads.values()) reasons[r] = (reasons[r] ?? 0) + 1;
    h.logger.debug(
      { services: entries.length, calls: read.calls, fullReads: fullReads.size, reasons, unread },
      'drift check pass',
    );
    return { services: entries.length, batchedCalls: read.calls, fullReads, unread };
  }
}
