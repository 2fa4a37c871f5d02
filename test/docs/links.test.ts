// The operator docs hang together: every relative link in README.md and the docs this suite owns
// resolves (file, and heading anchor when given), and the architecture page has its diagram.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = process.cwd();
const PAGES = ['README.md', 'docs/README.md', 'docs/getting-started.md', 'docs/architecture.md', 'docs/troubleshooting.md', 'docs/migrating.md', 'docs/configuration.md', 'docs/routes.md', 'docs/hostroutes.md', 'docs/nodes.md'];

/** GitHub-style heading anchors of a markdown file. */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  for (const m of readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm))
    out.add(m[1]!.trim().toLowerCase().replace(/[`*]/g, '').replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  return out;
}

describe('docs: links and index', () => {
  for (const page of PAGES) {
    it(`${page}: every relative link resolves`, () => {
      const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path ? join(dirname(join(ROOT, page)), path) : join(ROOT, page);
        assert.ok(existsSync(file), `${page} → ${target}`);
        if (anchor && file.endsWith('.md')) assert.ok(anchors(file).has(anchor), `${page} → ${target}: no such heading`);
      }
    });
  }

  it('docs/README.md indexes every page in docs/', () => {
    const index = readFileSync(join(ROOT, 'docs/README.md'), 'utf8');
    for (const page of ['getting-started', 'configuration', 'architecture', 'troubleshooting', 'migrating', 'annotations', 'routes', 'volumes', 'hostroutes', 'nodes', 'service-load-balancers'])
      assert.ok(index.includes(`(${page}.md)`), page);
  });

  it('architecture.md has a diagram of the processes and the controllers', () => {
    const text = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    assert.match(text, /```mermaid\n[\s\S]*flowchart/);
    for (const word of ['alicloud-controller-manager', 'hostroutes', 'FlexVolume', 'service', 'route', 'node', 'disk', 'Lease']) assert.ok(text.includes(word), word);
  });

  it('README has the feature table and the two quick-start commands', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(text.includes('npm ci && npm run demo') && text.includes('npm ci && npm test'));
    assert.match(text, /\| Feature \|/);
  });
});
