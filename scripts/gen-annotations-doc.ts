// Writes docs/annotations.md (CLB) and docs/annotations-nlb.md (NLB) from the annotation tables;
// a test fails when either file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderAnnotationsDoc } from '../src/controllers/service/annotations/doc.js';
import { renderNlbAnnotationsDoc } from '../src/controllers/nlb/annotations/doc.js';

for (const [name, render] of [
  ['annotations.md', renderAnnotationsDoc],
  ['annotations-nlb.md', renderNlbAnnotationsDoc],
] as const) {
  const target = fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
  writeFileSync(target, render());
  process.stdout.write(`wrote ${target}\n`);
}
