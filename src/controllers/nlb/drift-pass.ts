// The NLB controller's periodic drift check (docs/nlb.md § "Drift check"). A steady-state sync
// makes no cloud call at all (the hash skip), so a change made by hand on the cloud side — a
// listener stopped or deleted, a server removed, an attribute or tag changed, the NLB deleted —
// would never be repaired. Every `--lb-drift-check-period` one pass reads the NLBs this controller
// applied cheaply, NLB_IDS_PER_CALL per ListLoadBalancers call, and queues a forced full sync (a
// fresh read, plan and repair) only for those whose record shows drift, plus the rotation's slice.
// The rules are pure, in diff/drift.ts; this file is the I/O around them.
import type { Logger } from '../../util/log.js';
import { PeriodicPass } from '../../util/periodic-pass.js';
import { readByIds, type BatchRead } from '../service/inputs/batch-read.js';
import type { ClusterConfig } from '../service/inputs/objects.js';
import { isNlbService } from './annotations/index.js';
import { MAX_NLB_IDS_PER_LIST, type NlbCloudPort, type NlbRecord } from './cloudport.js';
import {
  cheapReason,
  fingerprintOf,
  selectFullReads,
  type DriftCandidate,
  type NlbCheapReason,
  type NlbDeepReason,
} from './diff/drift.js';
import { message } from './events.js';
import { LABEL_LB_ID, type ServiceObject } from './kubeport.js';
import type { DesiredNlb } from './types.js';

/** What the pass uses of the controller, named here so this file does not import it. */
export interface NlbDriftHost {
  cloud: Pick<NlbCloudPort, 'listLoadBalancersByIds'>;
  logger: Logger;
  config: Pick<ClusterConfig, 'featureGates'>;
  /** `--lb-drift-check-period` in ms; 0 disables the periodic pass (check() still works). */
  periodMs: number;
  services(): readonly ServiceObject[];
  /** Whether this process applied (or, after a restart, confirmed) a model for the key. */
  applied(key: string): boolean;
  /** The desired model from the caches alone (no cloud call); `undefined` when it does not build. */
  desired(key: string, svc: ServiceObject): DesiredNlb | undefined;
  /** A reused NLB's tags as the last sync read them. */
  reusedTags(key: string): Readonly<Record<string, string>> | undefined;
  /** Queue the key with the hash skip bypassed, so its sync reads the cloud and repairs. */
  force(key: string): void;
}

/** What one pass read and decided (for the bench, tests and the log). */
export interface NlbDriftReport {
  /** Services whose NLB the pass looked at. */
  services: number;
  /** ListLoadBalancers calls of the cheap read (full reads happen in the syncs it queues). */
  batchedCalls: number;
  fullReads: Map<string, NlbDeepReason>;
  /** Services whose NLB could not be read on this pass (a failed batch): checked next pass. */
  unread: number;
}

/** Many NLBs by id, MAX_NLB_IDS_PER_LIST per call, a few calls in flight. */
export function readNlbsById(
  cloud: Pick<NlbCloudPort, 'listLoadBalancersByIds'>,
  ids: readonly string[],
  concurrency = 4,
): Promise<BatchRead<NlbRecord>> {
  return readByIds(
    ids,
    {
      perCall: MAX_NLB_IDS_PER_LIST,
      fetch: (chunk) => cloud.listLoadBalancersByIds(chunk),
      idOf: (lb) => lb.attributes.loadBalancerId,
    },
    concurrency,
  );
}

export class NlbDriftCheck {
  /** Each NLB's cheap-record fingerprint at the last pass (dropped when we change the NLB). */
  private readonly fingerprints = new Map<string, string>();
  /** When each key's NLB was last read in full, for the rotation's order. */
  private readonly fullReadAt = new Map<string, number>();
  private readonly passes: PeriodicPass<NlbDriftReport>;

  constructor(private readonly host: NlbDriftHost) {
    this.passes = new PeriodicPass(
      () => this.pass(),
      (err) => host.logger.warn({ err: message(err) }, 'NLB drift check pass failed'),
    );
  }

  /** Runs a pass every period until `signal` aborts. */
  start(signal: AbortSignal): void {
    this.passes.start(this.host.periodMs, signal);
  }

  /** One pass; passes never overlap (a call during one joins it). */
  check(): Promise<NlbDriftReport> {
    return this.passes.check();
  }

  /** The sync read the key's NLB in full; `changed` when its plan wrote to the cloud. */
  fullRead(key: string, changed: boolean, at = Date.now()): void {
    this.fullReadAt.set(key, at);
    // Our own write changes the record: its next fingerprint must not look like someone else's.
    if (changed) this.fingerprints.delete(key);
  }

  forget(key: string): void {
    this.fingerprints.delete(key);
    this.fullReadAt.delete(key);
  }

  private async pass(): Promise<NlbDriftReport> {
    const h = this.host;
    const entries: Array<{ key: string; svc: ServiceObject; lbId?: string }> = [];
    for (const svc of h.services()) {
      const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
      const lbId = svc.metadata?.labels?.[LABEL_LB_ID];
      if (svc.metadata?.deletionTimestamp || !isNlbService(svc, h.config.featureGates)) continue;
      // Only what this controller applied: a Service it never synced has no NLB to drift.
      if (!h.applied(key) && !lbId) continue;
      entries.push({ key, svc, ...(lbId ? { lbId } : {}) });
    }
    const read = await readNlbsById(
      h.cloud,
      entries.flatMap((e) => (e.lbId ? [e.lbId] : [])),
    );
    if (read.errors.length > 0)
      h.logger.warn(
        { err: message(read.errors[0]), failedIds: read.failed.size },
        'NLB drift check: some NLBs could not be read; they are checked on the next pass',
      );
    const candidates: DriftCandidate<NlbCheapReason>[] = [];
    let unread = 0;
    for (const e of entries) {
      if (e.lbId && read.failed.has(e.lbId)) {
        unread++;
        continue;
      }
      const record = e.lbId ? read.found.get(e.lbId) : undefined;
      const desired = h.desired(e.key, e.svc);
      const reusedTags = h.reusedTags(e.key);
      const previousFingerprint = this.fingerprints.get(e.key);
      const reason = cheapReason({
        ...(e.lbId ? { lbId: e.lbId } : {}),
        ...(record ? { record } : {}),
        ...(desired ? { desired } : {}),
        ...(reusedTags ? { reusedTags } : {}),
        ...(previousFingerprint !== undefined ? { previousFingerprint } : {}),
      });
      if (record) this.fingerprints.set(e.key, fingerprintOf(record));
      else this.fingerprints.delete(e.key);
      const last = this.fullReadAt.get(e.key);
      candidates.push({
        key: e.key,
        ...(reason ? { reason } : {}),
        ...(last !== undefined ? { lastFullRead: last } : {}),
      });
    }
    const fullReads = selectFullReads(candidates);
    for (const key of fullReads.keys()) h.force(key);
    const reasons: Record<string, number> = {};
    for (const r of fullReads.values()) reasons[r] = (reasons[r] ?? 0) + 1;
    h.logger.debug(
      { services: entries.length, calls: read.calls, fullReads: fullReads.size, reasons, unread },
      'NLB drift check pass',
    );
    return { services: entries.length, batchedCalls: read.calls, fullReads, unread };
  }
}
