// docs/getting-started.md: the RAM policy is exactly the actions the code can call, the
// prerequisites name the kubelet and kube-controller-manager flags, and every deploy/ file and
// doc it points at exists.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ramActionsInCode } from './ram.js';

const ROOT = process.cwd();
const DOC = readFileSync(join(ROOT, 'docs/getting-started.md'), 'utf8');

describe('docs: getting-started.md', () => {
  it('the RAM policy lists exactly the API actions the code calls', () => {
    const block = /## RAM policy[\s\S]*?```json\n([\s\S]*?)```/.exec(DOC);
    assert.ok(block, 'a ```json block under "## RAM policy"');
    const policy = JSON.parse(block[1]!) as { Version: string; Statement: Array<{ Effect: string; Action: string[]; Resource: string }> };
    assert.equal(policy.Version, '1');
    const listed = policy.Statement.flatMap((s) => s.Action).sort();
    const want = ramActionsInCode();
    assert.ok(want.length > 30 && want.includes('slb:CreateLoadBalancer') && want.includes('vpc:CreateRouteEntry') && want.includes('ecs:AttachDisk'), 'scanner sanity');
    assert.deepEqual(listed, want, `regenerate the policy: ${JSON.stringify(want)}`);
  });

  it('names the kubelet and kube-controller-manager prerequisites the seeds use', () => {
    for (const flag of ['--cloud-provider=external', '--provider-id=', '--allocate-node-cidrs=true', '--configure-cloud-routes=false', '--cluster-cidr='])
      assert.ok(DOC.includes(flag), flag);
  });

  it('every deploy/ file and doc it links or applies exists', () => {
    const paths = new Set([...DOC.matchAll(/deploy\/[\w./-]+\.ya?ml|deploy\/Dockerfile/g)].map((m) => m[0]));
    assert.ok(paths.size >= 6);
    for (const p of paths) assert.ok(existsSync(join(ROOT, p)), p);
    for (const m of DOC.matchAll(/\]\(([\w-]+\.md)(#[\w-]+)?\)/g)) assert.ok(existsSync(join(ROOT, 'docs', m[1]!)), m[1]);
  });
});
