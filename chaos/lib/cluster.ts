// One chaos "world": the Alibaba Cloud emulator and the Kubernetes API emulator in this process
// (so the audit reads their state directly), a VPC with ECS instances and the matching Ready
// Nodes (with pod CIDRs, so the route controller has work), a StorageClass for the disk
// controller, and the files a real controller-manager process needs (kubeconfig, cloud-config).
// The kube emulator persists to a state file so it can be restarted on the same port (R6).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createInstance,
  startAlicloudEmulator,
  type AlicloudEmulator,
} from '../../emulators/alicloud/index.js';
import { startKubeEmulator, type KubeEmulator } from '../../emulators/kube/index.js';
import { createLogger } from '../../src/util/log.js';

export const STORAGE_CLASS = 'chaos-disk';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** Recognisable on sight, so R7 can grep every output for them. */
export function recognisableCredentials(): Credentials {
  const tag = randomBytes(6).toString('hex');
  return {
    accessKeyId: `LTAIchaosKEY${tag}`,
    accessKeySecret: `chaosSECRET${tag}${randomBytes(6).toString('base64url')}`,
  };
}

export interface ClusterOptions {
  nodes: number;
  clusterId?: string;
  credentials?: Credentials;
  /** Extra instances with no Node (room for nodes that join during a storm). */
  spareInstances?: number;
}

export interface NodeSeat {
  name: string;
  instanceId: string;
  podCidr: string;
}

export class ChaosCluster {
  kube!: KubeEmulator;
  private kubePort = 0;
  private constructor(
    readonly dir: string,
    readonly cloud: AlicloudEmulator,
    readonly credentials: Credentials,
    readonly clusterId: string,
    readonly kubeStateFile: string,
  ) {}

  vpcId = '';
  routeTableId = '';
  zoneId = '';
  /** Cloud objects seeded as someone else's (R4): the audit judges them by the snapshot instead. */
  readonly foreignIds = new Set<string>();
  /** Every instance, in order; the first `nodes` have a Node from the start. */
  seats: NodeSeat[] = [];

  get region(): string {
    return this.cloud.state.regionId;
  }
  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }
  get cloudConfigPath(): string {
    return join(this.dir, 'cloud-config.json');
  }

  static async start(o: ClusterOptions): Promise<ChaosCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'kube-alicloud-chaos-'));
    const credentials = o.credentials ?? recognisableCredentials();
    const cloud = await startAlicloudEmulator({
      ...credentials,
      logger: createLogger('chaos-alicloud-emulator', { level: 'silent' }),
    });
    // Transitions short but real: routes and disks go through Pending/Attaching states.
    cloud.mergeState({ config: { routeTransitionMs: 30, diskTransitionMs: 30, routeQuotaPerTable: 2000 } });
    const c = new ChaosCluster(
      dir,
      cloud,
      credentials,
      o.clusterId ?? `c-chaos-${randomBytes(3).toString('hex')}`,
      join(dir, 'kube-state.json'),
    );
    await c.startKube();
    c.seedVpc(o.nodes + (o.spareInstances ?? 0));
    for (const seat of c.seats.slice(0, o.nodes)) c.addNode(seat);
    c.kube.store.create('storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: STORAGE_CLASS },
      provisioner: 'alicloud/disk',
      reclaimPolicy: 'Delete',
      parameters: { type: 'cloud_ssd' },
    });
    await writeFile(
      c.cloudConfigPath,
      JSON.stringify({
        Global: { clusterID: c.clusterId, zoneID: c.zoneId, vpcID: c.vpcId, region: c.region },
      }),
    );
    return c;
  }

  private async startKube(): Promise<void> {
    this.kube = await startKubeEmulator({ port: this.kubePort, stateFile: this.kubeStateFile });
    this.kubePort = Number(new URL(this.kube.url).port);
    await this.kube.writeKubeconfig(this.kubeconfigPath);
  }

  /** Stop the apiserver (every watch and connection cut) and start it again on the same port from its state file. */
  async restartKube(downMs = 300): Promise<void> {
    await this.kube.close();
    await new Promise((r) => setTimeout(r, downMs));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.startKube();
        return;
      } catch (err) {
        // The port may linger for a moment after close; a few bounded retries.
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private seedVpc(n: number): void {
    const s = this.cloud.state;
    this.vpcId = Object.keys(s.vpcs)[0]!;
    const vsw = Object.values(s.vswitches).find((v) => v.VpcId === this.vpcId)!;
    this.zoneId = vsw.ZoneId;
    this.routeTableId = Object.values(s.routeTables).find(
      (t) => t.VpcId === this.vpcId && t.RouteTableType === 'System',
    )!.RouteTableId;
    for (let i = 0; i < n; i++) {
      const name = `node-${i}`;
      const inst = createInstance(s, { InstanceName: name, HostName: name, VSwitchId: vsw.VSwitchId });
      this.seats.push({ name, instanceId: inst.InstanceId, podCidr: `10.0.${i}.0/24` });
    }
  }

  providerId(seat: NodeSeat): string {
    return `${this.region}.${seat.instanceId}`;
  }

  addNode(seat: NodeSeat): void {
    this.kube.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: seat.name,
        labels: { 'kubernetes.io/hostname': seat.name, 'topology.kubernetes.io/zone': this.zoneId },
      },
      spec: { providerID: this.providerId(seat), podCIDR: seat.podCidr, podCIDRs: [seat.podCidr] },
    });
    const node = this.kube.store.get('nodes', seat.name)!;
    this.kube.store.updateStatus('nodes', {
      ...node,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'ready',
            lastHeartbeatTime: new Date().toISOString(),
            lastTransitionTime: new Date().toISOString(),
          },
        ],
        addresses: [
          {
            type: 'InternalIP',
            address: this.cloud.state.instances[seat.instanceId]?.PrivateIpAddress ?? '',
          },
          { type: 'Hostname', address: seat.name },
        ],
      },
    });
  }

  deleteNode(name: string): void {
    this.kube.store.delete('nodes', name);
  }

  /** Environment of a controller-manager (or driver) process talking to this world. */
  processEnv(extra: Record<string, string> = {}): Record<string, string> {
    const url = this.cloud.url;
    return {
      ALIYUN_ACCESS_KEY: this.credentials.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: this.credentials.accessKeySecret,
      ALIYUN_REGION: this.region,
      ALIYUN_VPC: this.vpcId,
      ECS_ENDPOINT: url,
      VPC_ENDPOINT: url,
      SLB_ENDPOINT: url,
      NLB_ENDPOINT: url,
      METADATA_ENDPOINT: url,
      ...extra,
    };
  }

  /** Flags of a controller-manager running every controller against this world. */
  managerArgs(extra: string[] = []): string[] {
    return [
      '--kubeconfig',
      this.kubeconfigPath,
      '--cloud-config',
      this.cloudConfigPath,
      '--controllers=*',
      '--cluster-cidr=10.0.0.0/16',
      '--bind-address=127.0.0.1',
      '--port=0',
      '--secure-port=0',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      '--concurrent-service-syncs=8',
      '--route-reconciliation-period=3s',
      '--node-monitor-period=5s',
      '--lb-drift-check-period=0s',
      '--log-level=info',
      ...extra,
    ];
  }

  async close(): Promise<void> {
    await this.kube.close();
    await this.cloud.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
