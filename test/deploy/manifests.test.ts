// Every manifest in deploy/ is applied to the Kubernetes emulator with the real kubectl, and the
// parts that must agree with the code are checked against it: flags parse, probe ports match the
// serving port, referenced Secrets/ConfigMaps/keys exist, the cloud-config parses, example
// Service annotations are valid, FILL markers are on the lines a user must edit.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseServiceAnnotations } from '../../src/controllers/service/annotations/parse.js';
import { DEFAULT_PLUGIN_DIR } from '../../src/flexvolume/install.js';
import { parseCloudConfig } from '../../src/manager/cloudconfig.js';
import { parseFlags } from '../../src/manager/flags.js';
import { hasKubectl, startTestKube, type TestKube } from '../helpers/kube.js';

const ROOT = process.cwd();
const DEPLOY = join(ROOT, 'deploy');

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML
type Doc = any;
function docs(file: string): Doc[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
}
const all = (): Array<{ file: string; doc: Doc }> => yamlFiles(DEPLOY).flatMap((file) => docs(file).map((doc) => ({ file, doc })));
const podSpecs = (): Array<{ file: string; name: string; spec: Doc }> =>
  all().flatMap(({ file, doc }) => (doc.kind === 'Pod' ? [{ file, name: doc.metadata.name, spec: doc.spec }] : doc.spec?.template?.spec ? [{ file, name: doc.metadata.name, spec: doc.spec.template.spec }] : []));

describe('deploy: manifests', function () {
  this.timeout(120_000);

  it('has the manifests the operator guide promises', () => {
    for (const f of ['rbac.yaml', 'controller-manager.yaml', 'controller-manager-static-pod.yaml', 'cloud-config.yaml', 'credentials-secret.yaml', 'flexvolume-installer.yaml', 'Dockerfile'])
      assert.ok(existsSync(join(DEPLOY, f)), `deploy/${f}`);
    assert.ok(readdirSync(join(DEPLOY, 'examples/services')).length >= 4);
  });

  describe('applied with kubectl', () => {
    let kube: TestKube;
    before(async function () {
      if (!(await hasKubectl())) {
        console.warn('SKIPPING kubectl apply of deploy/: kubectl is not installed');
        this.skip();
      }
      kube = await startTestKube();
    });
    after(async () => kube?.close());

    it('every YAML file in deploy/ applies cleanly, and every object is then readable', async () => {
      const files = yamlFiles(DEPLOY);
      assert.ok(files.length >= 10, `found ${files.length} manifests`);
      for (const file of files) {
        const r = await kube.kubectl(['apply', '-f', file], { allowFail: true });
        assert.equal(r.code, 0, `${relative(ROOT, file)}: ${r.stderr}`);
        for (const doc of docs(file)) {
          const ns = doc.metadata.namespace ? ['-n', doc.metadata.namespace] : [];
          const g = await kube.kubectl(['get', doc.kind, doc.metadata.name, ...ns, '-o', 'json'], { allowFail: true });
          assert.equal(g.code, 0, `${relative(ROOT, file)}: ${doc.kind}/${doc.metadata.name} not found after apply: ${g.stderr}`);
        }
      }
    });
  });

  it('controller-manager flags in both manifests are accepted by the manager, and probes hit its port', () => {
    const managers = podSpecs().filter((p) => p.name === 'alicloud-controller-manager');
    assert.equal(managers.length, 3, 'the Deployment, its single-master variant and the static Pod');
    for (const { file, spec } of managers) {
      const c = spec.containers[0];
      assert.equal(c.command[0], 'alicloud-controller-manager');
      assert.ok(existsSync(join(ROOT, 'bin', c.command[0])), 'the command is a launcher in bin/ (on PATH in the image)');
      const flags = parseFlags(c.command.slice(1)).flags!;
      assert.equal(flags.leaderElect, true, `${file}: --leader-elect`);
      assert.ok(flags.cloudConfig, `${file}: --cloud-config`);
      assert.equal(spec.hostNetwork, true, `${file}: hostNetwork`);
      for (const probe of [c.livenessProbe, c.readinessProbe]) assert.equal(probe.httpGet.port, flags.serving.securePort, `${file}: probe port`);
      assert.deepEqual([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path], ['/healthz', '/readyz']);
      assert.ok(c.resources?.requests?.cpu && c.resources?.limits?.memory, `${file}: resources`);
    }
  });

  it('every Secret/ConfigMap a Pod references (and the keys) is shipped in deploy/', () => {
    const objects = all().map((x) => x.doc);
    const secret = (name: string) => objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
    for (const { file, spec } of podSpecs()) {
      for (const c of spec.containers)
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const s = secret(ref.name);
          assert.ok(s, `${file}: Secret ${ref.name}`);
          assert.ok(ref.key in (s.stringData ?? s.data ?? {}), `${file}: key ${ref.key} of Secret ${ref.name}`);
        }
      for (const v of spec.volumes ?? []) {
        if (v.configMap) assert.ok(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap.name), `${file}: ConfigMap ${v.configMap.name}`);
        if (v.secret && !v.secret.optional) assert.ok(secret(v.secret.secretName), `${file}: Secret ${v.secret.secretName}`);
      }
    }
  });

  it('the cloud-config ConfigMap parses with the manager\'s cloud-config parser, at the path the Deployment reads', () => {
    const cm = all().find((x) => x.doc.kind === 'ConfigMap' && x.doc.metadata.name === 'cloud-config')!.doc;
    const parsed = parseCloudConfig(cm.data['cloud-config.conf']);
    assert.ok(parsed.clusterId && parsed.region && parsed.vpcId);
    const deploy = podSpecs().find((p) => p.file.endsWith('controller-manager.yaml'))!.spec;
    const flags = parseFlags(deploy.containers[0].command.slice(1)).flags!;
    const mount = deploy.containers[0].volumeMounts.find((m: Doc) => m.name === 'cloud-config');
    assert.equal(flags.cloudConfig, `${mount.mountPath}/cloud-config.conf`);
  });

  it('the FlexVolume installer writes to the mounted kubelet plugin dir', () => {
    const ds = podSpecs().find((p) => p.name === 'alicloud-flexvolume-installer')!.spec;
    const c = ds.containers[0];
    assert.ok(existsSync(join(ROOT, 'bin', c.command[0])));
    const dirFlag = c.command.find((a: string) => a.startsWith('--plugin-dir='))!.split('=')[1];
    const mount = c.volumeMounts.find((m: Doc) => m.mountPath === dirFlag);
    assert.ok(mount, '--plugin-dir is a volume mount');
    const vol = ds.volumes.find((v: Doc) => v.name === mount.name);
    assert.equal(vol.hostPath.path, DEFAULT_PLUGIN_DIR);
    assert.ok(c.command.includes('--wait'));
    assert.deepEqual(ds.tolerations, [{ operator: 'Exists' }], 'runs on masters too');
  });

  it('example Services carry only valid annotations', () => {
    const services = all().filter((x) => x.doc.kind === 'Service');
    assert.ok(services.length >= 4);
    for (const { file, doc } of services) {
      const r = parseServiceAnnotations(doc.metadata.annotations ?? {});
      assert.ok(r.ok, `${relative(ROOT, file)}: ${JSON.stringify(!r.ok && r.errors)}`);
    }
  });

  it('placeholder values sit on lines marked "# FILL"', () => {
    for (const file of [...yamlFiles(DEPLOY), join(DEPLOY, 'Dockerfile')]) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/FILLME|FILL-|registry\.example\.com/.test(line.replace(/#.*$/, ''))) return;
        // The marker is on the line, or in the comment block right above it.
        let j = i - 1;
        while (j >= 0 && /^\s*#/.test(lines[j]!) && !/# FILL/.test(lines[j]!)) j--;
        const marked = /# FILL/.test(line) || (j >= 0 && /^\s*# FILL/.test(lines[j]!));
        assert.ok(marked, `${relative(ROOT, file)}:${i + 1} has a placeholder without a "# FILL" marker`);
      });
    }
  });
});
