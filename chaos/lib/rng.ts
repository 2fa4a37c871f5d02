// Seeded randomness for the suite itself (which Services change, when the process dies), so a
// failing run can be replayed with the seed it printed. The generator is the emulators' one.
import { seededRandom, type Rng } from '../../emulators/random.js';

export type { Rng };

export const rng = (seed: number): Rng => seededRandom(seed);

export function seedFromEnv(): number {
  const s = Number(process.env.CHAOS_SEED);
  return Number.isInteger(s) && s > 0 ? s : (Date.now() % 1_000_000) + 1;
}
