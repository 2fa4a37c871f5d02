// Lease holder history, read from a watch on the Lease: each (holder, acquireTime) the apiserver
// stored. acquireTime is written by the acquiring process itself before it starts acting, so
// "who held the lease at instant t" = the holder with the latest acquireTime ≤ t.
import { request, type ClientRequest } from 'node:http';
import type { CallRecord } from '../../emulators/alicloud/index.js';
import { isWrite } from './faults.js';

export interface Tenure {
  holder: string;
  acquiredAt: number;
}

export class LeaseHistory {
  readonly tenures: Tenure[] = [];
  private req: ClientRequest | undefined;
  private stopped = false;

  constructor(
    private readonly baseUrl: () => string,
    private readonly ns = 'kube-system',
    private readonly name = 'ccm',
  ) {}

  start(): void {
    if (this.stopped) return;
    const path = `/apis/coordination.k8s.io/v1/namespaces/${this.ns}/leases?watch=1&fieldSelector=metadata.name%3D${this.name}`;
    let buf = '';
    this.req = request(`${this.baseUrl()}${path}`, { headers: { Accept: 'application/json' } }, (res) => {
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) this.record(line);
        }
      });
      // Watches end (timeouts, restarts): reopen after a moment, for as long as we are running.
      res.on('close', () => void setTimeout(() => this.start(), 50));
    });
    this.req.on('error', () => void setTimeout(() => this.start(), 100));
    this.req.end();
  }

  private record(line: string): void {
    const ev = JSON.parse(line) as {
      type: string;
      object?: { spec?: { holderIdentity?: string; acquireTime?: string } };
    };
    const spec = ev.object?.spec;
    if ((ev.type !== 'ADDED' && ev.type !== 'MODIFIED') || !spec?.holderIdentity || !spec.acquireTime) return;
    const t = { holder: spec.holderIdentity, acquiredAt: Date.parse(spec.acquireTime) };
    const last = this.tenures[this.tenures.length - 1];
    if (!last || last.holder !== t.holder || last.acquiredAt !== t.acquiredAt) this.tenures.push(t);
  }

  stop(): void {
    this.stopped = true;
    this.req?.destroy();
  }

  holderAt(t: number): string | undefined {
    let h: string | undefined;
    for (const x of [...this.tenures].sort((a, b) => a.acquiredAt - b.acquiredAt))
      if (x.acquiredAt <= t) h = x.holder;
    return h;
  }

  /** Cloud writes whose caller did not hold the lease at that instant. */
  violations(calls: CallRecord[]): string[] {
    const out: string[] = [];
    for (const c of calls) {
      if (!isWrite(c)) continue;
      const t = Date.parse(c.time);
      const holder = this.holderAt(t);
      if (c.caller !== holder)
        out.push(`${c.action} at ${c.time} by ${c.caller ?? '?'} while ${holder ?? 'nobody'} held the lease`);
    }
    return out;
  }
}
