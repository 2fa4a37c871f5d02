// StorageClass `parameters` → a typed disk class, or every problem found (each naming the
// parameter as the user wrote it and what is allowed), so one ProvisioningFailed Event says
// everything that must be fixed. Unknown keys are errors too: a misspelt `diskCategroy` silently
// falling back to a default would create the wrong disk.
import { CLUSTER_TAG, DiskTags } from './types.js';
import {
  TAG_ATTACHED_NODE,
  TAG_ATTACHED_VOLUME,
  TAG_ATTACHMENT,
  TAG_DISK_OPEN_PREFIX,
} from '../../cloud/ownership.js';
import { CATEGORY_LIMITS } from './model/size.js';

export type DiskCategory = 'cloud' | 'cloud_efficiency' | 'cloud_ssd' | 'cloud_essd';
export type FsType = 'ext4' | 'ext3' | 'xfs';

export interface DiskClass {
  category: DiskCategory;
  /** Only for cloud_essd. */
  performanceLevel?: 'PL0' | 'PL1' | 'PL2' | 'PL3';
  zoneId?: string;
  fsType: FsType;
  encrypted: boolean;
  kmsKeyId?: string;
  resourceGroupId?: string;
  tags: Array<{ key: string; value: string }>;
}

export interface ParameterProblem {
  parameter: string;
  value: string;
  reason: string;
}

export type ParseResult = { ok: true; value: DiskClass } | { ok: false; problems: ParameterProblem[] };

export const DEFAULT_CATEGORY: DiskCategory = 'cloud_efficiency';
const CATEGORIES = Object.keys(CATEGORY_LIMITS) as DiskCategory[];
const LEVELS = ['PL0', 'PL1', 'PL2', 'PL3'] as const;
const FS_TYPES: readonly FsType[] = ['ext4', 'ext3', 'xfs'];
export const KNOWN_PARAMETERS = [
  'type',
  'diskCategory',
  'performanceLevel',
  'zoneId',
  'fsType',
  'encrypted',
  'kmsKeyId',
  'resourceGroupId',
  'tags',
] as const;

/** ECS allows 20 tags per disk: 4 go to ownership and identity, 3 to the driver's attachment record. */
export const MAX_USER_TAGS = 13;
const RESERVED_TAG_KEYS = new Set<string>([
  DiskTags.pvName,
  DiskTags.pvcName,
  DiskTags.pvcNamespace,
  CLUSTER_TAG,
  TAG_ATTACHMENT,
  TAG_ATTACHED_NODE,
  TAG_ATTACHED_VOLUME,
]);

const ZONE_RE = /^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const RG_RE = /^rg-[a-z0-9]{4,64}$/;
const KMS_RE = /^[A-Za-z0-9:/._-]{1,256}$/;

export function parseClassParameters(parameters: Readonly<Record<string, string>> | undefined): ParseResult {
  const p = parameters ?? {};
  const problems: ParameterProblem[] = [];
  const bad = (parameter: string, reason: string) =>
    problems.push({ parameter, value: p[parameter] ?? '', reason });

  for (const key of Object.keys(p)) {
    if (!(KNOWN_PARAMETERS as readonly string[]).includes(key))
      bad(key, `unknown parameter; allowed: ${KNOWN_PARAMETERS.join(', ')}`);
  }

  let category: DiskCategory = DEFAULT_CATEGORY;
  const typeText = p.type;
  const catText = p.diskCategory;
  if (typeText !== undefined && catText !== undefined && typeText !== catText) {
    bad('diskCategory', `disagrees with type ${JSON.stringify(typeText)}; set one of them`);
  }
  const chosenKey = catText !== undefined ? 'diskCategory' : 'type';
  const chosen = catText ?? typeText;
  if (chosen !== undefined) {
    if ((CATEGORIES as string[]).includes(chosen)) category = chosen as DiskCategory;
    else bad(chosenKey, `must be one of ${CATEGORIES.join(', ')}`);
  }

  let performanceLevel: DiskClass['performanceLevel'];
  if (p.performanceLevel !== undefined) {
    if (!(LEVELS as readonly string[]).includes(p.performanceLevel))
      bad('performanceLevel', `must be one of ${LEVELS.join(', ')}`);
    else if (category !== 'cloud_essd') bad('performanceLevel', 'applies only to diskCategory cloud_essd');
    else performanceLevel = p.performanceLevel as DiskClass['performanceLevel'];
  }

  const zoneId = p.zoneId;
  if (zoneId !== undefined && !ZONE_RE.test(zoneId)) bad('zoneId', 'must be a zone id such as cn-hangzhou-g');

  let fsType: FsType = 'ext4';
  if (p.fsType !== undefined) {
    if ((FS_TYPES as readonly string[]).includes(p.fsType)) fsType = p.fsType as FsType;
    else bad('fsType', `must be one of ${FS_TYPES.join(', ')}`);
  }

  let encrypted = false;
  if (p.encrypted !== undefined) {
    if (p.encrypted === 'true' || p.encrypted === 'false') encrypted = p.encrypted === 'true';
    else bad('encrypted', 'must be "true" or "false"');
  }
  const kmsKeyId = p.kmsKeyId;
  if (kmsKeyId !== undefined) {
    if (!KMS_RE.test(kmsKeyId)) bad('kmsKeyId', 'must be a KMS key id or ARN');
    else if (!encrypted) bad('kmsKeyId', 'needs encrypted: "true"');
  }

  const resourceGroupId = p.resourceGroupId;
  if (resourceGroupId !== undefined && !RG_RE.test(resourceGroupId))
    bad('resourceGroupId', 'must be a resource group id such as rg-acfm2xyz');

  const tags = p.tags === undefined ? [] : parseTags(p.tags, (reason) => bad('tags', reason));

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      category,
      ...(performanceLevel ? { performanceLevel } : {}),
      ...(zoneId ? { zoneId } : {}),
      fsType,
      encrypted,
      ...(kmsKeyId ? { kmsKeyId } : {}),
      ...(resourceGroupId ? { resourceGroupId } : {}),
      tags,
    },
  };
}

/** `k=v,k2=v2`; keys are unique, ECS-legal, and not ones we write ourselves. */
export function parseTags(
  text: string,
  problem: (reason: string) => void,
): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problem(`entry ${JSON.stringify(item)} is not key=value`);
      continue;
    }
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key.length > 128 || value.length > 128)
      problem(`entry ${JSON.stringify(item)}: keys and values are at most 128 characters`);
    else if (/^(aliyun|acs:)/i.test(key) || /^https?:\/\//i.test(key))
      problem(`key ${JSON.stringify(key)} uses a prefix ECS reserves (aliyun, acs:, http://, https://)`);
    else if (RESERVED_TAG_KEYS.has(key))
      problem(`key ${JSON.stringify(key)} is set by the provisioner or the FlexVolume driver itself`);
    // A class must not open its disks to other clusters: that is the account owner's decision, per disk.
    else if (key.startsWith(TAG_DISK_OPEN_PREFIX))
      problem(
        `key ${JSON.stringify(key)} opens disks to a cluster; only the account owner sets it, by hand, per disk`,
      );
    else if (out.some((t) => t.key === key)) problem(`key ${JSON.stringify(key)} appears twice`);
    else out.push({ key, value });
  }
  if (out.length > MAX_USER_TAGS)
    problem(`at most ${MAX_USER_TAGS} tags (ECS allows 20 per disk; the provisioner and the driver use 7)`);
  return out;
}

/** One line per problem, for the ProvisioningFailed Event. */
export function describeProblems(problems: readonly ParameterProblem[]): string {
  return problems
    .map(
      (x) =>
        `StorageClass parameter ${x.parameter}${x.value !== '' ? `=${JSON.stringify(x.value)}` : ''}: ${x.reason}`,
    )
    .join('; ');
}
