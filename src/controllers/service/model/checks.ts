// Rules that need more than the annotations: the cluster config, the Service ports, and what the
// controller looked up about a reused SLB. Kept apart from build.ts so each rule reads on its own.
import { ANNOTATIONS, type AnnotationName } from '../annotations/table.js';
import type { ConfigSources, ServiceLbConfig } from '../annotations/parse.js';
import type { ServiceInputs } from '../inputs/objects.js';
import { isClusterCreated, isReservedTagKey, parseNamedKey } from './naming.js';
import { reuseAllowed } from '../annotations/reuse-grant.js';
import type { AnnotationError } from '../types.js';

export function checkCombinations(
  inputs: ServiceInputs,
  c: ServiceLbConfig,
  src: ConfigSources,
): AnnotationError[] {
  const out: AnnotationError[] = [];
  const cite = (name: AnnotationName, reason: string): void => {
    const s = src[name];
    out.push({ key: s?.key ?? ANNOTATIONS[name].canonical, value: s?.value ?? '', reason });
  };
  const ports = inputs.service.spec?.ports ?? [];

  if (c.region && c.region !== inputs.config.region) {
    cite(
      'region',
      `must be the cluster region "${inputs.config.region}"; SLBs are created where the cluster runs`,
    );
  }
  if (inputs.config.disablePublicSlb && !c.loadBalancerId && (c.addressType ?? 'internet') === 'internet') {
    cite(
      'addressType',
      'internet SLBs are disabled by cloud-config disablePublicSLB; set address-type "intranet"',
    );
  }
  const httpsPorts = ports.filter(
    (p) => c.protocolPort?.find((pp) => pp.port === p.port)?.protocol === 'https',
  );
  if (httpsPorts.length > 0 && !c.certId) {
    cite(
      'protocolPort',
      `declares https port(s) ${httpsPorts.map((p) => p.port).join(', ')} but ${ANNOTATIONS.certId.canonical} is missing`,
    );
  }
  if (c.domainExtensions && c.domainExtensions.length > 0 && httpsPorts.length === 0) {
    cite('domainExtensions', 'needs at least one https port in protocol-port');
  }
  for (const v of c.vgroupPort ?? []) {
    if (!ports.some((p) => p.port === v.port))
      cite('vgroupPort', `port ${v.port} is not a port of this Service`);
  }
  // (safety) Ownership markers written by a Service would let it forge another Service's SLB
  // (two SLBs answering one lookup) or open an SLB to other namespaces; refuse, naming the key.
  for (const k of Object.keys(c.additionalResourceTags ?? {})) {
    if (isReservedTagKey(k))
      cite(
        'additionalResourceTags',
        `tag key "${k}" is reserved for ownership and reuse markers (Kubernetes, Alibaba Cloud and kube-alicloud prefixes); use another key`,
      );
  }
  const reused = inputs.reusedLoadBalancer;
  const namespace = inputs.service.metadata?.namespace ?? '';
  if (c.loadBalancerId && reused && reused.loadBalancerId === c.loadBalancerId) {
    // (safety) A cluster-created SLB (ours, another cluster's, or the API server's) is never adopted.
    if (isClusterCreated(reused.tags)) {
      cite(
        'loadBalancerId',
        'names an SLB created by a Kubernetes cluster (it carries ownership tags); only SLBs created by hand can be reused',
      );
    } else {
      // (safety) A hand-made SLB is the operator's: a namespace may use it only when opened to it.
      const decision = reuseAllowed(
        c.loadBalancerId,
        namespace,
        inputs.config.clusterId,
        inputs.config.reusableLoadBalancers ?? [],
        reused.tags,
      );
      if (!decision.allowed) cite('loadBalancerId', decision.detail);
    }
    for (const v of c.vgroupPort ?? []) {
      const g = reused.vgroups.find((x) => x.id === v.vGroupId);
      if (!g) cite('vgroupPort', `vserver group ${v.vGroupId} does not exist on ${c.loadBalancerId}`);
      else if (parseNamedKey(g.name))
        cite(
          'vgroupPort',
          `vserver group ${v.vGroupId} was created by a controller; only user-created groups can be reused`,
        );
    }
    const ingress = inputs.service.status?.loadBalancer?.ingress ?? [];
    const ipBound = ingress.filter((i) => i.ip);
    if (
      c.externalIpType !== 'eip' &&
      reused.address &&
      ipBound.length > 0 &&
      !ingress.some((i) => i.ip === reused.address || (i.hostname && !i.ip))
    ) {
      cite(
        'loadBalancerId',
        `the Service already has ingress IP ${ipBound.map((i) => i.ip).join(', ')} and cannot be rebound to ${reused.address}`,
      );
    }
  }
  checkEni(inputs, c, src, out);
  return out;
}

function checkEni(
  inputs: ServiceInputs,
  c: ServiceLbConfig,
  src: ConfigSources,
  out: AnnotationError[],
): void {
  // ENI backends need pod IPs on Terway ENIs; this product runs on the flannel/host-route
  // network (alicloud-hostroutes), where pod IPs belong to no ENI, so the controller supplies no
  // pod-IP → ENI map (`eniByIp`). Refuse plainly rather than create an SLB whose every backend
  // would be skipped. (The builder can place ENI backends once a map is supplied.)
  if (inputs.eniByIp !== undefined) return;
  const why =
    'ENI backends (pod IPs on Terway ENIs) are not supported in this cluster mode, which uses nodes (ecs) as backends';
  if (c.backendType === 'eni') {
    out.push({
      key: src.backendType?.key ?? ANNOTATIONS.backendType.canonical,
      value: 'eni',
      reason: `${why}; remove the annotation or set "ecs"`,
    });
  } else if (c.backendType === undefined && inputs.config.serviceBackendType === 'eni') {
    out.push({
      key: 'cloud-config serviceBackendType',
      value: 'eni',
      reason: `${why}; set serviceBackendType "ecs" or annotate the Service with ${ANNOTATIONS.backendType.canonical}: "ecs"`,
    });
  }
}
