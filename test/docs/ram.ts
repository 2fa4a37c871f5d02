// The Alibaba Cloud API actions the product can call: every action name of the vendored catalog
// that appears as a string literal in the cloud facades (src/cloud) or the FlexVolume driver's
// client (src/flexvolume/cloud). As RAM actions: `<product code>:<Action>`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Catalog {
  products: Record<string, { serviceCode?: string; actions: Record<string, unknown> }>;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Which product a facade file calls (the file name says it); other src/cloud files only describe calls. */
function productOf(file: string): string | undefined {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (file.includes('/flexvolume/cloud/')) return base === 'ecs.ts' ? 'ecs' : undefined;
  const m = /^(ecs|vpc|slb)[-.]/.exec(base);
  return m ? m[1] : undefined;
}

export function ramActionsInCode(root = process.cwd()): string[] {
  const catalog = JSON.parse(readFileSync(join(root, 'data/alicloud-api/catalog.json'), 'utf8')) as Catalog;
  const actions = new Map<string, Set<string>>();
  for (const [product, def] of Object.entries(catalog.products)) actions.set(product.toLowerCase(), new Set(Object.keys(def.actions)));
  const found = new Set<string>();
  for (const file of [...walk(join(root, 'src/cloud')), ...walk(join(root, 'src/flexvolume/cloud'))]) {
    const product = productOf(file);
    if (!product) continue;
    const known = actions.get(product)!;
    const text = readFileSync(file, 'utf8');
    const names = [...text.matchAll(/'([A-Z][A-Za-z]+)'/g)].map((m) => m[1]!);
    // `Create LoadBalancer${ACTION_PROTOCOL[protocol]}Listener`: one action per listener protocol.
    for (const m of text.matchAll(/`([A-Z][A-Za-z]*)\$\{ACTION_PROTOCOL\[\w+\]\}([A-Za-z]*)`/g))
      for (const proto of ['TCP', 'UDP', 'HTTP', 'HTTPS']) names.push(`${m[1]}${proto}${m[2]}`);
    for (const n of names) if (known.has(n)) found.add(`${product}:${n}`);
  }
  return [...found].sort();
}
