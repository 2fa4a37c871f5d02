// The emulator's in-process core: the cloud state plus everything around it (credentials,
// faults, call log, timers, metadata hosts, persistence). The HTTP layer is in server.ts.
import { Credentials } from './auth.js';
import { CallLog } from './calls.js';
import { loadCatalog, type Catalog } from './catalog.js';
import type { EmulatorHooks, Runtime } from './context.js';
import { Faults } from './faults.js';
import {
  DEFAULT_HOST,
  hostMetadata,
  issueCredential,
  MetadataTokens,
  type HostMetadata,
  type IssuedCredential,
} from './metadata.js';
import { loadState, saveState } from './persistence.js';
import { initialState } from './seed.js';
import type { CloudState } from './state.js';
import { createLogger, type Logger } from '../log.js';

export interface CoreOptions {
  accessKeyId: string;
  accessKeySecret: string;
  region?: string;
  stateFile?: string;
  /** Further static AccessKeys accepted, e.g. a second "replica" identity. */
  extraCredentials?: { accessKeyId: string; accessKeySecret: string }[];
  logger?: Logger;
}

export class EmulatorCore implements Runtime {
  readonly catalog: Catalog = loadCatalog();
  readonly credentials = new Credentials();
  readonly faults = new Faults();
  readonly callLog = new CallLog();
  readonly hooks: EmulatorHooks = {};
  readonly metadataTokens = new MetadataTokens();
  readonly log: Logger;
  state: CloudState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<void>>();
  private readonly cancels = new Set<() => void>();
  private readonly due = new Map<NodeJS.Timeout, () => void>();
  private readonly hostOverrides = new Map<string, Partial<HostMetadata>>();
  private readonly issued = new Map<string, IssuedCredential>();
  private closed = false;

  constructor(private readonly opts: CoreOptions) {
    this.log = opts.logger ?? createLogger('alicloud-emulator');
    this.credentials.addAccessKey(opts.accessKeyId, opts.accessKeySecret);
    for (const c of opts.extraCredentials ?? [])
      this.credentials.addAccessKey(c.accessKeyId, c.accessKeySecret);
    const region = opts.region ?? 'cn-hangzhou';
    this.state = (opts.stateFile ? loadState(opts.stateFile) : undefined) ?? initialState(region);
  }

  schedule(ms: number, fn: () => void | Promise<void>): void {
    if (this.closed) return;
    // The job is tracked from the moment it is scheduled, so idle() also waits for timers
    // that have not fired yet.
    const job = new Promise<void>((resolve) => {
      const fire = () => {
        this.timers.delete(timer);
        this.due.delete(timer);
        this.cancels.delete(resolve);
        if (this.closed) return resolve();
        void (async () => {
          try {
            await fn();
          } catch (err) {
            this.log.error({ err: String(err) }, 'scheduled transition failed');
          } finally {
            this.persist();
            resolve();
          }
        })();
      };
      const timer = setTimeout(fire, Math.max(0, ms));
      this.timers.add(timer);
      this.due.set(timer, fire);
      this.cancels.add(resolve);
    });
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  jobFails(product: string, action: string): boolean {
    return this.faults.jobFails(product, action);
  }

  persist(): void {
    if (!this.opts.stateFile || this.closed) return;
    try {
      saveState(this.opts.stateFile, this.state);
    } catch (err) {
      this.log.error({ err: String(err) }, 'could not persist emulator state');
    }
  }

  setHostMetadata(instanceId: string, meta: Partial<HostMetadata>): void {
    const prev = this.hostOverrides.get(instanceId) ?? {};
    this.hostOverrides.set(instanceId, {
      ...prev,
      ...meta,
      extra: { ...(prev.extra ?? {}), ...(meta.extra ?? {}) },
    });
  }

  hostMetadata(hostKey: string = DEFAULT_HOST): HostMetadata {
    return hostMetadata(this.state, hostKey, this.hostOverrides.get(hostKey));
  }

  /**
   * Credentials for a host's RAM role. Like the real metadata service, the same credentials are
   * served until they are past half their life, then fresh ones; old ones stay valid until expiry.
   */
  roleCredentials(hostKey: string, role: string, now = Date.now()): IssuedCredential {
    const key = `${hostKey}/${role}`;
    const prev = this.issued.get(key);
    if (prev && now < prev.issuedAt + (prev.expiresAt - prev.issuedAt) / 2) return prev;
    const cred = issueCredential(this.state.config.stsTtlSeconds, now);
    this.credentials.addSts(
      cred.AccessKeyId,
      cred.AccessKeySecret,
      cred.SecurityToken,
      new Date(cred.expiresAt),
    );
    this.issued.set(key, cred);
    return cred;
  }

  /**
   * Complete every scheduled transition now, as if its delay had passed, and wait for them.
   * Lets tests observe the intermediate status (Pending, Attaching) deterministically with a
   * long delay, then move on without sleeping.
   */
  async flush(): Promise<void> {
    for (let round = 0; round < 100 && this.due.size > 0; round++) {
      for (const [timer, fire] of [...this.due]) {
        clearTimeout(timer);
        fire();
      }
      await this.idle();
    }
  }

  /** Wait for scheduled and running transitions (used by close and by tests that want a settled cloud). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.due.clear();
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    await this.idle();
    this.persist();
    this.closed = true;
  }
}
