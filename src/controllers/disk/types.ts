// The slices of StorageClass, PersistentVolumeClaim, PersistentVolume and Node the disk
// controller reads and writes. Plain data, so the pure modules can build and test them.
import type { ObjectReference } from '../../kube/events.js';
import type { KubeObject, ObjectMeta } from '../../kube/types.js';
import { TAG_CLUSTER_ID, TAG_PV_NAME, TAG_PVC_NAME, TAG_PVC_NAMESPACE } from '../../cloud/ownership.js';

// Names the disk provisioner shares with Kubernetes, the FlexVolume driver and the cloud: kept
// together so the driver's lookup (by PV-name tag or disk name) and the provisioner's tagging
// can never drift apart.

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

export interface StorageClass extends KubeObject {
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: 'Delete' | 'Retain' | (string & {});
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer' | (string & {});
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
  allowedTopologies?: Array<{ matchLabelExpressions?: Array<{ key: string; values: string[] }> }>;
}

export interface PvcCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string;
}

export interface Claim extends KubeObject {
  metadata?: ObjectMeta;
  spec?: {
    storageClassName?: string | null;
    accessModes?: string[];
    resources?: { requests?: Record<string, string> };
    volumeName?: string;
    volumeMode?: string;
    selector?: unknown;
    dataSource?: unknown;
    dataSourceRef?: unknown;
  };
  status?: {
    phase?: string;
    accessModes?: string[];
    capacity?: Record<string, string>;
    allocatedResources?: Record<string, string>;
    conditions?: PvcCondition[];
  };
}

/** A PV's spec.claimRef is a plain object reference. */
export type ClaimRef = ObjectReference;

export interface NodeSelectorTerm {
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface Volume extends KubeObject {
  metadata?: ObjectMeta;
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    storageClassName?: string;
    volumeMode?: string;
    mountOptions?: string[];
    claimRef?: ClaimRef;
    flexVolume?: { driver: string; fsType?: string; readOnly?: boolean; options?: Record<string, string> };
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
  };
  status?: { phase?: string; message?: string; reason?: string };
}

export interface NodeLike extends KubeObject {
  spec?: { providerID?: string };
}
