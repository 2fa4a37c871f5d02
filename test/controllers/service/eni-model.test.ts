// Pure: which pod IPs need ENI ids, the VPC split of unresolved ones, ENI backends in the model,
// and the readiness-gate decisions (admission of gated endpoints, which Pods get which condition).
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type {
  EndpointSliceLike,
  PodLike,
  ServiceInputs,
} from '../../../src/controllers/service/inputs/objects.js';
import {
  eniLookupIps,
  parseVpcCidrs,
  splitByVpc,
  usesEniBackends,
} from '../../../src/controllers/service/model/eni.js';
import {
  admitGatedEndpoints,
  gateState,
  gateUpdates,
  podsBehindNotReadyEndpoints,
  readinessGateType,
} from '../../../src/controllers/service/model/readiness.js';
import {
  CONFIG,
  build,
  inputs,
  label,
  newNode,
  newService,
  nodes,
  withAnnotations,
  withLocal,
} from './fixtures.js';

const ENI = { 'service.beta.kubernetes.io/backend-type': 'eni' };
const GATE = readinessGateType('nginx');

function slice(endpoints: EndpointSliceLike['endpoints']): EndpointSliceLike[] {
  return [
    {
      metadata: { name: 'nginx-x', labels: { 'kubernetes.io/service-name': 'nginx' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints,
    },
  ];
}

function pod(
  name: string,
  o: { gate?: boolean; containersReady?: boolean; uid?: string; cond?: string } = {},
): PodLike {
  return {
    metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}` },
    spec: o.gate === false ? {} : { readinessGates: [{ conditionType: GATE }] },
    status: {
      conditions: [
        { type: 'ContainersReady', status: o.containersReady === false ? 'False' : 'True' },
        ...(o.cond
          ? [
              {
                type: GATE,
                status: o.cond,
                reason: 'ServerRegistered',
                message: 'The backend has been added to the server group',
              },
            ]
          : []),
      ],
    },
  };
}

describe('service model: ENI backends', () => {
  it('backend-type eni (any spelling the table knows) or cloud-config serviceBackendType eni selects ENI mode; the annotation wins', () => {
    assert.equal(usesEniBackends(inputs(newService(withAnnotations(ENI)))), true);
    assert.equal(
      usesEniBackends(inputs(newService(), { config: { ...CONFIG, serviceBackendType: 'eni' } })),
      true,
    );
    assert.equal(
      usesEniBackends(
        inputs(newService(withAnnotations({ 'service.beta.kubernetes.io/backend-type': 'ecs' })), {
          config: { ...CONFIG, serviceBackendType: 'eni' },
        }),
      ),
      false,
    );
    assert.equal(usesEniBackends(inputs(newService())), false);
  });

  it('ENI mode looks up every ready IPv4 endpoint (not terminating ones); node mode only pods on candidate virtual-kubelet nodes', () => {
    assert.deepEqual(eniLookupIps(inputs(newService(withAnnotations(ENI)))), [
      '10.0.1.2',
      '10.0.1.3',
      '10.0.2.2',
      '10.0.9.2',
    ]);
    assert.deepEqual(eniLookupIps(inputs(newService())), [], 'no virtual node: nothing to look up');
    const vk = newNode('vk', label('type', 'virtual-kubelet'));
    vk.spec = {};
    const withVk = (extra: Partial<ServiceInputs> = {}) =>
      inputs(newService(), {
        nodes: [...nodes(), vk],
        endpointSlices: slice([
          { addresses: ['10.0.1.2'], conditions: { ready: true }, nodeName: 'w1' },
          { addresses: ['10.0.7.7'], conditions: { ready: true }, nodeName: 'vk' },
        ]),
        ...extra,
      });
    assert.deepEqual(eniLookupIps(withVk()), ['10.0.7.7']);
    // A virtual node excluded by backend-label is no candidate: its pod is not looked up either.
    const labelled = inputs(
      newService(
        withAnnotations({
          'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-backend-label': 'pool=edge',
        }),
      ),
      {
        nodes: [...nodes(), vk],
        endpointSlices: withVk().endpointSlices,
      },
    );
    assert.deepEqual(eniLookupIps(labelled), []);
  });

  it('the builder places ENI backends (serverIp, targetPort, type eni) and skips IPs without an ENI', () => {
    const m = build(newService(withAnnotations(ENI)), {
      eniByIp: { '10.0.1.2': 'eni-a', '10.0.1.3': 'eni-a', '10.0.2.2': 'eni-b' },
    });
    assert.equal(m.trafficMode, 'ENI');
    assert.deepEqual(
      m.vgroups[0]!.backends.map((b) => `${b.type} ${b.serverId} ${b.serverIp} ${b.port} ${b.weight}`),
      ['eni eni-a 10.0.1.2 8080 100', 'eni eni-a 10.0.1.3 8080 100', 'eni eni-b 10.0.2.2 8080 100'],
    );
    assert.deepEqual(
      m.skippedBackends.map((s) => s.ip),
      ['10.0.9.2'],
    );
  });

  it('an ECI pod on a virtual-kubelet node becomes an ENI backend beside the node backends (Cluster and Local)', () => {
    const vk = newNode('vk', label('type', 'virtual-kubelet'));
    vk.spec = {};
    for (const local of [false, true]) {
      const m = build(newService(...(local ? [withLocal] : [])), {
        nodes: [newNode('w1'), vk],
        endpointSlices: slice([
          { addresses: ['10.0.1.2'], conditions: { ready: true }, nodeName: 'w1' },
          { addresses: ['10.0.7.7'], conditions: { ready: true }, nodeName: 'vk' },
        ]),
        eniByIp: { '10.0.7.7': 'eni-eci' },
      });
      assert.deepEqual(
        m.vgroups[0]!.backends.map((b) => `${b.type} ${b.serverId} ${b.serverIp ?? '-'}`),
        ['eni eni-eci 10.0.7.7', 'ecs i-w1 -'],
        local ? 'Local' : 'Cluster',
      );
    }
  });

  it('unresolved IPs split by the VPC blocks (primary and secondary): inside is invalid, outside is skipped', () => {
    const cidrs = parseVpcCidrs(['192.168.0.0/16', '172.16.0.0/12', 'junk']);
    assert.equal(cidrs.length, 2, 'unparsable blocks are dropped');
    assert.deepEqual(splitByVpc(['192.168.3.4', '10.1.2.3', '172.20.0.1', 'fd00::1'], cidrs), {
      inside: ['192.168.3.4', '172.20.0.1'],
      outside: ['10.1.2.3', 'fd00::1'],
    });
  });
});

describe('service model: readiness gates', () => {
  const eps = slice([
    {
      addresses: ['10.0.1.2'],
      conditions: { ready: true },
      nodeName: 'w1',
      targetRef: { kind: 'Pod', name: 'ready', namespace: 'default', uid: 'uid-ready' },
    },
    {
      addresses: ['10.0.1.3'],
      conditions: { ready: false },
      nodeName: 'w1',
      targetRef: { kind: 'Pod', name: 'gated', namespace: 'default', uid: 'uid-gated' },
    },
    {
      addresses: ['10.0.1.4'],
      conditions: { ready: false, terminating: true },
      nodeName: 'w1',
      targetRef: { kind: 'Pod', name: 'leaving', namespace: 'default' },
    },
    {
      addresses: ['10.0.1.5'],
      conditions: { ready: false },
      nodeName: 'w1',
      targetRef: { kind: 'Pod', name: 'elsewhere', namespace: 'other' },
    },
    {
      addresses: ['10.0.1.6'],
      conditions: { ready: false },
      nodeName: 'w1',
      targetRef: { kind: 'Node', name: 'w1' },
    },
  ]);

  it('the condition type is per Service name, as the official CCM spells it', () => {
    assert.equal(readinessGateType('web'), 'service.readiness.alibabacloud.com/web');
  });

  it('reads only Pods behind not-ready, non-terminating endpoints of the Service namespace (never another namespace)', () => {
    assert.deepEqual(podsBehindNotReadyEndpoints(eps, 'default'), [
      { namespace: 'default', name: 'gated', uid: 'uid-gated' },
    ]);
  });

  it('admits a gated Pod with ready containers, waits for one without, ignores a Pod without the gate or another uid', () => {
    const ref = { namespace: 'default', name: 'gated', uid: 'uid-gated' };
    assert.equal(gateState(pod('gated'), ref, GATE), 'admit');
    assert.equal(gateState(pod('gated', { containersReady: false }), ref, GATE), 'wait');
    assert.equal(gateState(undefined, ref, GATE), 'wait', 'not found yet: look again');
    assert.equal(gateState(pod('gated', { gate: false }), ref, GATE), 'ignore');
    assert.equal(gateState(pod('gated', { uid: 'uid-new' }), ref, GATE), 'ignore', 'recreated Pod');
    assert.equal(
      gateState(pod('gated'), ref, readinessGateType('other')),
      'ignore',
      "another Service's gate",
    );
  });

  it('admitted endpoints count as ready for the builder, and only those', () => {
    const admitted = admitGatedEndpoints(eps, 'default', new Set(['default/gated', 'other/elsewhere']));
    const ready = admitted[0]!.endpoints
      .filter((e) => e.conditions?.ready === true)
      .map((e) => e.addresses[0]);
    assert.deepEqual(ready, ['10.0.1.2', '10.0.1.3']);
    assert.equal(eps[0]!.endpoints[1]!.conditions?.ready, false, 'the input is not mutated');
    const m = build(newService(withAnnotations(ENI)), {
      endpointSlices: admitted,
      eniByIp: { '10.0.1.2': 'eni-a', '10.0.1.3': 'eni-a' },
    });
    assert.deepEqual(
      m.vgroups[0]!.backends.map((b) => b.serverIp),
      ['10.0.1.2', '10.0.1.3'],
    );
  });

  const desiredEni = (ips: string[], skipped: string[] = []) => ({
    trafficMode: 'ENI' as const,
    vgroups: [
      {
        name: 'g',
        backends: ips.map((ip) => ({
          serverId: 'eni-a',
          serverIp: ip,
          port: 8080,
          weight: 100,
          type: 'eni' as const,
        })),
      },
    ],
    skippedBackends: skipped.map((ip) => ({ servicePort: 80, ip, reason: 'no ENI found for the pod IP' })),
  });
  const base = {
    slices: eps,
    namespace: 'default',
    gateType: GATE,
    eniIps: new Set<string>(),
    invalidIps: new Set<string>(),
  };

  it('True (ServerRegistered) once the Pod is a registered backend; nothing while it is not', () => {
    const pods = new Map([['default/gated', pod('gated')]]);
    const up = gateUpdates({ ...base, desired: desiredEni(['10.0.1.2', '10.0.1.3']), pods });
    assert.deepEqual(up, [
      {
        ref: { namespace: 'default', name: 'gated', uid: 'uid-gated' },
        status: 'True',
        reason: 'ServerRegistered',
        message: 'The backend has been added to the server group',
      },
    ]);
    assert.deepEqual(gateUpdates({ ...base, desired: desiredEni(['10.0.1.2']), pods }), [], 'not on the SLB');
    const notReady = new Map([['default/gated', pod('gated', { containersReady: false })]]);
    assert.deepEqual(
      gateUpdates({ ...base, desired: desiredEni(['10.0.1.2', '10.0.1.3']), pods: notReady }),
      [],
    );
  });

  it('nothing when the condition already says so (a settled Service writes nothing); False for an invalid ENI backend', () => {
    const done = new Map([['default/gated', pod('gated', { cond: 'True' })]]);
    assert.deepEqual(gateUpdates({ ...base, desired: desiredEni(['10.0.1.2', '10.0.1.3']), pods: done }), []);
    const pods = new Map([['default/gated', pod('gated', { cond: 'True' })]]);
    const up = gateUpdates({
      ...base,
      desired: desiredEni(['10.0.1.2'], ['10.0.1.3']),
      pods,
      invalidIps: new Set(['10.0.1.3']),
    });
    assert.deepEqual(
      up.map((u) => `${u.ref.name} ${u.status} ${u.reason}`),
      ['gated False ServerInvalidServer'],
    );
  });

  it('node backends: registered when its group has nodes and the pod was not skipped; an ECI pod needs its own ENI backend', () => {
    const pods = new Map([['default/gated', pod('gated')]]);
    const nodesOnly = {
      trafficMode: 'Cluster' as const,
      vgroups: [
        { name: 'g', backends: [{ serverId: 'i-w1', port: 30080, weight: 100, type: 'ecs' as const }] },
      ],
      skippedBackends: [],
    };
    assert.equal(gateUpdates({ ...base, desired: nodesOnly, pods }).length, 1);
    assert.equal(
      gateUpdates({ ...base, desired: { ...nodesOnly, vgroups: [{ name: 'g', backends: [] }] }, pods })
        .length,
      0,
    );
    assert.equal(
      gateUpdates({ ...base, desired: nodesOnly, pods, eniIps: new Set(['10.0.1.3']) }).length,
      0,
      'an ECI pod is registered only through its ENI',
    );
  });
});
