// P5: controller-manager RSS with 5000 Nodes and 2000 Services in its caches (target ≤ 200 MiB).
// Both emulators run in this process; the controller-manager is the real built binary
// (bin/alicloud-controller-manager → dist/manager/main.js, so run `npm run build` first) with every controller enabled. Nodes are
// initialised already and match their instances exactly, so the node controller's sync pass is
// read-only; Services are ClusterIP (cached by every Service informer, but no SLB work). RSS is
// read from /proc/<pid>/status after /readyz reports all caches synced and one node sync pass ran.
//
//   npm run build && npx tsx bench/memory.ts [--nodes 5000] [--services 2000] [--settle-ms 5000]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromEcs } from '../src/controllers/node/cloudport.js';
import { addressesFor, labelsFor } from '../src/controllers/node/plan/modifiers.js';
import type { Node } from '../src/controllers/node/types.js';
import { createInstance, startAlicloudEmulator } from '../src/emulator/alicloud/index.js';
import { startKubeEmulator } from '../src/emulator/kube/index.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const NODES = arg('nodes', 5000);
const SERVICES = arg('services', 2000);
const SETTLE_MS = arg('settle-ms', 5000);
const TARGET_MIB = 200;
const MAIN = join(process.cwd(), 'dist/manager/main.js');
// The launcher the image runs (it carries the V8 flags the product ships with), on this node.
const BIN = join(process.cwd(), 'bin/alicloud-controller-manager');

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: run \`npm run build\` first`);
  const accessKeyId = `LTAI${randomBytes(8).toString('hex')}`;
  const accessKeySecret = randomBytes(15).toString('base64url');
  const cloud = await startAlicloudEmulator({ port: 0, accessKeyId, accessKeySecret });
  const kube = await startKubeEmulator({ port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await kube.writeKubeconfig(kubeconfig);

  const t0 = Date.now();
  const vswitches = Object.values(cloud.state.vswitches).map((v) => v.VSwitchId);
  for (let i = 0; i < NODES; i++) {
    const raw = createInstance(cloud.state, {
      VSwitchId: vswitches[i % vswitches.length]!,
      HostName: `node-${i}`,
    });
    // What DescribeInstances would say, so the Node already carries exactly the cloud's facts.
    const inst = fromEcs(
      {
        InstanceId: raw.InstanceId,
        RegionId: raw.RegionId,
        ZoneId: raw.ZoneId,
        InstanceType: raw.InstanceType,
        InstanceChargeType: 'PostPaid',
        HostName: raw.HostName,
        VpcAttributes: { PrivateIpAddress: { IpAddress: [raw.PrivateIpAddress] } },
      },
      'cn-hangzhou',
    );
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `node-${i}`,
        labels: { 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux', ...labelsFor(inst) },
      },
      spec: {
        providerID: `cn-hangzhou.${raw.InstanceId}`,
        podCIDR: `10.${64 + Math.floor(i / 256)}.${i % 256}.0/24`,
        podCIDRs: [`10.${64 + Math.floor(i / 256)}.${i % 256}.0/24`],
      },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.30.0',
          osImage: 'Alibaba Cloud Linux 3',
          containerRuntimeVersion: 'containerd://1.7.0',
        },
        capacity: { cpu: '4', memory: '16Gi', pods: '110' },
        allocatable: { cpu: '3900m', memory: '15Gi', pods: '110' },
      },
    };
    const r = addressesFor(node, inst);
    if ('addresses' in r) node.status!.addresses = r.addresses;
    kube.store.create('nodes', node as Parameters<typeof kube.store.create>[1]);
  }
  for (let i = 0; i < SERVICES; i++) {
    kube.store.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, namespace: 'default', labels: { app: `app-${i % 100}` } },
      spec: {
        type: 'ClusterIP',
        selector: { app: `app-${i % 100}` },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    } as Parameters<typeof kube.store.create>[1]);
  }
  const loadMs = Date.now() - t0;

  const child = spawn(
    BIN,
    [
      '--kubeconfig',
      kubeconfig,
      '--leader-elect=false',
      '--port',
      '0',
      '--secure-port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--controllers=*',
      '--cluster-cidr=10.64.0.0/10',
      '--node-monitor-period=3s',
      '--log-level=warn',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        ALIYUN_ACCESS_KEY: accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: accessKeySecret,
        ALIYUN_REGION: 'cn-hangzhou',
        ECS_ENDPOINT: cloud.url,
        VPC_ENDPOINT: cloud.url,
        SLB_ENDPOINT: cloud.url,
        METADATA_ENDPOINT: cloud.url,
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.once('exit', (code) =>
        reject(new Error(`controller-manager exited ${code}:\n${stderr.slice(-3000)}`)),
      );
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /\{"event":"listening","url":"([^"]+)"/.exec(out);
        if (m) resolve(m[1]!);
      });
    });
    const started = Date.now();
    let ready = false;
    for (let i = 0; i < 1200 && !ready; i++) {
      ready = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await sleep(100);
    }
    if (!ready) throw new Error(`caches did not sync within 120s:\n${stderr.slice(-3000)}`);
    const syncMs = Date.now() - started;
    // One node sync pass (DescribeInstances for every Node) after the caches synced.
    const describesAtSync = cloud.calls().filter((c) => c.action === 'DescribeInstances').length;
    for (let i = 0; i < 600; i++) {
      if (
        cloud.calls().filter((c) => c.action === 'DescribeInstances').length >=
        describesAtSync + Math.ceil(NODES / 100)
      )
        break;
      await sleep(100);
    }
    const nodeSyncDescribes =
      cloud.calls().filter((c) => c.action === 'DescribeInstances').length - describesAtSync;
    const samples: number[] = [];
    for (let t = 0; t < SETTLE_MS; t += 500) {
      samples.push(rssKiB(child.pid!));
      await sleep(500);
    }
    const peakMiB = Math.max(...samples) / 1024;
    const lastMiB = samples[samples.length - 1]! / 1024;
    const result = {
      bench: 'P5 controller-manager RSS',
      nodes: NODES,
      services: SERVICES,
      loadMs,
      cacheSyncMs: syncMs,
      nodeSyncDescribeCalls: nodeSyncDescribes,
      rssMiB: Number(lastMiB.toFixed(1)),
      peakRssMiB: Number(peakMiB.toFixed(1)),
      targetMiB: TARGET_MIB,
      pass: peakMiB <= TARGET_MIB,
    };
    console.log(JSON.stringify(result));
    console.log(
      `P5: controller-manager RSS ${lastMiB.toFixed(1)} MiB (peak ${peakMiB.toFixed(1)} MiB over ${SETTLE_MS / 1000}s) with ${NODES} Nodes + ${SERVICES} Services cached; target ≤ ${TARGET_MIB} MiB → ${result.pass ? 'PASS' : 'FAIL'}`,
    );
    // A missed target must fail the run so `npm run bench` (run-all.ts) reports it.
    if (!result.pass) {
      console.log(`MISSED: P5 peak RSS ${peakMiB.toFixed(1)} MiB > ${TARGET_MIB} MiB`);
      process.exitCode = 1;
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    await kube.close();
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
