// The narrow slice of the cloud the driver needs. Kept as an interface so the driver can run on
// its own small signed client (fast start, bundled) or on src/cloud's facade, and so tests can
// reason about exactly which calls happen.

export type DiskStatus = 'Creating' | 'Available' | 'Attaching' | 'In_use' | 'Detaching' | 'ReIniting' | string;

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

export interface DiskCloud {
  describeDisks(q: DiskQuery): Promise<CloudDisk[]>;
  attachDisk(diskId: string, instanceId: string): Promise<void>;
  detachDisk(diskId: string, instanceId: string): Promise<void>;
  resizeDisk(diskId: string, newSizeGiB: number): Promise<void>;
  describeInstances(q: { instanceIds?: string[]; privateIps?: string[]; instanceName?: string }): Promise<CloudInstance[]>;
}

/** An error answered by the cloud API, with its code so callers can tell conflicts from outages. */
export class CloudApiError extends Error {
  override readonly name = 'CloudApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

/** Tag the disk provisioner puts on every disk it creates, holding the PV name. */
export const PV_NAME_TAG = 'kubernetes.io/created-for/pv/name';
