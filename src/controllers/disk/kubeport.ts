// The binder's writes, done the way kube-controller-manager's PV controller would (there is
// none in the emulated cluster): PV phase, claim.spec.volumeName + bind annotations, claim
// phase/capacity. Every write is skipped when already done, so repeating a bind is free.
import { Resources } from '../../kube/resources.js';
import { ContentType, type KubeClient } from '../../kube/rest.js';
import { patchStatus } from '../../kube/patch.js';
import { Annotations } from './types.js';
import type { Claim, PvcCondition, Volume } from './types.js';

export async function setVolumePhase(client: KubeClient, pv: Volume, phase: string): Promise<void> {
  if (pv.status?.phase === phase) return;
  await patchStatus(client, Resources.persistentvolumes, undefined, pv.metadata?.name ?? '', { phase });
}

/** Completes the binding of `claim` to `pv`; returns whether anything was written. */
export async function bindClaim(client: KubeClient, claim: Claim, pv: Volume): Promise<boolean> {
  const ns = claim.metadata?.namespace;
  const name = claim.metadata?.name ?? '';
  const pvName = pv.metadata?.name ?? '';
  let wrote = false;
  if (pv.status?.phase !== 'Bound') {
    await setVolumePhase(client, pv, 'Bound');
    wrote = true;
  }
  const a = claim.metadata?.annotations ?? {};
  if (claim.spec?.volumeName !== pvName || a[Annotations.bindCompleted] !== 'yes') {
    await client.patch(
      Resources.persistentvolumeclaims,
      ns,
      name,
      {
        metadata: {
          annotations: { [Annotations.bindCompleted]: 'yes', [Annotations.boundByController]: 'yes' },
        },
        spec: { volumeName: pvName },
      },
      ContentType.merge,
    );
    wrote = true;
  }
  if (claim.status?.phase !== 'Bound') {
    await patchStatus(client, Resources.persistentvolumeclaims, ns, name, {
      phase: 'Bound',
      accessModes: pv.spec?.accessModes ?? ['ReadWriteOnce'],
      capacity: pv.spec?.capacity ?? {},
    });
    wrote = true;
  }
  return wrote;
}

export async function setVolumeCapacity(client: KubeClient, pv: Volume, storage: string): Promise<void> {
  await client.patch(
    Resources.persistentvolumes,
    undefined,
    pv.metadata?.name ?? '',
    { spec: { capacity: { storage } } },
    ContentType.merge,
  );
}

export const FS_RESIZE_PENDING = 'FileSystemResizePending';

/** Marks the claim as waiting for the node to grow the filesystem (the kubelet clears it). */
export async function markFileSystemResizePending(
  client: KubeClient,
  claim: Claim,
  storage: string,
  now: Date,
): Promise<void> {
  const others = (claim.status?.conditions ?? []).filter(
    (c) => c.type !== FS_RESIZE_PENDING && c.type !== 'Resizing',
  );
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition: PvcCondition = {
    type: FS_RESIZE_PENDING,
    status: 'True',
    lastTransitionTime: at,
    message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.',
  };
  await patchStatus(
    client,
    Resources.persistentvolumeclaims,
    claim.metadata?.namespace,
    claim.metadata?.name ?? '',
    {
      conditions: [...others, condition],
      allocatedResources: { storage },
    },
  );
}
