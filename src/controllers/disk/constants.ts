// Names the disk provisioner shares with Kubernetes, the FlexVolume driver and the cloud.
// Kept together so the driver's lookup (by PV-name tag or disk name) and the provisioner's
// tagging can never drift apart.
import { TAG_CLUSTER_ID, TAG_PV_NAME, TAG_PVC_NAME, TAG_PVC_NAMESPACE } from '../../cloud/ownership.js';

/** The cluster-ownership tag key (value = cluster id), shared with the SLB ownership scheme. */
export const CLUSTER_TAG = TAG_CLUSTER_ID;

/** Provisioner names we answer to: ours, and kube-aliyun's for drop-in StorageClasses. */
export const PROVISIONER = 'alicloud/disk';
export const LEGACY_PROVISIONER = 'archon.kubeup.com/aliyun';
export const PROVISIONERS: readonly string[] = [PROVISIONER, LEGACY_PROVISIONER];

/** The FlexVolume driver name the kubelet resolves to `alicloud~disk/disk`. */
export const FLEX_DRIVER = 'alicloud/disk';

export const Annotations = {
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  selectedNode: 'volume.kubernetes.io/selected-node',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  betaStorageClass: 'volume.beta.kubernetes.io/storage-class',
  defaultClass: 'storageclass.kubernetes.io/is-default-class',
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  /** The disk id, also on the PV so operators can see it without reading the flexVolume options. */
  diskId: 'alicloud.kubernetes.io/disk-id',
} as const;

/**
 * On the PV: held until the disk was deleted (or deliberately kept), so deleting a PV can never
 * orphan a disk we own. On the PVC: held from just before CreateDisk until the PV exists, so a
 * claim deleted mid-provision still gets its disk cleaned up.
 */
export const PV_FINALIZER = 'alicloud.kubernetes.io/disk-protection';
export const PVC_FINALIZER = 'alicloud.kubernetes.io/disk-provisioning';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';

/**
 * Disk tags. The cluster tag (`ack.aliyun.com` = cluster id, shared with the SLB ownership
 * scheme) is what makes a disk "ours": reclaim deletes only disks carrying it. The PV-name tag is
 * how the FlexVolume driver finds a provisioned disk at detach time; the claim tags are for humans.
 */
export const DiskTags = {
  pvName: TAG_PV_NAME,
  pvcName: TAG_PVC_NAME,
  pvcNamespace: TAG_PVC_NAMESPACE,
} as const;

export const Reasons = {
  provisioning: 'Provisioning',
  provisioningSucceeded: 'ProvisioningSucceeded',
  provisioningFailed: 'ProvisioningFailed',
  waitForFirstConsumer: 'WaitForFirstConsumer',
  diskDeleted: 'VolumeDeleted',
  diskKept: 'DiskKept',
  deleteFailed: 'VolumeFailedDelete',
  resizing: 'Resizing',
  resizeFailed: 'VolumeResizeFailed',
  fileSystemResizeRequired: 'FileSystemResizeRequired',
} as const;
