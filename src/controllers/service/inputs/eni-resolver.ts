// Pod IP → ENI id for ENI backends (docs/service-load-balancers.md § "ENI backends").
//
// Call budget: the IPs no cache entry answers are asked for in DescribeNetworkInterfaces calls of
// up to 100 (PrivateIpAddress.N, the API's limit), a few in flight. An answer is remembered per
// pod (IP and the endpoint's pod uid, so an IP handed to a new pod on another ENI is asked again)
// in a bounded LRU, so a Service whose pods did not change makes no call at all. An entry goes
// when the cloud rejected a backend built from it (`invalidate`). IPs that no ENI holds are split
// by the VPC's blocks as the official CCM does: inside is an invalid backend (asked again next
// sync), outside is another network's pod, remembered as such while the blocks read are fresh.
import { MAX_IPS_PER_ENI_LOOKUP, type EniCloudPort } from '../cloudport.js';
import { parseVpcCidrs, splitByVpc } from '../model/eni.js';
import { chunk } from '../../../util/chunk.js';
import type { Ipv4Cidr } from '../../../util/ipv4.js';

export interface EniResolution {
  eniByIp: Record<string, string>;
  /** In the VPC but held by no in-use ENI: invalid backends (a Warning, a retry). */
  invalid: string[];
  /** Outside every VPC block: not on this cluster's network, skipped (a Normal event). */
  outsideVpc: string[];
  /** Cloud calls this resolution made (0 at steady state). */
  calls: number;
}

export interface EniResolverOptions {
  vpcId: () => string;
  /** Cached pod IPs (default 65536: a few MB, more pods than the SLB quotas let one cluster register). */
  capacity?: number;
  /** How long the VPC's blocks (and "outside the VPC" verdicts) are trusted (default 10 min). */
  cidrTtlMs?: number;
  concurrency?: number;
  now?: () => number;
}

export class EniResolver {
  /** `ip` → ENI and the pod it was found for; Map order is the LRU order. */
  private readonly found = new Map<string, { eni: string; uid: string }>();
  private readonly outside = new Map<string, number>();
  private cidrs: { blocks: Ipv4Cidr[]; at: number } | undefined;

  constructor(
    private readonly cloud: EniCloudPort,
    private readonly opts: EniResolverOptions,
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private fresh(at: number): boolean {
    return this.now() - at < (this.opts.cidrTtlMs ?? 600_000);
  }

  /** What the cache knows, without a call (the drift pass builds its cheap model from this). */
  peek(
    ips: readonly string[],
    uidOf: (ip: string) => string | undefined = () => undefined,
  ): Record<string, string> {
    const out: Record<string, string> = {};
    for (const ip of ips) {
      const hit = this.found.get(ip);
      if (hit && hit.uid === (uidOf(ip) ?? '')) out[ip] = hit.eni;
    }
    return out;
  }

  async resolve(
    ips: readonly string[],
    uidOf: (ip: string) => string | undefined = () => undefined,
  ): Promise<EniResolution> {
    const res: EniResolution = { eniByIp: {}, invalid: [], outsideVpc: [], calls: 0 };
    const missing: string[] = [];
    for (const ip of new Set(ips)) {
      const hit = this.found.get(ip);
      if (hit && hit.uid === (uidOf(ip) ?? '')) {
        this.found.delete(ip);
        this.found.set(ip, hit);
        res.eniByIp[ip] = hit.eni;
        continue;
      }
      const out = this.outside.get(ip);
      if (out !== undefined && this.cidrs && out >= this.cidrs.at && this.fresh(this.cidrs.at)) {
        res.outsideVpc.push(ip);
        continue;
      }
      missing.push(ip);
    }
    if (missing.length === 0) return res;

    const vpcId = this.opts.vpcId();
    // Without the VPC the lookup would search every VPC of the account: refuse instead.
    if (!vpcId)
      throw new Error(
        'the VPC id is unknown (no cloud-config vpcid, metadata unreachable): ENI backends cannot be resolved',
      );
    const chunks = chunk(missing, MAX_IPS_PER_ENI_LOOKUP);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const ips = chunks[next++]!;
        const asked = new Set(ips);
        res.calls++;
        for (const eni of await this.cloud.networkInterfacesByIp(vpcId, ips)) {
          const held = [
            eni.PrivateIpAddress,
            ...(eni.PrivateIpSets?.PrivateIpSet ?? []).map((s) => s.PrivateIpAddress),
          ];
          // Only what was asked for: an answer straying outside the IPs proves nothing.
          for (const ip of held) if (ip && asked.has(ip)) res.eniByIp[ip] = eni.NetworkInterfaceId;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, chunks.length) }, worker));
    for (const ip of missing) {
      const eni = res.eniByIp[ip];
      if (eni) this.remember(ip, eni, uidOf(ip) ?? '');
    }

    const unresolved = missing.filter((ip) => !res.eniByIp[ip]);
    if (unresolved.length > 0) {
      const blocks = await this.vpcBlocks(vpcId, res);
      const { inside, outside } = splitByVpc(unresolved, blocks);
      res.invalid.push(...inside);
      res.outsideVpc.push(...outside);
      for (const ip of outside) {
        this.outside.delete(ip);
        this.outside.set(ip, this.now());
        this.trim(this.outside);
      }
    }
    res.invalid.sort();
    res.outsideVpc.sort();
    return res;
  }

  /** Forget these IPs (the cloud rejected backends built from them): the next sync asks again. */
  invalidate(ips: Iterable<string>): void {
    for (const ip of ips) {
      this.found.delete(ip);
      this.outside.delete(ip);
    }
  }

  size(): number {
    return this.found.size;
  }

  private remember(ip: string, eni: string, uid: string): void {
    this.found.delete(ip);
    this.found.set(ip, { eni, uid });
    this.trim(this.found);
  }

  private trim(map: Map<string, unknown>): void {
    const cap = this.opts.capacity ?? 65_536;
    while (map.size > cap) map.delete(map.keys().next().value!);
  }

  private async vpcBlocks(vpcId: string, res: EniResolution): Promise<Ipv4Cidr[]> {
    if (this.cidrs && this.fresh(this.cidrs.at)) return this.cidrs.blocks;
    res.calls++;
    const blocks = parseVpcCidrs(await this.cloud.vpcCidrBlocks(vpcId));
    this.cidrs = { blocks, at: this.now() };
    return blocks;
  }
}
