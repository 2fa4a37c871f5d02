// Driver configuration: a JSON file (env ALICLOUD_FLEXVOLUME_CONFIG, else `config.json` next to the
// driver executable, else /etc/kubernetes/alicloud-flexvolume.json) overlaid by environment
// variables. Every field has a default so `init` works with no configuration at all.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DriverError } from './protocol.js';
import { registerSecret } from '../util/secrets.js';
import { DEFAULT_CLUSTER_ID } from '../cloud/ownership.js';
import { checkDiskId, checkNodeName } from './validate.js';

export type Mode = 'central' | 'node';

export interface StaticCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface FlexConfig {
  /** central: run by kube-controller-manager with an AccessKey; node: metadata identity + RAM-role STS. */
  mode: Mode;
  regionId: string | undefined;
  /** ECS API as a bare host or a URL; default src/cloud's regional VPC endpoint https://ecs-vpc.<region>.aliyuncs.com. */
  ecsEndpoint: string | undefined;
  metadataEndpoint: string;
  credentials: StaticCredentials | undefined;
  /** Kubernetes API for node name → spec.providerID in central mode (optional). */
  kubeApi: { url: string; tokenFile?: string; caFile?: string } | undefined;
  stateDir: string;
  devRoot: string;
  sysRoot: string;
  /** Debug log file; empty string disables logging. */
  logFile: string;
  /** Upper bound for waiting on a disk transition (attach/detach); far below any caller timeout. */
  attachTimeoutMs: number;
  /** Upper bound for waitforattach (the kubelet kills it after 10 minutes). */
  deviceTimeoutMs: number;
  lockTimeoutMs: number;
  /** Detach a disk from a *Stopped* holder instance so it can be attached here (never from a running one). */
  detachFromStopped: boolean;
  /**
   * Also take a disk from a Stopped instance that is not a Node of this cluster (or when the driver
   * cannot tell, having no Kubernetes API). Off by default: an instance outside the cluster is not ours.
   */
  detachFromNonNodes: boolean;
  /** The controller-manager's cloud-config clusterID: disks tagged `ack.aliyun.com=<clusterId>` are ours. */
  clusterId: string;
  /** Node mode: this host's Kubernetes node name, when it is none of hostname, instance id or private IP. */
  nodeName: string | undefined;
  /**
   * kube-aliyun compatibility: disk ids (made by kube-aliyun's provisioner, so untagged) this
   * cluster may attach. Listing a disk here is the operator's statement that the cluster owns it.
   */
  kubeAliyunDisks: string[];
  /** The log file is rotated to `<logFile>.1` when it grows past this many bytes. */
  logMaxBytes: number;
}

const DEFAULTS: FlexConfig = {
  mode: 'node',
  regionId: undefined,
  ecsEndpoint: undefined,
  metadataEndpoint: 'http://100.100.100.200',
  credentials: undefined,
  kubeApi: undefined,
  stateDir: '/var/lib/alicloud-flexvolume',
  devRoot: '/dev',
  sysRoot: '/sys',
  logFile: '/var/log/alicloud-flexvolume.log',
  attachTimeoutMs: 90_000,
  deviceTimeoutMs: 180_000,
  lockTimeoutMs: 120_000,
  detachFromStopped: true,
  detachFromNonNodes: false,
  clusterId: DEFAULT_CLUSTER_ID,
  nodeName: undefined,
  kubeAliyunDisks: [],
  logMaxBytes: 10 * 1024 * 1024,
};

function configPath(env: NodeJS.ProcessEnv, driverPath: string | undefined): string | undefined {
  if (env.ALICLOUD_FLEXVOLUME_CONFIG) return env.ALICLOUD_FLEXVOLUME_CONFIG;
  const candidates = [
    driverPath ? join(dirname(driverPath), 'config.json') : undefined,
    '/etc/kubernetes/alicloud-flexvolume.json',
  ];
  return candidates.find((p): p is string => p !== undefined && existsSync(p));
}

function str(v: unknown, key: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new DriverError(`config: ${key} must be a string`);
  return v;
}

function num(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new DriverError(`config: ${key} must be a non-negative number`);
  return n;
}

function bool(v: unknown, key: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new DriverError(`config: ${key} must be true or false`);
  return v;
}

function diskIdList(v: unknown, key: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new DriverError(`config: ${key} must be a list of disk ids`);
  return (v as string[]).map((x) => checkDiskId(x, `${key} entry`));
}

function nodeNameOf(v: string | undefined): string | undefined {
  return v === undefined ? undefined : checkNodeName(v);
}

function clusterIdOf(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  // It becomes part of a tag key (open-to/<clusterId>) and a tag value: keep it to a tag-safe shape.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v))
    throw new DriverError(
      `config: clusterId ${JSON.stringify(v.slice(0, 80))} must be 1-64 letters, digits, '.', '_' or '-'`,
    );
  return v;
}

function readFileConfig(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new DriverError(`config file ${path} is missing or not valid JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new DriverError(`config file ${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

function readSecretFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    const v = readFileSync(path, 'utf8').trim();
    registerSecret(v);
    return v;
  } catch {
    throw new DriverError(`credential file ${path} cannot be read`);
  }
}

function credentialsFrom(
  file: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): StaticCredentials | undefined {
  // Env first (kube-aliyun's ALIYUN_* names are accepted for drop-in), then files, then inline values.
  const id =
    env.ALICLOUD_ACCESS_KEY_ID ??
    env.ALIYUN_ACCESS_KEY ??
    env.ACCESS_KEY_ID ??
    readSecretFile(str(file.accessKeyIdFile, 'accessKeyIdFile')) ??
    str(file.accessKeyId, 'accessKeyId');
  const secret =
    env.ALICLOUD_ACCESS_KEY_SECRET ??
    env.ALIYUN_ACCESS_KEY_SECRET ??
    env.ACCESS_KEY_SECRET ??
    readSecretFile(str(file.accessKeySecretFile, 'accessKeySecretFile')) ??
    str(file.accessKeySecret, 'accessKeySecret');
  registerSecret(id);
  registerSecret(secret);
  if (!id || !secret) return undefined;
  const token = env.ALICLOUD_SECURITY_TOKEN ?? str(file.securityToken, 'securityToken');
  registerSecret(token);
  return token
    ? { accessKeyId: id, accessKeySecret: secret, securityToken: token }
    : { accessKeyId: id, accessKeySecret: secret };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, driverPath?: string): FlexConfig {
  const file = readFileConfig(configPath(env, driverPath));
  const credentials = credentialsFrom(file, env);
  const modeText =
    str(env.ALICLOUD_FLEXVOLUME_MODE, 'ALICLOUD_FLEXVOLUME_MODE') ??
    str(file.mode, 'mode') ??
    (credentials ? 'central' : 'node');
  if (modeText !== 'central' && modeText !== 'node')
    throw new DriverError(`config: mode must be central or node, not ${JSON.stringify(modeText)}`);
  const kubeUrl =
    str(env.ALICLOUD_FLEXVOLUME_KUBE_API, 'ALICLOUD_FLEXVOLUME_KUBE_API') ??
    str(file.kubeApiUrl, 'kubeApiUrl');
  const tokenFile = str(file.kubeTokenFile, 'kubeTokenFile');
  const caFile = str(file.kubeCaFile, 'kubeCaFile');
  return {
    mode: modeText,
    regionId: env.ALICLOUD_REGION ?? env.ALIYUN_REGION ?? str(file.regionId, 'regionId') ?? DEFAULTS.regionId,
    ecsEndpoint: env.ECS_ENDPOINT ?? str(file.ecsEndpoint, 'ecsEndpoint') ?? DEFAULTS.ecsEndpoint,
    metadataEndpoint:
      env.METADATA_ENDPOINT ?? str(file.metadataEndpoint, 'metadataEndpoint') ?? DEFAULTS.metadataEndpoint,
    credentials,
    kubeApi: kubeUrl
      ? { url: kubeUrl, ...(tokenFile ? { tokenFile } : {}), ...(caFile ? { caFile } : {}) }
      : undefined,
    stateDir: env.ALICLOUD_FLEXVOLUME_STATE_DIR ?? str(file.stateDir, 'stateDir') ?? DEFAULTS.stateDir,
    devRoot: env.ALICLOUD_FLEXVOLUME_DEV_ROOT ?? str(file.devRoot, 'devRoot') ?? DEFAULTS.devRoot,
    sysRoot: env.ALICLOUD_FLEXVOLUME_SYS_ROOT ?? str(file.sysRoot, 'sysRoot') ?? DEFAULTS.sysRoot,
    logFile:
      env.ALICLOUD_FLEXVOLUME_LOG ?? (typeof file.logFile === 'string' ? file.logFile : DEFAULTS.logFile),
    attachTimeoutMs:
      num(env.ALICLOUD_FLEXVOLUME_ATTACH_TIMEOUT_MS ?? file.attachTimeoutMs, 'attachTimeoutMs') ??
      DEFAULTS.attachTimeoutMs,
    deviceTimeoutMs:
      num(env.ALICLOUD_FLEXVOLUME_DEVICE_TIMEOUT_MS ?? file.deviceTimeoutMs, 'deviceTimeoutMs') ??
      DEFAULTS.deviceTimeoutMs,
    lockTimeoutMs: num(file.lockTimeoutMs, 'lockTimeoutMs') ?? DEFAULTS.lockTimeoutMs,
    detachFromStopped: bool(file.detachFromStopped, 'detachFromStopped') ?? DEFAULTS.detachFromStopped,
    detachFromNonNodes: bool(file.detachFromNonNodes, 'detachFromNonNodes') ?? DEFAULTS.detachFromNonNodes,
    clusterId:
      clusterIdOf(str(env.ALICLOUD_CLUSTER_ID, 'ALICLOUD_CLUSTER_ID') ?? str(file.clusterId, 'clusterId')) ??
      DEFAULTS.clusterId,
    nodeName: nodeNameOf(
      str(env.ALICLOUD_FLEXVOLUME_NODE_NAME, 'ALICLOUD_FLEXVOLUME_NODE_NAME') ??
        str(file.nodeName, 'nodeName'),
    ),
    kubeAliyunDisks: diskIdList(file.kubeAliyunDisks, 'kubeAliyunDisks') ?? DEFAULTS.kubeAliyunDisks,
    logMaxBytes: num(file.logMaxBytes, 'logMaxBytes') ?? DEFAULTS.logMaxBytes,
  };
}
