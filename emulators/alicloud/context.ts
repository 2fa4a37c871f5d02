// What an action handler gets: the parsed request, the cloud, and the few emulator services
// (timers for asynchronous transitions, test hooks, persistence) it may need.
import type { Params } from './params.js';
import type { CloudState, Disk, Instance } from './state.js';
import type { Product } from './catalog.js';

export interface EmulatorHooks {
  onDiskAttached?: (disk: Disk, instance: Instance) => void | Promise<void>;
  onDiskDetached?: (disk: Disk, instance: Instance) => void | Promise<void>;
}

export interface Runtime {
  /** Run `fn` after `ms`; cancelled when the emulator closes. State is persisted after it runs. */
  schedule(ms: number, fn: () => void | Promise<void>): void;
  hooks: EmulatorHooks;
  /** Fault injection's say on whether an asynchronous job (Nlb) that starts now will end Failed. */
  jobFails?(product: string, action: string): boolean;
}

export interface Ctx {
  state: CloudState;
  p: Params;
  product: Product;
  action: string;
  /** RegionId of the request, or the emulator's region when the client sent none (pop-core). */
  region: string;
  rt: Runtime;
}

export type ResponseBody = Record<string, unknown>;
export type Handler = (ctx: Ctx) => ResponseBody | Promise<ResponseBody>;
export type HandlerTable = Record<string, Handler>;
