// Writes docs/annotations.md from the annotation table; a test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderAnnotationsDoc } from '../src/controllers/service/annotations/doc.js';

const target = fileURLToPath(new URL('../docs/annotations.md', import.meta.url));
writeFileSync(target, renderAnnotationsDoc());
process.stdout.write(`wrote ${target}\n`);
