// Fixtures for the NLB controller's pure tests: the CLB tests' Services, nodes and pods, plus an
// NLB Service built with the official CCM's annotation examples.
import assert from 'node:assert/strict';
import { buildDesiredNlb, type NlbInputs } from '../../../src/controllers/nlb/model/index.js';
import {
  isValidationErrors,
  type AnnotationError,
  type DesiredNlb,
} from '../../../src/controllers/nlb/types.js';
import type { ServiceLike } from '../../../src/controllers/service/inputs/objects.js';
import { CONFIG, newService, nodes, slices, withAnnotations } from '../service/fixtures.js';

export {
  CONFIG,
  newNode,
  nodes,
  slices,
  withAnnotations,
  withLocal,
  withPorts,
  UID,
  P,
} from '../service/fixtures.js';

export const ZONES = 'cn-hangzhou-k:vsw-k1,cn-hangzhou-j:vsw-j1';
export const ZONE_MAPS = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps';

/** A Service asking for an NLB the way the official CCM's guide does: class + zone-maps. */
export function nlbService(...tweaks: Array<(s: ServiceLike) => void>): ServiceLike {
  return newService(
    (s) => {
      s.spec!.loadBalancerClass = 'alibabacloud.com/nlb';
    },
    withAnnotations({ [ZONE_MAPS]: ZONES }),
    ...tweaks,
  );
}

export function nlbInputs(service: ServiceLike, over: Partial<NlbInputs> = {}): NlbInputs {
  return { service, nodes: nodes(), endpointSlices: slices(), config: CONFIG, ...over };
}

export function buildNlb(service: ServiceLike, over: Partial<NlbInputs> = {}): DesiredNlb {
  const m = buildDesiredNlb(nlbInputs(service, over));
  if (isValidationErrors(m)) assert.fail(`unexpected errors: ${JSON.stringify(m.errors)}`);
  return m;
}

export function buildErrors(service: ServiceLike, over: Partial<NlbInputs> = {}): AnnotationError[] {
  const m = buildDesiredNlb(nlbInputs(service, over));
  if (!isValidationErrors(m)) assert.fail('expected validation errors');
  return m.errors;
}
