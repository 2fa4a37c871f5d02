// docs/configuration.md is generated; it must match what the generator renders from the code now.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommand } from '../../src/manager/flags.js';
import { cloudConfigFieldsInCode, envNamesInCode, renderConfigDoc } from '../../scripts/gen-config-doc.js';

describe('docs: configuration.md', () => {
  const doc = readFileSync(join(process.cwd(), 'docs/configuration.md'), 'utf8');

  it('is current (regenerate with npm run docs:config)', () => {
    assert.equal(doc, renderConfigDoc(), 'docs/configuration.md is stale: run `npm run docs:config`');
  });

  it('lists every flag, cloud-config field and environment variable the code defines', () => {
    for (const o of buildCommand().options) if (!o.negate && o.long !== '--help') assert.ok(doc.includes(`\`${o.long}`), o.long);
    for (const f of cloudConfigFieldsInCode()) assert.ok(doc.includes(`| \`${f.spelling}\` |`), f.spelling);
    const env = envNamesInCode();
    for (const name of ['ALIYUN_ACCESS_KEY', 'ALIYUN_REGION', 'ALIYUN_ROUTE_TABLE', 'ECS_ENDPOINT']) assert.ok(env.includes(name), `scanner finds ${name}`);
    for (const n of env) assert.ok(doc.includes(`| \`${n}\` |`), n);
  });
});
