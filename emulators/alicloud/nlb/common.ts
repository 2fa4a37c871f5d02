// Lookups with the service's error codes, and the small helpers every NLB handler file shares.
import { ApiError } from '../errors.js';
import type { Ctx } from '../context.js';
import type { Tag } from '../params.js';
import type { NlbListenerRecord, NlbLoadBalancerRecord, NlbServerGroupRecord, NlbState } from './types.js';

/** The CCM matches `ResourceNotFound.loadBalancer` in the error text: keep the exact spelling. */
export const resourceNotFound = (kind: string, id: string): ApiError =>
  new ApiError(404, `ResourceNotFound.${kind}`, `The specified resource ${id} is not found.`);

export const incorrectStatus = (kind: string, id: string, status: string): ApiError =>
  new ApiError(
    400,
    `IncorrectStatus.${kind}`,
    `The status of ${id} is ${status}, which does not allow this operation.`,
  );

export const quotaExceeded = (what: string, limit: number): ApiError =>
  new ApiError(400, `QuotaExceeded.${what}`, `The quota of ${what} is exceeded (limit ${limit}).`);

export const illegalParam = (name: string, detail: string): ApiError =>
  new ApiError(400, `IllegalParam.${name}`, `The parameter ${name} is illegal: ${detail}.`);

export function getLb(nlb: NlbState, id: string): NlbLoadBalancerRecord {
  const lb = nlb.loadBalancers[id];
  if (!lb) throw resourceNotFound('loadBalancer', id);
  return lb;
}

/** A load balancer that can take a write: it must have finished provisioning. */
export function writableLb(nlb: NlbState, id: string): NlbLoadBalancerRecord {
  const lb = getLb(nlb, id);
  if (!lb.Provisioned) throw incorrectStatus('loadBalancer', id, 'Provisioning');
  return lb;
}

export function getListener(nlb: NlbState, id: string): NlbListenerRecord {
  const l = nlb.listeners[id];
  if (!l) throw resourceNotFound('listener', id);
  return l;
}

export function getServerGroup(nlb: NlbState, id: string): NlbServerGroupRecord {
  const g = nlb.serverGroups[id];
  if (!g) throw resourceNotFound('serverGroup', id);
  return g;
}

/** Both spellings: List* answers read Key/Value, Get* TagKey/TagValue; the catalog keeps one. */
export function renderTags(tags: readonly Tag[]): Record<string, string>[] {
  return tags.map((t) => ({ Key: t.Key, Value: t.Value, TagKey: t.Key, TagValue: t.Value }));
}

/** Every filter tag present with the same value (a filter tag with no value matches the key). */
export function hasTags(tags: readonly Tag[], want: readonly Tag[]): boolean {
  return want.every((w) => tags.some((t) => t.Key === w.Key && (w.Value === '' || t.Value === w.Value)));
}

export function mergeNlbTags(ctx: Ctx, existing: Tag[], add: readonly Tag[]): Tag[] {
  const out = existing.filter((t) => !add.some((a) => a.Key === t.Key));
  out.push(...add.map((t) => ({ Key: t.Key, Value: t.Value })));
  const limit = ctx.state.nlb.config.tagsPerResource;
  if (out.length > limit) throw quotaExceeded('TagsNum', limit);
  return out;
}

export function bool(ctx: Ctx, name: string, def: boolean): boolean {
  return ctx.p.bool(name) ?? def;
}

/** One of the allowed spellings, or IllegalParam naming the parameter. */
export function oneOf<T extends string>(ctx: Ctx, name: string, allowed: readonly T[], def?: T): T {
  const v = ctx.p.str(name);
  if (v === undefined) {
    if (def === undefined)
      throw new ApiError(
        400,
        'MissingParameter',
        `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
      );
    return def;
  }
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) throw illegalParam(name, `"${v}" is not one of ${allowed.join(', ')}`);
  return hit;
}

/** NLB listings: MaxResults 1..100 (default 20), NextToken from the previous page. */
export const PAGE = { max: 100, def: 20 } as const;
