// Nlb answers → the facade's records. The API spells tags two ways (`Key`/`Value` in List*,
// `TagKey`/`TagValue` in Get*) and sends listener port ranges as text; both are normalised here
// so callers compare like with like.
import type { Tag } from './params.js';
import type { NlbListener, NlbLoadBalancer, NlbServerGroup } from './nlb-types.js';

export interface RawTag {
  Key?: string;
  Value?: string;
  TagKey?: string;
  TagValue?: string;
}

export function readNlbTags(tags: readonly RawTag[] | undefined): Tag[] {
  return (tags ?? [])
    .map((t) => ({ Key: t.Key ?? t.TagKey ?? '', Value: t.Value ?? t.TagValue ?? '' }))
    .filter((t) => t.Key !== '');
}

type WithRawTags<T> = Omit<T, 'Tags'> & { Tags?: RawTag[] };

export type RawLoadBalancer = WithRawTags<NlbLoadBalancer>;
export type RawListener = Omit<WithRawTags<NlbListener>, 'StartPort' | 'EndPort'> & {
  StartPort?: string | number;
  EndPort?: string | number;
};
export type RawServerGroup = WithRawTags<NlbServerGroup>;

export function toLoadBalancer(raw: RawLoadBalancer): NlbLoadBalancer {
  return { ...raw, Tags: readNlbTags(raw.Tags) };
}

function port(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function toListener(raw: RawListener): NlbListener {
  const { StartPort, EndPort, Tags, ...rest } = raw;
  const start = port(StartPort);
  const end = port(EndPort);
  return {
    ...rest,
    ...(start !== undefined && start !== 0 ? { StartPort: start } : {}),
    ...(end !== undefined && end !== 0 ? { EndPort: end } : {}),
    Tags: readNlbTags(Tags),
  };
}

export function toServerGroup(raw: RawServerGroup): NlbServerGroup {
  return { ...raw, Tags: readNlbTags(raw.Tags) };
}
