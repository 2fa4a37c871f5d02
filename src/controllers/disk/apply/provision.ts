// One claim, one step: provision (disk, then PV, then bind), finish a bind, clean up after a
// claim deleted mid-provision, or expand. Level-based — every call re-derives what is left to do
// from the cluster and the cloud, so a crash at any point resumes without a second disk.
import { CloudError } from '../../../cloud/errors.js';
import { isAlreadyExists, isNotFound } from '../../../kube/errors.js';
import type { EventRecorder } from '../../../kube/events.js';
import { RetryAfterError, ValidationError } from '../../../kube/outcome.js';
import { addFinalizer, removeFinalizer } from '../../../kube/patch.js';
import { Resources } from '../../../kube/resources.js';
import type { KubeClient } from '../../../kube/rest.js';
import type { Logger } from '../../../util/log.js';
import type { DiskCloudPort, ObservedDisk } from '../cloudport.js';
import { Annotations, CLUSTER_TAG, PROVISIONERS, PVC_FINALIZER } from '../types.js';
import { Reasons } from '../events.js';
import { reclaimVerdict } from '../plan.js';
import { claimProblems, desiredDisk, desiredVolume, volumeNameFor } from '../model/index.js';
import { describeProblems, parseClassParameters } from '../annotations.js';
import { bindClaim } from '../kubeport.js';
import type { Claim, StorageClass, Volume } from '../types.js';
import { zoneOfNode, type ZoneSources } from '../inputs.js';

export interface ProvisionDeps {
  client: KubeClient;
  port: DiskCloudPort;
  recorder: EventRecorder;
  logger: Logger;
  zones: ZoneSources;
  clusterId: string;
  regionId: string;
  /** The PV by name, from the informer cache (falls back to a GET when absent). */
  cachedVolume(name: string): Volume | undefined;
}

/** Records the Warning and stops retrying until the claim or class changes. */
function refuse(d: ProvisionDeps, claim: Claim, message: string): never {
  d.recorder.event(claim, 'Warning', Reasons.provisioningFailed, message);
  throw new ValidationError(message);
}

export async function getVolume(d: ProvisionDeps, name: string): Promise<Volume | undefined> {
  const cached = d.cachedVolume(name);
  if (cached) return cached;
  try {
    return await d.client.get<Volume>(Resources.persistentvolumes, undefined, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function isOurVolume(pv: Volume): boolean {
  return PROVISIONERS.includes(pv.metadata?.annotations?.[Annotations.provisionedBy] ?? '');
}

/** Disks made for this PV name by this cluster (a foreign disk with a copied tag is not ours). */
async function ownDisks(d: ProvisionDeps, pvName: string): Promise<ObservedDisk[]> {
  return (await d.port.findByVolumeName(pvName)).filter((x) => x.tags[CLUSTER_TAG] === d.clusterId);
}

async function chooseZone(d: ProvisionDeps, claim: Claim, classZone: string | undefined): Promise<string> {
  if (classZone) return classZone;
  const selected = claim.metadata?.annotations?.[Annotations.selectedNode];
  if (selected) return zoneOfNode(d.zones, selected);
  return d.zones.defaultZone();
}

export async function provision(
  d: ProvisionDeps,
  claim: Claim,
  cls: StorageClass | undefined,
  provisioner: string,
): Promise<void> {
  const ref = `${claim.metadata?.namespace}/${claim.metadata?.name}`;
  if (!cls) refuse(d, claim, `StorageClass ${JSON.stringify(claim.spec?.storageClassName ?? '')} not found`);
  const parsed = parseClassParameters(cls.parameters);
  const problems = [...claimProblems(claim), ...(parsed.ok ? [] : [describeProblems(parsed.problems)])];
  if (problems.length || !parsed.ok)
    refuse(d, claim, `cannot provision a disk for claim ${ref}: ${problems.join('; ')}`);
  const diskClass = parsed.value;
  const pvName = volumeNameFor(claim);

  // A PV left by an earlier run (crash between create and bind) only needs the bind finished.
  const existingPv = await getVolume(d, pvName);
  if (existingPv) {
    await finishProvisioning(d, claim, existingPv);
    return;
  }

  const zoneId = await chooseZone(d, claim, diskClass.zoneId);
  const desired = desiredDisk(claim, diskClass, zoneId, d.clusterId);
  if (typeof desired === 'string') refuse(d, claim, `cannot provision a disk for claim ${ref}: ${desired}`);

  // Finalizer before the first cloud write: a claim deleted from here on still gets cleaned up.
  const held = await addFinalizer(d.client, Resources.persistentvolumeclaims, claim, PVC_FINALIZER);

  let disk = (await ownDisks(d, pvName))[0];
  if (!disk) {
    d.recorder.event(
      claim,
      'Normal',
      Reasons.provisioning,
      `External provisioner is provisioning volume for claim "${ref}"`,
    );
    let diskId: string;
    try {
      diskId = await d.port.create(desired);
    } catch (err) {
      if (err instanceof CloudError)
        d.recorder.event(
          claim,
          'Warning',
          Reasons.provisioningFailed,
          `failed to create disk for claim ${ref}: ${err.message}`,
        );
      throw err;
    }
    d.logger.info(
      { claim: ref, diskId, zoneId, sizeGiB: desired.sizeGiB, category: desired.category },
      'created disk',
    );
    disk = {
      diskId,
      status: 'Creating',
      instanceId: '',
      zoneId,
      category: desired.category,
      sizeGiB: desired.sizeGiB,
      tags: {},
    };
  }

  const pv = desiredVolume({
    claim,
    storageClass: cls,
    provisioner,
    diskClass,
    diskId: disk.diskId,
    zoneId: disk.zoneId || zoneId,
    regionId: d.regionId,
    sizeGiB: Math.max(disk.sizeGiB, desired.sizeGiB),
  });
  let created: Volume;
  try {
    created = await d.client.create<Volume>(Resources.persistentvolumes, undefined, pv);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    created = await d.client.get<Volume>(Resources.persistentvolumes, undefined, pvName);
  }
  await finishProvisioning(d, held, created);
  d.recorder.event(
    claim,
    'Normal',
    Reasons.provisioningSucceeded,
    `Successfully provisioned volume ${pvName}: disk ${disk.diskId}, ${pv.spec?.capacity?.storage}, ${diskClass.category}, zone ${disk.zoneId || zoneId}`,
  );
}

/** PV exists: bind, then drop the provisioning finalizer (the PV's own finalizer guards the disk now). */
async function finishProvisioning(d: ProvisionDeps, claim: Claim, pv: Volume): Promise<void> {
  if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== claim.metadata?.uid) {
    throw new ValidationError(`PV ${pv.metadata?.name} is bound to another claim`);
  }
  await bindClaim(d.client, claim, pv);
  const fresh = await d.client.get<Claim>(
    Resources.persistentvolumeclaims,
    claim.metadata?.namespace,
    claim.metadata?.name ?? '',
  );
  await removeFinalizer(d.client, Resources.persistentvolumeclaims, fresh, PVC_FINALIZER);
}

/** Finishes a bind started earlier (claim names a PV we made, but is not Bound yet). */
export async function bind(d: ProvisionDeps, claim: Claim): Promise<void> {
  const pv = await getVolume(d, claim.spec?.volumeName ?? '');
  if (!pv || !isOurVolume(pv)) return;
  if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== claim.metadata?.uid) return;
  await bindClaim(d.client, claim, pv);
  if (claim.metadata?.finalizers?.includes(PVC_FINALIZER))
    await removeFinalizer(d.client, Resources.persistentvolumeclaims, claim, PVC_FINALIZER);
}

/** Claim deleted while we held the provisioning finalizer: delete a disk no PV will ever reclaim. */
export async function cleanup(d: ProvisionDeps, claim: Claim): Promise<void> {
  const pvName = volumeNameFor(claim);
  if (!(await getVolume(d, pvName))) {
    for (const disk of await ownDisks(d, pvName)) {
      const verdict = reclaimVerdict(disk.diskId, disk, d.clusterId);
      if (verdict.action === 'wait') throw new RetryAfterError(verdict.why, 10_000);
      if (verdict.action === 'delete') {
        await d.port.delete(disk.diskId);
        d.logger.info({ pvName, diskId: disk.diskId }, 'deleted disk of a claim deleted mid-provision');
      }
    }
  }
  await removeFinalizer(d.client, Resources.persistentvolumeclaims, claim, PVC_FINALIZER);
}
