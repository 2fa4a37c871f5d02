// `npm run demo`: the whole product on loopback, end to end, in about ten seconds.
//   1. an Alibaba Cloud emulator with three ECS instances, and a Kubernetes API emulator with
//      the three matching Nodes;
//   2. the real alicloud-controller-manager process (service controller) pointed at both;
//   3. `kubectl apply` of a LoadBalancer Service with SLB annotations;
//   4. the SLB, its listeners and backends as the cloud API reports them;
//   5. `kubectl delete` of the Service, and proof that nothing is left in the cloud.
// Exits 0 on success, 1 (with the reason) otherwise.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCloud } from '../src/cloud/index.js';
import { createInstance, startAlicloudEmulator } from '../src/emulator/alicloud/index.js';
import { startKubeEmulator } from '../src/emulator/kube/index.js';
import { createLogger } from '../src/util/log.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, s: string) => console.log(`\n${bold(`[${n}] ${s}`)}`);

function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=5s', ...args], (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-alicloud-demo-'));
  const accessKeyId = `LTAI${randomBytes(8).toString('hex')}`;
  const accessKeySecret = randomBytes(15).toString('base64url');
  const quiet = createLogger('demo-emulator', { level: 'warn' });
  let manager: ChildProcess | undefined;
  const cloudEmu = await startAlicloudEmulator({ accessKeyId, accessKeySecret, logger: quiet });
  const kubeEmu = await startKubeEmulator();
  try {
    step(1, 'Emulators up');
    const state = cloudEmu.state;
    const region = state.regionId;
    console.log(`  Alibaba Cloud emulator  ${cloudEmu.url}  (region ${region})`);
    console.log(`  Kubernetes API emulator ${kubeEmu.url}`);
    const kubeconfig = join(dir, 'kubeconfig');
    await kubeEmu.writeKubeconfig(kubeconfig);
    const vsw = Object.values(state.vswitches)[0]!;
    for (let i = 0; i < 3; i++) {
      const inst = createInstance(state, { InstanceName: `node-${i}`, HostName: `node-${i}`, VSwitchId: vsw.VSwitchId });
      await kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` }, spec: { providerID: `${region}.${inst.InstanceId}` } }));
      const node = kubeEmu.store.get('nodes', `node-${i}`)!;
      kubeEmu.store.updateStatus('nodes', { ...node, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as typeof node);
      console.log(`  node-${i} → ECS ${inst.InstanceId} (${inst.PrivateIpAddress ?? ''})`);
    }

    step(2, 'Starting alicloud-controller-manager (service controller)');
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    manager = spawn(process.execPath, [tsxCli, join(ROOT, 'src/manager/main.ts'), '--kubeconfig', kubeconfig, '--controllers', 'service', '--no-leader-elect', '--secure-port', '0', '--bind-address', '127.0.0.1', '--log-level', 'warn'], {
      env: {
        ...process.env,
        ALIYUN_REGION: region,
        ALIYUN_ACCESS_KEY: accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: accessKeySecret,
        METADATA_ENDPOINT: cloudEmu.url,
        ECS_ENDPOINT: cloudEmu.url,
        VPC_ENDPOINT: cloudEmu.url,
        SLB_ENDPOINT: cloudEmu.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let managerErr = '';
    manager.stderr?.on('data', (d: Buffer) => (managerErr += d.toString()));
    manager.stdout?.resume();
    const exited = new Promise<number>((resolve) => manager!.on('exit', (code) => resolve(code ?? 1)));
    void exited.then((code) => {
      if (code !== 0) console.error(`controller-manager exited ${code}: ${managerErr.slice(-2000)}`);
    });
    console.log(`  pid ${manager.pid}`);

    step(3, 'kubectl apply: a LoadBalancer Service with SLB annotations');
    const PFX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'shop',
        namespace: 'default',
        annotations: { [`${PFX}protocol-port`]: 'tcp:80,tcp:443', [`${PFX}scheduler`]: 'wrr', [`${PFX}health-check-switch`]: 'on', [`${PFX}additional-resource-tags`]: 'team=demo' },
      },
      spec: { type: 'LoadBalancer', selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }] },
    };
    for (const [k, v] of Object.entries(svc.metadata.annotations)) console.log(`  ${k}: ${v}`);
    console.log('  ' + (await kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify(svc))).trim());
    const ip = await poll('the ingress IP', async () => (await kubectl(kubeconfig, ['get', 'service', 'shop', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() || undefined);
    console.log(`  EXTERNAL-IP: ${bold(ip)}`);
    console.log((await kubectl(kubeconfig, ['get', 'service', 'shop'])).replace(/^/gm, '  '));

    step(4, 'What the cloud API reports');
    const cloud = createCloud({ region, endpoints: { ecs: cloudEmu.url, vpc: cloudEmu.url, slb: cloudEmu.url }, accessKeyId, accessKeySecret, logger: quiet }, { env: {} });
    const [lb] = await cloud.slb.describeLoadBalancers({ address: ip });
    if (!lb) throw new Error(`no SLB has address ${ip}`);
    console.log(`  SLB ${lb.LoadBalancerId}  name=${lb.LoadBalancerName}  address=${lb.Address} (${lb.AddressType})`);
    console.log(`  tags: ${(lb.Tags?.Tag ?? []).map((t) => `${t.TagKey}=${t.TagValue}`).join(', ')}`);
    for (const l of await cloud.slb.listeners.describe([lb.LoadBalancerId])) {
      console.log(`  listener ${l.ListenerProtocol}:${l.ListenerPort}  ${l.Status}  scheduler=${l.Scheduler}  → ${l.VServerGroupId}  "${l.Description}"`);
    }
    for (const g of await cloud.slb.vgroups.describe(lb.LoadBalancerId)) {
      const attr = await cloud.slb.vgroups.describeAttribute(g.VServerGroupId);
      const backends = (attr.BackendServers?.BackendServer ?? []).map((b) => `${b.ServerId}:${b.Port} w${b.Weight}`);
      console.log(`  vserver group ${g.VServerGroupId} "${g.VServerGroupName}"\n    backends: ${backends.join(', ')}`);
    }

    step(5, 'kubectl delete service shop');
    console.log('  ' + (await kubectl(kubeconfig, ['delete', 'service', 'shop', '--wait=true', '--timeout=30s'])).trim());
    await poll('the Service to be gone', async () => ((await kubectl(kubeconfig, ['get', 'service', 'shop', '--ignore-not-found'])).trim() === '' ? true : undefined));
    const left = await cloud.slb.describeLoadBalancers();
    const groups = Object.values(state.vserverGroups);
    console.log(`  SLBs left: ${left.length}   VServer groups left: ${groups.length}`);
    cloud.close();
    if (left.length > 0 || groups.length > 0) throw new Error('cloud resources were left behind');
    console.log(`\n${bold('Demo finished: the SLB came and went with the Service.')}`);
  } finally {
    if (manager && manager.exitCode === null) {
      manager.kill('SIGTERM');
      await new Promise((r) => manager!.once('exit', r));
    }
    await kubeEmu.close();
    await cloudEmu.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
