// Parameter placement for Nlb's ACS3 requests must be what the SDK sends (catalog `position`):
// the signature covers the query and body separately, so a parameter in the wrong place is a
// different request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nlbParamInQuery } from '../../src/cloud/nlb-wire.js';

interface CatalogParam {
  name: string;
  position: 'Query' | 'Body';
  wire: string[];
}
const catalog = JSON.parse(readFileSync('data/alicloud-api/catalog.json', 'utf8')) as {
  products: { Nlb: { actions: Record<string, { request: CatalogParam[] }> } };
};

describe('Nlb parameter placement', () => {
  it('puts every catalogued key where the SDK puts it', () => {
    let checked = 0;
    for (const [action, spec] of Object.entries(catalog.products.Nlb.actions)) {
      for (const param of spec.request) {
        for (const template of param.wire) {
          const key = template.replace(/\{n\}/g, '1');
          assert.equal(nlbParamInQuery(action, key), param.position === 'Query', `${action} ${key}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 300, `checked ${checked} keys`);
  });
});
