// The short variant of the chaos suite (`npm run chaos` runs the full sizes): every scenario
// against the real controller-manager process(es) and both emulators, small counts. A scenario
// passes only when its audit finds nothing; its figures are printed either way.
import assert from 'node:assert/strict';
import { SCENARIOS } from '../../chaos/index.js';
import { seedFromEnv } from '../../chaos/lib/rng.js';
import { runScenario } from '../../chaos/lib/scenario.js';

describe('chaos (short variant)', function () {
  const seed = seedFromEnv();
  for (const sc of SCENARIOS) {
    it(`${sc.id} ${sc.title}`, async function () {
      // The scenario enforces its own hard limit; mocha's is a backstop above it.
      this.timeout(sc.limitMs.short + 30_000);
      const lines: string[] = [];
      const o = await runScenario(sc, 'short', seed, (l) => lines.push(l));
      const figures = Object.entries(o.figures)
        .map(([k, v]) => `      ${k}: ${v}`)
        .join('\n');
      console.log(`      seed ${seed}, ${(o.ms / 1000).toFixed(1)} s\n${figures}`);
      assert.deepEqual(o.failures, [], `${sc.id} failed (CHAOS_SEED=${seed}):\n${lines.join('\n')}`);
    });
  }
});
