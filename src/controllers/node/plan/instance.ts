// The cloud's view of one instance, flattened from DescribeInstances (by the cloud port) to what
// Node facts need.

export interface CloudInstance {
  id: string;
  region: string;
  zone?: string;
  instanceType?: string;
  /** ECS status: Pending, Starting, Running, Stopping, Stopped (and, seen transiently while releasing, Deleted). */
  status?: string;
  hostName?: string;
  /** VPC private IPs, primary first. */
  privateIps: string[];
  /** Classic-network inner IPs. */
  innerIps: string[];
  publicIps: string[];
  eip?: string;
  primaryEniId?: string;
  chargeType?: string;
  spotStrategy?: string;
  tags: Record<string, string>;
}

/** Statuses that mean the instance is gone even though DescribeInstances still lists it. */
const GONE_STATUSES = new Set(['Deleted', 'Released']);

export function isReleased(inst: CloudInstance): boolean {
  return inst.status !== undefined && GONE_STATUSES.has(inst.status);
}

export function isStopped(inst: CloudInstance): boolean {
  return inst.status === 'Stopped';
}

export function isRunning(inst: CloudInstance): boolean {
  return inst.status === 'Running';
}
