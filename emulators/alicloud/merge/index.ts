// POST /_emulator/state: tests seed or alter the cloud with objects in the same shapes the
// Describe* actions return (keys Instances, Disks, LoadBalancers, VSwitches, RouteEntries,
// RouteTables, Vpcs, EipAddresses, config). A list may be bare or wrapped ({Instance:[…]}).
// Objects whose id exists are updated field by field; others are created.
import { ApiError } from '../errors.js';
import type { CloudState } from '../state.js';
import { mergeDisks, mergeInstances } from './ecs.js';
import { list, type Obj } from './fields.js';
import { mergeAcls, mergeCertificates, mergeLoadBalancers } from './slb.js';
import { mergeEips, mergeRouteEntries, mergeRouteTables, mergeVpcs, mergeVSwitches } from './vpc.js';

const STATE_KEYS = new Set([
  'config',
  'Vpcs',
  'RouteTables',
  'VSwitches',
  'Instances',
  'Disks',
  'LoadBalancers',
  'RouteEntries',
  'EipAddresses',
  'Eips',
  'ServerCertificates',
  'Acls',
]);

export function mergeState(state: CloudState, body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError(400, 'InvalidParameter', 'state body must be a JSON object');
  const b = body as Obj;
  // A misspelt key ("Instance", "LoadBalancer") would otherwise be a silent no-op and the
  // test that sent it would go on to assert against a cloud it never seeded.
  const unknown = Object.keys(b).filter((k) => !STATE_KEYS.has(k));
  if (unknown.length > 0)
    throw new ApiError(
      400,
      'InvalidParameter',
      `unknown state key ${JSON.stringify(unknown[0])} (known: ${[...STATE_KEYS].join(', ')})`,
    );
  if (b.config && typeof b.config === 'object') Object.assign(state.config, b.config);
  // Order matters: networks before the things placed in them.
  mergeVpcs(state, list(b.Vpcs));
  mergeRouteTables(state, list(b.RouteTables));
  mergeVSwitches(state, list(b.VSwitches));
  mergeInstances(state, list(b.Instances));
  mergeDisks(state, list(b.Disks));
  mergeLoadBalancers(state, list(b.LoadBalancers));
  mergeRouteEntries(state, list(b.RouteEntries));
  mergeEips(state, list(b.EipAddresses ?? b.Eips));
  mergeCertificates(state, list(b.ServerCertificates));
  mergeAcls(state, list(b.Acls));
}
