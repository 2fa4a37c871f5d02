// Input checks for everything that reaches a command line or a file path. Arguments come from
// Pod specs and PVs that users write, so each value is checked against a narrow shape before use;
// anything else is a Failure and no command runs.
import { DriverError } from './protocol.js';

const DISK_ID = /^d-[a-z0-9]{1,64}$/;
const INSTANCE_ID = /^i-[a-z0-9]{1,64}$/;
/** Conservative path alphabet: no shell metacharacters, whitespace, quotes or control bytes. */
const SAFE_PATH = /^\/[A-Za-z0-9._@:+=,/~-]*$/;
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export type FsType = 'ext4' | 'ext3' | 'xfs';
const FS_TYPES: readonly string[] = ['ext4', 'ext3', 'xfs'];

export function isDiskId(value: string): boolean {
  return DISK_ID.test(value);
}

export function checkDiskId(value: string, what = 'disk id'): string {
  if (!isDiskId(value))
    throw new DriverError(`invalid ${what} ${JSON.stringify(value)}: expected d-[a-z0-9]+`);
  return value;
}

export function checkInstanceId(value: string): string {
  if (!INSTANCE_ID.test(value)) throw new DriverError(`invalid instance id ${JSON.stringify(value)}`);
  return value;
}

/** An absolute path without `..`, NUL, or any character a shell or mount option parser treats specially. */
export function checkPath(value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw new DriverError(`missing ${what}`);
  if (value.length > 4096 || !SAFE_PATH.test(value))
    throw new DriverError(
      `invalid ${what} ${JSON.stringify(value)}: must be an absolute path of safe characters`,
    );
  if (value.split('/').some((seg) => seg === '..' || seg === '.'))
    throw new DriverError(`invalid ${what} ${JSON.stringify(value)}: relative segments are not allowed`);
  return value;
}

/** Empty means "not specified": the caller decides the default (ext4 for a new filesystem). */
export function checkFsType(value: string | undefined): FsType | undefined {
  if (value === undefined || value === '') return undefined;
  if (!FS_TYPES.includes(value))
    throw new DriverError(
      `unsupported fsType ${JSON.stringify(value)}: expected one of ${FS_TYPES.join(', ')}`,
    );
  return value as FsType;
}

/** PV and inline volume names: DNS-ish, used as record file names, so no `/` or dot-files. */
export function checkVolumeName(value: string): string {
  if (!VOLUME_NAME.test(value)) throw new DriverError(`invalid volume name ${JSON.stringify(value)}`);
  return value;
}

/** Decimal byte count as the kubelet passes sizes. */
export function checkSize(value: string | undefined, what: string): number {
  if (value === undefined || !/^[0-9]{1,20}$/.test(value))
    throw new DriverError(`invalid ${what} ${JSON.stringify(value)}: expected a byte count`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new DriverError(`${what} ${value} is too large`);
  return n;
}

/** Node names (hostnames, IPs, `region.instance`) passed to attach/detach/isattached. */
export function checkNodeName(value: string | undefined): string {
  if (value === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(value))
    throw new DriverError(`invalid node name ${JSON.stringify(value)}`);
  return value;
}
