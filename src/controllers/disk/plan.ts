// Pure decisions: which claims are ours, what a claim needs next, whether a released disk may
// be deleted, and how to resize. Each returns data (with a human reason where something is
// refused) so the reconcilers stay thin and every rule has a table test.
import { Annotations, CLUSTER_TAG, PROVISIONERS, PVC_FINALIZER } from './types.js';
import { requestBytes } from './model/index.js';
import { bytesToGiB, parseQuantity } from './model/size.js';
import type { Claim, StorageClass, Volume } from './types.js';

/**
 * The class a claim asks for: spec.storageClassName, else the beta annotation, else (when both
 * are absent, not merely empty) the default class — what the DefaultStorageClass admission
 * plugin would have filled in on a real apiserver.
 */
export function classNameOf(claim: Claim, classes: readonly StorageClass[]): string | undefined {
  const spec = claim.spec?.storageClassName;
  if (typeof spec === 'string') return spec === '' ? undefined : spec;
  const beta = claim.metadata?.annotations?.[Annotations.betaStorageClass];
  if (beta !== undefined) return beta === '' ? undefined : beta;
  const defaults = classes.filter((c) => c.metadata?.annotations?.[Annotations.defaultClass] === 'true');
  // Several defaults: the newest wins, as in current Kubernetes.
  defaults.sort((a, b) =>
    (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''),
  );
  return defaults[0]?.metadata?.name;
}

/** Our provisioner, named either by the class or by the annotations the PV controller sets. */
export function provisionerFor(claim: Claim, cls: StorageClass | undefined): string | undefined {
  const a = claim.metadata?.annotations ?? {};
  for (const name of [
    a[Annotations.storageProvisioner],
    a[Annotations.betaStorageProvisioner],
    cls?.provisioner,
  ]) {
    if (name && PROVISIONERS.includes(name)) return name;
  }
  return undefined;
}

export type ClaimStep =
  | { step: 'ignore' }
  /** Deleted while we held our provisioning finalizer: clean up a half-made disk, then release it. */
  | { step: 'cleanup' }
  | { step: 'waitForConsumer' }
  | { step: 'provision' }
  /** PV exists (or is named) but the binder's work is unfinished. */
  | { step: 'bind' }
  | { step: 'bound' };

export function nextClaimStep(claim: Claim, cls: StorageClass | undefined, ours: boolean): ClaimStep {
  if (claim.metadata?.deletionTimestamp) {
    return claim.metadata.finalizers?.includes(PVC_FINALIZER) ? { step: 'cleanup' } : { step: 'ignore' };
  }
  if (!ours) return { step: 'ignore' };
  const volumeName = claim.spec?.volumeName;
  if (volumeName) return claim.status?.phase === 'Bound' ? { step: 'bound' } : { step: 'bind' };
  if (claim.status?.phase === 'Lost') return { step: 'ignore' };
  if (
    cls?.volumeBindingMode === 'WaitForFirstConsumer' &&
    !claim.metadata?.annotations?.[Annotations.selectedNode]
  ) {
    return { step: 'waitForConsumer' };
  }
  return { step: 'provision' };
}

export interface DiskFacts {
  status: string;
  instanceId: string;
  tags: Record<string, string>;
}

export type ReclaimVerdict =
  | { action: 'delete' }
  | { action: 'gone' }
  /** Kept for good (foreign disk): the PV may go, the disk stays. */
  | { action: 'keep'; why: string }
  /** Not yet (attached, detaching): retry later, PV stays. */
  | { action: 'wait'; why: string };

/** Delete only a disk that is Available and carries this cluster's tag; anything else is kept or waited on. */
export function reclaimVerdict(
  diskId: string,
  disk: DiskFacts | undefined,
  clusterId: string,
): ReclaimVerdict {
  if (!disk) return { action: 'gone' };
  const owner = disk.tags[CLUSTER_TAG];
  if (owner !== clusterId) {
    const who = owner === undefined ? `no ${CLUSTER_TAG} tag` : `${CLUSTER_TAG}=${owner}`;
    return {
      action: 'keep',
      why: `disk ${diskId} was kept: it is not owned by this cluster (${who}, expected ${clusterId})`,
    };
  }
  if (disk.status === 'Available') return { action: 'delete' };
  const where = disk.instanceId ? ` on instance ${disk.instanceId}` : '';
  return {
    action: 'wait',
    why: `disk ${diskId} is ${disk.status}${where}; it will be deleted once detached`,
  };
}

/** Whether a PV is gone from its claim: no claim by that name, or one with another UID (re-created). */
export function isReleased(pv: Volume, claim: Claim | undefined): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref?.name) return false;
  if (!claim) return true;
  return Boolean(ref.uid && claim.metadata?.uid && ref.uid !== claim.metadata.uid);
}

export type ExpandPlan =
  | { action: 'none' }
  | { action: 'refuse'; why: string }
  | { action: 'resize'; fromGiB: number; toGiB: number };

/** A larger request on a bound claim: resize when the class allows it, else say why not. */
export function expandPlan(claim: Claim, pv: Volume, cls: StorageClass | undefined): ExpandPlan {
  const wantBytes = requestBytes(claim);
  const haveBytes = parseQuantity(pv.spec?.capacity?.storage);
  if (wantBytes === undefined || haveBytes === undefined || wantBytes <= haveBytes) return { action: 'none' };
  if (!cls)
    return {
      action: 'refuse',
      why: `StorageClass ${claim.spec?.storageClassName ?? ''} not found; cannot check allowVolumeExpansion`,
    };
  if (cls.allowVolumeExpansion !== true) {
    return {
      action: 'refuse',
      why: `StorageClass ${cls.metadata?.name ?? ''} does not set allowVolumeExpansion: true`,
    };
  }
  return { action: 'resize', fromGiB: bytesToGiB(haveBytes), toGiB: bytesToGiB(wantBytes) };
}

/**
 * Online resize works for attached cloud_efficiency/ssd/essd disks; a basic `cloud` disk must be
 * detached first. Returns the ResizeDisk Type, or why it cannot happen now.
 */
export function resizeMode(
  category: string,
  status: string,
): { type: 'online' | 'offline' } | { why: string } {
  if (status === 'Available') return { type: 'offline' };
  if (status === 'In_use') {
    return category === 'cloud'
      ? { why: 'a basic (cloud) disk can only be resized while detached; stop the Pod using it' }
      : { type: 'online' };
  }
  return { why: `disk is ${status}` };
}
