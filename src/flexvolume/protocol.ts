// The FlexVolume reply envelope. The kubelet parses stdout+stderr as one JSON object and treats
// exit 0 + "Success" as success; both reference drivers exit 1 for anything else, and so do we.

export type DriverStatus = 'Success' | 'Failure' | 'Not supported';

export interface Capabilities {
  attach: boolean;
  selinuxRelabel: boolean;
  supportsMetrics: boolean;
  fsGroup: boolean;
  requiresFSResize: boolean;
}

export interface DriverReply {
  status: DriverStatus;
  message?: string;
  device?: string;
  volumeName?: string;
  attached?: boolean;
  capabilities?: Capabilities;
  volumeNewSize?: number;
}

/** A failure the driver reports as-is: its message is meant for the operator (no secrets). */
export class DriverError extends Error {
  override readonly name = 'DriverError';
}

export function success(extra: Omit<DriverReply, 'status'> = {}): DriverReply {
  return { status: 'Success', ...extra };
}

export function failure(message: string): DriverReply {
  return { status: 'Failure', message };
}

export function notSupported(message?: string): DriverReply {
  return message ? { status: 'Not supported', message } : { status: 'Not supported' };
}

export function exitCodeFor(reply: DriverReply): number {
  return reply.status === 'Success' ? 0 : 1;
}
