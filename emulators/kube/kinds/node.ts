// Node update validation the real apiserver applies: a Node's pod CIDRs and provider id may be
// assigned once (from none to some) and never changed afterwards. The node-IPAM controller and everything that routes
// to a node rely on that; a cluster that needs other CIDRs deletes and re-creates the Node.
import { invalid } from '../errors.js';
import { isPlainObject, type KubeObject } from '../types.js';

/** The pod CIDRs as the apiserver sees them: v1's podCIDR is podCIDRs[0] when podCIDRs is absent. */
function podCidrs(o: KubeObject): string[] {
  const spec = isPlainObject(o.spec) ? o.spec : {};
  const list = Array.isArray(spec['podCIDRs']) ? spec['podCIDRs'].map(String) : [];
  if (list.length > 0) return list;
  return typeof spec['podCIDR'] === 'string' && spec['podCIDR'] !== '' ? [spec['podCIDR']] : [];
}

function providerId(o: KubeObject): string {
  const spec = isPlainObject(o.spec) ? o.spec : {};
  return typeof spec['providerID'] === 'string' ? spec['providerID'] : '';
}

export function validateNodeUpdate(next: KubeObject, old: KubeObject): void {
  // Like podCIDRs, the provider id may be set once: it names the instance the Node runs on.
  const oldProvider = providerId(old);
  if (oldProvider !== '' && providerId(next) !== oldProvider)
    throw invalid('', 'Node', old.metadata.name ?? '', [
      {
        reason: 'FieldValueForbidden',
        field: 'spec.providerID',
        message: 'Forbidden: node updates may not change providerID except from "" to valid',
      },
    ]);
  const before = podCidrs(old);
  const after = podCidrs(next);
  if (before.length === 0) return;
  if (before.length === after.length && before.every((c, i) => c === after[i])) return;
  throw invalid('', 'Node', old.metadata.name ?? '', [
    {
      reason: 'FieldValueForbidden',
      field: 'spec.podCIDRs',
      message: 'Forbidden: node updates may not change podCIDR except from "" to valid',
    },
  ]);
}
