// ECS instance metadata (http://100.100.100.200/latest/meta-data/…) for any emulated host.
// A client pointed at `<url>/_emulator/hosts/<instanceId>` sees that instance's view; the plain
// `/latest/meta-data` path is the default host. RAM-role credentials handed out here are real
// STS credentials of this emulator: the RPC API accepts them until they expire.
import { randomBytes } from 'node:crypto';
import { nowIso, randomTail } from './ids.js';
import type { CloudState } from './state.js';

export interface HostMetadata {
  regionId: string;
  zoneId: string;
  instanceId: string;
  vpcId: string;
  vswitchId: string;
  privateIpv4: string;
  hostname: string;
  instanceType: string;
  mac: string;
  /** RAM role attached to the instance; empty means none. */
  ramRole: string;
  /**
   * The instance's metadata access mode (RunInstances `HttpTokens`): `optional` answers plain
   * reads and token reads, `required` (security hardening mode only) refuses plain reads with 403.
   */
  httpTokens: 'optional' | 'required';
  /** Any further `meta-data/<key>` the test wants served verbatim. */
  extra: Record<string, string>;
}

export interface IssuedCredential {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  Expiration: string;
  LastUpdated: string;
  Code: 'Success';
  expiresAt: number;
  issuedAt: number;
}

export const DEFAULT_HOST = 'default';

/** The metadata a host would have, from its instance record, overlaid with test overrides. */
export function hostMetadata(
  state: CloudState,
  hostKey: string,
  overrides: Partial<HostMetadata> | undefined,
): HostMetadata {
  const inst = hostKey === DEFAULT_HOST ? Object.values(state.instances)[0] : state.instances[hostKey];
  const vsw = inst ? state.vswitches[inst.VSwitchId] : Object.values(state.vswitches)[0];
  const eni = inst
    ? Object.values(state.networkInterfaces).find(
        (e) => e.InstanceId === inst.InstanceId && e.Type === 'Primary',
      )
    : undefined;
  const base: HostMetadata = {
    regionId: state.regionId,
    zoneId: inst?.ZoneId ?? vsw?.ZoneId ?? '',
    instanceId: inst?.InstanceId ?? (hostKey === DEFAULT_HOST ? 'i-emulatordefaulthost' : hostKey),
    vpcId: inst?.VpcId ?? vsw?.VpcId ?? '',
    vswitchId: inst?.VSwitchId ?? vsw?.VSwitchId ?? '',
    privateIpv4: inst?.PrivateIpAddress ?? '',
    hostname: inst?.HostName ?? '',
    instanceType: inst?.InstanceType ?? '',
    mac: eni?.MacAddress ?? '',
    ramRole: '',
    httpTokens: 'optional',
    extra: {},
  };
  return { ...base, ...overrides, extra: { ...base.extra, ...(overrides?.extra ?? {}) } };
}

export function metadataValue(meta: HostMetadata, key: string): string | undefined {
  const simple: Record<string, string> = {
    'region-id': meta.regionId,
    'zone-id': meta.zoneId,
    'instance-id': meta.instanceId,
    'vpc-id': meta.vpcId,
    'vswitch-id': meta.vswitchId,
    'private-ipv4': meta.privateIpv4,
    hostname: meta.hostname,
    'instance/instance-type': meta.instanceType,
    mac: meta.mac,
    'owner-account-id': '1234567890123456',
  };
  if (key in meta.extra) return meta.extra[key];
  if (key === '') return [...Object.keys(simple), 'ram/', ...Object.keys(meta.extra)].join('\n');
  if (key in simple) return simple[key] === '' ? undefined : simple[key];
  return undefined;
}

export function issueCredential(ttlSeconds: number, now = Date.now()): IssuedCredential {
  const expiresAt = now + ttlSeconds * 1000;
  return {
    AccessKeyId: `STS.${randomTail(24)}`,
    AccessKeySecret: randomBytes(24).toString('base64url'),
    SecurityToken: `CAIS${randomBytes(48).toString('base64')}`,
    Expiration: nowIso(new Date(expiresAt)),
    LastUpdated: nowIso(new Date(now)),
    Code: 'Success',
    expiresAt,
    issuedAt: now,
  };
}

/** Session tokens (PUT /latest/api/token): valid for one host until their TTL runs out. */
export class MetadataTokens {
  private readonly tokens = new Map<string, { hostKey: string; expiresAt: number }>();

  /** A new token, or the reason for a 400 (TTL header missing or outside 1..21600). */
  issue(
    hostKey: string,
    ttlHeader: string | undefined,
    now = Date.now(),
  ): { token: string } | { error: string } {
    const ttl = ttlHeader === undefined ? NaN : Number(ttlHeader.trim());
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600)
      return { error: 'X-aliyun-ecs-metadata-token-ttl-seconds must be an integer from 1 to 21600' };
    for (const [t, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(t);
    const token = randomBytes(32).toString('base64');
    this.tokens.set(token, { hostKey, expiresAt: now + ttl * 1000 });
    return { token };
  }

  /** Whether `token` was issued for `hostKey` and has not expired. */
  valid(hostKey: string, token: string, now = Date.now()): boolean {
    const t = this.tokens.get(token);
    return t !== undefined && t.hostKey === hostKey && now < t.expiresAt;
  }

  /** Forget every token, as a restarted metadata service would. */
  clear(): void {
    this.tokens.clear();
  }
}
