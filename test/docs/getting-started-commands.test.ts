// Runs docs/getting-started.md as written: every ```sh block marked "runs against the emulator" is
// executed, command by command and in page order, with the real kubectl against the Kubernetes
// emulator, in a copy of deploy/ whose FILL values are filled as the page tells the reader to. The
// controller-manager runs (as the Deployment's Pod would) against both emulators, with the
// Deployment's own command and env, so the "Verify" commands show what a reader should see: a
// leader, initialised Nodes, routes, an SLB address. Blocks that need a real machine must say so.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { seedInstances, startTestEmulator, type SeededVpc, type TestEmulator } from '../helpers/alicloud.js';
import { eventually } from '../helpers/eventually.js';
import { hasKubectl, startTestKube, type TestKube } from '../helpers/kube.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager.js';
import { shellBlocks, shellWords } from './shell-blocks.js';

const ROOT = process.cwd();
const PAGE = 'docs/getting-started.md';
const REGION = 'cn-hangzhou';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

describe('docs: getting-started.md, run against the emulators', function () {
  this.timeout(400_000);
  const blocks = shellBlocks(readFileSync(join(ROOT, PAGE), 'utf8'));

  it('marks every sh block as run by this test or not, with a reason', () => {
    assert.ok(blocks.length >= 6, `found ${blocks.length} blocks`);
    for (const b of blocks) assert.notEqual(b.mode, 'unmarked', `${PAGE}:${b.line}: put <!-- runs against the emulator --> or <!-- not run by tests: why --> before the block`);
    const run = blocks.filter((b) => b.mode === 'run').flatMap((b) => b.commands);
    assert.ok(run.length >= 15, `${run.length} runnable commands`);
    for (const c of run) assert.match(c, /^(kubectl|scripts\/uninstall\.sh)( |$)/, `${c}: runnable blocks hold kubectl and scripts/ commands only`);
    for (const c of run) shellWords(c); // throws on variables, pipes, substitutions
  });

  describe('in order', () => {
    let kube: TestKube;
    let cloud: TestEmulator;
    let vpc: SeededVpc;
    let work: string;
    let mgr: ManagerProcess | undefined;
    let env: NodeJS.ProcessEnv;

    before(async function () {
      if (!(await hasKubectl())) {
        if (process.env.CI === 'true') throw new Error('kubectl is required when CI=true');
        console.warn('SKIPPING getting-started commands: kubectl is not installed');
        this.skip();
      }
      kube = await startTestKube();
      cloud = await startTestEmulator({ region: REGION });
      cloud.emu.mergeState({ config: { routeTransitionMs: 20, diskTransitionMs: 20 } });
      vpc = seedInstances(cloud.emu, 2);
      work = mkdtempSync(join(tmpdir(), 'getting-started-'));
      cpSync(join(ROOT, 'deploy'), join(work, 'deploy'), { recursive: true });
      mkdirSync(join(work, 'scripts'));
      cpSync(join(ROOT, 'scripts/uninstall.sh'), join(work, 'scripts/uninstall.sh'));
      // "first fill clusterID, region, vpcID, vswitchID and routeTableIDs in the file"
      const zone = cloud.emu.state.vswitches[vpc.vswitchIds[0]!]!.ZoneId;
      const cc = join(work, 'deploy/cloud-config.yaml');
      const filled = readFileSync(cc, 'utf8')
        .replace('vpc-FILLME', vpc.vpcId)
        .replace(/vswitchID: .*/, `vswitchID: ${zone}:${vpc.vswitchIds[0]}`)
        .replace('vtb-FILLME', vpc.routeTableId);
      assert.ok(!/FILLME/.test(filled), 'every FILL value of the cloud-config is filled');
      writeFileSync(cc, filled);
      env = { PATH: process.env.PATH, HOME: work, KUBECONFIG: kube.kubeconfigPath };
      // Nodes as kubeadm's kubelets register them with the page's kubeletExtraArgs.
      for (const [i, id] of vpc.instanceIds.entries()) {
        const ip = cloud.emu.state.instances[id]!.PrivateIpAddress;
        const r = await kube.api('POST', '/api/v1/nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } },
          spec: { providerID: `${REGION}.${id}`, podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], taints: [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' }] },
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const now = new Date().toISOString();
        await kube.api('PATCH', `/api/v1/nodes/node-${i}/status`, { status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] } }, 'application/merge-patch+json');
      }
    });

    after(async function () {
      if (mgr && this.currentTest?.state === 'failed') console.error(mgr.stderr().slice(-4000));
      await stopManager();
      await kube?.close();
      await cloud?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    async function stopManager(): Promise<void> {
      const m = mgr;
      mgr = undefined;
      if (!m || m.proc.exitCode !== null || m.proc.signalCode !== null) return;
      m.proc.kill('SIGTERM');
      const timer = setTimeout(() => m.proc.kill('SIGKILL'), 8000);
      await m.exited;
      clearTimeout(timer);
    }

    /**
     * What the Deployment's Pod would run: its command and env, with its ConfigMap and Secret
     * volumes as the kubelet mounts them (one file per key, an optional Secret that is absent
     * mounted empty), and every path under a mount moved to the local copy. The serving port is
     * made ephemeral so parallel runs do not collide; everything else is the manifest's.
     */
    async function startManagerAsDeployed(): Promise<void> {
      interface Container {
        command: string[];
        env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
        volumeMounts?: Array<{ name: string; mountPath: string }>;
      }
      interface Volume {
        name: string;
        configMap?: { name: string };
        secret?: { secretName: string; optional?: boolean };
      }
      const docs = parseAllDocuments(readFileSync(join(work, 'deploy/controller-manager.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; spec: { template: { spec: { containers: Container[]; volumes?: Volume[] } } } });
      const podSpec = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec;
      const container = podSpec.containers[0]!;
      const getData = async (kind: 'configmap' | 'secret', name: string): Promise<Record<string, string> | undefined> => {
        const r = await exec('kubectl', ['-n', 'kube-system', 'get', kind, name, '-o', 'json'], work, env);
        if (r.code !== 0) return undefined;
        const data = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
        return kind === 'secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : data;
      };
      const moved: Array<[string, string]> = [];
      for (const m of container.volumeMounts ?? []) {
        const vol = (podSpec.volumes ?? []).find((v) => v.name === m.name);
        assert.ok(vol, `volume ${m.name} of the Deployment`);
        const data = vol.configMap ? await getData('configmap', vol.configMap.name) : vol.secret ? await getData('secret', vol.secret.secretName) : undefined;
        assert.ok(data || vol.secret?.optional, `${m.name}: the page creates what the Deployment mounts`);
        const dir = join(work, 'mounts', m.name);
        mkdirSync(dir, { recursive: true });
        for (const [k, v] of Object.entries(data ?? {})) writeFileSync(join(dir, k), v);
        moved.push([m.mountPath.replace(/\/$/, ''), dir]);
      }
      const local = (v: string): string => {
        for (const [from, to] of moved) if (v === from || v.startsWith(`${from}/`)) return to + v.slice(from.length);
        return v;
      };
      const podEnv: Record<string, string> = {};
      for (const e of container.env ?? []) {
        if (e.value !== undefined) podEnv[e.name] = local(e.value);
        const ref = e.valueFrom?.secretKeyRef;
        const value = ref ? (await getData('secret', ref.name))?.[ref.key] : undefined;
        if (value !== undefined) podEnv[e.name] = value;
      }
      const args = container.command.slice(1).map((a) => {
        const m = /^(--[\w-]+=)(.*)$/.exec(a);
        if (m?.[1] === '--secure-port=') return '--secure-port=0';
        return m ? m[1]! + local(m[2]!) : a;
      });
      mgr = spawnManager([...args, `--kubeconfig=${kube.kubeconfigPath}`, '--port=0', '--bind-address=127.0.0.1'], {
        ...podEnv,
        ECS_ENDPOINT: cloud.url,
        VPC_ENDPOINT: cloud.url,
        SLB_ENDPOINT: cloud.url,
        NLB_ENDPOINT: cloud.url,
        METADATA_ENDPOINT: cloud.url,
      });
      await mgr.listening;
    }

    /** Commands whose output depends on the manager having acted: retried until it shows. */
    const expectations: Array<{ match: RegExp; ok: (out: string) => boolean; what: string }> = [
      { match: /get lease ccm/, ok: (o) => o.trim().length > 0, what: 'a leader on the Lease' },
      { match: /custom-columns=.*PROVIDER/, ok: (o) => o.trim().split('\n').slice(1).length === 2 && o.trim().split('\n').slice(1).every((l) => new RegExp(`${REGION}\\.i-\\S+\\s+${REGION}-\\w`).test(l)), what: 'every Node with providerID and zone' },
      { match: /NetworkUnavailable/, ok: (o) => o.trim().split('\n').length === 2 && o.trim().split('\n').every((l) => l.endsWith(' RouteCreated')), what: 'RouteCreated on every Node' },
      { match: /get service web-public/, ok: (o) => /^\d+\.\d+\.\d+\.\d+$/.test(o.trim()), what: 'an SLB address on the Service' },
      { match: /describe service web-public/, ok: (o) => o.includes('EnsuredLoadBalancer'), what: 'the EnsuredLoadBalancer Event' },
      { match: /uninstall\.sh --dry-run/, ok: (o) => o.includes('Service default/web-public (an SLB)') && o.includes('a real run stops here'), what: 'the held SLB, and that a real run would stop' },
    ];

    /** The page says to fill these in before running the command. */
    function fill(word: string): string {
      if (word === '--from-literal=accessKey=LTAI-FILL') return `--from-literal=accessKey=${cloud.accessKeyId}`;
      if (word === '--from-literal=accessKeySecret=FILL') return `--from-literal=accessKeySecret=${cloud.accessKeySecret}`;
      return word;
    }

    it('every runnable command succeeds, and Verify shows a working installation', async () => {
      const commands = blocks.filter((b) => b.mode === 'run').flatMap((b) => b.commands);
      for (const command of commands) {
        const [program, ...args] = shellWords(command).map(fill);
        const final = program === 'scripts/uninstall.sh' && !args.includes('--dry-run');
        // Deleting the Deployment stops its Pods; here the manager is our child process.
        if (final) await stopManager();
        const file = program === 'kubectl' ? 'kubectl' : join(work, program!);
        const expect = expectations.find((e) => e.match.test(command));
        let last: Run | undefined;
        const started = Date.now();
        await eventually(async () => {
          last = await exec(file, args, work, env);
          return last.code === 0 && (!expect || expect.ok(last.stdout)) ? true : undefined;
        }, `${command}\n  → ${expect?.what ?? 'exit 0'}`, { tries: expect ? 150 : 1, intervalMs: 100 }).catch(() => {
          assert.fail(`${PAGE}: \`${command}\` exited ${last?.code}${expect ? ` without ${expect.what}` : ''}\nstdout: ${last?.stdout}\nstderr: ${last?.stderr}`);
        });
        if (process.env.DEBUG_DOCS_TEST) console.error(`${Date.now() - started}ms ${command}`);
        if (command === 'kubectl apply -f deploy/controller-manager.yaml') await startManagerAsDeployed();
      }

      // The uninstall removed the product's objects and left the user's.
      const get = (args: string[]) => exec('kubectl', ['get', ...args], work, env);
      for (const gone of [
        ['-n', 'kube-system', 'deployment', 'alicloud-controller-manager'],
        ['-n', 'kube-system', 'configmap', 'cloud-config'],
        ['-n', 'kube-system', 'secret', 'aliyun-creds'],
        ['-n', 'kube-system', 'lease', 'ccm'],
        ['-n', 'kube-system', 'daemonset', 'alicloud-flexvolume-installer'],
        ['storageclass', 'alicloud-disk-ssd'],
        ['clusterrole', 'system:alicloud-controller-manager'],
      ])
        assert.notEqual((await get(gone)).code, 0, `still there after uninstall: ${gone.join(' ')}`);
      for (const kept of [['pvc', 'data'], ['pod', 'data-writer'], ['node', 'node-0']]) assert.equal((await get(kept)).code, 0, `uninstall removed a user's object: ${kept.join(' ')}`);
      assert.equal(Object.keys(cloud.emu.state.loadBalancers).length, 0, 'the SLB went with its Service');
    });
  });
});
