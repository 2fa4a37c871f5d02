// The shipped manifest is part of the safety story (read-only RBAC, NODE_NAME, NET_ADMIN only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseOptions } from '../../src/hostroutes/options.js';

interface Doc {
  kind: string;
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  spec?: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
}

const docs = parseAllDocuments(
  readFileSync(fileURLToPath(new URL('../../deploy/hostroutes.yaml', import.meta.url)), 'utf8'),
).map((d) => d.toJS() as Doc);

describe('deploy/hostroutes.yaml', () => {
  it('grants only get/list/watch on nodes', () => {
    const role = docs.find((d) => d.kind === 'ClusterRole')!;
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  it('runs on every node with host networking, NET_ADMIN only, and NODE_NAME from the downward API', () => {
    const pod = docs.find((d) => d.kind === 'DaemonSet')!.spec!.template.spec;
    assert.equal(pod.hostNetwork, true);
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    const c = pod.containers[0] as {
      env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
      securityContext: { privileged: boolean; capabilities: { add: string[] } };
      command: string[];
    };
    assert.equal(c.env.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    assert.equal(c.securityContext.privileged, false);
    assert.deepEqual(c.securityContext.capabilities.add, ['NET_ADMIN']);
    // The flags in the manifest must be ones the binary accepts.
    const opts = parseOptions(c.command.slice(1), { NODE_NAME: 'n' });
    assert.equal(opts.protocol, 200);
    assert.equal(opts.port, 10266);
    // The agent refuses to start without it; the manifest must carry one.
    assert.ok(opts.clusterCIDRs.length > 0);
  });
});
