// What a Service's cleanup may touch, read from its annotations alone. Lenient on purpose: a
// Service whose annotations no longer parse must still be deletable, so when the strict parser
// refuses, the three settings that matter are read the way the official CCM reads them
// (`id` non-empty, `force-override-listeners` exactly "true", `preserve-lb-on-delete` non-empty).
import { lookup, parseServiceAnnotations, type Annotations } from './parse.js';
import { ANNOTATIONS } from './table.js';
import type { Ownership, ServiceIdentity } from '../types.js';

export interface CleanupSubject {
  metadata?: { name?: string; namespace?: string; uid?: string; annotations?: Annotations };
}

export function cleanupOwnership(svc: CleanupSubject, clusterId: string): Ownership {
  const a = svc.metadata?.annotations;
  const identity: ServiceIdentity = {
    namespace: svc.metadata?.namespace ?? '',
    name: svc.metadata?.name ?? '',
    uid: svc.metadata?.uid ?? '',
    clusterId,
  };
  const parsed = parseServiceAnnotations(a);
  if (parsed.ok) {
    return {
      identity,
      ...(parsed.config.loadBalancerId ? { reusedLoadBalancerId: parsed.config.loadBalancerId } : {}),
      forceOverrideListeners: parsed.config.forceOverrideListeners === true,
      preserveOnDelete: parsed.config.preserveOnDelete === true,
    };
  }
  const id = lookup(a, ANNOTATIONS.loadBalancerId.keys)?.value.trim();
  return {
    identity,
    ...(id ? { reusedLoadBalancerId: id } : {}),
    forceOverrideListeners: lookup(a, ANNOTATIONS.forceOverrideListeners.keys)?.value.trim() === 'true',
    preserveOnDelete: (lookup(a, ANNOTATIONS.preserveOnDelete.keys)?.value.trim() ?? '') !== '',
  };
}
