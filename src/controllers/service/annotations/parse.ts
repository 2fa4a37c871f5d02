// The only reader of Service annotations. Turns `metadata.annotations` into a typed
// `ServiceLbConfig`, or into every problem found at once, each naming the exact key the user
// wrote, its value and what is allowed. It never throws: a Service with bad annotations must
// produce a Warning Event, not a crashed worker.
import { errorText } from '../../../util/errors.js';
import { ANNOTATIONS, type AnnotationName, type AnnotationSpec } from './table.js';
import { serviceGates } from './gates.js';
import { ANNOTATION_MANAGED_TAGS } from '../model/naming.js';
import type { AnnotationError } from '../types.js';

type ValueOf<S> = S extends AnnotationSpec<infer T> ? T : never;

/** Every annotation, typed; absent (or empty) annotations are `undefined`. */
export type ServiceLbConfig = { -readonly [K in AnnotationName]?: ValueOf<(typeof ANNOTATIONS)[K]> };

/** Where each parsed value came from, so later combination checks can cite the user's key. */
export type ConfigSources = { [K in AnnotationName]?: { key: string; value: string } };

export type ParseResult =
  { ok: true; config: ServiceLbConfig; sources: ConfigSources } | { ok: false; errors: AnnotationError[] };

export type Annotations = Readonly<Record<string, string | undefined>> | undefined | null;

/**
 * The highest-precedence key present, and its value. A present-but-empty higher key masks a
 * lower one (the CCM does the same), so `alibaba-cloud-…-x: ""` really clears a legacy `x`.
 */
export function lookup(
  annotations: Annotations,
  keys: readonly string[],
): { key: string; value: string } | undefined {
  if (!annotations) return undefined;
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(annotations, key)) {
      const value = annotations[key];
      if (typeof value === 'string') return { key, value };
    }
  }
  return undefined;
}

export function parseServiceAnnotations(annotations: Annotations): ParseResult {
  const config: Record<string, unknown> = {};
  const sources: Record<string, { key: string; value: string }> = {};
  const errors: AnnotationError[] = [];
  for (const name of Object.keys(ANNOTATIONS) as AnnotationName[]) {
    const spec: AnnotationSpec<unknown> = ANNOTATIONS[name];
    const found = lookup(annotations, spec.keys);
    // Empty means "not set": the CCM tests most annotations for non-empty.
    if (!found || found.value.trim() === '') continue;
    const parsed = safeParse(spec, found.value);
    if (parsed.ok) {
      config[name] = parsed.value;
      sources[name] = found;
    } else {
      errors.push({ key: found.key, value: found.value, reason: parsed.reason });
    }
  }
  errors.push(...combinationErrors(config, sources));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: config, sources: sources };
}

/** One value through its validator; also the NLB table's (same spec shape). */
export function safeParse(
  spec: Pick<AnnotationSpec<unknown>, 'schema' | 'allowed'>,
  raw: string,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    const r = spec.schema.safeParse(raw);
    if (r.success) return { ok: true, value: r.data };
    const msg = r.error.issues.map((i) => i.message).join('; ');
    return { ok: false, reason: msg || `must be ${spec.allowed}` };
  } catch (err) {
    // A validator bug must not take the worker down; report it like a bad value.
    return {
      ok: false,
      reason: `could not be parsed (${errorText(err)}); allowed: ${spec.allowed}`,
    };
  }
}

/** Rules that involve more than one annotation; each error cites the key the user wrote. */
function combinationErrors(c: ServiceLbConfig, src: ConfigSources): AnnotationError[] {
  const out: AnnotationError[] = [];
  const cite = (name: AnnotationName, reason: string): void => {
    const s = src[name];
    out.push({ key: s?.key ?? ANNOTATIONS[name].canonical, value: s?.value ?? '', reason });
  };
  if (c.vgroupPort && !c.loadBalancerId) {
    cite(
      'vgroupPort',
      `is only allowed together with ${ANNOTATIONS.loadBalancerId.canonical} (reusing an existing SLB)`,
    );
  }
  if (c.weight !== undefined && !(c.loadBalancerId && c.vgroupPort)) {
    cite(
      'weight',
      `is only allowed together with ${ANNOTATIONS.loadBalancerId.canonical} and ${ANNOTATIONS.vgroupPort.canonical}`,
    );
  }
  if (c.aclStatus === 'on' && !c.aclId) {
    cite('aclStatus', `"on" needs ${ANNOTATIONS.aclId.canonical} with at least one ACL id`);
  }
  if (c.aclStatus === 'on' && c.aclId && !c.aclType) {
    cite('aclStatus', `"on" needs ${ANNOTATIONS.aclType.canonical} ("white" or "black")`);
  }
  if (c.networkType === 'classic' && c.vswitchId) {
    cite('vswitchId', 'cannot be combined with network-type "classic"');
  }
  if (c.instanceChargeType === 'PayByCLCU' && c.spec) {
    cite('spec', 'is only used with instance-charge-type "PayBySpec"; remove it or switch the charge type');
  }
  if (c.protocolPort && c.forwardPort) {
    for (const f of c.forwardPort) {
      const from = c.protocolPort.find((p) => p.port === f.from);
      const to = c.protocolPort.find((p) => p.port === f.to);
      if (from?.protocol !== 'http' || to?.protocol !== 'https') {
        cite(
          'forwardPort',
          `entry ${f.from}:${f.to} must redirect an "http" port to an "https" port listed in protocol-port`,
        );
      }
    }
  } else if (c.forwardPort) {
    cite('forwardPort', `needs ${ANNOTATIONS.protocolPort.canonical} to declare the http and https ports`);
  }
  return out;
}

/**
 * Why this controller does not handle a Service, or `undefined` when it does (docs/design/service.md
 * § "Which Services"). `featureGates` are cloud-config's; absent gates take the official defaults.
 */
export function notOurService(
  service: {
    spec?: { type?: string; loadBalancerClass?: string | null };
    metadata?: { annotations?: Record<string, string> | null };
  },
  featureGates?: Readonly<Record<string, boolean>>,
): string | undefined {
  if (service.spec?.type !== 'LoadBalancer')
    return `type is ${service.spec?.type ?? 'ClusterIP'}, not LoadBalancer`;
  if (service.spec.loadBalancerClass) return `spec.loadBalancerClass is ${service.spec.loadBalancerClass}`;
  const a = service.metadata?.annotations;
  const cls = lookup(a, ANNOTATIONS.serviceClass.keys);
  if (cls && cls.value !== '') return `${cls.key} is set`;
  const tunnel = lookup(a, ANNOTATIONS.tunnelType.keys);
  if (tunnel) return `${tunnel.key} is set`;
  // The official CCM reads this one spelling, and only behind its gate; then any non-empty
  // value (not just `nlb`) means "not a CLB".
  if (serviceGates(featureGates).LoadBalancerTypeAnnotation) {
    const key = ANNOTATIONS.loadBalancerType.canonical;
    const type = a?.[key];
    if (type) return `${key} is ${type}`;
  }
  return undefined;
}

/** Only the annotations this controller reads, for hashing: unrelated annotation churn is not a change. */
export function relevantAnnotations(annotations: Annotations): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(ANNOTATIONS) as AnnotationName[]) {
    const found = lookup(annotations, ANNOTATIONS[name].keys);
    if (found) out[name] = found.value;
  }
  return out;
}

/** The tag keys an earlier sync recorded as ours (see ANNOTATION_MANAGED_TAGS); undefined when never recorded. */
export function managedTagKeys(annotations: Annotations): string[] | undefined {
  const raw = annotations?.[ANNOTATION_MANAGED_TAGS];
  if (raw === undefined || raw === null) return undefined;
  return raw
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}
