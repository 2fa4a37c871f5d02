// Destinations no pod CIDR may ever cover, whatever a Node object says. A Node's spec.podCIDR is
// writable by whoever can update Nodes (a kubelet, a node-level compromise, a careless admin);
// routing these ranges to another node would hand it this node's traffic to the metadata
// service (instance credentials), the cloud's DNS, or break the host itself.
import { type Ipv4Cidr as Cidr, cidrsOverlap, formatCidr, parseCidr } from '../util/ipv4.js';

export interface ReservedRange {
  readonly cidr: Cidr;
  readonly text: string;
  readonly what: string;
}

const RANGES: ReadonlyArray<[string, string]> = [
  ['0.0.0.0/8', '"this network"'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  // 100.100.100.200 is the instance metadata service; the rest of 100.100/16 carries the
  // cloud's own services on every VPC host (DNS 100.100.2.136/138 among them).
  ['100.100.0.0/16', 'Alibaba Cloud internal services (metadata 100.100.100.200, DNS)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved and broadcast'],
];

export const RESERVED_RANGES: readonly ReservedRange[] = RANGES.map(([text, what]) => ({
  cidr: parseCidr(text)!,
  text,
  what,
}));

/** The first reserved range `cidr` overlaps (contains, or lies in), if any. */
export function reservedOverlap(cidr: Cidr): ReservedRange | undefined {
  return RESERVED_RANGES.find((r) => cidrsOverlap(r.cidr, cidr));
}

export function describeReserved(cidr: Cidr, r: ReservedRange): string {
  return `${formatCidr(cidr)} overlaps ${r.text} (${r.what})`;
}
