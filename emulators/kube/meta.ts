// Object-metadata rules shared by create and update: names, generateName, timestamps, views.
import { randomBytes } from 'node:crypto';
import { badRequest, invalid, type StatusCause } from './errors.js';
import { coreToEventsV1, eventsV1ToCore } from './kinds/events.js';
import { apiVersionOf, type ResourceDef } from './resources.js';
import type { KubeObject } from './types.js';

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateSuffix(): string {
  const bytes = randomBytes(5);
  return [...bytes].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

/** RFC 3339 at second precision, as the apiserver serialises metav1.Time. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names must be DNS labels rather than subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** Kinds whose names are free-form paths (RBAC allows ':' e.g. system:controller:foo). */
const PATH_NAMED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

export function validateName(def: ResourceDef, o: KubeObject): void {
  const name = o.metadata.name;
  const causes: StatusCause[] = [];
  if (!name) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else if (PATH_NAMED.has(def.kind)) {
    if (name.includes('/') || name === '.' || name === '..') {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": may not contain '/'`,
      });
    }
  } else {
    const label = LABEL_NAMED.has(def.kind);
    const ok = label
      ? DNS_LABEL.test(name) && name.length <= 63
      : DNS_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 ${label ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.labels`,
        message: `Invalid value: "${String(v)}": label value for ${k} must be a string of at most 63 characters`,
      });
    }
  }
  if (causes.length) throw invalid(def.group, def.kind, name ?? '', causes);
}

/** Reconcile the namespace in the body with the one in the URL, as the apiserver does. */
export function settleNamespace(def: ResourceDef, o: KubeObject, urlNamespace: string | undefined): void {
  if (!def.namespaced) {
    delete o.metadata.namespace;
    return;
  }
  if (!urlNamespace) throw badRequest('the namespace of the object must be set');
  if (o.metadata.namespace && o.metadata.namespace !== urlNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  o.metadata.namespace = urlNamespace;
}

/** Stored shape → the shape served for `def` (apiVersion/kind, and the events.k8s.io conversion). */
export function toView(def: ResourceDef, o: KubeObject): KubeObject {
  if (def.storageOf === '/events') return coreToEventsV1(o);
  if (o.apiVersion === apiVersionOf(def) && o.kind === def.kind) return o;
  return { ...o, apiVersion: apiVersionOf(def), kind: def.kind };
}

export function fromView(def: ResourceDef, o: KubeObject): KubeObject {
  if (def.storageOf === '/events') return eventsV1ToCore(o);
  return { ...o, apiVersion: apiVersionOf(def), kind: def.kind };
}
