// The layer boundaries of eslint.config.js, proven by linting deliberately wrong imports placed
// (in memory) at the paths they would come from: each boundary must report its own error, and an
// import the layers allow must report none. The project's own config is used, so weakening a rule
// there fails here.
import assert from 'node:assert/strict';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const RULE = '@typescript-eslint/no-restricted-imports';
// The probes are in-memory files no tsconfig includes, so type information is switched off for
// them; the import rules under test need none, and everything else comes from the project's config.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, filePath);
  return result.messages;
}

/** A module that only imports `spec` and uses it, so no other rule has anything to say. */
const importing = (spec: string, typeOnly = false): string =>
  typeOnly
    ? `import type { X } from '${spec}';\nexport type Y = X;\n`
    : `import { x } from '${spec}';\nexport const y = x;\n`;

const WRONG: { name: string; file: string; spec: string; typeOnly?: boolean; says: RegExp }[] = [
  {
    name: 'src/cloud → controllers',
    file: 'src/cloud/ecs.ts',
    spec: '../controllers/service/model.js',
    says: /access layers/,
  },
  {
    name: 'src/cloud (nested) → manager, type-only',
    file: 'src/cloud/rpc/x.ts',
    spec: '../../manager/config.js',
    typeOnly: true,
    says: /access layers/,
  },
  {
    name: 'src/kube → flexvolume',
    file: 'src/kube/informer.ts',
    spec: '../flexvolume/driver.js',
    says: /access layers/,
  },
  {
    name: 'src/kube → hostroutes',
    file: 'src/kube/rest.ts',
    spec: '../hostroutes/agent.js',
    says: /access layers/,
  },
  {
    name: 'src/kube → manager',
    file: 'src/kube/rest.ts',
    spec: '../manager/flags.js',
    says: /access layers/,
  },
  {
    name: 'src/controllers → manager',
    file: 'src/controllers/route/controller.ts',
    spec: '../../manager/config.js',
    says: /never import the manager/,
  },
  {
    name: 'src/controllers pure file → manager',
    file: 'src/controllers/service/model.ts',
    spec: '../../manager/config.js',
    typeOnly: true,
    says: /never import the manager/,
  },
  {
    name: 'src → emulators',
    file: 'src/manager/main.ts',
    spec: '../../emulators/kube/index.js',
    says: /test doubles/,
  },
  {
    name: 'src/cloud → emulators',
    file: 'src/cloud/metadata.ts',
    spec: '../../emulators/alicloud/metadata.js',
    says: /test doubles/,
  },
  {
    name: 'emulators → src',
    file: 'emulators/kube/store.ts',
    spec: '../../src/kube/types.js',
    typeOnly: true,
    says: /share no code/,
  },
  {
    name: 'emulators (top) → src',
    file: 'emulators/serve.ts',
    spec: '../src/util/log.js',
    says: /share no code/,
  },
];

const ALLOWED: { name: string; file: string; spec: string }[] = [
  { name: 'src/cloud → util', file: 'src/cloud/ecs.ts', spec: '../util/log.js' },
  { name: 'src/kube → cloud', file: 'src/kube/events.ts', spec: '../cloud/errors.js' },
  {
    name: 'src/controllers → kube',
    file: 'src/controllers/route/controller.ts',
    spec: '../../kube/informer.js',
  },
  {
    name: 'src/manager → controllers',
    file: 'src/manager/registry.ts',
    spec: '../controllers/route/register.js',
  },
  { name: 'emulators → emulators', file: 'emulators/kube/store.ts', spec: '../log.js' },
  { name: 'a package', file: 'emulators/kube/main.ts', spec: 'pino' },
];

describe('lint: layer boundaries', function () {
  this.timeout(60_000);

  for (const w of WRONG) {
    it(`rejects ${w.name}`, async () => {
      const messages = await lint(w.file, importing(w.spec, w.typeOnly));
      const hits = messages.filter((m) => m.ruleId === RULE);
      assert.equal(hits.length, 1, JSON.stringify(messages));
      assert.match(hits[0]!.message, w.says);
      assert.equal(hits[0]!.severity, 2, 'an error, not a warning');
    });
  }

  it('also rejects a re-export across a boundary', async () => {
    const messages = await lint(
      'src/kube/index.ts',
      "export { x } from '../controllers/node/register.js';\n",
    );
    assert.ok(
      messages.some((m) => m.ruleId === RULE),
      JSON.stringify(messages),
    );
  });

  for (const a of ALLOWED) {
    it(`allows ${a.name}`, async () => {
      assert.deepEqual(await lint(a.file, importing(a.spec)), []);
    });
  }
  // Pure layers are matched by folder as well as by file name, so a helper moved into model/ or
  // diff/ stays pure; the constants-only ownership and labels modules are the exceptions.
  const PURE_WRONG = [
    { file: 'src/controllers/service/model/backends.ts', spec: '../../../cloud/client.js' },
    { file: 'src/controllers/service/diff/listeners.ts', spec: '../../../kube/rest.js' },
    { file: 'src/controllers/node/plan/liveness.ts', spec: 'node:child_process' },
    { file: 'src/controllers/route/model/verdict.ts', spec: 'node:https' },
    { file: 'src/controllers/disk/plan.ts', spec: 'node:fs' },
  ];
  for (const w of PURE_WRONG) {
    it(`keeps ${w.file} pure: rejects ${w.spec}`, async () => {
      const messages = await lint(w.file, importing(w.spec));
      const hits = messages.filter((m) => m.ruleId === 'no-restricted-imports');
      assert.equal(hits.length, 1, JSON.stringify(messages));
      assert.equal(hits[0]!.severity, 2);
    });
  }
  for (const spec of ['../../../cloud/ownership.js', '../../../kube/labels.js']) {
    it(`lets a pure layer import the constants in ${spec}`, async () => {
      assert.deepEqual(await lint('src/controllers/service/model/naming.ts', importing(spec)), []);
    });
  }
});
