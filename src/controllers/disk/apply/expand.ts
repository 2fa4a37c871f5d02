// Expansion for a bound claim. Kubelets never call FlexVolume `expandvolume`, so the controller
// grows the disk (ResizeDisk), records the new PV capacity, and marks the claim
// FileSystemResizePending; the driver's `expandfs` on the node then grows the filesystem.
import type { EventRecorder } from '../../../kube/events.js';
import { RetryAfterError } from '../../../kube/outcome.js';
import type { KubeClient } from '../../../kube/rest.js';
import type { Logger } from '../../../util/log.js';
import type { DiskCloudPort } from '../cloudport.js';
import { Reasons } from '../events.js';
import { expandPlan, resizeMode } from '../plan.js';
import { markFileSystemResizePending, setVolumeCapacity } from '../kubeport.js';
import { diskIdOf } from '../model/index.js';
import { maximumGiB } from '../model/size.js';
import type { Claim, StorageClass, Volume } from '../types.js';

export interface ExpandDeps {
  client: KubeClient;
  port: DiskCloudPort;
  recorder: EventRecorder;
  logger: Logger;
  now?: () => Date;
}

export async function expand(
  d: ExpandDeps,
  claim: Claim,
  pv: Volume,
  cls: StorageClass | undefined,
): Promise<void> {
  const plan = expandPlan(claim, pv, cls);
  if (plan.action === 'none') return;
  if (plan.action === 'refuse') {
    d.recorder.event(
      claim,
      'Warning',
      Reasons.resizeFailed,
      `cannot expand ${pv.metadata?.name}: ${plan.why}`,
    );
    return;
  }
  const diskId = diskIdOf(pv);
  if (!diskId) {
    d.recorder.event(claim, 'Warning', Reasons.resizeFailed, `PV ${pv.metadata?.name} names no disk`);
    return;
  }
  const disk = await d.port.describe(diskId);
  if (!disk) {
    d.recorder.event(
      claim,
      'Warning',
      Reasons.resizeFailed,
      `disk ${diskId} of PV ${pv.metadata?.name} no longer exists`,
    );
    return;
  }
  const target = plan.toGiB;
  if (target > maximumGiB(disk.category)) {
    d.recorder.event(
      claim,
      'Warning',
      Reasons.resizeFailed,
      `cannot expand ${diskId} to ${target} GiB: ${disk.category} allows at most ${maximumGiB(disk.category)} GiB`,
    );
    return;
  }
  // A retry after ResizeDisk succeeded but the PV write failed must not resize again.
  if (disk.sizeGiB < target) {
    const mode = resizeMode(disk.category, disk.status);
    if ('why' in mode) {
      d.recorder.event(claim, 'Warning', Reasons.resizeFailed, `cannot expand ${diskId} now: ${mode.why}`);
      throw new RetryAfterError(`expand ${diskId}: ${mode.why}`, 30_000);
    }
    d.recorder.event(
      claim,
      'Normal',
      Reasons.resizing,
      `Resizing disk ${diskId} from ${disk.sizeGiB} GiB to ${target} GiB (${mode.type})`,
    );
    await d.port.resize(diskId, target, mode.type);
    d.logger.info({ diskId, from: disk.sizeGiB, to: target, type: mode.type }, 'resized disk');
  }
  const storage = `${Math.max(disk.sizeGiB, target)}Gi`;
  await setVolumeCapacity(d.client, pv, storage);
  await markFileSystemResizePending(d.client, claim, storage, (d.now ?? (() => new Date()))());
  d.recorder.event(
    claim,
    'Normal',
    Reasons.fileSystemResizeRequired,
    `Disk ${diskId} is now ${storage}; the filesystem grows when a Pod next mounts it on a node`,
  );
}
