// What the manifests in deploy/ promise about privilege, checked on the YAML itself: seccomp
// RuntimeDefault, no privilege escalation, every capability dropped but the one hostroutes
// needs, credentials as files (never env, never a Secret for the static Pod), HTTPS probes on
// the manager's secure port with only the probes anonymous, hostroutes node-local, tolerations
// for the taints this product causes, a single-master variant that does not block a drain, and
// Lease rules limited by name.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { credentialsFromDir } from '../../src/cloud/credentials.js';
import { parseOptions } from '../../src/hostroutes/options.js';
import { parseFlags } from '../../src/manager/flags.js';
import { readRoles } from './rbac.js';

const ROOT = process.cwd();
const DEPLOY = join(ROOT, 'deploy');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML
type Doc = any;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
}
const docsOf = (file: string): Doc[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const all = (): Array<{ file: string; doc: Doc }> => yamlFiles(DEPLOY).flatMap((file) => docsOf(file).map((doc) => ({ file: relative(ROOT, file), doc })));
const pods = (): Array<{ file: string; kind: string; name: string; spec: Doc; doc: Doc }> =>
  all().flatMap(({ file, doc }) =>
    doc.kind === 'Pod' ? [{ file, kind: doc.kind, name: doc.metadata.name, spec: doc.spec, doc }] : doc.spec?.template?.spec ? [{ file, kind: doc.kind, name: doc.metadata.name, spec: doc.spec.template.spec, doc }] : [],
  );
const managerPods = () => pods().filter((p) => p.name === 'alicloud-controller-manager');
const byFile = (f: string) => managerPods().find((p) => p.file === f)!;

/** Capabilities a workload may add back, and why. Nothing else may add any. */
const ALLOWED_ADD: Record<string, string[]> = {
  'alicloud-hostroutes': ['NET_ADMIN'], // programs routes in the node's table
};

describe('deploy: security settings of every manifest', () => {
  it('every container: seccomp RuntimeDefault, no privilege escalation, capabilities dropped, read-only root', () => {
    const found = pods();
    assert.ok(found.length >= 5, `found ${found.length} Pod templates`);
    for (const { file, name, spec } of found) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const where = `${file} ${name}/${c.name}`;
        const sc = c.securityContext ?? {};
        const seccomp = sc.seccompProfile ?? spec.securityContext?.seccompProfile;
        assert.equal(seccomp?.type, 'RuntimeDefault', `${where}: seccompProfile`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
        assert.notEqual(sc.privileged, true, `${where}: privileged`);
        assert.ok(sc.capabilities?.drop?.includes('ALL'), `${where}: capabilities.drop ALL`);
        assert.deepEqual(sc.capabilities?.add ?? [], ALLOWED_ADD[name] ?? [], `${where}: capabilities.add`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
      }
    }
  });

  it('credentials reach the manager as files, never env; the static Pod uses no Secret at all', () => {
    for (const { file, spec } of managerPods()) {
      const c = spec.containers[0];
      for (const e of c.env ?? []) assert.equal(e.valueFrom?.secretKeyRef, undefined, `${file}: ${e.name} from a Secret through env`);
      const dir = (c.env ?? []).find((e: Doc) => e.name === 'ALICLOUD_CREDENTIALS_DIR')?.value;
      assert.ok(dir, `${file}: ALICLOUD_CREDENTIALS_DIR`);
      const mount = c.volumeMounts.find((m: Doc) => m.mountPath === dir);
      assert.ok(mount?.readOnly, `${file}: ${dir} is a read-only mount`);
      const vol = spec.volumes.find((v: Doc) => v.name === mount.name);
      if (file.endsWith('static-pod.yaml')) {
        assert.ok(vol.hostPath, `${file}: credentials from the master's disk`);
        assert.ok(!spec.volumes.some((v: Doc) => v.secret), `${file}: a static Pod cannot read Secrets under the Node authorizer`);
      } else {
        assert.equal(vol.secret?.secretName, 'aliyun-creds', file);
        assert.equal(vol.secret.optional, true, `${file}: the RAM role is the fallback`);
      }
    }
  });

  it('the Secret deploy/credentials-secret.yaml ships, written as files, is read by the credential chain', async () => {
    const secret = all().find((x) => x.doc.kind === 'Secret' && x.doc.metadata.name === 'aliyun-creds')!.doc;
    const dir = mkdtempSync(join(tmpdir(), 'creds-'));
    try {
      for (const [k, v] of Object.entries(secret.stringData as Record<string, string>)) writeFileSync(join(dir, k), v);
      const creds = await credentialsFromDir(dir);
      assert.equal(creds?.accessKeyId, secret.stringData.accessKey);
      assert.equal(creds?.accessKeySecret, secret.stringData.accessKeySecret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('manager: HTTPS probes on --secure-port, only probe paths anonymous, explicit bind address', () => {
    for (const { file, spec } of managerPods()) {
      const c = spec.containers[0];
      const args: string[] = c.command.slice(1);
      const s = parseFlags(args).flags!.serving;
      assert.ok(args.some((a) => a.startsWith('--bind-address=')), `${file}: --bind-address set explicitly`);
      assert.equal(s.insecurePort, undefined, `${file}: no plain-HTTP port`);
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        assert.equal(probe.httpGet.scheme, 'HTTPS', `${file}: probe scheme`);
        assert.equal(probe.httpGet.port, s.securePort, `${file}: probe port`);
        assert.ok(s.alwaysAllowPaths.includes(probe.httpGet.path), `${file}: ${probe.httpGet.path} is anonymous`);
      }
      assert.ok(!s.alwaysAllowPaths.some((p) => p === '/metrics' || p === '/*' || p === '*'), `${file}: /metrics must stay authenticated`);
    }
    assert.equal(parseFlags(byFile('deploy/controller-manager-static-pod.yaml').spec.containers[0].command.slice(1)).flags!.serving.bindAddress, '127.0.0.1');
  });

  it('hostroutes: its unauthenticated port binds the node loopback, and probes go there', () => {
    const ds = pods().find((p) => p.name === 'alicloud-hostroutes')!;
    const c = ds.spec.containers[0];
    const opts = parseOptions(c.command.slice(1), { NODE_NAME: 'n' }) as { bindAddress?: string; host?: string; port: number };
    assert.equal(opts.bindAddress ?? opts.host, '127.0.0.1');
    for (const probe of [c.livenessProbe, c.readinessProbe]) {
      assert.equal(probe.httpGet.host, '127.0.0.1');
      assert.equal(probe.httpGet.port, opts.port);
    }
    assert.equal(c.ports, undefined, 'no hostPort published');
  });

  it('the manager tolerates the taints this product causes', () => {
    for (const f of ['deploy/controller-manager.yaml', 'deploy/single-master/controller-manager.yaml', 'deploy/controller-manager-static-pod.yaml']) {
      const tol: Doc[] = byFile(f).spec.tolerations;
      const tolerates = (key: string) => tol.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (t.effect === undefined || t.effect === 'NoSchedule')));
      for (const key of ['node.cloudprovider.kubernetes.io/uninitialized', 'node.kubernetes.io/network-unavailable', 'node-role.kubernetes.io/control-plane', 'node.kubernetes.io/not-ready'])
        assert.ok(tolerates(key), `${f}: ${key}`);
    }
  });

  it('one master: the single-master variant schedules alone and no PodDisruptionBudget blocks its drain', () => {
    const main = byFile('deploy/controller-manager.yaml');
    const single = byFile('deploy/single-master/controller-manager.yaml');
    assert.equal(single.doc.spec.replicas, 1);
    assert.equal(single.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, undefined);
    const { affinity: _a, ...mainRest } = main.spec;
    assert.deepEqual(single.spec, mainRest, 'same Pod apart from the anti-affinity');
    const pdbs = all().filter((x) => x.doc.kind === 'PodDisruptionBudget');
    assert.ok(!pdbs.some((x) => x.file === single.file), 'no PodDisruptionBudget ships with the single-master variant');
    // The multi-master Deployment's budget lets a drain of one master through: with two replicas
    // on two masters (required anti-affinity), one eviction is always allowed.
    const [pdb] = pdbs.filter((x) => x.file === main.file);
    assert.ok(main.doc.spec.replicas - pdb!.doc.spec.minAvailable >= 1);
    assert.ok(main.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.length);
    assert.equal(pdb!.doc.spec.unhealthyPodEvictionPolicy, 'AlwaysAllow');
  });

  it('Lease rules: get/update only on the Lease the manifests name, create separate (it cannot be named)', () => {
    const role = readRoles().find((r) => r.name === 'system:alicloud-controller-manager:leader-election')!;
    const leaseRules = role.rules.filter((r) => r.resources.includes('leases'));
    const named = leaseRules.filter((r) => r.resourceNames?.length);
    const unnamed = leaseRules.filter((r) => !r.resourceNames?.length);
    assert.deepEqual(unnamed.flatMap((r) => r.verbs), ['create'], 'only create may be unnamed');
    assert.deepEqual(named.flatMap((r) => r.verbs).sort(), ['get', 'update']);
    for (const { file, spec } of managerPods()) {
      const f = parseFlags(spec.containers[0].command.slice(1)).flags!;
      assert.deepEqual(named.flatMap((r) => r.resourceNames), [f.leaseName], `${file}: Lease name`);
      assert.equal(role.namespace, f.leaseNamespace, `${file}: Lease namespace`);
    }
    for (const r of readRoles().flatMap((x) => x.rules)) assert.ok(!r.verbs.includes('*') && !r.resources.includes('*'), 'no wildcard RBAC');
  });
});
