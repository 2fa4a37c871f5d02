// `npm run bench`: runs every benchmark (P1–P8) one after another, each in its own process so
// one bench's caches and sockets cannot skew the next, and ends with a summary of exit codes.
// Each bench prints its own figures beside its targets. Pass names to run a subset:
//   npm run bench -- service routes
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

const BENCHES: Array<{ name: string; file: string; covers: string; args?: string[] }> = [
  {
    name: 'service',
    file: 'service.ts',
    covers: 'P1 P2 P3 P8: Service → SLB calls, throughput, drift-pass reads',
  },
  {
    name: 'nlb',
    file: 'nlb.ts',
    covers:
      'NLB P1 P2 P3 P8: NLB Service → NLB calls, writes vs the lower bound, 1000 Services under async jobs, drift-pass reads',
    // The size: 1000 NLB Services at once (about 4 minutes), beside the CLB's P3.
    args: ['--services', '1000'],
  },
  { name: 'routes', file: 'routes.ts', covers: 'P4: 1000 nodes → VPC routes under throttling' },
  {
    name: 'memory',
    file: 'memory.ts',
    covers:
      'P5 P5b P9: manager RSS with 5000/15,000 Nodes + 2000/5000 LoadBalancer Services, start-up, steady state',
  },
  { name: 'flexvolume', file: 'flexvolume.ts', covers: 'P6: driver init time and attach overhead' },
  {
    name: 'hostroutes',
    file: 'hostroutes.ts',
    covers: 'P7: hostroutes vs a baseline agent at 1000 and 5000 Nodes',
  },
];

function run(file: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, file), ...args], {
      stdio: 'inherit',
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const wanted = process.argv.slice(2);
const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;
if (wanted.length && selected.length !== wanted.length) {
  console.error(`unknown bench name; choose from: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const results: Array<{ name: string; code: number; seconds: number }> = [];
for (const b of selected) {
  console.log(`\n=== ${b.name} — ${b.covers} ===`);
  const started = Date.now();
  const code = await run(b.file, b.args ?? []);
  results.push({ name: b.name, code, seconds: (Date.now() - started) / 1000 });
}
console.log('\n=== summary ===');
// Benches exit 0 only when every target was met, 3 when they could not measure here (e.g. no
// root), and non-zero otherwise (a missed target or a crash); only 0 counts as ok.
const verdict = (code: number) =>
  code === 0 ? 'ok' : code === 3 ? 'SKIPPED (exit 3)' : `MISSED/FAILED (exit ${code})`;
for (const r of results) console.log(`${r.name.padEnd(12)} ${verdict(r.code)}  (${r.seconds.toFixed(1)} s)`);
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
