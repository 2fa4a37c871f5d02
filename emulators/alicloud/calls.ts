// The call log tests audit: which product/action was called, by whom, with what outcome.
// Credential-bearing parameters are never stored, not even redacted-by-registry.

export interface CallRecord {
  product: string;
  action: string;
  /** Error code, or "Success". */
  code: string;
  status: number;
  time: string;
  requestId: string;
  params: Record<string, string>;
  /** `x-kube-alicloud-caller` header, else the User-Agent. */
  caller?: string;
}

const HIDDEN = new Set(['AccessKeyId', 'Signature', 'SecurityToken', 'BearerToken', 'access_key_id']);

export function redactParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = HIDDEN.has(k) ? '***' : v;
  return out;
}

/** Calls per action since the last clear, counted as they arrive: unlike `all()` it is not capped. */
export type CallTally = Record<string, number>;

export class CallLog {
  private records: CallRecord[] = [];
  private counts = new Map<string, number>();
  constructor(private readonly max = 100_000) {}

  add(r: CallRecord): void {
    this.counts.set(r.action, (this.counts.get(r.action) ?? 0) + 1);
    this.records.push(r);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }

  all(): CallRecord[] {
    return this.records.map((r) => ({ ...r, params: { ...r.params } }));
  }

  /**
   * A bench polls this while a manager makes hundreds of thousands of calls: copying `all()` per
   * poll was most of the emulator's CPU, and the log's cap made totals past 100,000 wrong.
   */
  tally(): CallTally {
    return Object.fromEntries(this.counts);
  }

  clear(): void {
    this.records = [];
    this.counts.clear();
  }
}
