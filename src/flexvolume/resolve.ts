// Volume (PV) name → disk id, for `detach`, which the kubelet/controller call with the volume name
// only. Order: our attach record; a name that is itself a disk id (Alibaba's convention); the
// provisioner's PV-name tag; a disk named after the PV (kube-aliyun's provisioner). Several
// matches are resolved in favour of the one attached to the instance in question, else refused.
import { DriverError } from './protocol.js';
import { readRecord } from './records.js';
import { isDiskId } from './validate.js';
import { PV_NAME_TAG, type CloudDisk, type DiskCloud } from './cloud/types.js';

export interface Resolution {
  diskId: string;
  source: 'record' | 'name' | 'tag' | 'disk-name';
  /** The disk as described while resolving, when a lookup already fetched it. */
  disk?: CloudDisk;
}

function pick(candidates: CloudDisk[], instanceId: string, volumeName: string, how: string): CloudDisk | undefined {
  if (candidates.length <= 1) return candidates[0];
  const here = candidates.filter((d) => d.instanceId === instanceId);
  if (here.length === 1) return here[0];
  throw new DriverError(`volume ${volumeName} matches ${candidates.length} disks by ${how}; refusing to guess`);
}

export async function resolveDisk(stateDir: string, cloud: DiskCloud, volumeName: string, instanceId: string): Promise<Resolution | undefined> {
  const rec = readRecord(stateDir, volumeName);
  if (rec) return { diskId: rec.diskId, source: 'record' };
  if (isDiskId(volumeName)) return { diskId: volumeName, source: 'name' };
  const tagged = pick(await cloud.describeDisks({ tag: { key: PV_NAME_TAG, value: volumeName } }), instanceId, volumeName, 'tag');
  if (tagged) return { diskId: tagged.diskId, source: 'tag', disk: tagged };
  const named = pick(
    (await cloud.describeDisks({ diskName: volumeName })).filter((d) => d.diskName === volumeName),
    instanceId,
    volumeName,
    'name',
  );
  if (named) return { diskId: named.diskId, source: 'disk-name', disk: named };
  return undefined;
}
