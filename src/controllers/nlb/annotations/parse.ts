// The only reader of an NLB Service's annotations: `metadata.annotations` → typed `NlbConfig`, or
// every problem at once, each naming the exact key the user wrote. Never throws: a bad value must
// become a Warning Event, not a crashed worker.
import { isReservedTagKey } from '../../../cloud/ownership.js';
import { lookup, safeParse, type Annotations } from '../../service/annotations/parse.js';
import { ANNOTATIONS as CLB_ANNOTATIONS } from '../../service/annotations/table.js';
import { serviceGates } from '../../service/annotations/gates.js';
import type { AnnotationError } from '../types.js';
import { NLB_ANNOTATIONS, type NlbAnnotationName, type NlbAnnotationSpec } from './table.js';

export { lookup, type Annotations };

type ValueOf<S> = S extends NlbAnnotationSpec<infer T> ? T : never;

/** Every NLB annotation, typed; absent (or empty) ones are `undefined`. */
export type NlbConfig = { -readonly [K in NlbAnnotationName]?: ValueOf<(typeof NLB_ANNOTATIONS)[K]> };
export type NlbConfigSources = { [K in NlbAnnotationName]?: { key: string; value: string } };

export type NlbParseResult =
  { ok: true; config: NlbConfig; sources: NlbConfigSources } | { ok: false; errors: AnnotationError[] };

/** The official CCM's class for NLB Services. */
export const NLB_CLASS = 'alibabacloud.com/nlb';

/** Annotations whose presence (even empty) means something: present-but-empty clears a list. */
const PRESENCE_MATTERS: ReadonlySet<NlbAnnotationName> = new Set(['securityGroupIds']);

export function parseNlbAnnotations(annotations: Annotations): NlbParseResult {
  const config: Record<string, unknown> = {};
  const sources: Record<string, { key: string; value: string }> = {};
  const errors: AnnotationError[] = [];
  for (const name of Object.keys(NLB_ANNOTATIONS) as NlbAnnotationName[]) {
    const spec: NlbAnnotationSpec<unknown> = NLB_ANNOTATIONS[name];
    const found = lookup(annotations, spec.keys);
    if (!found) continue;
    if (found.value.trim() === '') {
      if (PRESENCE_MATTERS.has(name)) {
        config[name] = [];
        sources[name] = found;
      }
      continue;
    }
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
  return { ok: true, config, sources };
}

/** Rules involving more than one annotation; each error cites the key the user wrote. */
function combinationErrors(c: NlbConfig, src: NlbConfigSources): AnnotationError[] {
  const out: AnnotationError[] = [];
  const cite = (name: NlbAnnotationName, reason: string): void => {
    const s = src[name];
    out.push({ key: s?.key ?? NLB_ANNOTATIONS[name].canonical, value: s?.value ?? '', reason });
  };
  if (!c.loadBalancerId && !c.zoneMaps) {
    out.push({
      key: NLB_ANNOTATIONS.zoneMaps.canonical,
      value: '',
      reason: `is required to create an NLB (or set ${NLB_ANNOTATIONS.loadBalancerId.canonical} to reuse one)`,
    });
  }
  if (c.vgroupPort && !c.loadBalancerId)
    cite(
      'vgroupPort',
      `is only allowed together with ${NLB_ANNOTATIONS.loadBalancerId.canonical} (reusing an existing NLB)`,
    );
  if (c.listenerPortRange && c.backendType !== 'eni')
    cite('listenerPortRange', `needs ENI backends (${NLB_ANNOTATIONS.backendType.canonical}: eni)`);
  if (c.protocolPort?.some((p) => p.protocol === 'TCPSSL') && !c.certId)
    cite('protocolPort', `a TCPSSL listener needs ${NLB_ANNOTATIONS.certId.canonical}`);
  if (c.caCert === 'on' && !c.caCertId) cite('caCert', `"on" needs ${NLB_ANNOTATIONS.caCertId.canonical}`);
  for (const k of Object.keys(c.additionalResourceTags ?? {})) {
    if (isReservedTagKey(k))
      cite('additionalResourceTags', `tag key "${k}" is reserved for ownership markers`);
  }
  return out;
}

/**
 * Whether the NLB controller handles this Service: type LoadBalancer and the NLB class, or — only
 * with the official CCM's `LoadBalancerTypeAnnotation` feature gate on (off by default there and
 * here) — the `alibaba-cloud-loadbalancer-type: nlb` annotation. The annotation is read in the one
 * spelling and under the same gate as the CLB controller reads it when it steps aside, so no
 * Service is ever taken by both controllers.
 */
export function isNlbService(
  service: {
    spec?: { type?: string; loadBalancerClass?: string | null };
    metadata?: { annotations?: Record<string, string> | null };
  },
  featureGates?: Readonly<Record<string, boolean>>,
): boolean {
  if (service.spec?.type !== 'LoadBalancer') return false;
  const cls = service.spec.loadBalancerClass;
  if (cls) return cls === NLB_CLASS;
  if (!serviceGates(featureGates).LoadBalancerTypeAnnotation) return false;
  const value = service.metadata?.annotations?.[CLB_ANNOTATIONS.loadBalancerType.canonical];
  return value !== undefined && value.trim().toLowerCase() === 'nlb';
}

/** Only the annotations this controller reads, for the hash: unrelated churn is not a change. */
export function relevantNlbAnnotations(annotations: Annotations): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(NLB_ANNOTATIONS) as NlbAnnotationName[]) {
    const found = lookup(annotations, NLB_ANNOTATIONS[name].keys);
    if (found) out[name] = found.value;
  }
  return out;
}
