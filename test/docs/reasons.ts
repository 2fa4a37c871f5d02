// Every Event/condition reason the product code defines: the exported `…Events` / `…Reasons`
// constant tables (found by scanning src/, then imported so the values are the real ones), plus
// any string literal passed directly as a reason to a recorder call.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const SRC = join(process.cwd(), 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? (n === 'emulator' ? [] : walk(p)) : p.endsWith('.ts') ? [p] : [];
  });
}

export interface ReasonSource {
  reason: string;
  where: string;
}

export async function reasonsInCode(): Promise<ReasonSource[]> {
  const out: ReasonSource[] = [];
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8');
    const tables = [...text.matchAll(/export const (\w*(?:Events|Reasons))\s*=\s*\{/g)].map((m) => m[1]!);
    if (tables.length) {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, Record<string, unknown>>;
      for (const t of tables)
        for (const v of Object.values(mod[t] ?? {})) if (typeof v === 'string') out.push({ reason: v, where: `${relative(process.cwd(), file)} ${t}` });
    }
    // recorder.event(obj, 'Warning', 'SomeReason', …) with a literal reason
    for (const m of text.matchAll(/\.event\(\s*[\w.]+,\s*'(?:Normal|Warning)',\s*'([A-Za-z]+)'/g)) out.push({ reason: m[1]!, where: relative(process.cwd(), file) });
  }
  return out;
}
