// Applying modifiers to the live Node: GET, apply every modifier to that fresh copy, PUT with its
// resourceVersion (optimistic concurrency), and on 409 start over from a new GET. Status
// (addresses, NetworkUnavailable) and the object (labels, providerID, taints) are separate
// endpoints; status goes first so a Node never loses its taint before it has its addresses and
// is marked as waiting for its route.
import { isConflict, isNotFound } from '../../kube/errors.js';
import { Resources } from '../../kube/resources.js';
import type { KubeClient } from '../../kube/rest.js';
import { comparable, type Modifier } from './plan/modifiers.js';
import type { Node } from './types.js';

/** `skipped`: the fresh Node no longer satisfied the caller's `onlyIf` precondition; nothing was written. */
export type ApplyResult = 'updated' | 'unchanged' | 'gone' | 'skipped';

export interface NodeWriter {
  /**
   * Applies `mods` to the current Node `name` (only when its uid is still `uid`, if given, and
   * `onlyIf` holds for the fresh read — checked again on every conflict retry).
   */
  apply(
    name: string,
    mods: readonly Modifier[],
    uid?: string,
    onlyIf?: (fresh: Node) => boolean,
  ): Promise<ApplyResult>;
  get(name: string): Promise<Node | undefined>;
  /** Deletes with uid + resourceVersion preconditions: a Node that changed since we decided is not deleted. */
  delete(node: Node): Promise<'deleted' | 'gone' | 'changed'>;
}

const MAX_ATTEMPTS = 8;

export function createNodeWriter(client: KubeClient): NodeWriter {
  const get = async (name: string): Promise<Node | undefined> => {
    try {
      return await client.get<Node>(Resources.nodes, undefined, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  return {
    get,
    async apply(name, mods, uid, onlyIf) {
      for (let attempt = 1; ; attempt++) {
        const current = await get(name);
        if (!current || (uid && current.metadata?.uid !== uid)) return 'gone';
        if (onlyIf && !onlyIf(current)) return 'skipped';
        const next = structuredClone(current);
        for (const m of mods) m.apply(next);
        const before = comparable(current) as { addresses: unknown; networkUnavailable: unknown };
        const after = comparable(next) as { addresses: unknown; networkUnavailable: unknown };
        const statusOf = (c: typeof before) => JSON.stringify([c.addresses, c.networkUnavailable]);
        const statusChanged = statusOf(before) !== statusOf(after);
        const objectChanged =
          JSON.stringify({ ...before, addresses: 0, networkUnavailable: 0 }) !==
          JSON.stringify({ ...after, addresses: 0, networkUnavailable: 0 });
        if (!statusChanged && !objectChanged) return 'unchanged';
        try {
          let written = current;
          if (statusChanged)
            written = await client.update<Node>(
              Resources.nodes,
              { ...current, status: next.status },
              'status',
            );
          if (objectChanged) {
            await client.update<Node>(Resources.nodes, {
              ...next,
              metadata: { ...next.metadata, resourceVersion: written.metadata?.resourceVersion },
              status: written.status,
            });
          }
          return 'updated';
        } catch (err) {
          if (isNotFound(err)) return 'gone';
          if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
    async delete(node) {
      const name = node.metadata?.name ?? '';
      try {
        await client.delete(Resources.nodes, undefined, name, {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          preconditions: { uid: node.metadata?.uid, resourceVersion: node.metadata?.resourceVersion },
        });
        return 'deleted';
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        if (isConflict(err)) return 'changed';
        throw err;
      }
    },
  };
}
