// The docs defects an operator hit following the docs on a kubeadm cluster (issue 13), each pinned
// where it can be seen: a default that differs from the code's, host routes offered where they do
// not carry traffic, an apiserver port that no longer exists, a removed network plugin named as a
// choice, an uninstall that deletes users' claims, manifests that cannot run on one master or on
// Nodes this product taints, a static Pod that reads a Secret the Node authorizer refuses it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseNodeNameType } from '../../src/controllers/node/types.js';
import { QUOTA_HINT } from '../../src/controllers/route/events.js';

const ROOT = process.cwd();
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const STORY_PAGES = ['docs/getting-started.md', 'docs/routes.md', 'docs/troubleshooting.md', 'docs/hostroutes.md'];

/** Paragraphs (blank-line separated) of every operator page, with their file. */
function paragraphs(): Array<{ file: string; text: string }> {
  return DOCS.flatMap((file) => read(file).split(/\n\s*\n/).map((text) => ({ file, text })));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML
type Doc = any;
const manifest = (file: string): Doc[] => parseAllDocuments(read(file)).map((d) => d.toJS()).filter(Boolean);

describe('docs: the defects operators hit are gone', () => {
  it('ALIYUN_NODE_NAME_TYPE: the documented default is the code\'s (auto), on every page', () => {
    assert.equal(parseNodeNameType(undefined), 'auto');
    assert.match(read('docs/configuration.md'), /\| `ALIYUN_NODE_NAME_TYPE` \|[^\n]*`auto` \(default\)/);
    for (const p of paragraphs()) {
      if (!/ALIYUN_NODE_NAME_TYPE|`private-ip`/.test(p.text)) continue;
      assert.doesNotMatch(p.text, /`private-ip`[^|\n]*\(?\bdefault\b/, `${p.file}: private-ip named as the default`);
    }
  });

  it('hostroutes: one story, word for word, on every page that mentions it', () => {
    const story = (file: string) => /<!-- hostroutes-story -->\n([\s\S]*?)<!-- \/hostroutes-story -->/.exec(read(file))?.[1];
    const first = story(STORY_PAGES[0]!);
    assert.ok(first && /Alibaba Cloud VPC is not such a network/.test(first) && /layer-2/.test(first));
    for (const page of STORY_PAGES) assert.equal(story(page), first, `${page}: the hostroutes story differs from getting-started's`);
  });

  it('hostroutes is never offered as a way around VPC routes or their quota', () => {
    const offers = /switch to hostroutes|hostroutes( mode)?\**\s+instead|instead of \(or besides\) VPC routes|route quotas? (are|is) too small|quota is smaller than your node|either VPC routes[^.]*or host routes/i;
    for (const p of paragraphs()) assert.doesNotMatch(p.text, offers, `${p.file}: ${p.text.slice(0, 120)}`);
    assert.doesNotMatch(QUOTA_HINT, /hostroutes mode|deploy the alicloud-hostroutes/, 'the RouteQuotaExceeded Event text');
    assert.doesNotMatch(read('deploy/hostroutes.yaml').split('\n').filter((l) => l.startsWith('#')).join('\n'), offers);
  });

  it('no apiserver on the insecure port 8080, which no supported Kubernetes serves', () => {
    for (const file of DOCS) assert.doesNotMatch(read(file), /127\.0\.0\.1:8080|localhost:8080/, file);
  });

  it('kubenet is named only as removed', () => {
    for (const p of paragraphs()) if (/kubenet/i.test(p.text)) assert.match(p.text, /removed/, `${p.file}: kubenet named as a choice: ${p.text.slice(0, 120)}`);
  });

  it('the uninstall deletes no users\' claims and needs no field selector', () => {
    const text = [read('docs/getting-started.md'), read('scripts/uninstall.sh')].join('\n');
    assert.doesNotMatch(text, /delete (pvc|persistentvolumeclaims?)\b[^\n]*--all\b/);
    assert.doesNotMatch(text, /--field-selector/);
    assert.doesNotMatch(read('scripts/uninstall.sh'), /^\s*run [^\n]*delete (pvc|persistentvolumeclaim|persistentvolume|pv|service|svc)\b/m);
    assert.match(read('docs/getting-started.md'), /## Uninstall[\s\S]*scripts\/uninstall\.sh/);
  });

  it('one master: the page scales the Deployment to one replica and removes what would block drain', () => {
    const gs = read('docs/getting-started.md');
    assert.match(gs, /patch deployment alicloud-controller-manager -p '\{"spec":\{"replicas":1\}\}'/);
    assert.match(gs, /delete poddisruptionbudget alicloud-controller-manager/);
  });

  // The manifests are deploy/'s; the page promises that they tolerate what the product causes.
  it('the manager\'s manifests tolerate every taint the page lists as caused by this product', () => {
    const table = /### Taints the manager itself causes[\s\S]*?\n\n((?:\|[^\n]*\n)+)/.exec(read('docs/getting-started.md'));
    assert.ok(table, 'the taint table');
    const taints = [...table[1]!.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
    assert.ok(taints.includes('node.kubernetes.io/network-unavailable') && taints.includes('node.cloudprovider.kubernetes.io/uninitialized'));
    for (const file of ['deploy/controller-manager.yaml', 'deploy/single-master/controller-manager.yaml', 'deploy/controller-manager-static-pod.yaml']) {
      const pod = manifest(file).find((d) => d.kind === 'Deployment' || d.kind === 'Pod');
      const tolerations: Array<{ key?: string; operator?: string }> = (pod.kind === 'Pod' ? pod.spec : pod.spec.template.spec).tolerations ?? [];
      for (const t of taints) assert.ok(tolerations.some((x) => (x.key === t || (!x.key && x.operator === 'Exists'))), `${file} does not tolerate ${t}`);
    }
  });

  it('the static Pod reads its AccessKey from files, as the page says, never from a Secret', () => {
    const pod = manifest('deploy/controller-manager-static-pod.yaml').find((d) => d.kind === 'Pod');
    const c = pod.spec.containers[0];
    assert.ok(!(c.env ?? []).some((e: Doc) => e.valueFrom?.secretKeyRef), 'a static Pod may not reference a Secret under the Node authorizer');
    const dir = (c.env ?? []).find((e: Doc) => e.name === 'ALICLOUD_CREDENTIALS_DIR')?.value;
    assert.ok(dir, 'ALICLOUD_CREDENTIALS_DIR names the mounted directory');
    const mount = c.volumeMounts.find((m: Doc) => m.mountPath === dir);
    assert.ok(mount, `a volume is mounted at ${dir}`);
    const vol = pod.spec.volumes.find((v: Doc) => v.name === mount.name);
    const host = vol.hostPath?.path as string | undefined;
    assert.ok(host, 'the credentials come from a directory on the master');
    // The page's commands fill the directory the manifest mounts, and security.md names the same one.
    const gs = read('docs/getting-started.md');
    for (const f of ['accessKey', 'accessKeySecret']) assert.ok(gs.includes(`sudo tee ${host}/${f} `), `getting-started.md writes ${host}/${f}`);
    assert.match(gs, new RegExp(`install -d -m 0700 ${host}\\n`));
    assert.ok(read('docs/security.md').includes(host), `docs/security.md names ${host}`);
    for (const file of DOCS) assert.doesNotMatch(read(file), /\/etc\/kubernetes\/alicloud-credentials/, `${file}: a credentials directory no manifest mounts`);
  });
});
