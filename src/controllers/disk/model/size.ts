// Sizes: Kubernetes quantities in, whole GiB out, raised to the category's minimum. Kept apart
// from the parameter parser because expansion needs the same arithmetic without a class.
export const GiB = 1024 ** 3;

/** Data-disk size limits (GiB) per category, as ECS documents them. */
export const CATEGORY_LIMITS: Readonly<Record<string, readonly [number, number]>> = {
  cloud: [5, 2000],
  cloud_efficiency: [20, 32768],
  cloud_ssd: [20, 32768],
  cloud_essd: [20, 32768],
};

/** ESSD performance levels raise the minimum: PL2 needs 461 GiB, PL3 1261 GiB. */
export const ESSD_LEVEL_MIN: Readonly<Record<string, number>> = { PL0: 1, PL1: 20, PL2: 461, PL3: 1261 };

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
  m: 1e-3,
};

/** Bytes of a Kubernetes quantity ("10Gi", "3G", "1.5Ti", "1e9"), or undefined if it is not one. */
export function parseQuantity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*([+]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?)\s*$/.exec(
    text,
  );
  if (!m) return undefined;
  const base = Number(m[1]);
  const value = m[2] ? base * 10 ** Number(m[2].slice(1)) : base * SUFFIX[m[3] ?? '']!;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Whole GiB holding `bytes` (rounded up; float noise below one byte, as from "1.5Ti", must not add a GiB). */
export function bytesToGiB(bytes: number): number {
  const rounded = Math.round(bytes / GiB);
  return Math.abs(bytes - rounded * GiB) < 1 ? rounded : Math.ceil(bytes / GiB);
}

export function minimumGiB(category: string, performanceLevel?: string): number {
  const base = CATEGORY_LIMITS[category]?.[0] ?? 20;
  return performanceLevel ? Math.max(base, ESSD_LEVEL_MIN[performanceLevel] ?? base) : base;
}

export function maximumGiB(category: string): number {
  return CATEGORY_LIMITS[category]?.[1] ?? 32768;
}

/** The disk size to create for a request: whole GiB, at least the category minimum. */
export function diskSizeGiB(requestBytes: number, category: string, performanceLevel?: string): number {
  return Math.max(bytesToGiB(requestBytes), minimumGiB(category, performanceLevel), 1);
}
