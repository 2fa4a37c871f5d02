// Encoders for the three list conventions the RPC APIs use. Which one an action wants comes
// from data/alicloud-api/catalog.json: `Name.N` / `Name.N.Field` lists, JSON text parameters
// (Ecs InstanceIds/DiskIds/PrivateIpAddresses, Slb BackendServers and Tags), or plain scalars.
import type { RpcParams } from './client.js';

export interface Tag {
  Key: string;
  Value: string;
}

/** `Prefix.1=a`, `Prefix.2=b`, … */
export function indexed(prefix: string, values: readonly (string | number)[] | undefined): RpcParams {
  const out: RpcParams = {};
  values?.forEach((v, i) => {
    out[`${prefix}.${i + 1}`] = v;
  });
  return out;
}

/** `Prefix.1.Field=…` for each record; undefined fields are skipped. */
export function indexedStructs(
  prefix: string,
  records: readonly Record<string, string | number | boolean | undefined>[] | undefined,
): RpcParams {
  const out: RpcParams = {};
  records?.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[`${prefix}.${i + 1}.${k}`] = v;
  });
  return out;
}

/** `Tag.N.Key` / `Tag.N.Value` (Ecs, and Slb actions that take `Tag.N`). */
export function tagParams(tags: readonly Tag[] | undefined, prefix = 'Tag'): RpcParams {
  return indexedStructs(
    prefix,
    tags?.map((t) => ({ Key: t.Key, Value: t.Value })),
  );
}

/** JSON text list, or undefined for an absent/empty list so the parameter is not sent. */
export function jsonList(values: readonly unknown[] | undefined): string | undefined {
  return values && values.length > 0 ? JSON.stringify(values) : undefined;
}

/** Slb's `Tags` JSON text: `[{"TagKey":"k","TagValue":"v"}]`. */
export function slbTagsJson(tags: readonly Tag[] | undefined): string | undefined {
  return tags && tags.length > 0
    ? JSON.stringify(tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })))
    : undefined;
}

/** Normalise either tag spelling the APIs answer with (`Key`/`Value` or `TagKey`/`TagValue`). */
export function readTags(
  tags: { Tag?: { Key?: string; Value?: string; TagKey?: string; TagValue?: string }[] } | undefined,
): Tag[] {
  return (tags?.Tag ?? [])
    .map((t) => ({ Key: t.Key ?? t.TagKey ?? '', Value: t.Value ?? t.TagValue ?? '' }))
    .filter((t) => t.Key !== '');
}

/** The same tags as a key → value map, the form ownership checks compare against. */
export function readTagMap(tags: Parameters<typeof readTags>[0]): Record<string, string> {
  return Object.fromEntries(readTags(tags).map((t) => [t.Key, t.Value]));
}
