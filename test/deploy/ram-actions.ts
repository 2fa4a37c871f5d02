// Which Alibaba Cloud API actions each component calls, read from the code: the cloud facades
// (src/cloud/{ecs,vpc,slb*,nlb*}.ts) are split into methods (for Nlb also the exported functions
// its class delegates to, and the job waiter every asynchronous write goes through), each method's actions are the action
// literals in its body (plus the methods of the same facade it calls), and a component calls a
// method when its own sources contain `.<method>(`. Method-level, so the controller-manager's
// policy does not get AttachDisk just because the ECS facade also serves the FlexVolume driver.
// An over-approximation only where two facades share a method name (both are counted).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

type Product = 'ecs' | 'vpc' | 'slb' | 'nlb';
const FACADES: Record<string, Product> = {
  'src/cloud/ecs.ts': 'ecs',
  'src/cloud/vpc.ts': 'vpc',
  'src/cloud/slb.ts': 'slb',
  'src/cloud/slb-listeners.ts': 'slb',
  'src/cloud/slb-vgroups.ts': 'slb',
  'src/cloud/nlb.ts': 'nlb',
  'src/cloud/nlb-listeners.ts': 'nlb',
  'src/cloud/nlb-servergroups.ts': 'nlb',
  'src/cloud/nlb-call.ts': 'nlb',
  'src/cloud/nlb-jobs.ts': 'nlb',
};

interface Catalog {
  products: Record<string, { actions: Record<string, unknown> }>;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Method {
  product: Product;
  actions: Set<string>;
  calls: Set<string>;
}

function facadeMethods(root: string): Map<string, Method[]> {
  const catalog = JSON.parse(readFileSync(join(root, 'data/alicloud-api/catalog.json'), 'utf8')) as Catalog;
  const known = new Map(Object.entries(catalog.products).map(([p, d]) => [p.toLowerCase(), new Set(Object.keys(d.actions))]));
  const methods = new Map<string, Method[]>();
  for (const [file, product] of Object.entries(FACADES)) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let current: Method | undefined;
    for (const line of lines) {
      // A class member starts at two spaces of indentation: `  async name(`, `  name(`, `  private name(`.
      const m =
        /^ {2}(?:(?:public|private|protected|static|async|readonly)\s+)*([a-z]\w*)\s*(?:<[^>]*>)?\(/.exec(line) ??
        (product === 'nlb' ? /^export (?:async )?function ([a-z]\w*)\s*(?:<[^>]*>)?\(/.exec(line) : null);
      if (m && m[1] !== 'constructor') {
        current = { product, actions: new Set(), calls: new Set() };
        methods.set(m[1]!, [...(methods.get(m[1]!) ?? []), current]);
      }
      if (!current) continue;
      for (const a of line.matchAll(/'([A-Z][A-Za-z]+)'/g)) if (known.get(product)!.has(a[1]!)) current.actions.add(a[1]!);
      for (const t of line.matchAll(/`([A-Z][A-Za-z]*)\$\{ACTION_PROTOCOL\[\w+\]\}([A-Za-z]*)`/g))
        for (const proto of ['TCP', 'UDP', 'HTTP', 'HTTPS']) current.actions.add(`${t[1]}${proto}${t[2]}`);
      // Nlb's parts call each other through members (`this.call.job(`, `listeners.createListener(`).
      const callRe = product === 'nlb' ? /\.(\w+)(?:<[^>(]*>)?\(/g : /this\.(\w+)\(/g;
      for (const c of line.matchAll(callRe)) current.calls.add(c[1]!);
    }
  }
  return methods;
}

function actionsOf(methods: Map<string, Method[]>, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  return (methods.get(name) ?? []).flatMap((m) => [
    ...[...m.actions].map((a) => `${m.product}:${a}`),
    ...[...m.calls].flatMap((c) => actionsOf(methods, c, seen)),
  ]);
}

export type Component = 'controller-manager' | 'flexvolume';

/** Source files that make up a component (facades excluded: they are what is being called). */
export function componentSources(component: Component, root = process.cwd()): string[] {
  const src = join(root, 'src');
  const files = walk(src).map((f) => relative(root, f));
  if (component === 'flexvolume') return files.filter((f) => f.startsWith('src/flexvolume/'));
  return files.filter(
    (f) => !/^src\/(flexvolume|emulator|hostroutes)\//.test(f) && !(f in FACADES),
  );
}

/** `<product>:<Action>` for every action the component's code can call, sorted. */
export function componentActions(component: Component, root = process.cwd()): string[] {
  const methods = facadeMethods(root);
  const out = new Set<string>();
  for (const file of componentSources(component, root)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/\.(\w+)\(/g)) if (methods.has(m[1]!)) for (const a of actionsOf(methods, m[1]!)) out.add(a);
  }
  // The driver's cloud session (src/flexvolume/cloud/connect.ts) reaches ECS only, so a method name
  // that the SLB facade shares (tagResources) must not pull SLB actions into its policies.
  const reachable = component === 'flexvolume' ? [...out].filter((a) => a.startsWith('ecs:')) : [...out];
  return reachable.sort();
}
