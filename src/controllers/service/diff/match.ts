// Match, then act: pair desired and remote objects by a key before deciding anything, so the
// create / update / delete decision is one pure, table-tested step.

export interface MatchResult<D, R> {
  matched: Array<{ desired: D; remote: R }>;
  /** Desired with no remote counterpart. */
  toCreate: D[];
  /** Remote with no desired counterpart (the caller still decides whether it is ours to delete). */
  toDelete: R[];
}

/**
 * Pairs by `keyOf`. Duplicate keys pair first-come, first-served: a second desired object with the
 * same key is treated as unmatched (created), a second remote one as unmatched (a delete candidate).
 */
export function match<D, R>(
  desired: readonly D[],
  remote: readonly R[],
  keyOf: { desired: (d: D) => string; remote: (r: R) => string },
): MatchResult<D, R> {
  const remoteByKey = new Map<string, R[]>();
  for (const r of remote) {
    const k = keyOf.remote(r);
    const list = remoteByKey.get(k);
    if (list) list.push(r);
    else remoteByKey.set(k, [r]);
  }
  const matched: Array<{ desired: D; remote: R }> = [];
  const toCreate: D[] = [];
  const used = new Set<R>();
  for (const d of desired) {
    const candidates = remoteByKey.get(keyOf.desired(d));
    const r = candidates?.shift();
    if (r === undefined) toCreate.push(d);
    else {
      matched.push({ desired: d, remote: r });
      used.add(r);
    }
  }
  const toDelete = remote.filter((r) => !used.has(r));
  return { matched, toCreate, toDelete };
}

/** `match` for objects sharing one key function. */
export function matchBy<T>(
  desired: readonly T[],
  remote: readonly T[],
  keyOf: (t: T) => string,
): MatchResult<T, T> {
  return match(desired, remote, { desired: keyOf, remote: keyOf });
}
