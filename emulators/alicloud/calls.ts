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

export class CallLog {
  private records: CallRecord[] = [];
  constructor(private readonly max = 100_000) {}

  add(r: CallRecord): void {
    this.records.push(r);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }

  all(): CallRecord[] {
    return this.records.map((r) => ({ ...r, params: { ...r.params } }));
  }

  clear(): void {
    this.records = [];
  }
}
