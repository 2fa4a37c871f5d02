// One PV of ours: mark it Released when its claim is gone, and for reclaim policy Delete delete
// the disk — only when Available and carrying this cluster's tag — then the PV. The PV finalizer
// comes off last, so a crash anywhere leaves a PV that says what is still to do.
import { isNotFound } from '../../../kube/errors.js';
import type { EventRecorder } from '../../../kube/events.js';
import { RetryAfterError } from '../../../kube/outcome.js';
import { addFinalizer, removeFinalizer } from '../../../kube/patch.js';
import { Resources } from '../../../kube/resources.js';
import type { KubeClient } from '../../../kube/rest.js';
import type { Logger } from '../../../util/log.js';
import type { DiskCloudPort } from '../cloudport.js';
import { PV_FINALIZER } from '../types.js';
import { Reasons } from '../events.js';
import { isReleased, reclaimVerdict } from '../plan.js';
import { setVolumePhase } from '../kubeport.js';
import { diskIdOf } from '../model/index.js';
import type { Claim, Volume } from '../types.js';

export interface ReclaimDeps {
  client: KubeClient;
  port: DiskCloudPort;
  recorder: EventRecorder;
  logger: Logger;
  clusterId: string;
  /** The claim from the informer cache. */
  cachedClaim(namespace: string, name: string): Claim | undefined;
  /** How long to wait before looking at an attached disk again. */
  inUseRetryMs?: number;
}

/** The cache says "claim gone"; ask the apiserver before anything irreversible. */
async function confirmReleased(d: ReclaimDeps, pv: Volume): Promise<boolean> {
  const ref = pv.spec?.claimRef;
  try {
    const live = await d.client.get<Claim>(Resources.persistentvolumeclaims, ref?.namespace, ref?.name ?? '');
    return isReleased(pv, live);
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

export async function reclaim(d: ReclaimDeps, pv: Volume): Promise<void> {
  const name = pv.metadata?.name ?? '';
  const ref = pv.spec?.claimRef;
  const claim = ref?.name ? d.cachedClaim(ref.namespace ?? '', ref.name) : undefined;
  const released = isReleased(pv, claim);
  const deleting = Boolean(pv.metadata?.deletionTimestamp);

  if (!released) {
    // Bound (or never bound): a PV of ours carries the finalizer from birth; add it if an older
    // version made this PV, but never to an object already being deleted.
    if (!deleting && !pv.metadata?.finalizers?.includes(PV_FINALIZER))
      await addFinalizer(d.client, Resources.persistentvolumes, pv, PV_FINALIZER);
    return;
  }
  if (!(await confirmReleased(d, pv))) return;

  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy !== 'Delete') {
    if (!deleting) await setVolumePhase(d.client, pv, 'Released');
    // Retain: the user deletes the PV when done; the disk stays by definition.
    else await removeFinalizer(d.client, Resources.persistentvolumes, pv, PV_FINALIZER);
    return;
  }
  if (!deleting && pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed')
    await setVolumePhase(d.client, pv, 'Released');

  const diskId = diskIdOf(pv);
  if (diskId) {
    const verdict = reclaimVerdict(diskId, await d.port.describe(diskId), d.clusterId);
    switch (verdict.action) {
      case 'wait':
        d.recorder.event(pv, 'Normal', Reasons.diskKept, verdict.why);
        throw new RetryAfterError(verdict.why, d.inUseRetryMs ?? 10_000);
      case 'keep':
        d.recorder.event(pv, 'Warning', Reasons.diskKept, `${verdict.why}; deleting PV ${name} only`);
        d.logger.warn({ pv: name, diskId }, 'kept a disk this cluster does not own');
        break;
      case 'delete':
        await d.port.delete(diskId);
        d.recorder.event(pv, 'Normal', Reasons.diskDeleted, `Deleted disk ${diskId} of released PV ${name}`);
        d.logger.info({ pv: name, diskId }, 'deleted disk');
        break;
      case 'gone':
        break;
    }
  }
  if (!deleting) {
    try {
      await d.client.delete(Resources.persistentvolumes, undefined, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
  const fresh = await d.client
    .get<Volume>(Resources.persistentvolumes, undefined, name)
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (fresh) await removeFinalizer(d.client, Resources.persistentvolumes, fresh, PV_FINALIZER);
}
