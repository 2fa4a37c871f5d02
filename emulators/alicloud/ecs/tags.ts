// ECS tagging: AddTags/DescribeTags (old style) and TagResources/UntagResources/ListTagResources.
import { ApiError, invalidParameter, notFound } from '../errors.js';
import { tokenPageOf, pageOf } from '../params.js';
import { matchesTags, mergeTags } from '../tags.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { Tag } from '../state.js';

interface Tagged {
  Tags: Tag[];
}

function resources(ctx: Ctx): Record<string, Record<string, Tagged>> {
  return { instance: ctx.state.instances, disk: ctx.state.disks };
}

function typeOf(ctx: Ctx): string {
  const t = ctx.p.req('ResourceType').toLowerCase();
  if (!resources(ctx)[t])
    throw invalidParameter('ResourceType', `"${t}" is not supported by the emulator (instance, disk)`);
  return t;
}

function resource(ctx: Ctx, type: string, id: string): Tagged {
  const r = resources(ctx)[type]![id];
  if (!r)
    throw notFound(
      type === 'disk' ? 'InvalidDiskId.NotFound' : 'InvalidResourceId.NotFound',
      'ResourceId',
      id,
    );
  return r;
}

function addTags(ctx: Ctx): ResponseBody {
  const r = resource(ctx, typeOf(ctx), ctx.p.req('ResourceId'));
  r.Tags = mergeTags(r.Tags, ctx.p.tags());
  return {};
}

function tagResources(ctx: Ctx): ResponseBody {
  const type = typeOf(ctx);
  const ids = ctx.p.list('ResourceId');
  if (ids.length === 0)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "ResourceId.1" that is mandatory for processing this request is not supplied.',
    );
  const tags = ctx.p.tags();
  if (tags.length === 0)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "Tag.1.Key" that is mandatory for processing this request is not supplied.',
    );
  const targets = ids.map((id) => resource(ctx, type, id));
  for (const r of targets) r.Tags = mergeTags(r.Tags, tags);
  return {};
}

function untagResources(ctx: Ctx): ResponseBody {
  const type = typeOf(ctx);
  const ids = ctx.p.list('ResourceId');
  const keys = ctx.p.list('TagKey');
  const all = ctx.p.bool('All') ?? false;
  for (const id of ids) {
    const r = resource(ctx, type, id);
    r.Tags = all && keys.length === 0 ? [] : r.Tags.filter((t) => !keys.includes(t.Key));
  }
  return {};
}

function listTagResources(ctx: Ctx): ResponseBody {
  const type = typeOf(ctx);
  const ids = ctx.p.list('ResourceId');
  const filter = ctx.p.tags();
  const rows: { ResourceId: string; ResourceType: string; TagKey: string; TagValue: string }[] = [];
  for (const [id, r] of Object.entries(resources(ctx)[type]!)) {
    if (ids.length > 0 && !ids.includes(id)) continue;
    if (!matchesTags(r.Tags, filter)) continue;
    for (const t of r.Tags)
      rows.push({ ResourceId: id, ResourceType: type, TagKey: t.Key, TagValue: t.Value });
  }
  const page = tokenPageOf(rows, ctx.p, { max: 1000, def: 50, sizeParam: 'MaxResults' });
  return { TagResources: { TagResource: page.items }, NextToken: page.nextToken };
}

function describeTags(ctx: Ctx): ResponseBody {
  const typeParam = ctx.p.str('ResourceType')?.toLowerCase();
  const id = ctx.p.str('ResourceId');
  const filter = ctx.p.tags();
  const counts = new Map<string, { TagKey: string; TagValue: string; Instance: number; Disk: number }>();
  for (const [type, table] of Object.entries(resources(ctx))) {
    if (typeParam && type !== typeParam) continue;
    for (const [rid, r] of Object.entries(table)) {
      if (id && rid !== id) continue;
      for (const t of r.Tags) {
        if (!matchesTags([t], filter) && filter.length > 0) continue;
        const k = `${t.Key}\u0000${t.Value}`;
        const c = counts.get(k) ?? { TagKey: t.Key, TagValue: t.Value, Instance: 0, Disk: 0 };
        if (type === 'instance') c.Instance++;
        else c.Disk++;
        counts.set(k, c);
      }
    }
  }
  const page = pageOf([...counts.values()], ctx.p, { max: 100, def: 50 });
  return {
    Tags: {
      Tag: page.items.map((c) => ({
        TagKey: c.TagKey,
        TagValue: c.TagValue,
        ResourceTypeCount: { Instance: c.Instance, Disk: c.Disk },
      })),
    },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

const INSTANCE_TYPES = [
  {
    InstanceTypeId: 'ecs.g6.large',
    CpuCoreCount: 2,
    MemorySize: 8,
    InstanceTypeFamily: 'ecs.g6',
    EniQuantity: 3,
  },
  {
    InstanceTypeId: 'ecs.g6.xlarge',
    CpuCoreCount: 4,
    MemorySize: 16,
    InstanceTypeFamily: 'ecs.g6',
    EniQuantity: 4,
  },
  {
    InstanceTypeId: 'ecs.c6.large',
    CpuCoreCount: 2,
    MemorySize: 4,
    InstanceTypeFamily: 'ecs.c6',
    EniQuantity: 3,
  },
];

function describeInstanceTypes(ctx: Ctx): ResponseBody {
  const wanted = ctx.p.list('InstanceTypes');
  const family = ctx.p.str('InstanceTypeFamily');
  const list = INSTANCE_TYPES.filter(
    (t) =>
      (wanted.length === 0 || wanted.includes(t.InstanceTypeId)) &&
      (!family || t.InstanceTypeFamily === family),
  );
  return {
    InstanceTypes: { InstanceType: list.map((t) => ({ ...t, DiskQuantity: 17, CpuArchitecture: 'X86' })) },
    NextToken: '',
  };
}

export const ecsTagHandlers: HandlerTable = {
  AddTags: addTags,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
  DescribeTags: describeTags,
  DescribeInstanceTypes: describeInstanceTypes,
};
