// Node → instance matching (pure). A Node with a providerID is matched by instance id only: the
// kubelet said who it is. Without one we follow kube-aliyun's ALIYUN_NODE_NAME_TYPE —
// `private-ip` (node name or InternalIP = the instance's VPC IP) or `hostname` (node name or
// Hostname address = the ECS HostName) — and in `auto` (the default) try, in order: the node
// name as an instance id, the private IPs, the hostname. Every method must find exactly one
// instance; two candidates is "ambiguous", never a guess (kube-aliyun's batch lookup broke on
// more than one node; ours keys every candidate independently).
import { parseIPv4 } from '../../util/ipv4.js';
import type { NodeNameType } from './types.js';
import type { CloudInstance } from './plan/instance.js';
import { parseProviderId } from '../providerid.js';
import type { Node } from './types.js';

const isIPv4Text = (text: string): boolean => parseIPv4(text) !== undefined;

export interface LookupKeys {
  /** From providerID (authoritative) or, in auto/instance-id mode, the node name. */
  instanceId?: string;
  /** True when instanceId came from spec.providerID. */
  fromProviderId: boolean;
  privateIps: string[];
  hostnames: string[];
}

const INSTANCE_NAME = /^i-[a-z0-9]{6,}$/;

export function lookupKeys(node: Node, mode: NodeNameType): LookupKeys {
  const ref = parseProviderId(node.spec?.providerID);
  if (ref) return { instanceId: ref.instanceId, fromProviderId: true, privateIps: [], hostnames: [] };
  const name = node.metadata?.name ?? '';
  const addrs = node.status?.addresses ?? [];
  const ips = uniq([
    ...(isIPv4Text(name) ? [name] : []),
    ...addrs.filter((a) => a.type === 'InternalIP' && isIPv4Text(a.address)).map((a) => a.address),
  ]);
  const hosts = uniq(
    [name, ...addrs.filter((a) => a.type === 'Hostname').map((a) => a.address)]
      .filter((h) => h && !isIPv4Text(h))
      .flatMap((h) => hostForms(h)),
  );
  const byName = INSTANCE_NAME.test(name) ? name : undefined;
  switch (mode) {
    case 'instance-id':
      return {
        ...(byName ? { instanceId: byName } : {}),
        fromProviderId: false,
        privateIps: [],
        hostnames: [],
      };
    case 'private-ip':
      return { fromProviderId: false, privateIps: ips, hostnames: [] };
    case 'hostname':
      return { fromProviderId: false, privateIps: [], hostnames: hosts };
    case 'auto':
      return {
        ...(byName ? { instanceId: byName } : {}),
        fromProviderId: false,
        privateIps: ips,
        hostnames: hosts,
      };
  }
}

/** What one batched lookup found, indexed for matching. */
export class InstanceIndex {
  private byId = new Map<string, CloudInstance>();
  private byIp = new Map<string, CloudInstance[]>();
  private byHost = new Map<string, CloudInstance[]>();

  add(instances: readonly CloudInstance[]): void {
    for (const inst of instances) {
      if (this.byId.has(inst.id)) continue;
      this.byId.set(inst.id, inst);
      for (const ip of [...inst.privateIps, ...inst.innerIps]) push(this.byIp, ip, inst);
      if (inst.hostName) for (const h of hostForms(inst.hostName)) push(this.byHost, h, inst);
    }
  }

  id(id: string): CloudInstance | undefined {
    return this.byId.get(id);
  }
  ip(ip: string): CloudInstance[] {
    return this.byIp.get(ip) ?? [];
  }
  host(h: string): CloudInstance[] {
    return this.byHost.get(h.toLowerCase()) ?? [];
  }
}

export type Match =
  | { instance: CloudInstance; via: 'providerID' | 'instance-id' | 'private-ip' | 'hostname' }
  | { instance?: undefined; reason: string };

export function matchInstance(keys: LookupKeys, index: InstanceIndex): Match {
  if (keys.fromProviderId) {
    const inst = index.id(keys.instanceId!);
    return inst
      ? { instance: inst, via: 'providerID' }
      : { reason: `instance ${keys.instanceId} (from spec.providerID) does not exist in the cloud` };
  }
  const tried: string[] = [];
  if (keys.instanceId) {
    const inst = index.id(keys.instanceId);
    if (inst) return { instance: inst, via: 'instance-id' };
    tried.push(`no instance with id ${keys.instanceId}`);
  }
  if (keys.privateIps.length > 0) {
    const found = distinct(keys.privateIps.flatMap((ip) => index.ip(ip)));
    if (found.length === 1) return { instance: found[0]!, via: 'private-ip' };
    tried.push(
      found.length === 0
        ? `no instance with private IP ${keys.privateIps.join(', ')}`
        : `private IP ${keys.privateIps.join(', ')} is ambiguous (${found.map((i) => i.id).join(', ')})`,
    );
  }
  if (keys.hostnames.length > 0) {
    const found = distinct(keys.hostnames.flatMap((h) => index.host(h)));
    if (found.length === 1) return { instance: found[0]!, via: 'hostname' };
    tried.push(
      found.length === 0
        ? `no instance with hostname ${keys.hostnames.join(', ')}`
        : `hostname ${keys.hostnames.join(', ')} is ambiguous (${found.map((i) => i.id).join(', ')})`,
    );
  }
  if (tried.length === 0)
    return {
      reason:
        'the Node has no spec.providerID and nothing to match an instance by (no InternalIP/Hostname address for the configured ALIYUN_NODE_NAME_TYPE)',
    };
  return { reason: tried.join('; ') };
}

/** `iZbp1abcZ` matches `izbp1abcz` and `izbp1abcz.example.internal`'s first label. */
function hostForms(h: string): string[] {
  const lower = h.toLowerCase();
  const short = lower.split('.')[0]!;
  return short === lower ? [lower] : [lower, short];
}

function push(m: Map<string, CloudInstance[]>, k: string, v: CloudInstance): void {
  const xs = m.get(k);
  if (xs) xs.push(v);
  else m.set(k, [v]);
}

function distinct(xs: CloudInstance[]): CloudInstance[] {
  return [...new Map(xs.map((x) => [x.id, x])).values()];
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}
