// ECS instance metadata (http://100.100.100.200/latest/meta-data/...). The base URL may carry a
// path prefix because the emulator serves each emulated host under
// `<url>/_emulator/hosts/<instanceId>`. Timeouts are short: off-ECS the address black-holes,
// and callers (credential chain, node init) must fall through quickly.
import { registerSecret } from '../util/secrets.js';

export const DEFAULT_METADATA_ENDPOINT = 'http://100.100.100.200';

export interface MetadataOptions {
  endpoint?: string;
  timeoutMs?: number;
  /** Attempts per read; metadata hiccups are common right after boot. */
  attempts?: number;
  fetch?: typeof fetch;
}

export interface StsCredentialDocument {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  Expiration: string;
  LastUpdated?: string;
  Code?: string;
}

export class MetadataError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MetadataError';
  }
}

export class MetadataClient {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly fetchFn: typeof fetch;

  constructor(opts: MetadataOptions = {}) {
    const base = opts.endpoint ?? process.env.METADATA_ENDPOINT ?? DEFAULT_METADATA_ENDPOINT;
    this.endpoint = base.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.attempts = Math.max(1, opts.attempts ?? 2);
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Raw text of `latest/meta-data/<key>`; 404 is a MetadataError with status 404, never retried. */
  async get(key: string): Promise<string> {
    const url = `${this.endpoint}/latest/meta-data/${key}`;
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const res = await this.fetchFn(url, { signal: AbortSignal.timeout(this.timeoutMs) });
        const text = await res.text();
        if (res.status === 404) throw new MetadataError(`metadata ${key}: not found`, 404);
        if (!res.ok) throw new MetadataError(`metadata ${key}: HTTP ${res.status}`, res.status);
        return text.trim();
      } catch (err) {
        if (err instanceof MetadataError && err.status !== undefined && err.status < 500) throw err;
        last = err;
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new MetadataError(`metadata ${key}: unreachable at ${this.endpoint} (${why})`);
  }

  regionId(): Promise<string> {
    return this.get('region-id');
  }
  zoneId(): Promise<string> {
    return this.get('zone-id');
  }
  instanceId(): Promise<string> {
    return this.get('instance-id');
  }
  vpcId(): Promise<string> {
    return this.get('vpc-id');
  }
  vswitchId(): Promise<string> {
    return this.get('vswitch-id');
  }
  privateIpv4(): Promise<string> {
    return this.get('private-ipv4');
  }
  hostname(): Promise<string> {
    return this.get('hostname');
  }
  instanceType(): Promise<string> {
    return this.get('instance/instance-type');
  }

  /** The RAM role attached to this instance, or undefined when there is none. */
  async ramRole(): Promise<string | undefined> {
    try {
      const listing = await this.get('ram/security-credentials/');
      const role = listing.split('\n').map((s) => s.trim()).find((s) => s !== '');
      return role?.replace(/\/$/, '');
    } catch (err) {
      if (err instanceof MetadataError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** STS credentials for `role`; every value is registered as a secret before returning. */
  async stsCredentials(role: string): Promise<StsCredentialDocument> {
    const text = await this.get(`ram/security-credentials/${encodeURIComponent(role)}`);
    let doc: Partial<StsCredentialDocument>;
    try {
      doc = JSON.parse(text) as Partial<StsCredentialDocument>;
    } catch {
      throw new MetadataError(`metadata credentials for role ${role}: not JSON`);
    }
    registerSecret(doc.AccessKeyId);
    registerSecret(doc.AccessKeySecret);
    registerSecret(doc.SecurityToken);
    if (doc.Code !== undefined && doc.Code !== 'Success') throw new MetadataError(`metadata credentials for role ${role}: Code ${doc.Code}`);
    if (!doc.AccessKeyId || !doc.AccessKeySecret || !doc.SecurityToken || !doc.Expiration) {
      throw new MetadataError(`metadata credentials for role ${role}: incomplete document`);
    }
    return doc as StsCredentialDocument;
  }
}
