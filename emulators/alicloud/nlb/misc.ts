// Tags on NLB resources, regions and zones, and the job queries (GetJobStatus, ListAsynJobs).
import { ApiError, missingParameter } from '../errors.js';
import { tokenPageOf } from '../params.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { Tag } from '../params.js';
import { hasTags, illegalParam, mergeNlbTags, PAGE, resourceNotFound } from './common.js';
import type { NlbState } from './types.js';

type Tagged = { Tags: Tag[] };
const TYPES: Record<string, (nlb: NlbState) => Record<string, Tagged>> = {
  loadbalancer: (n) => n.loadBalancers,
  listener: (n) => n.listeners,
  servergroup: (n) => n.serverGroups,
};

function table(ctx: Ctx): [string, Record<string, Tagged>] {
  const type = ctx.p.req('ResourceType');
  const get = TYPES[type.toLowerCase()];
  if (!get) throw illegalParam('ResourceType', `"${type}" is not loadbalancer, listener or servergroup`);
  return [type.toLowerCase(), get(ctx.state.nlb)];
}

/** Every id must exist before any tag is written: a tag call changes all or nothing. */
function targets(ctx: Ctx): Tagged[] {
  const [type, t] = table(ctx);
  const ids = ctx.p.list('ResourceId');
  if (ids.length === 0) throw missingParameter('ResourceId.1');
  return ids.map((id) => {
    const r = t[id];
    if (!r) throw resourceNotFound(type, id);
    return r;
  });
}

export const nlbMiscHandlers: HandlerTable = {
  TagResources: (ctx) => {
    const tags = ctx.p.tags();
    if (tags.length === 0) throw missingParameter('Tag.1.Key');
    const all = targets(ctx);
    const merged = all.map((r) => mergeNlbTags(ctx, r.Tags, tags));
    all.forEach((r, i) => {
      r.Tags = merged[i]!;
    });
    return {};
  },
  UntagResources: (ctx) => {
    const keys = ctx.p.list('TagKey');
    const everything = ctx.p.bool('All') ?? false;
    if (keys.length === 0 && !everything) throw missingParameter('TagKey.1');
    for (const r of targets(ctx)) r.Tags = everything ? [] : r.Tags.filter((t) => !keys.includes(t.Key));
    return {};
  },
  ListTagResources: (ctx): ResponseBody => {
    const [type, t] = table(ctx);
    const ids = ctx.p.list('ResourceId');
    const want = ctx.p.tags();
    const rows = Object.entries(t)
      .filter(([id, r]) => (ids.length === 0 || ids.includes(id)) && hasTags(r.Tags, want))
      .flatMap(([id, r]) =>
        r.Tags.map((tag) => ({
          ResourceId: id,
          ResourceType: type,
          TagKey: tag.Key,
          TagValue: tag.Value,
          Category: 'Custom',
          Scope: 'Private',
          RegionNo: ctx.state.regionId,
          AliUid: 1234567890,
        })),
      );
    const page = tokenPageOf(rows, ctx.p, PAGE);
    return {
      TagResources: page.items,
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      TotalCount: rows.length,
    };
  },
  DescribeRegions: (ctx) => ({
    Regions: ctx.state.regions.map((r) => ({
      RegionId: r.RegionId,
      LocalName: r.LocalName,
      RegionEndpoint: `nlb.${r.RegionId}.aliyuncs.com`,
    })),
  }),
  DescribeZones: (ctx) => ({
    Zones: ctx.state.zones.map((z) => ({ ZoneId: z.ZoneId, LocalName: z.LocalName })),
  }),
  GetJobStatus: (ctx) => {
    const id = ctx.p.req('JobId');
    const job = ctx.state.nlb.jobs[id];
    if (!job) throw new ApiError(404, 'ResourceNotFound.job', `The specified job ${id} is not found.`);
    return { Status: job.Status };
  },
  ListAsynJobs: (ctx) => {
    const ids = ctx.p.list('JobIds');
    const jobs = ids.flatMap((id) => {
      const j = ctx.state.nlb.jobs[id];
      return j ? [{ Id: j.Id, Status: j.Status }] : [];
    });
    // TotalCount is a JSON string in this one answer (the catalog says so; conform() emits it).
    return { Jobs: jobs, TotalCount: String(jobs.length) };
  },
};
