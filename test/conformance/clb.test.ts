// The conformance table (clb-cases.json): every row is one behaviour of the official Alibaba Cloud
// CCM's CLB Service controller, read from its code and tests, with the file and lines it came from.
// Each row is fed through this project's pure layers and must give the official outcome, or, for
// rows marked `deliberate`, the documented behaviour of this project; every such row is listed in
// docs/service-load-balancers.md with its reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkModel, checkPlan, checkSelection, type Case, type Defaults } from './clb-runner.js';

interface Table {
  official: { repository: string; commit: string };
  defaults: Defaults;
  cases: Case[];
}

const table = JSON.parse(readFileSync(new URL('./clb-cases.json', import.meta.url), 'utf8')) as Table;
const docs = readFileSync(new URL('../../docs/service-load-balancers.md', import.meta.url), 'utf8');

describe('conformance with the official CCM (CLB)', () => {
  describe('the table', () => {
    it('has at least 150 rows, each with a unique id, its source and the official outcome', () => {
      assert.ok(table.cases.length >= 150, `only ${table.cases.length} rows`);
      const ids = new Set<string>();
      for (const c of table.cases) {
        assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
        ids.add(c.id);
        assert.match(c.source, /^pkg\/[\w/.-]+\.go/, `${c.id}: source must name an official file`);
        assert.ok(c.behaviour.trim() && c.official.trim(), `${c.id}: behaviour and official outcome`);
      }
    });

    it('lists every deliberate difference, with its reason, in docs/service-load-balancers.md', () => {
      const deliberate = table.cases.filter((c) => c.deliberate !== undefined);
      assert.ok(deliberate.length > 0);
      for (const c of deliberate) {
        assert.ok((c.deliberate ?? '').length >= 20, `${c.id}: a deliberate difference needs its reason`);
        assert.ok(docs.includes(`\`${c.id}\``), `docs/service-load-balancers.md does not list ${c.id}`);
      }
    });
  });

  const areas = [...new Set(table.cases.map((c) => c.area))];
  for (const area of areas) {
    describe(area, () => {
      for (const c of table.cases.filter((x) => x.area === area)) {
        const title = `${c.id}: ${c.behaviour}${c.deliberate ? ' [deliberate]' : ''}`;
        it(title, () => {
          if (c.check === 'selection') checkSelection(table.defaults, c);
          else if (c.check === 'model') checkModel(table.defaults, c);
          else checkPlan(table.defaults, c);
        });
      }
    });
  }
});
