// `npm run chaos [-- R1 R3 …] [--short]`: the fault suite with full sizes (or the short variant),
// each scenario under its own hard time limit. Prints every scenario's figures and exits 1 if any
// failed. CHAOS_SEED=<n> replays a run.
import { SCENARIOS } from '../chaos/index.js';
import { seedFromEnv } from '../chaos/lib/rng.js';
import { runScenario, type Outcome, type Size } from '../chaos/lib/scenario.js';

async function main(argv: string[]): Promise<number> {
  const size: Size = argv.includes('--short') ? 'short' : 'full';
  const wanted = argv.filter((a) => !a.startsWith('--')).map((a) => a.toUpperCase());
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.id === w));
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')} (have ${SCENARIOS.map((s) => s.id).join(' ')})`);
    return 2;
  }
  const seed = seedFromEnv();
  console.log(`chaos suite (${size}), seed ${seed}`);
  const outcomes: Outcome[] = [];
  for (const sc of SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.id))) {
    console.log(`\n${sc.id} ${sc.title}`);
    const o = await runScenario(sc, size, seed, (l) => console.log(l));
    outcomes.push(o);
    for (const [k, v] of Object.entries(o.figures)) console.log(`  ${k.padEnd(36)} ${v}`);
    console.log(`  ${'time (s)'.padEnd(36)} ${(o.ms / 1000).toFixed(1)}`);
    for (const f of o.failures) console.log(`  FAIL ${f}`);
    console.log(`  ${o.passed ? 'PASS' : 'FAIL'}`);
  }
  console.log('\nsummary');
  for (const o of outcomes)
    console.log(`  ${o.id} ${o.passed ? 'pass' : 'FAIL'}  ${(o.ms / 1000).toFixed(1)} s  ${o.title}`);
  return outcomes.every((o) => o.passed) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`chaos suite failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
