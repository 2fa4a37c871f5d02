// The demo's "cluster": both emulators on loopback, two ECS instances that will become Nodes, a
// kubeconfig and a cloud-config, and the real alicloud-controller-manager process with all four
// controllers. Every address a host could ever route is in 198.18.0.0/15 (the benchmarking range),
// so nothing here can collide with a real network.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createCloud, type Cloud } from '../../src/cloud/index.js';
import {
  createInstance,
  startAlicloudEmulator,
  type AlicloudEmulator,
  type Instance,
} from '../../emulators/alicloud/index.js';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { createLogger } from '../../src/util/log.js';
import { REPO, type DemoPrograms } from './bundle.js';
import type { Cleanup } from './cleanup.js';

export const CLUSTER_CIDR = '198.19.0.0/16';

export interface DemoHost {
  /** The Node name the kubelet registers (the ECS host name, as on a stock ECS image). */
  name: string;
  instance: Instance;
  ip: string;
  podCIDR: string;
}

export interface DemoCluster {
  root: string;
  cloudEmu: AlicloudEmulator;
  kubeEmu: KubeEmulator;
  kubeconfig: string;
  cloudConfig: string;
  clusterId: string;
  region: string;
  zone: string;
  vpcId: string;
  routeTableId: string;
  accessKeyId: string;
  accessKeySecret: string;
  hosts: DemoHost[];
  /** src/cloud pointed at the emulator: what `aliyun ecs …` would show a user. */
  cloud: Cloud;
  programs: DemoPrograms;
}

export async function startCluster(
  root: string,
  programs: DemoPrograms,
  cleanup: Cleanup,
): Promise<DemoCluster> {
  const accessKeyId = `LTAI${randomBytes(8).toString('hex')}`;
  const accessKeySecret = randomBytes(15).toString('base64url');
  const quiet = createLogger('demo', { level: 'warn' });
  const cloudEmu = await startAlicloudEmulator({ accessKeyId, accessKeySecret, logger: quiet });
  cleanup.add('Alibaba Cloud emulator', () => cloudEmu.close());
  const kubeEmu = await startKubeEmulator();
  cleanup.add('Kubernetes API emulator', () => kubeEmu.close());
  // Fast but still asynchronous transitions, so the demo shows real Attaching/Pending states.
  cloudEmu.state.config.diskTransitionMs = 300;
  cloudEmu.state.config.routeTransitionMs = 300;

  const region = cloudEmu.state.regionId;
  const vsw = Object.values(cloudEmu.state.vswitches)[0]!;
  const routeTable = Object.values(cloudEmu.state.routeTables).find(
    (t) => t.VpcId === vsw.VpcId && t.RouteTableType === 'System',
  )!;
  const hosts: DemoHost[] = [1, 2].map((i) => {
    const instance = createInstance(cloudEmu.state, {
      InstanceName: `demo-worker-${i}`,
      HostName: `izdemoworker${i}z`,
      VSwitchId: vsw.VSwitchId,
      PrivateIpAddress: `198.18.0.${10 + i}`,
      InstanceType: 'ecs.g7.xlarge',
    });
    return { name: instance.HostName, instance, ip: instance.PrivateIpAddress, podCIDR: `198.19.${i}.0/24` };
  });
  // The FlexVolume driver in node mode asks instance metadata who it is; this host is worker 1.
  cloudEmu.setHostMetadata(hosts[0]!.instance.InstanceId, {});

  const kubeconfig = join(root, 'kubeconfig');
  await kubeEmu.writeKubeconfig(kubeconfig);
  const clusterId = `c-demo${randomBytes(4).toString('hex')}`;
  const cloudConfig = join(root, 'cloud-config.json');
  await writeFile(
    cloudConfig,
    JSON.stringify(
      {
        Global: {
          clusterID: clusterId,
          region,
          zoneID: vsw.ZoneId,
          vpcid: vsw.VpcId,
          vswitchid: vsw.VSwitchId,
        },
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );

  const cloud = createCloud(
    {
      region,
      endpoints: { ecs: cloudEmu.url, vpc: cloudEmu.url, slb: cloudEmu.url },
      accessKeyId,
      accessKeySecret,
      logger: quiet,
    },
    { env: {} },
  );
  cleanup.add('cloud client', () => cloud.close());
  return {
    root,
    cloudEmu,
    kubeEmu,
    kubeconfig,
    cloudConfig,
    clusterId,
    region,
    zone: vsw.ZoneId,
    vpcId: vsw.VpcId,
    routeTableId: routeTable.RouteTableId,
    accessKeyId,
    accessKeySecret,
    hosts,
    cloud,
    programs,
  };
}

export interface ManagerHandle {
  child: ChildProcess;
  argv: string[];
  stderr(): string;
}

/** The real controller-manager process (the current source, bundled: see bundle.ts). */
export async function startManager(c: DemoCluster, cleanup: Cleanup): Promise<ManagerHandle> {
  const argv = [
    `--kubeconfig=${c.kubeconfig}`,
    `--cloud-config=${c.cloudConfig}`,
    '--controllers=*',
    '--leader-elect=false',
    `--cluster-cidr=${CLUSTER_CIDR}`,
    '--configure-cloud-routes=true',
    '--node-event-aggregation-wait-seconds=0.05',
    '--route-reconciliation-period=1m',
    '--secure-port=0',
    '--bind-address=127.0.0.1',
    '--log-level=warn',
  ];
  const child = spawn(process.execPath, [c.programs.manager, ...argv], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/',
      ALIYUN_ACCESS_KEY: c.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: c.accessKeySecret,
      ECS_ENDPOINT: c.cloudEmu.url,
      VPC_ENDPOINT: c.cloudEmu.url,
      SLB_ENDPOINT: c.cloudEmu.url,
      NLB_ENDPOINT: c.cloudEmu.url,
      METADATA_ENDPOINT: c.cloudEmu.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup.add(
    `alicloud-controller-manager (pid ${child.pid})`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    { kind: 'process', id: String(child.pid) },
  );
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (/"event":"listening"/.test(line)) resolve();
    });
    void exited.then(() =>
      reject(
        new Error(
          `alicloud-controller-manager exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${err.slice(-3000)}`,
        ),
      ),
    );
  });
  return { child, argv, stderr: () => err };
}
