// `--controllers` semantics (as kube-controller-manager): `*` = every available controller,
// `name` enables, `-name` disables; unknown names are an error naming the culprit. Names of the
// official CCM's controllers that do not exist here are accepted: enabling one is a warning
// line, disabling one is nothing.
import { FlagError } from './flags.js';

/** The official CCM's controllers that this manager does not implement, with what to use instead. */
export const FOREIGN_CONTROLLERS: Readonly<Record<string, string>> = {
  ingress: 'the ALB Ingress controller is not implemented here',
  pvtz: 'the PrivateZone controller is not implemented here',
};

export function selectControllers(
  spec: string,
  available: readonly string[],
  known: readonly string[],
  warnings: string[] = [],
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
    if (!knownSet.has(name) && name in FOREIGN_CONTROLLERS) {
      if (!off)
        warnings.push(`--controllers: controller "${name}" has no effect here: ${FOREIGN_CONTROLLERS[name]}`);
      continue;
    }
    if (!knownSet.has(name))
      throw new FlagError(
        `--controllers: unknown controller "${name}" (known: ${[...knownSet].sort().join(', ')})`,
      );
    (off ? disabled : enabled).add(name);
  }
  if (!star && enabled.size === 0 && disabled.size === 0)
    throw new FlagError('--controllers: names only controllers this manager does not have');
  const base = star ? [...knownSet] : [...enabled];
  return base.filter((n) => !disabled.has(n) && (star || enabled.has(n))).sort();
}
