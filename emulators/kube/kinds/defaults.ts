// Per-kind create/update behaviour other than Services: what status a new object starts with
// (the apiserver's PrepareForCreate), and the few defaults controllers rely on.
import { isPlainObject, type KubeObject } from '../types.js';

type StatusInit = (o: KubeObject) => void;

/** Kinds whose status the apiserver resets on create; others (Nodes, generic kinds) keep what was sent. */
const INITIAL_STATUS: Record<string, StatusInit> = {
  '/services': (o) => {
    o.status = { loadBalancer: {} };
  },
  '/pods': (o) => {
    const spec = isPlainObject(o.spec) ? o.spec : {};
    o.status = { phase: 'Pending', qosClass: 'BestEffort' };
    spec['restartPolicy'] ??= 'Always';
    spec['dnsPolicy'] ??= 'ClusterFirst';
    spec['schedulerName'] ??= 'default-scheduler';
    spec['terminationGracePeriodSeconds'] ??= 30;
  },
  '/persistentvolumes': (o) => {
    o.status = { phase: 'Pending' };
    const spec = isPlainObject(o.spec) ? o.spec : {};
    spec['persistentVolumeReclaimPolicy'] ??= 'Retain';
    spec['volumeMode'] ??= 'Filesystem';
  },
  '/persistentvolumeclaims': (o) => {
    o.status = { phase: 'Pending' };
    const spec = isPlainObject(o.spec) ? o.spec : {};
    spec['volumeMode'] ??= 'Filesystem';
  },
  '/namespaces': (o) => {
    o.status = { phase: 'Active' };
    const spec = isPlainObject(o.spec) ? o.spec : {};
    spec['finalizers'] ??= ['kubernetes'];
    o.spec = spec;
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
  },
  'storage.k8s.io/storageclasses': (o) => {
    o['reclaimPolicy'] ??= 'Delete';
    o['volumeBindingMode'] ??= 'Immediate';
  },
  '/secrets': (o) => {
    if (!o['type']) o['type'] = 'Opaque';
  },
};

export function prepareCreate(bucket: string, o: KubeObject): void {
  INITIAL_STATUS[bucket]?.(o);
}

/** Fields that belong to neither metadata nor status: changes to these bump metadata.generation. */
export function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
}
