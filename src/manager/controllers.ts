// `--controllers` semantics (as kube-controller-manager): `*` = every available controller,
// `name` enables, `-name` disables; unknown names are an error naming the culprit.
import { FlagError } from './flags.js';

export function selectControllers(
  spec: string,
  available: readonly string[],
  known: readonly string[],
): string[] {
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new FlagError('--controllers: empty list (use "*" for all)');
  const knownSet = new Set([...known, ...available]);
  const enabled = new Set<string>();
  const disabled = new Set<string>();
  let star = false;
  for (const item of items) {
    if (item === '*') {
      star = true;
      continue;
    }
    const off = item.startsWith('-');
    const name = off ? item.slice(1) : item;
    if (!knownSet.has(name))
      throw new FlagError(
        `--controllers: unknown controller "${name}" (known: ${[...knownSet].sort().join(', ')})`,
      );
    (off ? disabled : enabled).add(name);
  }
  const base = star ? [...knownSet] : [...enabled];
  return base.filter((n) => !disabled.has(n) && (star || enabled.has(n))).sort();
}
