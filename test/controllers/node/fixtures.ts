// Builders for Node and instance fixtures shared by the node controller's unit tests.
import type { CloudInstance } from '../../../src/controllers/node/plan/instance.js';
import type { Node } from '../../../src/controllers/node/types.js';

export function inst(id: string, over: Partial<CloudInstance> = {}): CloudInstance {
  return {
    id,
    region: 'cn-hangzhou',
    zone: 'cn-hangzhou-h',
    instanceType: 'ecs.g6.large',
    status: 'Running',
    hostName: `iZ${id.slice(2)}Z`,
    privateIps: ['192.168.0.10'],
    innerIps: [],
    publicIps: [],
    primaryEniId: `eni-${id.slice(2)}`,
    chargeType: 'PostPaid',
    tags: {},
    ...over,
  };
}

export type Tweak = (n: Node) => void;

export function node(name: string, ...tweaks: Tweak[]): Node {
  const n: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}` },
    spec: {},
    status: {},
  };
  for (const t of tweaks) t(n);
  return n;
}

export const provider =
  (p: string): Tweak =>
  (n) =>
    void (n.spec!.providerID = p);
export const tainted =
  (key: string, effect = 'NoSchedule'): Tweak =>
  (n) =>
    void (n.spec!.taints = [...(n.spec!.taints ?? []), { key, effect }]);
export const address =
  (type: string, a: string): Tweak =>
  (n) =>
    void (n.status!.addresses = [...(n.status!.addresses ?? []), { type, address: a }]);
export const annotate =
  (k: string, v: string): Tweak =>
  (n) =>
    void (n.metadata!.annotations = { ...(n.metadata!.annotations ?? {}), [k]: v });
export const ready =
  (status: string, heartbeat?: string): Tweak =>
  (n) =>
    void (n.status!.conditions = [
      { type: 'Ready', status, ...(heartbeat ? { lastHeartbeatTime: heartbeat } : {}) },
    ]);
