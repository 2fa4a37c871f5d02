// Where the AccessKey comes from. The chain is resolved once, first hit wins:
//   1. explicit config (cloud-config / flags)
//   2. env ALIYUN_ACCESS_KEY/_SECRET (kube-aliyun), ACCESS_KEY_ID/_SECRET, ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET
//   3. files mounted from a Secret (dir from config or ALICLOUD_CREDENTIALS_DIR), re-read periodically
//      so a rotated Secret is picked up without a restart
//   4. the instance's RAM role via metadata: STS credentials refreshed before they expire
// Every value is registered as a secret the moment it is read.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerSecret } from '../util/secrets.js';
import type { Logger } from '../util/log.js';
import { MetadataClient } from './metadata.js';
import { systemClock, type Clock } from './timing.js';
import { errorText } from '../util/errors.js';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Absolute expiry (ms since epoch) for STS credentials. */
  expiresAt?: number;
}

export type CredentialSource = 'config' | 'env' | 'file' | 'ram-role';

/** Shape pop-core's RPCClient accepts as `credentialsProvider`: it asks before every request. */
export interface CredentialProvider {
  getCredentials(): Promise<Credentials>;
  /** Which link of the chain answered (known after the first getCredentials()). */
  source(): CredentialSource | undefined;
}

function remember(c: Credentials): Credentials {
  registerSecret(c.accessKeyId);
  registerSecret(c.accessKeySecret);
  registerSecret(c.securityToken);
  return c;
}

const ENV_PAIRS: [string, string][] = [
  ['ALIYUN_ACCESS_KEY', 'ALIYUN_ACCESS_KEY_SECRET'],
  ['ACCESS_KEY_ID', 'ACCESS_KEY_SECRET'],
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
];

export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials | undefined {
  for (const [idKey, secretKey] of ENV_PAIRS) {
    const id = env[idKey]?.trim();
    const secret = env[secretKey]?.trim();
    if (id && secret) return remember({ accessKeyId: id, accessKeySecret: secret });
  }
  return undefined;
}

/** File names a Secret may use: kube-aliyun's keys first, then the dashed form. */
const FILE_PAIRS: [string, string][] = [
  ['accessKey', 'accessKeySecret'],
  ['access-key-id', 'access-key-secret'],
  ['accessKeyId', 'accessKeySecret'],
  ['AccessKeyId', 'AccessKeySecret'],
];

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    const v = (await readFile(path, 'utf8')).trim();
    return v === '' ? undefined : v;
  } catch {
    return undefined;
  }
}

export async function credentialsFromDir(dir: string): Promise<Credentials | undefined> {
  for (const [idFile, secretFile] of FILE_PAIRS) {
    const id = await readTrimmed(join(dir, idFile));
    const secret = id === undefined ? undefined : await readTrimmed(join(dir, secretFile));
    if (id && secret) {
      const token = await readTrimmed(join(dir, 'securityToken'));
      return remember({
        accessKeyId: id,
        accessKeySecret: secret,
        ...(token ? { securityToken: token } : {}),
      });
    }
  }
  return undefined;
}

export interface StsRefreshOptions {
  metadata: MetadataClient;
  clock?: Clock;
  logger?: Logger;
  /** Role name; discovered from metadata when absent. */
  role?: string;
}

/**
 * When to refresh credentials that expire at `expiresAt` and were obtained at `obtainedAt`:
 * 5 minutes early, or after 80% of their lifetime when that is shorter (short-lived test tokens).
 */
export function refreshAt(obtainedAt: number, expiresAt: number): number {
  const lifetime = Math.max(0, expiresAt - obtainedAt);
  return expiresAt - Math.min(5 * 60_000, lifetime * 0.2);
}

/** RAM-role credentials from metadata, cached and refreshed before expiry. */
export class StsCredentialProvider implements CredentialProvider {
  private current: Credentials | undefined;
  private refreshDue = 0;
  private inflight: Promise<Credentials> | undefined;
  private readonly clock: Clock;

  constructor(private readonly opts: StsRefreshOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  source(): CredentialSource {
    return 'ram-role';
  }

  async getCredentials(): Promise<Credentials> {
    const now = this.clock.now();
    if (this.current && now < this.refreshDue) return this.current;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    try {
      return await this.inflight;
    } catch (err) {
      // A failed refresh is tolerable while the old credentials are still valid.
      if (this.current?.expiresAt !== undefined && now < this.current.expiresAt) {
        this.opts.logger?.warn(
          { err: errorText(err) },
          'STS credential refresh failed; using current credentials',
        );
        return this.current;
      }
      throw err;
    }
  }

  private async fetch(): Promise<Credentials> {
    const role = this.opts.role ?? (await this.opts.metadata.ramRole());
    if (!role) throw new Error('no RAM role attached to this instance');
    const doc = await this.opts.metadata.stsCredentials(role);
    const obtainedAt = this.clock.now();
    const expiresAt = Date.parse(doc.Expiration);
    if (Number.isNaN(expiresAt)) throw new Error(`RAM role ${role}: unparseable Expiration`);
    const creds = remember({
      accessKeyId: doc.AccessKeyId,
      accessKeySecret: doc.AccessKeySecret,
      securityToken: doc.SecurityToken,
      expiresAt,
    });
    this.current = creds;
    this.refreshDue = refreshAt(obtainedAt, expiresAt);
    this.opts.logger?.info(
      { role, expiration: doc.Expiration },
      'obtained STS credentials from instance metadata',
    );
    return creds;
  }
}

export interface CredentialChainOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  credentialsDir?: string;
  env?: NodeJS.ProcessEnv;
  metadata: MetadataClient;
  clock?: Clock;
  logger?: Logger;
  /** How long file-based credentials are cached before the files are read again. */
  fileRefreshMs?: number;
}

/** Resolves the chain lazily (metadata may not be reachable at construction) and then sticks to the winner. */
export class CredentialChain implements CredentialProvider {
  private chosen: CredentialSource | undefined;
  private resolving: Promise<() => Promise<Credentials>> | undefined;
  private fileCache: { creds: Credentials; readAt: number } | undefined;
  private readonly clock: Clock;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: CredentialChainOptions) {
    this.clock = opts.clock ?? systemClock;
    this.env = opts.env ?? process.env;
    registerSecret(opts.accessKeyId);
    registerSecret(opts.accessKeySecret);
    registerSecret(opts.securityToken);
  }

  source(): CredentialSource | undefined {
    return this.chosen;
  }

  async getCredentials(): Promise<Credentials> {
    this.resolving ??= this.resolve().catch((err: unknown) => {
      // Let the next call try the chain again (e.g. metadata came up later).
      this.resolving = undefined;
      throw err;
    });
    const get = await this.resolving;
    return get();
  }

  private dir(): string | undefined {
    return this.opts.credentialsDir ?? this.env.ALICLOUD_CREDENTIALS_DIR;
  }

  private async resolve(): Promise<() => Promise<Credentials>> {
    const { accessKeyId, accessKeySecret, securityToken } = this.opts;
    if (accessKeyId && accessKeySecret) {
      const creds: Credentials = {
        accessKeyId,
        accessKeySecret,
        ...(securityToken ? { securityToken } : {}),
      };
      this.chosen = 'config';
      return () => Promise.resolve(creds);
    }
    const fromEnv = credentialsFromEnv(this.env);
    if (fromEnv) {
      this.chosen = 'env';
      return () => Promise.resolve(fromEnv);
    }
    const dir = this.dir();
    if (dir) {
      const fromDir = await credentialsFromDir(dir);
      if (fromDir) {
        this.chosen = 'file';
        this.fileCache = { creds: fromDir, readAt: this.clock.now() };
        return () => this.fromFiles(dir);
      }
    }
    const sts = new StsCredentialProvider({
      metadata: this.opts.metadata,
      clock: this.clock,
      ...(this.opts.logger ? { logger: this.opts.logger } : {}),
    });
    try {
      await sts.getCredentials();
    } catch (err) {
      const why = errorText(err);
      throw new Error(
        `no Alibaba Cloud credentials: none in config, env or ${dir ?? 'a credentials dir'}, and no RAM role via metadata (${why})`,
        { cause: err },
      );
    }
    this.chosen = 'ram-role';
    return () => sts.getCredentials();
  }

  private async fromFiles(dir: string): Promise<Credentials> {
    const cache = this.fileCache;
    const ttl = this.opts.fileRefreshMs ?? 60_000;
    if (cache && this.clock.now() - cache.readAt < ttl) return cache.creds;
    // A Secret update swaps the files atomically; if they are briefly unreadable, keep the old pair.
    const fresh = (await credentialsFromDir(dir)) ?? cache?.creds;
    if (!fresh) throw new Error(`credentials files disappeared from ${dir}`);
    this.fileCache = { creds: fresh, readAt: this.clock.now() };
    return fresh;
  }
}
