// Tweak-style fixtures for the pure Service-controller tests: plain objects, no emulator.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type {
  ClusterConfig,
  EndpointSliceLike,
  NodeLike,
  ServiceInputs,
  ServiceLike,
  ServicePortLike,
} from '../../../src/controllers/service/inputs/objects.js';
import { buildDesiredModel } from '../../../src/controllers/service/model/build.js';
import { isValidationErrors, type DesiredLoadBalancer } from '../../../src/controllers/service/types.js';

export const P = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
export const UID = '5e4dbfc9-c2ae-4d0b-9a8e-0123456789ab';

export const CONFIG: ClusterConfig = {
  clusterId: 'c-test',
  region: 'cn-hangzhou',
  vpcId: 'vpc-main',
  vswitchId: 'vsw-default',
  zone: 'cn-hangzhou-b',
};

type Tweak<T> = (t: T) => void;

export function newService(...tweaks: Array<Tweak<ServiceLike>>): ServiceLike {
  const svc: ServiceLike = {
    metadata: { name: 'nginx', namespace: 'default', uid: UID, annotations: {} },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080, targetPort: 8080 }],
    },
  };
  for (const t of tweaks) t(svc);
  return svc;
}
export const withAnnotations =
  (a: Record<string, string>): Tweak<ServiceLike> =>
  (s) => {
    Object.assign(s.metadata!.annotations!, a);
  };
export const withPorts =
  (...ports: ServicePortLike[]): Tweak<ServiceLike> =>
  (s) => {
    s.spec!.ports = ports;
  };
export const withLocal: Tweak<ServiceLike> = (s) => {
  s.spec!.externalTrafficPolicy = 'Local';
};
export const withIngress =
  (ip: string): Tweak<ServiceLike> =>
  (s) => {
    s.status = { loadBalancer: { ingress: [{ ip }] } };
  };

export function newNode(name: string, ...tweaks: Array<Tweak<NodeLike>>): NodeLike {
  const n: NodeLike = {
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { providerID: `cn-hangzhou.i-${name}` },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
  for (const t of tweaks) t(n);
  return n;
}
export const label =
  (k: string, v = ''): Tweak<NodeLike> =>
  (n) => {
    n.metadata!.labels![k] = v;
  };
export const notReady: Tweak<NodeLike> = (n) => {
  n.status = { conditions: [{ type: 'Ready', status: 'False' }] };
};
export const unschedulable: Tweak<NodeLike> = (n) => {
  n.spec!.unschedulable = true;
};

/** Workers w1, w2, w3 (w3 cordoned), a master, a NotReady node and an excluded node. */
export function nodes(): NodeLike[] {
  return [
    newNode('w1', label('pool', 'edge')),
    newNode('w2'),
    newNode('w3', unschedulable, label('pool', 'edge')),
    newNode('m1', label('node-role.kubernetes.io/master')),
    newNode('sick', notReady),
    newNode('gone', label('node.kubernetes.io/exclude-from-external-load-balancers', 'true')),
  ];
}

/** Pods: two on w1, one on w2, one on the excluded node; one terminating on w3. */
export function slices(port = 8080, name = 'http'): EndpointSliceLike[] {
  return [
    {
      metadata: { name: 'nginx-abc', labels: { 'kubernetes.io/service-name': 'nginx' } },
      addressType: 'IPv4',
      ports: [{ name, port, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.0.1.2'], conditions: { ready: true }, nodeName: 'w1' },
        { addresses: ['10.0.1.3'], conditions: { ready: true }, nodeName: 'w1' },
        { addresses: ['10.0.2.2'], conditions: { ready: true }, nodeName: 'w2' },
        { addresses: ['10.0.9.2'], conditions: { ready: true }, nodeName: 'gone' },
        { addresses: ['10.0.3.2'], conditions: { ready: false, terminating: true }, nodeName: 'w3' },
      ],
    },
  ];
}

export function inputs(service: ServiceLike, over: Partial<ServiceInputs> = {}): ServiceInputs {
  return { service, nodes: nodes(), endpointSlices: slices(), config: CONFIG, ...over };
}

export function build(service: ServiceLike, over: Partial<ServiceInputs> = {}): DesiredLoadBalancer {
  const m = buildDesiredModel(inputs(service, over));
  if (isValidationErrors(m)) assert.fail(`unexpected validation errors: ${JSON.stringify(m.errors)}`);
  return m;
}

const GOLDEN = new URL('./golden/', import.meta.url);

/** Compares with golden/<name>.json; `UPDATE_GOLDEN=1` rewrites it (review the diff!). */
export function expectGolden(name: string, value: unknown): void {
  const file = new URL(`${name}.json`, GOLDEN);
  const text = JSON.stringify(value, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `golden file ${name}.json is missing; run with UPDATE_GOLDEN=1 and review it`);
  assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(file, 'utf8')));
}
