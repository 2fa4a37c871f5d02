// Every Event (and NetworkUnavailable condition) reason the code defines has an entry in
// docs/troubleshooting.md: a `### Reason` heading whose section says what it means and what to do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reasonsInCode } from './reasons.js';

describe('docs: troubleshooting.md covers every Event reason', () => {
  const doc = readFileSync(join(process.cwd(), 'docs/troubleshooting.md'), 'utf8');
  const sections = new Map<string, string>();
  for (const part of doc.split(/^### /m).slice(1)) {
    const [head, ...body] = part.split('\n');
    for (const name of head!.split(/[,/]/).map((s) => s.replace(/[`\s]|\(.*\)/g, '')).filter(Boolean)) sections.set(name, body.join('\n'));
  }

  it('finds the reason tables in the code (sanity)', async () => {
    const found = new Set((await reasonsInCode()).map((r) => r.reason));
    for (const r of ['EnsuredLoadBalancer', 'CreateRouteFailed', 'InitializedNode', 'ProvisioningFailed']) assert.ok(found.has(r), r);
  });

  it('has a section for every reason, each with a meaning and an action', async () => {
    const missing = [...new Set((await reasonsInCode()).filter((r) => !sections.has(r.reason)).map((r) => `${r.reason} (${r.where})`))];
    assert.deepEqual(missing, [], 'add a "### Reason" section to docs/troubleshooting.md');
    for (const [name, body] of sections) assert.match(body, /\*\*What to do:\*\*/, `${name}: no "What to do"`);
  });
});
