// The slices of StorageClass, PersistentVolumeClaim, PersistentVolume and Node the disk
// controller reads and writes. Plain data, so the pure modules can build and test them.
import type { KubeObject, ObjectMeta } from '../../kube/types.js';

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

export interface ClaimRef {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

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
