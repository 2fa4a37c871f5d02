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
  // Nlb verbs (2022-04-30 names its modifications Update*, and has Enable/Disable/Disassociate).
  'Update',
  'Enable',
  'Disable',
  'Disassociate',
];

/** Nlb actions named after the resource rather than a verb. */
const MUTATING_ACTIONS = new Set(['LoadBalancerJoinSecurityGroup', 'LoadBalancerLeaveSecurityGroup']);

export function isMutating(action: string): boolean {
  if (MUTATING_ACTIONS.has(action)) return true;
  return MUTATING_PREFIXES.some(
    (p) => action.startsWith(p) && action.length > p.length && /[A-Z]/.test(action[p.length]!),
  );
}

/** Nlb actions whose request accepts `ClientToken`: every write, and a few reads. */
const NLB_CLIENT_TOKEN_ACTIONS = [
  'CreateLoadBalancer',
  'DeleteLoadBalancer',
  'GetLoadBalancerAttribute',
  'UpdateLoadBalancerAttribute',
  'UpdateLoadBalancerAddressTypeConfig',
  'UpdateLoadBalancerZones',
  'UpdateLoadBalancerProtection',
  'EnableLoadBalancerIpv6Internet',
  'DisableLoadBalancerIpv6Internet',
  'AttachCommonBandwidthPackageToLoadBalancer',
  'DetachCommonBandwidthPackageFromLoadBalancer',
  'LoadBalancerJoinSecurityGroup',
  'LoadBalancerLeaveSecurityGroup',
  'CreateListener',
  'DeleteListener',
  'GetListenerAttribute',
  'UpdateListenerAttribute',
  'StartListener',
  'StopListener',
  'AssociateAdditionalCertificatesWithListener',
  'DisassociateAdditionalCertificatesWithListener',
  'CreateServerGroup',
  'DeleteServerGroup',
  'UpdateServerGroupAttribute',
  'AddServersToServerGroup',
  'RemoveServersFromServerGroup',
  'UpdateServerGroupServersAttribute',
  'TagResources',
  'UntagResources',
  'DescribeRegions',
  'DescribeZones',
  'GetJobStatus',
];

/**
 * Actions whose catalog request accepts `ClientToken` (checked against
 * data/alicloud-api/catalog.json by a test). The client adds one to the writes among them; sending
 * it elsewhere would be rejected as an unknown parameter, so other creates (listeners, vServer
 * groups, domain extensions) rely on the callers' find-before-create instead. Ecs.CreateRouteEntry
 * is listed because today's ECS API takes it; the ECS-era route calls are not made by src/.
 */
export const CLIENT_TOKEN_ACTIONS: ReadonlySet<string> = new Set([
  'Ecs.CreateDisk',
  'Ecs.ResizeDisk',
  'Ecs.CreateRouteEntry',
  'Vpc.CreateRouteEntry',
  'Slb.CreateLoadBalancer',
  ...NLB_CLIENT_TOKEN_ACTIONS.map((a) => `Nlb.${a}`),
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
