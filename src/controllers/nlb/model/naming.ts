// Names and tags that mark what this cluster owns on an NLB. The formats are the official CCM's
// (facts carried over so the two controllers recognise each other's objects):
//   listener description   k8s.<port>.<protocol>.<service>.<namespace>.<cluster>
//                          (a port range writes <start>_<end> in place of the port)
//   server group name      k8s.<node port | target port>.<protocol>.<service>.<namespace>.<cluster>
//   server description     the server group name
// Anything that does not parse this way, or names another Service, is somebody else's.
import {
  DEFAULT_CLUSTER_ID,
  OWNED_NAME_PREFIX,
  TAG_CLUSTER_ID,
  TAG_DO_NOT_DELETE,
} from '../../../cloud/ownership.js';
import type { NlbListenerProtocol, ServiceIdentity } from '../types.js';

export { DEFAULT_CLUSTER_ID, TAG_CLUSTER_ID, TAG_DO_NOT_DELETE };

/** `a` + UID without dashes, cut to 32 characters (the CLB controller's rule, shared by the CCM). */
export function defaultName(uid: string): string {
  return ('a' + uid.replace(/-/g, '')).slice(0, 32);
}

/** Tags on every NLB and server group we create; the first one is also the lookup key. */
export function ownershipTags(identity: ServiceIdentity): Record<string, string> {
  return { [TAG_DO_NOT_DELETE]: defaultName(identity.uid), [TAG_CLUSTER_ID]: identity.clusterId };
}

function key(port: string, protocol: string, id: ServiceIdentity): string {
  return [OWNED_NAME_PREFIX, port, protocol, id.name, id.namespace, id.clusterId].join('.');
}

export function listenerKey(
  l: { port: number; startPort?: number; endPort?: number; protocol: NlbListenerProtocol },
  id: ServiceIdentity,
): string {
  const port = l.port !== 0 ? String(l.port) : `${l.startPort ?? 0}_${l.endPort ?? 0}`;
  return key(port, l.protocol, id);
}

/** `port` is the nodePort (ECS backends), the target port (ENI) or `<start>_<end>` (any-port group). */
export function serverGroupName(
  port: number | string,
  protocol: NlbListenerProtocol,
  id: ServiceIdentity,
): string {
  return key(String(port), protocol, id);
}

export interface NlbNamedKey {
  port: string;
  protocol: string;
  service: string;
  namespace: string;
  clusterId: string;
}

/**
 * Parses a `k8s.…` key. Service names and namespaces are DNS labels (no dots); the cluster id is
 * the rest, so a dotted cluster id still parses (the CCM's strict six-part split would not).
 */
export function parseNlbKey(value: string | undefined): NlbNamedKey | undefined {
  if (!value) return undefined;
  const parts = value.split('.');
  if (parts.length < 6 || parts[0] !== OWNED_NAME_PREFIX) return undefined;
  const [, port, protocol, service, namespace, ...rest] = parts as [
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  const clusterId = rest.join('.');
  if ([port, protocol, service, namespace, clusterId].some((p) => p === '')) return undefined;
  return { port, protocol, service, namespace, clusterId };
}

/** True when the key names this very Service in this cluster. */
export function isOwnedBy(
  value: string | undefined,
  id: Pick<ServiceIdentity, 'name' | 'namespace' | 'clusterId'>,
): boolean {
  const k = parseNlbKey(value);
  return (
    k !== undefined && k.service === id.name && k.namespace === id.namespace && k.clusterId === id.clusterId
  );
}

/** An NLB carrying either ownership tag was made by some cluster: it may not be reused. */
export function isClusterCreated(tags: Readonly<Record<string, string>>): boolean {
  return Object.hasOwn(tags, TAG_DO_NOT_DELETE) || Object.hasOwn(tags, TAG_CLUSTER_ID);
}
