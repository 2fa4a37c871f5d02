// Which disks this cluster's driver may attach. Options come from Pod specs and PVs that namespace
// users write, so a disk id in them proves nothing: the disk itself must say it belongs to this
// cluster (the provisioner's tag), or the account owner must have opened it to the cluster (a tag
// on the disk, or kube-aliyun's compatibility list in the driver config). A refusal names the tag
// or setting that would allow the attach, so the operator can act on it.
import { DriverError } from './protocol.js';
import { TAG_CLUSTER_ID, TAG_DISK_OPEN_PREFIX, TAG_PV_NAME } from '../cloud/ownership.js';
import type { FlexConfig } from './config.js';
import type { CloudDisk } from './cloud/types.js';

export type Grant = 'cluster-tag' | 'open-tag' | 'kube-aliyun-list';

export function openTagKey(clusterId: string): string {
  return `${TAG_DISK_OPEN_PREFIX}${clusterId}`;
}

/** How the disk is this cluster's, or undefined when it is not. */
export function grantFor(
  cfg: Pick<FlexConfig, 'clusterId' | 'kubeAliyunDisks'>,
  disk: CloudDisk,
): Grant | undefined {
  if (disk.tags[TAG_CLUSTER_ID] === cfg.clusterId) return 'cluster-tag';
  if (openTagKey(cfg.clusterId) in disk.tags) return 'open-tag';
  if (cfg.kubeAliyunDisks.includes(disk.diskId)) return 'kube-aliyun-list';
  return undefined;
}

/**
 * Throws unless `disk` may be attached for `volumeName`. A disk the provisioner made for one PV
 * attaches only under that PV's name, which stops an inline volume that merely names the disk id
 * of another namespace's claim. (The name comes from options a user can override, so this is a
 * second line; the first is that tenants cannot write inline flexVolumes — see docs/volumes.md.)
 */
export function assertAttachable(
  cfg: Pick<FlexConfig, 'clusterId' | 'kubeAliyunDisks'>,
  disk: CloudDisk,
  volumeName: string | undefined,
): Grant {
  if (disk.type === 'system')
    throw new DriverError(`disk ${disk.diskId} is a system disk and is never attached by this driver`);
  const grant = grantFor(cfg, disk);
  if (!grant) {
    const owner = disk.tags[TAG_CLUSTER_ID];
    const found =
      owner === undefined ? `it has no ${TAG_CLUSTER_ID} tag` : `it is tagged ${TAG_CLUSTER_ID}=${owner}`;
    throw new DriverError(
      `disk ${disk.diskId} does not belong to cluster ${cfg.clusterId} (${found}); nothing was changed. ` +
        `To let this cluster use it, the account owner tags the disk ${openTagKey(cfg.clusterId)}=true ` +
        `(or, for a kube-aliyun disk, lists it in the driver config's kubeAliyunDisks)`,
    );
  }
  const madeFor = disk.tags[TAG_PV_NAME];
  if (grant === 'cluster-tag' && madeFor !== undefined && madeFor !== '' && volumeName !== madeFor) {
    throw new DriverError(
      `disk ${disk.diskId} was provisioned for PV ${madeFor} and attaches only as that PV, not as volume ${volumeName ?? '(unnamed)'}; ` +
        `nothing was changed. A static PV for it must be named ${madeFor} (or change the disk's ${TAG_PV_NAME} tag)`,
    );
  }
  return grant;
}
