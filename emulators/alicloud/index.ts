// In-process API of the Alibaba Cloud emulator, for tests and for main.ts.
import type { Server } from 'node:http';
import type { CallRecord, CallTally } from './calls.js';
import type { EmulatorHooks } from './context.js';
import { EmulatorCore } from './emulator.js';
import type { FaultConfig, FaultRule } from './faults.js';
import { mergeState } from './merge/index.js';
import type { HostMetadata } from './metadata.js';
import { listen, serverUrl } from './server.js';
import type { CloudState } from './state.js';
import type { Logger } from '../log.js';

export type { CallRecord, CallTally, EmulatorHooks, FaultConfig, FaultRule, HostMetadata, CloudState };
export type * from './state.js';
export { computeSignature, percentEncode, stringToSign, canonicalQuery } from './signature.js';
export { createInstance, diskRecord, releaseInstance, type InstanceInput } from './ecs/factory.js';

export interface AlicloudEmulatorOptions {
  port?: number;
  host?: string;
  accessKeyId: string;
  accessKeySecret: string;
  region?: string;
  stateFile?: string;
  /** Extra static AccessKeys accepted (e.g. one identity per controller replica). */
  extraCredentials?: { accessKeyId: string; accessKeySecret: string }[];
  logger?: Logger;
}

export interface AlicloudEmulator {
  url: string;
  close(): Promise<void>;
  /** The in-memory cloud, typed and mutable from tests. */
  state: CloudState;
  calls(): CallRecord[];
  /** Calls per action since the last `clearCalls()`, not capped like `calls()`, and cheap to poll. */
  callTally(): CallTally;
  clearCalls(): void;
  setFaults(f: FaultConfig): void;
  mergeState(body: unknown): void;
  hooks: EmulatorHooks;
  addStsCredentials(id: string, secret: string, token: string, expiration: Date): void;
  setHostMetadata(instanceId: string, meta: Partial<HostMetadata>): void;
  /** Forget every metadata session token, as a restarted metadata service would. */
  resetMetadataTokens(): void;
  /** Resolves when no disk/route transition is scheduled or running (waits out their delays). */
  idle(): Promise<void>;
  /** Completes every scheduled disk/route transition now (hooks included) and waits for them. */
  flushTransitions(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startAlicloudEmulator(opts: AlicloudEmulatorOptions): Promise<AlicloudEmulator> {
  const core = new EmulatorCore(opts);
  const server = await listen(core, opts.port ?? 0, opts.host ?? '127.0.0.1');
  core.persist();
  let closing: Promise<void> | undefined;
  return {
    url: serverUrl(server),
    get state() {
      return core.state;
    },
    hooks: core.hooks,
    calls: () => core.callLog.all(),
    callTally: () => core.callLog.tally(),
    clearCalls: () => core.callLog.clear(),
    setFaults: (f) => core.faults.set(f),
    mergeState: (body) => {
      mergeState(core.state, body);
      core.persist();
    },
    addStsCredentials: (id, secret, token, expiration) =>
      core.credentials.addSts(id, secret, token, expiration),
    setHostMetadata: (id, meta) => core.setHostMetadata(id, meta),
    resetMetadataTokens: () => core.metadataTokens.clear(),
    idle: () => core.idle(),
    flushTransitions: () => core.flush(),
    close: () => {
      closing ??= (async () => {
        await closeServer(server);
        await core.close();
      })();
      return closing;
    },
  };
}
