// Per-request TLS material and auth headers, taken from @kubernetes/client-node so its
// authenticators (exec credential plugins, token files, auth providers) decide what to send and
// when to refresh. The connection pooling stays ours: client-node builds a fresh non-keep-alive
// agent per call, so its agent is dropped and a keep-alive one is reused for as long as the TLS
// material it hands back stays the same (a rotated client certificate gets a new pool).
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions, type RequestOptions } from 'node:https';
import type { ClientNodeConfig } from './config.js';
import { KubeApiError } from './errors.js';
import { registerSecret } from '../util/secrets.js';
import { errorText } from '../util/errors.js';

export interface RequestAuth {
  agent: HttpAgent;
  headers: Record<string, string>;
}

type TlsMaterial = Pick<AgentOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'servername'> & {
  rejectUnauthorized?: boolean;
};

export class ClientNodeAuth {
  private readonly http = new HttpAgent({ keepAlive: true });
  private tls?: { fingerprint: string; agent: HttpsAgent };
  /** Agents replaced after a rotation: in-flight requests (watches) finish on them; closed with us. */
  private readonly retired: HttpsAgent[] = [];
  private lastAuthorization?: string;

  constructor(
    private readonly kc: ClientNodeConfig,
    private readonly secure: boolean,
  ) {}

  async forRequest(): Promise<RequestAuth> {
    const opts: RequestOptions = {};
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      // Exec plugin failures and unreadable credential files surface here, once per request.
      throw new KubeApiError(0, 'AuthError', `credentials: ${firstLine(err)}`);
    }
    const headers = flattenHeaders(opts.headers);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.remember(headers.Authorization);
    return { agent: this.secure ? this.agentFor(opts) : this.http, headers };
  }

  close(): void {
    this.http.destroy();
    this.tls?.agent.destroy();
    for (const a of this.retired.splice(0)) a.destroy();
  }

  /** Credentials can change per request (exec plugins, token files): register each new one. */
  private remember(authorization: string | undefined): void {
    if (!authorization || authorization === this.lastAuthorization) return;
    this.lastAuthorization = authorization;
    registerSecret(authorization.replace(/^\S+\s+/, ''));
  }

  private agentFor(opts: RequestOptions): HttpsAgent {
    const tls: TlsMaterial = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      pfx: opts.pfx,
      passphrase: opts.passphrase,
      servername: opts.servername,
      rejectUnauthorized: opts.rejectUnauthorized,
    };
    const fingerprint = fingerprintOf(tls);
    if (this.tls?.fingerprint === fingerprint) return this.tls.agent;
    registerKey(tls.key);
    registerSecret(tls.passphrase);
    if (this.tls) this.retired.push(this.tls.agent);
    const agent = new HttpsAgent({ keepAlive: true, ...definedOnly(tls) });
    this.tls = { fingerprint, agent };
    return agent;
  }
}

function flattenHeaders(h: OutgoingHttpHeaders | readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h || Array.isArray(h)) return out;
  for (const [k, v] of Object.entries(h as OutgoingHttpHeaders)) {
    if (v === undefined) continue;
    // Token files usually end in a newline, which node:http rejects inside a header.
    out[k] = (Array.isArray(v) ? v.join(', ') : String(v)).trim();
  }
  return out;
}

function fingerprintOf(tls: TlsMaterial): string {
  const hash = createHash('sha256');
  for (const [k, v] of Object.entries(tls)) {
    hash.update(`${k}\0`);
    for (const part of Array.isArray(v) ? v : [v]) {
      if (part === undefined) hash.update('\x01');
      else if (typeof part === 'string' || Buffer.isBuffer(part)) hash.update(part);
      else hash.update(JSON.stringify(part));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

function registerKey(key: TlsMaterial['key']): void {
  for (const k of Array.isArray(key) ? key : [key]) {
    if (typeof k === 'string') registerSecret(k);
    else if (Buffer.isBuffer(k)) registerSecret(k.toString('utf8'));
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function firstLine(err: unknown): string {
  const msg = errorText(err);
  return msg.split('\n').find((l) => l.trim()) ?? 'failed';
}
