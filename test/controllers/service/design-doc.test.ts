// docs/design/service.md against the code: every section a comment points to exists, the figures
// the drift-check section quotes are the code's, and no comment cites a document outside the repo.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'mocha';
import { MAX_BACKENDS_PER_CALL, MAX_IDS_PER_DESCRIBE } from '../../../src/controllers/service/cloudport.js';
import { ROTATION_MIN, ROTATION_PASSES } from '../../../src/controllers/service/diff/drift.js';

const ROOT = process.cwd();
const DOC = 'docs/design/service.md';
const text = readFileSync(join(ROOT, DOC), 'utf8');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const headings = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim()));
const anchor = (h: string) =>
  h
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

describe('docs/design/service.md', () => {
  const files = [
    ...walk(join(ROOT, 'src/controllers/service')),
    ...walk(join(ROOT, 'test/controllers/service')),
  ];

  it('every section the code points to exists', () => {
    let cited = 0;
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/docs\/design\/service\.md((?: § "[^"]+",?)+)/g))
        for (const s of m[1]!.matchAll(/§ "([^"]+)"/g)) {
          cited++;
          assert.ok(headings.has(s[1]!), `${f}: no section "${s[1]}" in ${DOC}`);
        }
    }
    assert.ok(cited >= 9, `expected the pure layers to cite the design notes, found ${cited}`);
  });

  it('no file cites the out-of-repo behaviour notes', () => {
    const outside = ['ccm', 'behavior'].join('-');
    for (const f of [...files, ...walk(join(ROOT, 'src'))])
      assert.ok(!readFileSync(f, 'utf8').includes(outside), `${f} cites ${outside}`);
  });

  it('its relative links resolve', () => {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const [path, frag] = m[1]!.split('#') as [string, string | undefined];
      const file = path ? join(dirname(join(ROOT, DOC)), path) : join(ROOT, DOC);
      assert.ok(existsSync(file), m[1]);
      if (frag && !path) assert.ok([...headings].map(anchor).includes(frag), `#${frag}`);
    }
  });

  it("quotes the drift check's and the applier's figures as the code has them", () => {
    assert.ok(text.includes(`ten per call`) && MAX_IDS_PER_DESCRIBE === 10);
    assert.ok(text.includes(`at least ${ROTATION_MIN} per pass`), 'rotation minimum');
    assert.ok(text.includes(`once every ${ROTATION_PASSES} passes`), 'rotation length');
    assert.ok(text.includes(`at most ${MAX_BACKENDS_PER_CALL} backends each`), 'backends per call');
  });
});
