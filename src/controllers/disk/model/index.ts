// Pure builders: what disk to create for a claim, and the PV that describes it. No I/O, so the
// whole "claim + class → disk + PV" mapping is testable from plain objects.
import { Annotations, CLUSTER_TAG, DiskTags, FLEX_DRIVER, PV_FINALIZER } from '../types.js';
import { WellKnownLabels } from '../../../kube/labels.js';
import type { DiskClass } from '../annotations.js';
import { diskSizeGiB, maximumGiB, parseQuantity } from './size.js';
import type { Claim, ClaimRef, StorageClass, Volume } from '../types.js';

export interface DesiredDisk {
  zoneId: string;
  category: string;
  performanceLevel?: string;
  sizeGiB: number;
  /** Disk name = PV name, as kube-aliyun did: the FlexVolume driver's second lookup key. */
  diskName: string;
  description: string;
  encrypted: boolean;
  kmsKeyId?: string;
  resourceGroupId?: string;
  tags: Array<{ key: string; value: string }>;
  /** Stable per claim UID: a retry or a restart can never create a second disk. */
  clientToken: string;
}

/** external-provisioner's naming: `pvc-<claim uid>`. Unique, stable, and a legal disk name. */
export function volumeNameFor(claim: Claim): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

export function clientTokenFor(claim: Claim): string {
  return `kube-alicloud-disk-${claim.metadata?.uid ?? ''}`;
}

/** Reasons a claim cannot be served by a cloud disk, whatever the class says. */
export function claimProblems(claim: Claim): string[] {
  const out: string[] = [];
  const spec = claim.spec ?? {};
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) out.push('accessModes is empty; a cloud disk supports ReadWriteOnce');
  const unsupported = modes.filter((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod');
  if (unsupported.length)
    out.push(
      `accessModes ${unsupported.join(', ')} not supported; a cloud disk attaches to one node (ReadWriteOnce)`,
    );
  if (spec.selector) out.push('spec.selector is not supported by dynamic provisioning');
  if (spec.volumeMode === 'Block')
    out.push('volumeMode Block is not supported by the FlexVolume driver; use Filesystem');
  if (spec.dataSource || spec.dataSourceRef) out.push('spec.dataSource (snapshots, clones) is not supported');
  if (requestBytes(claim) === undefined)
    out.push(
      `spec.resources.requests.storage ${JSON.stringify(spec.resources?.requests?.storage ?? '')} is not a valid quantity`,
    );
  return out;
}

export function requestBytes(claim: Claim): number | undefined {
  const bytes = parseQuantity(claim.spec?.resources?.requests?.storage);
  return bytes !== undefined && bytes > 0 ? bytes : undefined;
}

/** The disk for a claim, or a reason it cannot be made (e.g. larger than the category allows). */
export function desiredDisk(
  claim: Claim,
  cls: DiskClass,
  zoneId: string,
  clusterId: string,
): DesiredDisk | string {
  const bytes = requestBytes(claim) ?? 0;
  const sizeGiB = diskSizeGiB(bytes, cls.category, cls.performanceLevel);
  const max = maximumGiB(cls.category);
  if (sizeGiB > max) return `requested ${sizeGiB} GiB exceeds the ${max} GiB maximum of ${cls.category}`;
  const pvName = volumeNameFor(claim);
  const ns = claim.metadata?.namespace ?? '';
  const name = claim.metadata?.name ?? '';
  return {
    zoneId,
    category: cls.category,
    ...(cls.performanceLevel ? { performanceLevel: cls.performanceLevel } : {}),
    sizeGiB,
    diskName: pvName,
    description: `Kubernetes PV ${pvName} for claim ${ns}/${name}`,
    encrypted: cls.encrypted,
    ...(cls.kmsKeyId ? { kmsKeyId: cls.kmsKeyId } : {}),
    ...(cls.resourceGroupId ? { resourceGroupId: cls.resourceGroupId } : {}),
    tags: [
      { key: CLUSTER_TAG, value: clusterId },
      { key: DiskTags.pvName, value: pvName },
      { key: DiskTags.pvcNamespace, value: ns },
      { key: DiskTags.pvcName, value: name },
      ...cls.tags,
    ],
    clientToken: clientTokenFor(claim),
  };
}

export function claimRefOf(claim: Claim): ClaimRef {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata?.namespace ?? '',
    name: claim.metadata?.name ?? '',
    uid: claim.metadata?.uid ?? '',
  };
}

export interface VolumeInputs {
  claim: Claim;
  storageClass: StorageClass;
  provisioner: string;
  diskClass: DiskClass;
  diskId: string;
  zoneId: string;
  regionId: string;
  sizeGiB: number;
}

/** The PV for a provisioned disk, pre-bound to its claim and guarded by our finalizer. */
export function desiredVolume(i: VolumeInputs): Volume {
  const reclaim = i.storageClass.reclaimPolicy === 'Retain' ? 'Retain' : 'Delete';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volumeNameFor(i.claim),
      annotations: { [Annotations.provisionedBy]: i.provisioner, [Annotations.diskId]: i.diskId },
      labels: {
        [WellKnownLabels.zone]: i.zoneId,
        ...(i.regionId ? { [WellKnownLabels.region]: i.regionId } : {}),
      },
      finalizers: [PV_FINALIZER],
    },
    spec: {
      capacity: { storage: `${i.sizeGiB}Gi` },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: reclaim,
      storageClassName: i.storageClass.metadata?.name ?? '',
      volumeMode: 'Filesystem',
      ...(i.storageClass.mountOptions?.length ? { mountOptions: [...i.storageClass.mountOptions] } : {}),
      claimRef: claimRefOf(i.claim),
      flexVolume: {
        driver: FLEX_DRIVER,
        fsType: i.diskClass.fsType,
        // Both spellings: kube-aliyun's driver reads diskId, Alibaba's reads volumeId.
        options: { volumeId: i.diskId, diskId: i.diskId },
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: WellKnownLabels.zone, operator: 'In', values: [i.zoneId] }] },
          ],
        },
      },
    },
  };
}

/** The disk id a PV of ours points at (options first, then our annotation). */
export function diskIdOf(pv: Volume): string | undefined {
  const o = pv.spec?.flexVolume?.options ?? {};
  return o.volumeId || o.diskId || pv.metadata?.annotations?.[Annotations.diskId] || undefined;
}
