// ClusterIP (10.96.0.0/12) and NodePort (30000-32767) allocation. Used values are recomputed from
// the stored Services on demand and cached until a Service changes, so allocation stays O(1)
// amortised even with thousands of Services and survives restarts without its own state.
import type { StatusCause } from '../errors.js';
import { isPlainObject, type KubeObject } from '../types.js';

const CIDR_BASE = (10 << 24) | (96 << 16); // 10.96.0.0
const CIDR_SIZE = 1 << 20; // /12
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

/** kube-apiserver's --service-node-port-range; large clusters widen it past the default 2768 ports. */
export interface NodePortRange {
  min: number;
  max: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function inServiceCidr(ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= CIDR_BASE >>> 0 && n < (CIDR_BASE >>> 0) + CIDR_SIZE;
}

interface Port {
  port?: number;
  nodePort?: number;
  protocol?: string;
  [k: string]: unknown;
}

export function servicePorts(svc: KubeObject): Port[] {
  const spec = isPlainObject(svc.spec) ? svc.spec : {};
  return Array.isArray(spec['ports']) ? (spec['ports'] as Port[]).filter(isPlainObject) : [];
}

export class ServiceAllocator {
  private ips?: Set<string>;
  private ports?: Set<number>;
  private nextIp = 10;
  private nextPort: number;

  constructor(
    private readonly services: () => Iterable<KubeObject>,
    private readonly range: NodePortRange = { min: NODE_PORT_MIN, max: NODE_PORT_MAX },
  ) {
    this.nextPort = range.min;
  }

  invalidate(): void {
    this.ips = undefined;
    this.ports = undefined;
  }

  private load(): { ips: Set<string>; ports: Set<number> } {
    if (!this.ips || !this.ports) {
      this.ips = new Set();
      this.ports = new Set();
      for (const s of this.services()) {
        const spec = isPlainObject(s.spec) ? s.spec : {};
        if (typeof spec['clusterIP'] === 'string') this.ips.add(spec['clusterIP']);
        for (const p of servicePorts(s)) if (typeof p.nodePort === 'number') this.ports.add(p.nodePort);
        if (typeof spec['healthCheckNodePort'] === 'number') this.ports.add(spec['healthCheckNodePort']);
      }
    }
    return { ips: this.ips, ports: this.ports };
  }

  ipInUse(ip: string): boolean {
    return this.load().ips.has(ip);
  }

  portInUse(p: number): boolean {
    return this.load().ports.has(p);
  }

  allocateIp(): string {
    const { ips } = this.load();
    for (let i = 0; i < CIDR_SIZE; i++) {
      const off = ((this.nextIp + i) % (CIDR_SIZE - 2)) + 1;
      const ip = intToIp((CIDR_BASE >>> 0) + off);
      if (!ips.has(ip)) {
        this.nextIp = off + 1;
        ips.add(ip);
        return ip;
      }
    }
    throw new Error('service IP range exhausted');
  }

  allocatePort(reserved: Set<number>): number {
    const { ports } = this.load();
    const { min, max } = this.range;
    const span = max - min + 1;
    for (let i = 0; i < span; i++) {
      const p = min + ((this.nextPort - min + i) % span);
      if (!ports.has(p) && !reserved.has(p)) {
        this.nextPort = p + 1;
        ports.add(p);
        return p;
      }
    }
    throw new Error('node port range exhausted');
  }

  /** Validate requested ports against ones held by *other* services. */
  checkPorts(svc: KubeObject, old: KubeObject | undefined): StatusCause[] {
    const mine = new Set<number>(
      old ? servicePorts(old).flatMap((p) => (p.nodePort ? [p.nodePort] : [])) : [],
    );
    const oldSpec = old && isPlainObject(old.spec) ? old.spec : {};
    if (typeof oldSpec['healthCheckNodePort'] === 'number') mine.add(oldSpec['healthCheckNodePort']);
    const causes: StatusCause[] = [];
    const seen = new Set<number>();
    servicePorts(svc).forEach((p, i) => {
      if (typeof p.nodePort !== 'number') return;
      const field = `spec.ports[${i}].nodePort`;
      if (p.nodePort < this.range.min || p.nodePort > this.range.max) {
        causes.push({
          reason: 'FieldValueInvalid',
          field,
          message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${this.range.min}-${this.range.max}`,
        });
      } else if ((this.portInUse(p.nodePort) && !mine.has(p.nodePort)) || seen.has(p.nodePort)) {
        causes.push({
          reason: 'FieldValueInvalid',
          field,
          message: `Invalid value: ${p.nodePort}: provided port is already allocated`,
        });
      }
      seen.add(p.nodePort);
    });
    return causes;
  }
}
