// The options JSON the kubelet / controller-manager passes: a flat object of strings, the
// `kubernetes.io/*` keys first and the PV's `flexVolume.options` merged last.
import { DriverError } from './protocol.js';
import { checkDiskId, checkFsType, checkVolumeName, type FsType } from './validate.js';

export interface VolumeOptions {
  /** From `diskId` (kube-aliyun) or `volumeId` (Alibaba's driver); absent only when the caller passed neither. */
  diskId: string | undefined;
  fsType: FsType | undefined;
  readOnly: boolean;
  /** PV name, or the Pod volume's name for inline volumes. */
  volumeName: string | undefined;
  /** Extra mount flags from the allow-list. */
  mountFlags: string[];
  raw: Record<string, string>;
}

/** Flags that only restrict what a mount may do; anything else could weaken isolation. */
const ALLOWED_FLAGS = new Set([
  'noatime',
  'nodiratime',
  'relatime',
  'nosuid',
  'nodev',
  'noexec',
  'sync',
  'dirsync',
  'discard',
  'nodiscard',
  'lazytime',
]);

export function parseOptionsJson(text: string | undefined): Record<string, string> {
  if (text === undefined) throw new DriverError('missing options JSON argument');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DriverError('options argument is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new DriverError('options JSON must be an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Kubernetes only ever sends strings; other types come from hand-written specs. Booleans and
    // numbers are accepted as their text so `"readOnly": true` style mistakes are not fatal.
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'boolean' || typeof v === 'number') out[k] = String(v);
    else throw new DriverError(`option ${JSON.stringify(k)} must be a string`);
  }
  return out;
}

export function parseVolumeOptions(text: string | undefined): VolumeOptions {
  const raw = parseOptionsJson(text);
  const diskIdOpt = raw.diskId;
  const volumeIdOpt = raw.volumeId;
  if (diskIdOpt !== undefined && volumeIdOpt !== undefined && diskIdOpt !== volumeIdOpt) {
    throw new DriverError(
      `options diskId (${JSON.stringify(diskIdOpt)}) and volumeId (${JSON.stringify(volumeIdOpt)}) disagree`,
    );
  }
  const idText = diskIdOpt ?? volumeIdOpt;
  const diskId = idText === undefined ? undefined : checkDiskId(idText);
  const fsType = checkFsType(raw['kubernetes.io/fsType'] ?? raw.fsType);
  const rw = raw['kubernetes.io/readwrite'];
  if (rw !== undefined && rw !== 'ro' && rw !== 'rw')
    throw new DriverError(`invalid kubernetes.io/readwrite ${JSON.stringify(rw)}`);
  const volText = raw['kubernetes.io/pvOrVolumeName'];
  const volumeName = volText === undefined || volText === '' ? undefined : checkVolumeName(volText);
  const mountFlags = (raw.flags ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const f of mountFlags)
    if (!ALLOWED_FLAGS.has(f)) throw new DriverError(`mount flag ${JSON.stringify(f)} is not allowed`);
  return { diskId, fsType, readOnly: rw === 'ro', volumeName, mountFlags, raw };
}

export function requireDiskId(o: VolumeOptions): string {
  if (!o.diskId) throw new DriverError('options must name the disk: set diskId (or volumeId)');
  return o.diskId;
}
