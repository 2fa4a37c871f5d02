// The vendored API catalog (data/alicloud-api/catalog.json, extracted from the public Go SDK)
// is the emulator's source of truth for which actions exist, which parameter keys each accepts
// and how responses are shaped. It is read at run time relative to this module so the same code
// works from src/ (tsx) and dist/ (built).
import { readFileSync } from 'node:fs';
import { wireText } from '../text.js';

export type Product = 'Ecs' | 'Vpc' | 'Slb' | 'Nlb';
export const PRODUCTS: readonly Product[] = ['Ecs', 'Vpc', 'Slb', 'Nlb'];

export interface ResponseShape {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'any';
  fields?: Record<string, ResponseShape>;
  items?: ResponseShape;
  truncated?: boolean;
}

interface RawParam {
  name: string;
  wire: string[];
}
interface RawAction {
  action: string;
  request: RawParam[];
  response: ResponseShape;
}
interface RawCatalog {
  commonParameters: { name: string }[];
  products: Record<Product, { version: string; actions: Record<string, RawAction> }>;
}

interface WireMatcher {
  regex: RegExp;
  template: string;
}

export interface ActionSpec {
  product: Product;
  name: string;
  response: ResponseShape;
  /** Canonical (catalog-spelled) key for a key sent on the wire, or undefined if the action has no such parameter. */
  canonicalKey(key: string): string | undefined;
}

const CATALOG_URL = new URL('../../data/alicloud-api/catalog.json', import.meta.url);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Keys are matched case-insensitively because pop-core upper-cases the first letter of every
// name while the Go SDK sends a few lower-camel names (e.g. `healthCheckInterval`).
function matcher(template: string): WireMatcher {
  const pattern = template.split('{n}').map(escapeRegex).join('([1-9][0-9]*)');
  return { regex: new RegExp(`^${pattern}$`, 'i'), template };
}

function canonicalize(m: WireMatcher, key: string): string | undefined {
  const hit = m.regex.exec(key);
  if (!hit) return undefined;
  let i = 1;
  return m.template.replace(/\{n\}/g, () => hit[i++] ?? '');
}

export class Catalog {
  readonly commonParameters: ReadonlySet<string>;
  private readonly versions = new Map<string, Product>();
  private readonly specs = new Map<string, ActionSpec>();

  constructor(raw: RawCatalog) {
    this.commonParameters = new Set(raw.commonParameters.map((p) => p.name));
    for (const product of PRODUCTS) {
      const p = raw.products[product];
      this.versions.set(p.version, product);
      for (const [name, a] of Object.entries(p.actions)) {
        const matchers = a.request.flatMap((r) => r.wire.map(matcher));
        const exact = new Map<string, string>();
        for (const m of matchers)
          if (!m.template.includes('{n}')) exact.set(m.template.toLowerCase(), m.template);
        this.specs.set(`${product}.${name}`, {
          product,
          name,
          response: a.response,
          canonicalKey(key: string): string | undefined {
            const direct = exact.get(key.toLowerCase());
            if (direct) return direct;
            for (const m of matchers) {
              const c = canonicalize(m, key);
              if (c) return c;
            }
            return undefined;
          },
        });
      }
    }
  }

  productForVersion(version: string): Product | undefined {
    return this.versions.get(version);
  }

  versionOf(product: Product): string {
    for (const [v, p] of this.versions) if (p === product) return v;
    throw new Error(`no version for ${product}`);
  }

  action(product: Product, name: string): ActionSpec | undefined {
    return this.specs.get(`${product}.${name}`);
  }

  actions(product: Product): string[] {
    return [...this.specs.values()].filter((s) => s.product === product).map((s) => s.name);
  }
}

let loaded: Catalog | undefined;

export function loadCatalog(): Catalog {
  loaded ??= new Catalog(JSON.parse(readFileSync(CATALOG_URL, 'utf8')) as RawCatalog);
  return loaded;
}

/**
 * Make a handler's result match the catalog shape: keep only catalogued field names and emit the
 * JSON types the catalog lists (strict clients such as pop-core users do not coerce). `Code` is
 * always dropped from success bodies because pop-core treats any Code as an error.
 */
export function conform(value: unknown, shape: ResponseShape, root = true): unknown {
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'string':
      return wireText(value);
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return value === true || value === 'true' || value === 1 || value === 'on';
    case 'array':
      if (!Array.isArray(value)) return undefined;
      return shape.items
        ? value.map((v) => conform(v, shape.items!, false)).filter((v) => v !== undefined)
        : value;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      if (!shape.fields) return value; // truncated in the catalog: pass through
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (root && k === 'Code') continue;
        const f = shape.fields[k];
        if (!f) continue;
        const c = conform(v, f, false);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    default:
      return value;
  }
}
