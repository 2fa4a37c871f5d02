// The narrow slice of the cloud the driver needs, over src/cloud's ECS facade (see ecs.ts). Kept
// as an interface so the driver's state machines (attach.ts, resolve.ts) can be tested against a
// fake and so it is plain which calls happen. Types only, plus the PV-name tag re-exported from
// src/cloud/ownership.ts (a constants-only module), so nothing here pulls in client code.
import { TAG_PV_NAME } from '../../cloud/ownership.js';

export type DiskStatus =
  'Creating' | 'Available' | 'Attaching' | 'In_use' | 'Detaching' | 'ReIniting' | (string & {});

export interface CloudDisk {
  diskId: string;
  diskName: string;
  status: DiskStatus;
  instanceId: string;
  /** API device name, e.g. /dev/xvdb (a hint; the guest may name it differently). */
  device: string;
  serialNumber: string;
  zoneId: string;
  sizeGiB: number;
  type: string;
  tags: Record<string, string>;
}

export interface CloudInstance {
  instanceId: string;
  status: string;
  zoneId: string;
  hostName: string;
  instanceName: string;
  privateIps: string[];
}

export interface DiskQuery {
  diskIds?: string[];
  diskName?: string;
  tag?: { key: string; value: string };
  instanceId?: string;
}

export interface InstanceQuery {
  instanceIds?: string[];
  privateIps?: string[];
  instanceName?: string;
}

export interface DiskCloud {
  describeDisks(q: DiskQuery): Promise<CloudDisk[]>;
  attachDisk(diskId: string, instanceId: string): Promise<void>;
  detachDisk(diskId: string, instanceId: string): Promise<void>;
  resizeDisk(diskId: string, newSizeGiB: number): Promise<void>;
  /** Adds or overwrites tags on one disk (TagResources). */
  tagDisk(diskId: string, tags: Record<string, string>): Promise<void>;
  describeInstances(q: InstanceQuery): Promise<CloudInstance[]>;
}

/** Tag the disk provisioner puts on every disk it creates, holding the PV name. */
export const PV_NAME_TAG = TAG_PV_NAME;
