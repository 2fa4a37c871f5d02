// Seeded randomness for the suite itself (which Services change, when the process dies), so a
// failing run can be replayed with the seed it printed.
export type Rng = () => number;

/** mulberry32. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(): number {
  const s = Number(process.env.CHAOS_SEED);
  return Number.isInteger(s) && s > 0 ? s : (Date.now() % 1_000_000) + 1;
}
