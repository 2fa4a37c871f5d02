// Asynchronous NLB writes. A job locks what it touches, applies the change at once (so reads see
// it, with the resource Configuring), and after `config.jobMs` ends Succeeded and unlocks, or
// ends Failed and puts the touched records back. A write that finds its resource locked fails
// with Conflict.Lock, the code the CCM retries on.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors.js';
import { nowIso } from '../ids.js';
import type { Ctx, ResponseBody } from '../context.js';
import type { CloudState } from '../state.js';
import type { NlbJob, NlbLockKey, NlbState } from './types.js';

type Collection = 'loadBalancers' | 'listeners' | 'serverGroups';
const COLLECTIONS: Record<string, Collection> = {
  lb: 'loadBalancers',
  listener: 'listeners',
  sg: 'serverGroups',
};

export const lbKey = (id: string): NlbLockKey => `lb:${id}`;
export const listenerKey = (id: string): NlbLockKey => `listener:${id}`;
export const sgKey = (id: string): NlbLockKey => `sg:${id}`;

function split(key: NlbLockKey): [Collection, string] {
  const i = key.indexOf(':');
  return [COLLECTIONS[key.slice(0, i)]!, key.slice(i + 1)];
}

function read(nlb: NlbState, key: NlbLockKey): unknown {
  const [c, id] = split(key);
  const rec = nlb[c][id];
  return rec === undefined ? null : structuredClone(rec);
}

function restore(nlb: NlbState, key: NlbLockKey, before: unknown): void {
  const [c, id] = split(key);
  const table = nlb[c] as Record<string, unknown>;
  if (before === null) delete table[id];
  else table[id] = before;
}

export function isLocked(nlb: NlbState, key: NlbLockKey): boolean {
  return nlb.locks[key] !== undefined;
}

/** Conflict.Lock for the first locked key (HTTP 409, as the service answers). */
export function assertUnlocked(nlb: NlbState, keys: readonly NlbLockKey[]): void {
  for (const k of keys) {
    if (!isLocked(nlb, k)) continue;
    const [, id] = split(k);
    throw new ApiError(
      409,
      'Conflict.Lock',
      `The resource ${id} is being modified by job ${nlb.locks[k]}; try again when the job has finished.`,
    );
  }
}

export interface JobPlan {
  /** Resources the change touches (they must be unlocked, and get locked). */
  locks: NlbLockKey[];
  /** Applies the change; returns keys of records it created, which a failed job removes. */
  apply: () => NlbLockKey[] | void;
  /** The answer besides JobId (e.g. ListenerId). */
  body?: ResponseBody;
}

export function startJob(ctx: Ctx, plan: JobPlan): ResponseBody {
  const nlb = ctx.state.nlb;
  assertUnlocked(nlb, plan.locks);
  const before: Record<NlbLockKey, unknown> = {};
  for (const k of plan.locks) before[k] = read(nlb, k);
  const created = plan.apply() ?? [];
  for (const k of created) before[k] ??= null;
  const job: NlbJob = {
    Id: randomUUID(),
    Action: ctx.action,
    Status: 'Processing',
    Locks: [...new Set([...plan.locks, ...created])],
    Before: before,
    WillFail: ctx.rt.jobFails?.(ctx.product, ctx.action) ?? false,
    CreateTime: nowIso(),
  };
  nlb.jobs[job.Id] = job;
  for (const k of job.Locks) nlb.locks[k] = job.Id;
  const state = ctx.state;
  ctx.rt.schedule(nlb.config.jobMs, () => finishJob(state, job.Id));
  return { ...(plan.body ?? {}), JobId: job.Id };
}

export function finishJob(state: CloudState, jobId: string): void {
  const nlb = state.nlb;
  const job = nlb.jobs[jobId];
  if (!job || job.Status !== 'Processing') return;
  if (job.WillFail) for (const [k, rec] of Object.entries(job.Before)) restore(nlb, k, rec);
  job.Status = job.WillFail ? 'Failed' : 'Succeeded';
  job.Before = {};
  for (const k of job.Locks) if (nlb.locks[k] === jobId) delete nlb.locks[k];
  pruneJobs(nlb);
}

/** Keep the newest finished jobs only, so a long run does not grow the state without bound. */
function pruneJobs(nlb: NlbState, keep = 2000): void {
  const ids = Object.keys(nlb.jobs);
  if (ids.length <= keep) return;
  for (const id of ids.slice(0, ids.length - keep))
    if (nlb.jobs[id]!.Status !== 'Processing') delete nlb.jobs[id];
}

/** After a restart no timer is left: in-flight jobs end as they would have, instances come up. */
export function settleNlb(state: CloudState): void {
  for (const job of Object.values(state.nlb.jobs)) finishJob(state, job.Id);
  state.nlb.locks = {};
  for (const lb of Object.values(state.nlb.loadBalancers)) lb.Provisioned = true;
}
