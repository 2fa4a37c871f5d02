// Tag helpers shared by every product: matching Tag.N filters, and the real limits.
import { ApiError } from './errors.js';
import type { Tag } from './state.js';
import { wireText } from '../text.js';

export const MAX_TAGS = 20;

/** Every filter tag must be present; a filter without Value matches any value of that key. */
export function matchesTags(have: Tag[], want: Tag[]): boolean {
  return want.every((w) => have.some((h) => h.Key === w.Key && (w.Value === '' || h.Value === w.Value)));
}

export function mergeTags(have: Tag[], add: Tag[]): Tag[] {
  const out = have.filter((h) => !add.some((a) => a.Key === h.Key));
  out.push(...add.map((t) => ({ Key: t.Key, Value: t.Value })));
  if (out.length > MAX_TAGS)
    throw new ApiError(400, 'InvalidTagCount', `A resource can have at most ${MAX_TAGS} tags.`);
  return out;
}

export function renderTags(tags: Tag[]): { Tag: { TagKey: string; TagValue: string }[] } {
  return { Tag: tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })) };
}

/** SLB's `Tags` parameter: JSON text `[{"TagKey":"k","TagValue":"v"}]`. */
export function parseJsonTags(text: string | undefined, param = 'Tags'): Tag[] {
  if (text === undefined || text === '') return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'InvalidParameter', `The specified parameter "${param}" is not valid JSON.`);
  }
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((t) => {
    const o = (t ?? {}) as Record<string, unknown>;
    const key = o.TagKey ?? o.tagKey ?? o.Key ?? o.key;
    const value = o.TagValue ?? o.tagValue ?? o.Value ?? o.value ?? '';
    if (typeof key !== 'string' || key === '')
      throw new ApiError(
        400,
        'InvalidParameter',
        `The specified parameter "${param}" has a tag without TagKey.`,
      );
    return { Key: key, Value: wireText(value) };
  });
}

/** Wildcards (`*`) as the Describe* name filters accept them. */
export function nameMatches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(value);
}
