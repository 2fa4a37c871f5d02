// SLB tags: the old JSON-text API (AddTags/RemoveTags/DescribeTags) and the resource-tag API.
import { ApiError, invalidParameter } from '../errors.js';
import { pageOf, tokenPageOf } from '../params.js';
import { matchesTags, mergeTags, parseJsonTags } from '../tags.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import { getLb } from './lookup.js';

function requireInstanceType(ctx: Ctx): void {
  const t = ctx.p.req('ResourceType');
  if (t !== 'instance')
    throw invalidParameter('ResourceType', `"${t}" is not supported by the emulator (instance)`);
}

function addTags(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const tags = parseJsonTags(ctx.p.req('Tags'));
  lb.Tags = mergeTags(lb.Tags, tags);
  return {};
}

function removeTags(ctx: Ctx): ResponseBody {
  const lb = getLb(ctx);
  const tags = parseJsonTags(ctx.p.req('Tags'));
  lb.Tags = lb.Tags.filter(
    (t) => !tags.some((r) => r.Key === t.Key && (r.Value === '' || r.Value === t.Value)),
  );
  return {};
}

function describeTags(ctx: Ctx): ResponseBody {
  const id = ctx.p.str('LoadBalancerId');
  const lbs = id ? id.split(',').map((x) => getLb(ctx, x.trim())) : Object.values(ctx.state.loadBalancers);
  const filter = parseJsonTags(ctx.p.str('Tags'));
  const distinct = ctx.p.bool('DistinctKey') ?? false;
  const counts = new Map<string, { TagKey: string; TagValue: string; InstanceCount: number }>();
  for (const lb of lbs) {
    for (const t of lb.Tags) {
      if (filter.length > 0 && !matchesTags([t], filter)) continue;
      const key = distinct ? t.Key : `${t.Key}\u0000${t.Value}`;
      const c = counts.get(key) ?? { TagKey: t.Key, TagValue: distinct ? '' : t.Value, InstanceCount: 0 };
      c.InstanceCount++;
      counts.set(key, c);
    }
  }
  const page = pageOf([...counts.values()], ctx.p, { max: 100, def: 50 });
  return {
    TagSets: { TagSet: page.items },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

function tagResources(ctx: Ctx): ResponseBody {
  requireInstanceType(ctx);
  const ids = ctx.p.list('ResourceId');
  const tags = ctx.p.tags();
  if (ids.length === 0 || tags.length === 0)
    throw new ApiError(400, 'MissingParameter', 'ResourceId.N and Tag.N are mandatory.');
  const lbs = ids.map((id) => getLb(ctx, id));
  for (const lb of lbs) lb.Tags = mergeTags(lb.Tags, tags);
  return {};
}

function untagResources(ctx: Ctx): ResponseBody {
  requireInstanceType(ctx);
  const keys = ctx.p.list('TagKey');
  const all = ctx.p.bool('All') ?? false;
  for (const id of ctx.p.list('ResourceId')) {
    const lb = getLb(ctx, id);
    lb.Tags = all && keys.length === 0 ? [] : lb.Tags.filter((t) => !keys.includes(t.Key));
  }
  return {};
}

function listTagResources(ctx: Ctx): ResponseBody {
  requireInstanceType(ctx);
  const ids = ctx.p.list('ResourceId');
  const filter = ctx.p.tags();
  const rows = Object.values(ctx.state.loadBalancers)
    .filter((lb) => (ids.length === 0 || ids.includes(lb.LoadBalancerId)) && matchesTags(lb.Tags, filter))
    .flatMap((lb) =>
      lb.Tags.map((t) => ({
        ResourceId: lb.LoadBalancerId,
        ResourceType: 'instance',
        TagKey: t.Key,
        TagValue: t.Value,
      })),
    );
  const page = tokenPageOf(rows, ctx.p, { max: 1000, def: 50 });
  return { TagResources: { TagResource: page.items }, NextToken: page.nextToken };
}

export const slbTagHandlers: HandlerTable = {
  AddTags: addTags,
  RemoveTags: removeTags,
  DescribeTags: describeTags,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
};
