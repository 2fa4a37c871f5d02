// The narrow slice of the cloud the driver needs, over src/cloud's ECS facade (see ecs.ts). Kept
// as an interface so the driver's state machines (attach.ts, resolve.ts) can be tested against a
// fake and so it is plain which calls happen. Types only, plus the PV-name tag re-exported from
// src/cloud/ownership.ts (a constants-only module), so nothing here pulls in client code.
import { TAG_PV_NAME } from '../../cloud/ownership.js';
import type { DiskRecord } from '../../cloud/ecs-disk.js';

export type DiskStatus =
  'Creating' | 'Available' | 'Attaching' | 'In_use' | 'Detaching' | 'ReIniting' | (string & {});

/** The driver's slice of the product's one ECS disk record (it never looks at the category). */
export type CloudDisk = Omit<DiskRecord, 'category'>;

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
