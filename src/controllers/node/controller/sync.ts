// One periodic pass over the Nodes (still-tainted ones only for deletion): batched
// DescribeInstances (≤100 ids per call), writes only where something differs, shutdown taint on
// stopped instances, and deletion of Nodes whose instance is positively gone and whose kubelet
// stopped reporting. A failed describe makes its whole batch a no-op: "could not ask" must never
// look like "gone".
import { errorText } from '../../../util/errors.js';
import { chunk } from '../../../util/chunk.js';
import type { EventRecorder } from '../../../kube/events.js';
import type { Logger } from '../../../util/log.js';
import { redactSecrets } from '../../../util/secrets.js';
import type { NodeWriter } from '../kubeport.js';
import type { NodeCloudPort } from '../cloudport.js';
import { NodeEvents } from '../events.js';
import { TAINT_UNINITIALIZED } from '../../../kube/labels.js';
import { isReleased, type CloudInstance } from '../plan/instance.js';
import { kubeletLiveness } from '../plan/liveness.js';
import type { NodeMetrics } from '../metrics.js';
import { hasTaint, wouldChange } from '../plan/modifiers.js';
import { planSync } from '../plan/index.js';
import { nodeExcludedBy } from '../../excludednode.js';
import { inRegion, parseProviderId } from '../../providerid.js';
import type { Node } from '../types.js';

export interface SyncDeps {
  port: NodeCloudPort;
  writer: NodeWriter;
  recorder: EventRecorder;
  logger: Logger;
  metrics: NodeMetrics;
  heartbeatGraceMs: number;
  nowMs?: () => number;
}

export interface SyncReport {
  nodes: number;
  describeCalls: number;
  updated: number;
  unchanged: number;
  deleted: number;
  keptMissing: number;
  lookupFailed: number;
  writeFailed: number;
}

const BATCH = 100;

export async function syncNodes(all: readonly Node[], d: SyncDeps): Promise<SyncReport> {
  const report: SyncReport = {
    nodes: 0,
    describeCalls: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    keptMissing: 0,
    lookupFailed: 0,
    writeFailed: 0,
  };
  const nowMs = d.nowMs ?? Date.now;
  const eligible: Array<{ node: Node; id: string; tainted: boolean }> = [];
  for (const node of all) {
    if (!node.metadata?.name) continue;
    if (nodeExcludedBy(node)) continue; // the official CCM's periodic sync leaves them alone too
    const ref = parseProviderId(node.spec?.providerID);
    if (!ref || !inRegion(ref, d.port.region)) continue; // not an instance this client can see
    eligible.push({ node, id: ref.instanceId, tainted: hasTaint(node, TAINT_UNINITIALIZED) });
  }
  report.nodes = eligible.length;

  for (const batch of chunk(eligible, BATCH)) {
    let found: Map<string, CloudInstance>;
    try {
      report.describeCalls++;
      found = new Map((await d.port.describeByIds(batch.map((b) => b.id))).map((i) => [i.id, i]));
    } catch (err) {
      report.lookupFailed += batch.length;
      d.metrics.sync('lookup_failed', batch.length);
      d.logger.warn(
        { nodes: batch.length, err: redactSecrets(String(err)) },
        'describing instances failed; this batch is left untouched',
      );
      continue;
    }
    const deletions: Array<{ node: Node; id: string; why: string }> = [];
    for (const { node, id, tainted } of batch) {
      const plan = planSync(node, found.get(id), { nowMs: nowMs(), heartbeatGraceMs: d.heartbeatGraceMs });
      if (plan.kind === 'delete') {
        // Tainted or not: a Node whose instance is gone and whose kubelet is silent never
        // finishes initialising, so it goes as the official CCM removes it.
        deletions.push({ node, id, why: plan.why });
        continue;
      }
      if (tainted) continue; // everything else about a tainted Node is initialisation's job
      if (plan.kind === 'keep') {
        report.keptMissing++;
        d.metrics.sync('kept_missing');
        d.logger.info(
          { node: node.metadata!.name, instance: id, why: plan.why },
          'instance missing; Node kept',
        );
        continue;
      }
      if (!wouldChange(node, plan.mods)) {
        report.unchanged++;
        d.metrics.sync('unchanged');
        continue;
      }
      try {
        const res = await d.writer.apply(node.metadata!.name!, plan.mods, node.metadata?.uid);
        if (res === 'updated') {
          for (const e of plan.events) d.recorder.event(node, e.type, e.reason, e.message);
          report.updated++;
          d.metrics.sync('updated');
        } else {
          report.unchanged++;
          d.metrics.sync('unchanged');
        }
      } catch (err) {
        report.writeFailed++;
        d.metrics.sync('write_failed');
        d.recorder.event(
          node,
          'Warning',
          NodeEvents.SyncNodeFailed,
          `updating addresses/labels/taints failed: ${redactSecrets(errorText(err))}`,
        );
      }
    }
    if (deletions.length > 0) await deleteGone(deletions, d, report, nowMs);
  }
  return report;
}

/**
 * Second opinion before an irreversible step: the instances are described once more (a
 * successful answer must omit them again), each Node is re-read (same uid and providerID, kubelet
 * still silent) and deleted with uid+resourceVersion preconditions.
 */
async function deleteGone(
  cands: Array<{ node: Node; id: string; why: string }>,
  d: SyncDeps,
  report: SyncReport,
  nowMs: () => number,
): Promise<void> {
  let again: Map<string, CloudInstance>;
  try {
    report.describeCalls++;
    again = new Map((await d.port.describeByIds(cands.map((c) => c.id))).map((i) => [i.id, i]));
  } catch (err) {
    report.lookupFailed += cands.length;
    d.metrics.sync('lookup_failed', cands.length);
    d.logger.warn(
      { nodes: cands.length, err: redactSecrets(String(err)) },
      'confirming missing instances failed; nothing deleted',
    );
    return;
  }
  for (const c of cands) {
    const name = c.node.metadata!.name!;
    const inst = again.get(c.id);
    if (inst && !isReleased(inst)) continue; // reappeared: eventual consistency, not a deletion
    let fresh: Node | undefined;
    try {
      fresh = await d.writer.get(name);
    } catch (err) {
      d.logger.warn(
        { node: name, err: redactSecrets(String(err)) },
        're-reading Node before delete failed; not deleted',
      );
      continue;
    }
    if (!fresh || fresh.metadata?.uid !== c.node.metadata?.uid) continue;
    if (parseProviderId(fresh.spec?.providerID)?.instanceId !== c.id) continue;
    if (!kubeletLiveness(fresh, nowMs(), d.heartbeatGraceMs).stopped) continue;
    try {
      const res = await d.writer.delete(fresh);
      if (res !== 'deleted') continue;
      report.deleted++;
      d.metrics.sync('deleted');
      d.recorder.event(fresh, 'Normal', NodeEvents.DeletedNode, `deleted Node ${name}: ${c.why}`);
      d.logger.info({ node: name, instance: c.id, why: c.why }, 'deleted node');
    } catch (err) {
      d.metrics.sync('delete_failed');
      d.recorder.event(
        fresh,
        'Warning',
        NodeEvents.DeleteNodeFailed,
        `deleting Node ${name} failed: ${redactSecrets(errorText(err))}`,
      );
    }
  }
}
