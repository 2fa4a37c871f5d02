// ECS instance metadata (http://100.100.100.200/latest/meta-data/...). The base URL may carry a
// path prefix because the emulator serves each emulated host under
// `<url>/_emulator/hosts/<instanceId>`. Timeouts are short: off-ECS the address black-holes,
// and callers (credential chain, node init) must fall through quickly.
//
// Reads use a session token by default (IMDSv2, "security hardening mode"): PUT
// /latest/api/token with a TTL header, then the token on every GET. An instance that enforces
// tokens refuses plain reads, and one whose token endpoint fails (older images, proxies) still
// answers plain reads, so a failed token request falls back to them for a minute before the
// token is tried again.
import { registerSecret } from '../util/secrets.js';
import { errorText } from '../util/errors.js';

export const DEFAULT_METADATA_ENDPOINT = 'http://100.100.100.200';
export const TOKEN_HEADER = 'X-aliyun-ecs-metadata-token';
export const TOKEN_TTL_HEADER = 'X-aliyun-ecs-metadata-token-ttl-seconds';
/** The longest TTL the service grants (6 hours), what the official CCM asks for. */
export const TOKEN_TTL_SECONDS = 21_600;
/** A token is renewed this long before it expires, so no read races its expiry. */
const TOKEN_RENEW_MARGIN_MS = 60_000;
/** After a failed token request, plain reads for this long before asking again. */
const PLAIN_READ_BACKOFF_MS = 60_000;

export interface MetadataOptions {
  endpoint?: string;
  timeoutMs?: number;
  /** Attempts per read; metadata hiccups are common right after boot. */
  attempts?: number;
  fetch?: typeof fetch;
  /** Read with a session token (default true); false = plain reads only (`--enable-imdsv2=false`). */
  imdsv2?: boolean;
  tokenTtlSeconds?: number;
  now?: () => number;
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
  private readonly imdsv2: boolean;
  private readonly tokenTtlSeconds: number;
  private readonly now: () => number;
  private token?: { value: string; renewAt: number };
  private pendingToken?: Promise<string | undefined>;
  private plainUntil = 0;

  constructor(opts: MetadataOptions = {}) {
    const base = opts.endpoint ?? process.env.METADATA_ENDPOINT ?? DEFAULT_METADATA_ENDPOINT;
    this.endpoint = base.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.attempts = Math.max(1, opts.attempts ?? 2);
    this.fetchFn = opts.fetch ?? fetch;
    this.imdsv2 = opts.imdsv2 ?? true;
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? TOKEN_TTL_SECONDS;
    this.now = opts.now ?? Date.now;
  }

  /** How the last read was made: with a session token, or plain (disabled or fallen back). */
  get mode(): 'token' | 'plain' {
    return this.token && this.now() < this.token.renewAt ? 'token' : 'plain';
  }

  /** Raw text of `latest/meta-data/<key>`; 404 is a MetadataError with status 404, never retried. */
  async get(key: string): Promise<string> {
    const url = `${this.endpoint}/latest/meta-data/${key}`;
    let last: unknown;
    let renewed = false;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const token = await this.sessionToken();
        const res = await this.fetchFn(url, {
          signal: AbortSignal.timeout(this.timeoutMs),
          ...(token ? { headers: { [TOKEN_HEADER]: token } } : {}),
        });
        const text = await res.text();
        if (res.status === 401 && token && !renewed) {
          // Expired or revoked early (the service restarted): one fresh token, same attempt.
          this.token = undefined;
          renewed = true;
          attempt--;
          continue;
        }
        if (res.status === 404) throw new MetadataError(`metadata ${key}: not found`, 404);
        if (res.status === 403 && !token)
          throw new MetadataError(
            `metadata ${key}: HTTP 403: the instance requires metadata tokens (security hardening mode)${this.imdsv2 ? ' and the token request failed' : '; remove --enable-imdsv2=false'}`,
            403,
          );
        if (!res.ok) throw new MetadataError(`metadata ${key}: HTTP ${res.status}`, res.status);
        return text.trim();
      } catch (err) {
        if (err instanceof MetadataError && err.status !== undefined && err.status < 500) throw err;
        last = err;
      }
    }
    const why = errorText(last);
    throw new MetadataError(`metadata ${key}: unreachable at ${this.endpoint} (${why})`);
  }

  /** The current session token, a new one when due, or undefined for a plain read. */
  private async sessionToken(): Promise<string | undefined> {
    if (!this.imdsv2) return undefined;
    const now = this.now();
    if (this.token && now < this.token.renewAt) return this.token.value;
    if (now < this.plainUntil) return undefined;
    // Concurrent reads share one token request.
    this.pendingToken ??= this.requestToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  private async requestToken(): Promise<string | undefined> {
    const asked = this.now();
    try {
      const res = await this.fetchFn(`${this.endpoint}/latest/api/token`, {
        method: 'PUT',
        headers: { [TOKEN_TTL_HEADER]: String(this.tokenTtlSeconds) },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = (await res.text()).trim();
      if (res.status !== 200 || text === '') throw new Error(`HTTP ${res.status}`);
      registerSecret(text);
      const lifetime = this.tokenTtlSeconds * 1000;
      this.token = { value: text, renewAt: asked + Math.max(lifetime / 2, lifetime - TOKEN_RENEW_MARGIN_MS) };
      return text;
    } catch {
      this.token = undefined;
      this.plainUntil = this.now() + PLAIN_READ_BACKOFF_MS;
      return undefined;
    }
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
      const role = listing
        .split('\n')
        .map((s) => s.trim())
        .find((s) => s !== '');
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
    if (doc.Code !== undefined && doc.Code !== 'Success')
      throw new MetadataError(`metadata credentials for role ${role}: Code ${doc.Code}`);
    if (!doc.AccessKeyId || !doc.AccessKeySecret || !doc.SecurityToken || !doc.Expiration) {
      throw new MetadataError(`metadata credentials for role ${role}: incomplete document`);
    }
    return doc as StsCredentialDocument;
  }
}
