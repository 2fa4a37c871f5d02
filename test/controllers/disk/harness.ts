// Both emulators plus an in-process disk controller wired exactly as the manager wires it
// (shared informer factory, real event recorder, real signed cloud client).
import { createCloud, type Cloud } from '../../../src/cloud/index.js';
import { createDiskController, type DiskDeps } from '../../../src/controllers/disk/register.js';
import type { Claim, StorageClass, Volume } from '../../../src/controllers/disk/types.js';
import { startKubeEmulator, type KubeEmulator } from '../../../emulators/kube/index.js';
import { KubeEventRecorder, type CoreEvent } from '../../../src/kube/events.js';
import { InformerFactory } from '../../../src/kube/factory.js';
import { Resources } from '../../../src/kube/resources.js';
import { KubeClient } from '../../../src/kube/rest.js';
import { silentLogger } from '../../../src/util/log.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';
import { eventually } from '../../helpers/eventually.js';

export const CLUSTER_ID = 'c-disk-test';
export const ZONE = 'cn-hangzhou-h';

export interface Running {
  stop(): Promise<void>;
}

export class DiskHarness {
  cloudEmu!: TestEmulator;
  kube!: KubeEmulator;
  client!: KubeClient;
  private clouds: Cloud[] = [];
  private running: Running[] = [];

  async start(): Promise<void> {
    this.cloudEmu = await startTestEmulator();
    this.kube = await startKubeEmulator({ port: 0 });
    this.client = new KubeClient({ server: this.kube.url });
  }

  async close(): Promise<void> {
    for (const r of this.running.splice(0)) await r.stop();
    for (const c of this.clouds.splice(0)) c.close();
    this.client.close();
    await this.kube.close();
    await this.cloudEmu.close();
  }

  cloud(maxAttempts = 4): Cloud {
    const t = this.cloudEmu;
    const c = createCloud(
      {
        region: t.emu.state.regionId,
        endpoints: { ecs: t.url, vpc: t.url, slb: t.url },
        metadataEndpoint: t.url,
        accessKeyId: t.accessKeyId,
        accessKeySecret: t.accessKeySecret,
        qps: { ecs: 0, vpc: 0, slb: 0 },
        retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 5 },
        logger: silentLogger,
      },
      { env: {} },
    );
    this.clouds.push(c);
    return c;
  }

  /** Starts a controller; `stop()` aborts it and waits for its informers and workers. */
  startController(
    opts: { maxAttempts?: number; zoneId?: string | null; inUseRetryMs?: number } = {},
  ): Running {
    const client = new KubeClient({ server: this.kube.url });
    const informers = new InformerFactory(client, { resyncMs: 0 });
    const recorder = new KubeEventRecorder({ client, component: 'disk-controller' });
    const deps: DiskDeps = {
      settings: {
        clusterId: CLUSTER_ID,
        region: 'cn-hangzhou',
        ...(opts.zoneId === null ? {} : { zoneId: opts.zoneId ?? ZONE }),
        workers: 2,
      },
      cloud: this.cloud(opts.maxAttempts),
      informers,
      recorder,
      logger: silentLogger,
      inUseRetryMs: opts.inUseRetryMs ?? 100,
    };
    const controller = createDiskController(deps);
    const abort = new AbortController();
    informers.start(abort.signal);
    const done = controller.run(abort.signal);
    let stopped = false;
    const r: Running = {
      stop: async () => {
        if (stopped) return;
        stopped = true;
        abort.abort();
        await done.catch(() => undefined);
        await informers.stopped();
        await recorder.flush();
        client.close();
      },
    };
    this.running.push(r);
    return r;
  }

  // --- Kubernetes fixtures ---------------------------------------------------------------

  async createClass(name: string, tweak: Partial<StorageClass> = {}): Promise<void> {
    const sc: StorageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'alicloud/disk',
      reclaimPolicy: 'Delete',
      ...tweak,
    };
    await this.client.create(Resources.storageclasses, undefined, sc);
  }

  async createClaim(
    name: string,
    className: string,
    storage = '1Gi',
    annotations: Record<string, string> = {},
    ns = 'default',
  ): Promise<Claim> {
    const pvc: Claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: ns, annotations },
      spec: {
        storageClassName: className,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage } },
      },
    };
    return this.client.create(Resources.persistentvolumeclaims, ns, pvc);
  }

  getClaim(name: string, ns = 'default'): Promise<Claim> {
    return this.client.get<Claim>(Resources.persistentvolumeclaims, ns, name);
  }

  async getVolume(name: string): Promise<Volume | undefined> {
    try {
      return await this.client.get<Volume>(Resources.persistentvolumes, undefined, name);
    } catch {
      return undefined;
    }
  }

  async events(reason?: string): Promise<CoreEvent[]> {
    const list = await this.client.list<CoreEvent>(Resources.events, undefined);
    return list.items.filter((e) => reason === undefined || e.reason === reason);
  }

  disks() {
    return Object.values(this.cloudEmu.emu.state.disks).filter((d) => d.Type === 'data');
  }

  calls(action: string): number {
    return this.cloudEmu.emu.calls().filter((c) => c.action === action && c.code === 'Success').length;
  }

  async waitBound(name: string, ns = 'default'): Promise<Claim> {
    let claim: Claim | undefined;
    await eventually(
      async () => {
        claim = await this.getClaim(name, ns);
        return claim.status?.phase === 'Bound';
      },
      `claim ${ns}/${name} bound`,
      { tries: 600 },
    );
    return claim!;
  }
}
