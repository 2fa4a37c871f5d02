// Attachment records kept on the disk itself, as tags, so they outlive the process and the master
// that wrote them: `detach <volumeName> <nodeName>` only gets names, and after the controller-manager
// moves to another master the only shared state is the cloud. A record is keyed by cluster, node
// AND volume (two inline volumes called `data` on two nodes are two attachments), written before
// AttachDisk (so a crash right after it still leaves a record) and overwritten by the next attach.
import { createHash } from 'node:crypto';
import {
  TAG_ATTACHED_NODE,
  TAG_ATTACHED_VOLUME,
  TAG_ATTACHMENT,
  TAG_CLUSTER_ID,
  TAG_PV_NAME,
} from '../cloud/ownership.js';
import { DriverError } from './protocol.js';
import { grantFor } from './ownership.js';
import type { FlexConfig } from './config.js';
import type { CloudDisk, DiskCloud } from './cloud/types.js';

/** ECS tag values are at most 128 characters. */
const MAX_TAG_VALUE = 128;

export function attachmentKey(clusterId: string, nodeName: string, volumeName: string): string {
  return createHash('sha256')
    .update(JSON.stringify([clusterId, nodeName, volumeName]))
    .digest('hex')
    .slice(0, 40);
}

export function attachmentTags(
  clusterId: string,
  nodeName: string,
  volumeName: string,
): Record<string, string> {
  return {
    [TAG_ATTACHMENT]: attachmentKey(clusterId, nodeName, volumeName),
    [TAG_ATTACHED_NODE]: nodeName.slice(0, MAX_TAG_VALUE),
    [TAG_ATTACHED_VOLUME]: volumeName.slice(0, MAX_TAG_VALUE),
  };
}

export function hasRecord(disk: CloudDisk, clusterId: string, nodeName: string, volumeName: string): boolean {
  return disk.tags[TAG_ATTACHMENT] === attachmentKey(clusterId, nodeName, volumeName);
}

export async function writeAttachment(
  cloud: DiskCloud,
  clusterId: string,
  disk: CloudDisk,
  nodeName: string,
  volumeName: string,
): Promise<void> {
  if (hasRecord(disk, clusterId, nodeName, volumeName)) return;
  await cloud.tagDisk(disk.diskId, attachmentTags(clusterId, nodeName, volumeName));
}

export interface Found {
  disk: CloudDisk;
  via: 'attachment-record' | 'pv-name-tag' | 'kube-aliyun-list';
}

/**
 * Records stay on a disk after detach, so one (node, volume) pair can be recorded on several disks
 * over time (an inline `data` volume reused on a node). The one attached to the node is meant; if
 * none is, there is nothing to detach and any of them answers "not attached here".
 */
function one(
  disks: CloudDisk[],
  volumeName: string,
  nodeName: string,
  via: Found['via'],
  instanceId: string,
): Found | undefined {
  if (disks.length === 0) return undefined;
  if (disks.length === 1) return { disk: disks[0]!, via };
  const here = disks.filter((d) => d.instanceId === instanceId);
  if (here.length === 0) return { disk: disks[0]!, via };
  if (here.length === 1) return { disk: here[0]!, via };
  throw new DriverError(
    `volume ${volumeName} on node ${nodeName} matches ${here.length} disks attached there (${here.map((d) => d.diskId).join(', ')}) by ${via}; refusing to choose`,
  );
}

/**
 * The disk `detach <volumeName> <nodeName>` means, from durable facts only: this cluster's
 * attachment record; else (disks attached before records existed) a disk of this cluster whose
 * provisioner tag names the PV; else a kube-aliyun disk the operator listed whose name is the PV.
 * A volume name is never taken for a disk id, however much it looks like one.
 */
export async function findAttachment(
  cfg: Pick<FlexConfig, 'clusterId' | 'kubeAliyunDisks'>,
  cloud: DiskCloud,
  volumeName: string,
  nodeName: string,
  instanceId: string,
): Promise<Found | undefined> {
  const ours = (d: CloudDisk) => grantFor(cfg, d) !== undefined;
  const recorded = (
    await cloud.describeDisks({
      tag: { key: TAG_ATTACHMENT, value: attachmentKey(cfg.clusterId, nodeName, volumeName) },
    })
  ).filter((d) => ours(d) && hasRecord(d, cfg.clusterId, nodeName, volumeName));
  const byRecord = one(recorded, volumeName, nodeName, 'attachment-record', instanceId);
  if (byRecord) return byRecord;
  const provisioned = (await cloud.describeDisks({ tag: { key: TAG_PV_NAME, value: volumeName } })).filter(
    (d) => d.tags[TAG_CLUSTER_ID] === cfg.clusterId && d.tags[TAG_PV_NAME] === volumeName,
  );
  const byTag = one(provisioned, volumeName, nodeName, 'pv-name-tag', instanceId);
  if (byTag) return byTag;
  if (cfg.kubeAliyunDisks.length === 0) return undefined;
  const listed = (await cloud.describeDisks({ diskIds: cfg.kubeAliyunDisks })).filter(
    (d) => d.diskName === volumeName,
  );
  return one(listed, volumeName, nodeName, 'kube-aliyun-list', instanceId);
}
