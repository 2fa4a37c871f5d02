// Which actions change the cloud. Decides dry-run suppression and ClientToken injection.

const MUTATING_PREFIXES = [
  'Create',
  'Delete',
  'Set',
  'Modify',
  'Add',
  'Remove',
  'Attach',
  'Detach',
  'Resize',
  'Tag',
  'Untag',
  'Start',
  'Stop',
  'Release',
  'Allocate',
  'Associate',
  'Unassociate',
];

export function isMutating(action: string): boolean {
  return MUTATING_PREFIXES.some(
    (p) => action.startsWith(p) && action.length > p.length && /[A-Z]/.test(action[p.length]!),
  );
}

/**
 * Actions whose catalog request accepts `ClientToken` (checked against
 * data/alicloud-api/catalog.json by a test). Sending it elsewhere would be rejected as an unknown
 * parameter, so other creates (listeners, vServer groups, domain extensions) rely on the
 * callers' find-before-create instead.
 */
export const CLIENT_TOKEN_ACTIONS: ReadonlySet<string> = new Set([
  'Ecs.CreateDisk',
  'Ecs.ResizeDisk',
  'Vpc.CreateRouteEntry',
  'Slb.CreateLoadBalancer',
]);

/**
 * Whether sending the same request twice can leave two resources behind. A create without a
 * ClientToken (VServer groups, listeners, batch route entries) may have been applied even when
 * its answer never arrived; repeating it blindly duplicates the resource. Callers find before
 * they create, so such failures go back to them to look again instead of being retried here.
 */
export function isUnsafeToRepeat(product: string, action: string): boolean {
  return action.startsWith('Create') && !CLIENT_TOKEN_ACTIONS.has(`${product}.${action}`);
}
