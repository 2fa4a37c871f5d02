// Every flag, environment variable and annotation the operator docs name exists in the code, and
// every flag and environment variable the programs define or read is documented somewhere. Both
// sides are read from the files at test time (code: string literals of src/, the commander
// definitions, the annotation table; docs: README.md and docs/*.md), so the check keeps holding as
// flags and pages are added. The only fixed lists are the flags and keys of *other* programs
// (kubelet, kubeadm, kubectl, ...) that the docs quote.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ANNOTATIONS } from '../../src/controllers/service/annotations/table.js';
import { ALIASES, COMPAT_FLAGS } from '../../src/manager/compat.js';
import { buildCommand } from '../../src/manager/flags.js';

const ROOT = process.cwd();

function walk(dir: string, keep: (p: string) => boolean): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
  });
}

const PRODUCT_FILES = walk(join(ROOT, 'src'), (p) => p.endsWith('.ts'));
const SRC_FILES = [...PRODUCT_FILES, ...walk(join(ROOT, 'emulators'), (p) => p.endsWith('.ts'))];
const DOC_FILES = [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs'), (p) => p.endsWith('.md'))];
const read = (p: string) => readFileSync(p, 'utf8');

/** The string literals of a TypeScript file ('…', "…", `…`), comments excluded. */
function literals(text: string): string[] {
  const out: string[] = [];
  const re = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  for (const m of text.matchAll(re)) if (!m[0].startsWith('/')) out.push(m[0].slice(1, -1));
  return out;
}

// Not followed by another dash: `--exec-->` in a diagram is an arrow, not a flag.
const FLAG = /(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?![\w-])/g;

/** Flags of scripts/*.sh: their `case` patterns. */
function scriptFlags(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of walk(join(ROOT, 'scripts'), (p) => p.endsWith('.sh')))
    for (const m of read(file).matchAll(/^\s*--([a-z][a-z0-9-]*)(?:=\*)?\)/gm)) out.set(m[1]!, relative(ROOT, file));
  return out;
}

/** Every `--flag` any program of ours can be given: commander definitions and flag-like literals. */
function flagsInCode(): Set<string> {
  const out = new Set<string>();
  for (const file of SRC_FILES) for (const lit of literals(read(file))) for (const m of lit.matchAll(FLAG)) out.add(m[1]!);
  for (const o of buildCommand().options) {
    if (o.long) out.add(o.long.replace(/^--/, ''));
    // Booleans also take --no-<flag> (docs/configuration.md says so).
    if (o.long && !o.required && !o.optional && !o.negate) out.add(`no-${o.long.replace(/^--/, '')}`);
  }
  for (const f of scriptFlags().keys()) out.add(f);
  // Other managers' flags the manager accepts (most with a no-effect warning): they are its flags
  // too, and docs/configuration.md and docs/migrating.md list them.
  for (const f of COMPAT_FLAGS) out.add(f.name);
  for (const f of Object.keys(ALIASES)) out.add(f);
  // `npm run image -- --tag …`: the image build script's own arguments.
  for (const lit of literals(read(join(ROOT, 'scripts/image.ts')))) for (const m of lit.matchAll(FLAG)) out.add(m[1]!);
  // Kebab-case names listed without dashes (compatibility tables of accepted flags).
  for (const file of PRODUCT_FILES.filter((f) => f.includes('/src/manager/') || f.includes('/src/hostroutes/')))
    for (const lit of literals(read(file))) if (/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(lit)) out.add(lit);
  return out;
}

/** Flags our programs define: the manager's commander options, and every `.option('--…')` in src/. */
function definedFlags(): Map<string, string> {
  const out = new Map<string, string>();
  // --no-<flag> negations are documented once, generically, in docs/configuration.md.
  for (const o of buildCommand().options) if (o.long && o.long !== '--help' && !o.negate) out.set(o.long.slice(2), 'alicloud-controller-manager');
  for (const [f, where] of scriptFlags()) out.set(f, where);
  for (const file of PRODUCT_FILES) {
    for (const m of read(file).matchAll(/\.(?:option|requiredOption)\(\s*'([^']+)'/g))
      for (const f of m[1]!.matchAll(FLAG)) if (!out.has(f[1]!) && !(f[1]!.startsWith('no-') && out.has(f[1]!.slice(3)))) out.set(f[1]!, relative(ROOT, file));
  }
  return out;
}

/** Environment variables the product reads (emulators and test-only switches excepted). */
function envInCode(): Set<string> {
  const out = new Set<string>();
  for (const file of PRODUCT_FILES) {
    const text = read(file);
    if (!/\benv\b/.test(text)) continue;
    for (const m of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)/g)) out.add(m[1]!);
    for (const m of text.matchAll(/\benv\??\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g)) out.add(m[1]!);
    for (const m of text.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) out.add(m[1]!);
  }
  return new Set([...out].filter((n) => !n.startsWith('KUBE_ALICLOUD_TEST_')));
}

/** Flags of other programs that the docs quote (kubelet, kube-controller-manager, kubeadm, kubectl, docker, curl). */
const FOREIGN_FLAGS = new Set([
  // kubelet
  'cloud-provider', 'provider-id', 'node-ip', 'hostname-override', 'volume-plugin-dir', 'network-plugin',
  // kube-controller-manager
  'allocate-node-cidrs', 'cluster-cidr', 'configure-cloud-routes', 'flex-volume-plugin-dir', 'cidr-allocator-type', 'node-cidr-mask-size',
  // kubeadm
  'config', 'upload-certs', 'client-name',
  // kubectl
  'from-literal', 'ignore-not-found', 'all-namespaces', 'watch', 'namespace', 'replicas', 'wait', 'type', 'port', 'image', 'selector', 'output', 'field-selector', 'dry-run',
  // docker (kube-aliyun's README) and iproute2
  'bip', 'ip-masq',
]);

/** Words written like flags that are not flags: placeholders, a mode named as absent, and the unknown flag of an error example. */
const NOT_FLAGS = new Set(['flag', 'bool', 'gateway', 'bogus']);

/** Environment variables of other programs that the docs quote: kubeadm's kubelet flags file, podman's configuration. */
const FOREIGN_ENV = new Set(['KUBELET_KUBEADM_ARGS', 'CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF']);

/** Keys of other programs (Kubernetes itself, kubeadm) that the docs quote. */
const FOREIGN_KEYS = new Set([
  'node.kubernetes.io/network-unavailable', // node lifecycle controller's taint for NetworkUnavailable=True
  'node-role.kubernetes.io/control-plane', // kubeadm's master label and taint
  'node.kubernetes.io/not-ready',
  'kubernetes.io/hostname',
  'kubernetes.io/config.mirror',
]);

describe('docs: names in the docs and in the code agree', () => {
  const docs = DOC_FILES.map((f) => ({ file: relative(ROOT, f), text: read(f) }));
  const allDocs = docs.map((d) => d.text).join('\n');

  it('every --flag the docs name is a flag of ours, or of a program the docs quote', () => {
    const ours = flagsInCode();
    for (const f of ['cloud-config', 'node-name', 'plugin-dir', 'route-protocol', 'profiling', 'vmodule', 'tag']) assert.ok(ours.has(f), `scanner finds --${f}`);
    const unknown: string[] = [];
    for (const d of docs) for (const m of d.text.matchAll(FLAG)) if (!ours.has(m[1]!) && !FOREIGN_FLAGS.has(m[1]!) && !NOT_FLAGS.has(m[1]!)) unknown.push(`${d.file}: --${m[1]}`);
    assert.deepEqual([...new Set(unknown)], [], 'flags named in docs that no program has');
  });

  it('every flag our programs define is documented', () => {
    const defined = definedFlags();
    assert.ok(defined.size > 40, `found ${defined.size} flags`);
    const missing = [...defined].filter(([f]) => !new RegExp(`(?<![\\w-])--(?:\\[no-\\])?${f}(?![\\w-])`).test(allDocs)).map(([f, where]) => `--${f} (${where})`);
    assert.deepEqual(missing, [], 'document these flags (docs/configuration.md is generated: npm run docs:config)');
  });

  it('every environment variable the docs name is read by the code', () => {
    const env = envInCode();
    for (const n of ['ALIYUN_NODE_NAME_TYPE', 'NODE_NAME', 'ALICLOUD_CREDENTIALS_DIR']) assert.ok(env.has(n), `scanner finds ${n}`);
    // Manifests count too: capability names like NET_ADMIN are written there.
    const srcText = [...SRC_FILES, ...walk(join(ROOT, 'deploy'), (p) => /\.ya?ml$/.test(p))].map(read).join('\n');
    const unknown: string[] = [];
    // Upper-case names with an underscore: environment variables, or API error codes (which the code handles by name).
    for (const d of docs)
      for (const m of d.text.matchAll(/(?<![\w.-])([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])(?![\w])/g))
        if (!env.has(m[1]!) && !srcText.includes(m[1]!) && !FOREIGN_ENV.has(m[1]!)) unknown.push(`${d.file}: ${m[1]}`);
    assert.deepEqual([...new Set(unknown)], [], 'names in docs that no code reads');
  });

  it('every environment variable the code reads is documented', () => {
    const missing = [...envInCode()].filter((n) => !new RegExp(`(?<![\\w])${n}(?![\\w])`).test(allDocs)).sort();
    assert.deepEqual(missing, [], 'document these environment variables');
  });

  it('every annotation, label, taint and finalizer key the docs name exists in the code', () => {
    const keys = new Set<string>();
    for (const spec of Object.values(ANNOTATIONS)) for (const k of spec.keys) keys.add(k);
    const lits = new Set(SRC_FILES.flatMap((f) => literals(read(f))));
    const known = (k: string) => keys.has(k) || lits.has(k) || FOREIGN_KEYS.has(k) || [...lits].some((l) => l.length > 12 && k.startsWith(l) && /[-/]$/.test(l));
    const unknown: string[] = [];
    for (const d of docs)
      for (const m of d.text.matchAll(/`([a-z0-9][a-z0-9.-]*\.(?:io|com)\/[A-Za-z0-9][\w.-]*)(?:[:=][^`]*)?`/g)) {
        if (/\/v\d+((alpha|beta)\d+)?$/.test(m[1]!)) continue; // an API group version, not a key
        if (!known(m[1]!)) unknown.push(`${d.file}: ${m[1]}`);
      }
    assert.deepEqual([...new Set(unknown)], [], 'keys named in docs that the code does not know');
  });

  it('every Service annotation (all spellings) is documented', () => {
    const missing = Object.values(ANNOTATIONS).flatMap((s) => s.keys).filter((k) => !allDocs.includes(k));
    assert.deepEqual(missing, [], 'regenerate docs/annotations.md: npm run docs:annotations');
  });
});
