// Service semantics: defaulting, validation, ClusterIP/NodePort/healthCheckNodePort allocation,
// and keeping allocated values across updates that omit them (as `kubectl apply` does).
import { invalid, type StatusCause } from '../errors.js';
import { isPlainObject, type KubeObject } from '../types.js';
import { inServiceCidr, servicePorts, type ServiceAllocator } from './service-alloc.js';
import { wireText } from '../../text.js';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

type Spec = Record<string, unknown>;

function specOf(o: KubeObject): Spec {
  if (!isPlainObject(o.spec)) o.spec = {};
  return o.spec;
}

function defaultSpec(spec: Spec): void {
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  const type = spec['type'];
  if (type === 'NodePort' || type === 'LoadBalancer') spec['externalTrafficPolicy'] ??= 'Cluster';
  if (type !== 'ExternalName') spec['internalTrafficPolicy'] ??= 'Cluster';
  if (type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] ??= true;
  const ports = Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]) : [];
  for (const p of ports) {
    if (!isPlainObject(p)) continue;
    p['protocol'] ??= 'TCP';
    p['targetPort'] ??= p['port'];
  }
}

function validate(svc: KubeObject, alloc: ServiceAllocator, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf(svc);
  const causes: StatusCause[] = [];
  const type = spec['type'];
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.type',
      message: `Unsupported value: "${String(type)}": supported values: "${TYPES.join('", "')}"`,
    });
    return causes;
  }
  const ports = servicePorts(svc);
  if (type !== 'ExternalName' && spec['clusterIP'] !== 'None' && ports.length === 0) {
    causes.push({ reason: 'FieldValueRequired', field: 'spec.ports', message: 'Required value' });
  }
  ports.forEach((p, i) => {
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `spec.ports[${i}].port`,
        message: `Invalid value: ${String(p.port)}: must be between 1 and 65535, inclusive`,
      });
    }
    if (p.nodePort !== undefined && type === 'ClusterIP') {
      causes.push({
        reason: 'FieldValueForbidden',
        field: `spec.ports[${i}].nodePort`,
        message: "Forbidden: may not be used when `type` is 'ClusterIP'",
      });
    }
    if (ports.length > 1 && !p['name']) {
      causes.push({
        reason: 'FieldValueRequired',
        field: `spec.ports[${i}].name`,
        message: 'Required value',
      });
    }
  });
  const ip = spec['clusterIP'];
  const oldIp = old ? specOf(old)['clusterIP'] : undefined;
  if (
    old &&
    oldIp !== undefined &&
    ip !== undefined &&
    ip !== oldIp &&
    oldIp !== '' &&
    type !== 'ExternalName'
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.clusterIP',
      message: `Invalid value: "${wireText(ip)}": field is immutable`,
    });
  } else if (typeof ip === 'string' && ip !== '' && ip !== 'None' && ip !== oldIp) {
    if (!inServiceCidr(ip)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIP',
        message: `Invalid value: "${ip}": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12`,
      });
    } else if (alloc.ipInUse(ip)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIP',
        message: `Invalid value: "${ip}": provided IP is already allocated`,
      });
    }
  }
  causes.push(...alloc.checkPorts(svc, old));
  return causes;
}

/** Copy node ports the update omitted from the old object, matched by port+protocol. */
function keepNodePorts(spec: Spec, old: KubeObject): void {
  const oldPorts = servicePorts(old);
  for (const p of Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]) : []) {
    if (!isPlainObject(p) || p['nodePort'] !== undefined) continue;
    const match =
      oldPorts.find((o) => o.port === p['port'] && (o.protocol ?? 'TCP') === (p['protocol'] ?? 'TCP')) ??
      undefined;
    if (match?.nodePort) p['nodePort'] = match.nodePort;
  }
}

export function prepareService(svc: KubeObject, old: KubeObject | undefined, alloc: ServiceAllocator): void {
  const spec = specOf(svc);
  defaultSpec(spec);
  const type = spec['type'] as string;
  if (old) {
    const oldSpec = specOf(old);
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') {
      if (oldSpec['clusterIP'] !== undefined) spec['clusterIP'] = oldSpec['clusterIP'];
      if (oldSpec['clusterIPs'] !== undefined) spec['clusterIPs'] = oldSpec['clusterIPs'];
    }
    if (type === 'NodePort' || type === 'LoadBalancer') keepNodePorts(spec, old);
    if (spec['healthCheckNodePort'] === undefined && oldSpec['healthCheckNodePort'] !== undefined) {
      spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
    }
  }
  const causes = validate(svc, alloc, old);
  if (causes.length) throw invalid('', 'Service', svc.metadata.name ?? '', causes);

  if (type === 'ExternalName') {
    delete spec['clusterIP'];
    delete spec['clusterIPs'];
  } else {
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') spec['clusterIP'] = alloc.allocateIp();
    if (spec['clusterIP'] !== 'None') {
      spec['clusterIPs'] = [spec['clusterIP']];
      spec['ipFamilies'] ??= ['IPv4'];
      spec['ipFamilyPolicy'] ??= 'SingleStack';
    }
  }
  const wantsNodePorts =
    type === 'NodePort' || (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
  const ports = servicePorts(svc);
  const reserved = new Set(ports.flatMap((p) => (p.nodePort ? [p.nodePort] : [])));
  for (const p of ports) {
    if (!wantsNodePorts && type !== 'LoadBalancer') delete p.nodePort;
    else if (wantsNodePorts && p.nodePort === undefined) p.nodePort = alloc.allocatePort(reserved);
  }
  const local = spec['externalTrafficPolicy'] === 'Local' || spec['externalTrafficPolicy'] === 'OnlyLocal';
  if (type === 'LoadBalancer' && local) {
    if (typeof spec['healthCheckNodePort'] !== 'number')
      spec['healthCheckNodePort'] = alloc.allocatePort(reserved);
  } else {
    delete spec['healthCheckNodePort'];
  }
  if (type !== 'LoadBalancer' && isPlainObject(svc.status)) {
    // A Service that stops being a LoadBalancer loses its ingress, as the real apiserver does.
    svc.status['loadBalancer'] = {};
  }
}
