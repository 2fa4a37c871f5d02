// What a fresh apiserver has: the system namespaces and the `kubernetes` Service.
import type { Registry } from './registry.js';
import { resolveResource } from './resources.js';

export function seedCluster(reg: Registry): void {
  const ns = resolveResource('namespaces');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    reg.create(ns, undefined, { metadata: { name } });
  }
  reg.create(resolveResource('services'), 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    },
  });
}
