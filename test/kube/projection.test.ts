import assert from 'node:assert/strict';
import { projectNode, projectionFor, stripBookkeeping } from '../../src/kube/projection.js';
import type { KubeObject } from '../../src/kube/types.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function kubeletNode(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'n1',
      labels: { 'kubernetes.io/hostname': 'n1' },
      annotations: { 'alpha.kubernetes.io/provided-node-ip': '192.168.0.9', [LAST_APPLIED]: '{"huge":true}' },
      managedFields: [{ manager: 'kubelet' }],
    } as KubeObject['metadata'],
    spec: { providerID: 'cn-hangzhou.i-1', podCIDR: '10.64.0.0/24', podCIDRs: ['10.64.0.0/24'], taints: [] },
    status: {
      addresses: [{ type: 'InternalIP', address: '192.168.0.9' }],
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }],
      images: [{ names: ['registry/x:1'], sizeBytes: 1 }],
      nodeInfo: { kubeletVersion: 'v1.30.0' },
      capacity: { cpu: '4' },
      allocatable: { cpu: '3900m' },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      volumesAttached: [{ name: 'kubernetes.io/csi/x', devicePath: '' }],
      volumesInUse: ['kubernetes.io/csi/x'],
    },
  } as KubeObject;
}

describe('kube/projection', () => {
  it('a Node keeps what the controllers read and loses the kubelet inventory', () => {
    const n = kubeletNode();
    projectNode(n);
    assert.deepEqual(n, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'n1',
        labels: { 'kubernetes.io/hostname': 'n1' },
        annotations: { 'alpha.kubernetes.io/provided-node-ip': '192.168.0.9' },
      },
      spec: {
        providerID: 'cn-hangzhou.i-1',
        podCIDR: '10.64.0.0/24',
        podCIDRs: ['10.64.0.0/24'],
        taints: [],
      },
      status: {
        addresses: [{ type: 'InternalIP', address: '192.168.0.9' }],
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }],
      },
    });
  });

  it('other kinds keep everything but managedFields and the last-applied copy', () => {
    const svc = {
      kind: 'Service',
      metadata: {
        name: 's',
        namespace: 'default',
        managedFields: [{ manager: 'kubectl' }],
        annotations: {
          [LAST_APPLIED]: '{}',
          'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec': 'slb.s1.small',
        },
      },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30000 }] },
      status: { loadBalancer: { ingress: [{ ip: '198.18.0.1' }] } },
    } as unknown as KubeObject;
    const want = structuredClone(svc) as {
      metadata: Record<string, unknown> & { annotations: Record<string, string> };
    };
    delete want.metadata.managedFields;
    delete want.metadata.annotations[LAST_APPLIED];
    projectionFor('Service')(svc);
    assert.deepEqual(svc, want);
  });

  it('the Node projection is the Node kind default; objects without metadata or status are left alone', () => {
    assert.equal(projectionFor('Node'), projectNode);
    assert.equal(projectionFor('EndpointSlice'), stripBookkeeping);
    const bare: KubeObject = { kind: 'Node' };
    projectNode(bare);
    assert.deepEqual(bare, { kind: 'Node' });
  });
});
