// Step: a PVC gets a provisioned, tagged cloud disk; the installed FlexVolume driver attaches it
// (central mode, as kube-controller-manager on a master calls it, with the node's name), and on
// the node waits for the device, formats and mounts it (as the kubelet calls it). The disk is a
// loop device on this host when we are root; otherwise the host-side calls are skipped and say so.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { show, type DemoContext } from '../context.js';
import { buildDriverAndInstaller, InstalledDriver, kubeletOptions, type DriverReply } from '../flexvolume.js';
import { LoopDisks } from '../loopdisk.js';
import { until } from '../poll.js';

const run = promisify(execFile);
const SBIN = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
const PLUGIN_DIR = 'usr/libexec/kubernetes/kubelet-plugins/volume/exec';

interface PvcView {
  spec: { volumeName?: string };
  status: { phase?: string };
}
interface PvView {
  metadata: { name: string };
  spec: { flexVolume?: { driver: string; fsType?: string; options?: Record<string, string> } };
}

/** Shell variables the printed driver commands use instead of long JSON and paths. */
const shownAs = new Map<string, string>();

async function call(
  ctx: DemoContext,
  driver: InstalledDriver,
  args: string[],
  expect: DriverReply['status'] = 'Success',
): Promise<DriverReply> {
  const r = await driver.call(args);
  const shown = args.map((a) => shownAs.get(a) ?? (/^[\w@%+=:,./~-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  ctx.out.command(
    [driver.launcher, ...args],
    r.stdout,
    `${driver.caller}: /usr/libexec/kubernetes/kubelet-plugins/volume/exec/alicloud~disk/disk ${shown}`,
  );
  if (r.stderr)
    throw new Error(
      `driver ${args[0]} wrote to stderr (the kubelet would fail to parse the reply): ${r.stderr.slice(0, 300)}`,
    );
  if (r.reply.status !== expect)
    throw new Error(
      `driver ${args[0]} answered ${r.reply.status}${r.reply.message ? `: ${r.reply.message}` : ''}`,
    );
  return r.reply;
}

async function describeDisk(ctx: DemoContext, diskId: string): Promise<string[]> {
  const [d] = await ctx.cluster.cloud.ecs.describeDisks({ diskIds: [diskId] });
  if (!d) return [`${diskId}: gone`];
  const tags = (d.Tags?.Tag ?? []).map((t) => `${t.TagKey}=${t.TagValue}`).join(', ');
  return [
    `${d.DiskId}  ${d.Category} ${d.Size} GiB  ${d.ZoneId}  ${d.Status}${d.InstanceId ? ` on ${d.InstanceId} as ${d.Device}` : ''}`,
    `tags: ${tags}`,
  ];
}

export interface Drivers {
  master: Awaited<ReturnType<typeof InstalledDriver.install>>;
  node: Awaited<ReturnType<typeof InstalledDriver.install>>;
  loops: LoopDisks | undefined;
}

/**
 * Builds and installs the driver on both hosts, printing nothing: the demo starts this a few
 * steps early, since bundling and two installs take seconds on a busy machine.
 */
export async function installDrivers(ctx: DemoContext): Promise<Drivers> {
  const { cluster } = ctx;
  const worker = cluster.hosts[0]!;
  const root = join(cluster.root, 'volume');
  // The installer DaemonSet's job, on a master (central mode: AccessKey, kube API for node →
  // instance) and on the worker (node mode: its own instance identity from metadata).
  const installer = await buildDriverAndInstaller(ctx.cleanup);
  const loops = ctx.host.loop ? undefined : new LoopDisks(join(root, worker.name), ctx.cleanup);
  const sysRoot = join(root, worker.name, 'sys');
  mkdirSync(join(sysRoot, 'block'), { recursive: true });
  // Two hosts, two installer runs: independent, so at the same time.
  const [master, node] = await Promise.all([
    InstalledDriver.install(
      installer,
      join(root, 'master', PLUGIN_DIR),
      join(root, 'master-secret.json'),
      {
        mode: 'central',
        regionId: cluster.region,
        ecsEndpoint: cluster.cloudEmu.url,
        accessKeyId: cluster.accessKeyId,
        accessKeySecret: cluster.accessKeySecret,
        kubeApiUrl: cluster.kubeEmu.url,
        clusterId: cluster.clusterId,
        stateDir: join(root, 'master/var/lib/alicloud-flexvolume'),
        logFile: join(root, 'master/var/log/alicloud-flexvolume.log'),
        attachTimeoutMs: 20_000,
      },
      'master',
    ),
    InstalledDriver.install(
      installer,
      join(root, worker.name, PLUGIN_DIR),
      join(root, 'node-secret.json'),
      {
        mode: 'node',
        regionId: cluster.region,
        ecsEndpoint: cluster.cloudEmu.url,
        metadataEndpoint: `${cluster.cloudEmu.url}/_emulator/hosts/${worker.instance.InstanceId}`,
        clusterId: cluster.clusterId,
        devRoot: loops?.devRoot ?? join(root, worker.name, 'dev'),
        sysRoot,
        stateDir: join(root, worker.name, 'var/lib/alicloud-flexvolume'),
        logFile: join(root, worker.name, 'var/log/alicloud-flexvolume.log'),
        deviceTimeoutMs: 20_000,
      },
      worker.name,
    ),
  ]);
  return { master, node, loops };
}

export async function volume(ctx: DemoContext, drivers: Promise<Drivers>): Promise<void> {
  const { out, cluster, kubectl } = ctx;
  const worker = cluster.hosts[0]!;
  const root = join(cluster.root, 'volume');

  const { master, node, loops } = await drivers;
  out.note(`The installer DaemonSet's program, on a master (central mode: AccessKey, and the API to map`);
  out.note(`node names to instances) and on ${worker.name} (node mode: its own identity from metadata):`);
  out.command(
    ['alicloud-flexvolume-install', ...master.argv],
    `installed: ${(master.result.written ?? []).join('  ')}`,
    `alicloud-flexvolume-install --plugin-dir <master>/${PLUGIN_DIR} --config-from <secret>`,
  );
  out.fact('installed', (master.result.written ?? []).join(' '));
  await call(ctx, master.driver, ['init']);
  await call(ctx, node.driver, ['init']);

  // 2. Provisioning: StorageClass + PVC → the disk controller creates a tagged disk and a bound PV.
  out.note('');
  const storageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'alicloud-disk-essd' },
    provisioner: 'alicloud/disk',
    parameters: { type: 'cloud_essd', fsType: 'ext4' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default' },
    spec: {
      storageClassName: 'alicloud-disk-essd',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '20Gi' } },
    },
  };
  out.note(
    'StorageClass alicloud-disk-essd: provisioner alicloud/disk, type cloud_essd, fsType ext4, reclaimPolicy Delete;',
  );
  out.note('PersistentVolumeClaim data: 20Gi, ReadWriteOnce, that class.');
  await show(ctx, ['apply', '-f', '-'], [storageClass, claim].map((o) => JSON.stringify(o)).join('\n'));
  const pvc = await until('the PVC to be Bound', async () => {
    const p = await kubectl.json<PvcView>(['get', 'pvc', 'data']);
    return p.status.phase === 'Bound' ? p : undefined;
  });
  const pvName = pvc.spec.volumeName!;
  const pv = await kubectl.json<PvView>(['get', 'pv', pvName]);
  const flexOptions = pv.spec.flexVolume?.options ?? {};
  const diskId = flexOptions.volumeId ?? flexOptions.diskId ?? '';
  out.ok(`disk controller: PVC data is Bound to ${pvName}, backed by disk ${diskId}`);
  await show(ctx, ['get', 'pvc,pv', '-o', 'wide']);
  out.cloud(`ecs DescribeDisks ${diskId}`, await describeDisk(ctx, diskId));
  out.fact('pv', pvName);
  out.fact('diskId', diskId);

  // 3. A Pod using the claim is scheduled to the worker: the attach/detach controller attaches.
  out.note('');
  out.note(`A Pod using claim data is scheduled to ${worker.name}. kube-controller-manager (master) calls:`);
  loops?.wire(cluster.cloudEmu, worker.instance.InstanceId);
  const opts = kubeletOptions(pvName, pv.spec.flexVolume?.fsType ?? 'ext4', flexOptions);
  shownAs.set(opts, '"$OPTS"');
  out.note("The options JSON the callers pass (kubernetes.io/* keys, then the PV's flexVolume.options):");
  out.variable('OPTS', opts);
  const attached = await call(ctx, master.driver, ['attach', opts, worker.name]);
  const isAttached = await call(ctx, master.driver, ['isattached', opts, worker.name]);
  if (isAttached.attached !== true) throw new Error('isattached did not report the disk attached');
  out.cloud(`ecs DescribeDisks ${diskId}`, await describeDisk(ctx, diskId));
  out.fact('attachedTo', (await cluster.cloud.ecs.describeDisks({ diskIds: [diskId] }))[0]?.InstanceId ?? '');

  // 4. The kubelet on the worker: wait for the device, format if blank, mount the global mount.
  out.note('');
  const mountPath = join(
    root,
    worker.name,
    'var/lib/kubelet/plugins/kubernetes.io/flexvolume/alicloud/disk/mounts',
    pvName,
  );
  if (ctx.host.loop || !loops) {
    out.skip(
      `waitforattach / mountdevice / unmountdevice on ${worker.name}: ${ctx.host.loop ?? 'no loop devices'}. The disk is attached in the cloud, but there is no block device here to format and mount.`,
    );
  } else {
    out.note(
      `The kubelet on ${worker.name} calls (the disk appears as a loop device with its virtio by-id link):`,
    );
    const waited = await call(ctx, node.driver, ['waitforattach', attached.device ?? '', opts]);
    const device = waited.device!;
    if (device !== loops.device(diskId))
      throw new Error(
        `waitforattach answered ${device}, but the disk is ${loops.device(diskId) ?? 'not attached here'}`,
      );
    mkdirSync(mountPath, { recursive: true, mode: 0o750 });
    shownAs.set(mountPath, '"$MNT"');
    out.variable('MNT', mountPath);
    await call(ctx, node.driver, ['mountdevice', mountPath, device, opts]);
    const fsType = (
      await run('blkid', ['-p', '-s', 'TYPE', '-o', 'value', device], { env: SBIN })
    ).stdout.trim();
    const findmnt = (
      await run('findmnt', ['-n', '-o', 'SOURCE,FSTYPE,SIZE,OPTIONS', mountPath], { env: SBIN }).catch(
        () => ({ stdout: '' }),
      )
    ).stdout;
    out.command(
      ['findmnt', '-o', 'SOURCE,FSTYPE,SIZE,OPTIONS', mountPath],
      findmnt,
      'findmnt -o SOURCE,FSTYPE,SIZE,OPTIONS "$MNT"',
    );
    writeFileSync(join(mountPath, 'hello.txt'), `written by the demo through ${device}\n`);
    const readBack = readFileSync(join(mountPath, 'hello.txt'), 'utf8');
    out.ok(
      `${device} (${diskId}) formatted ${fsType} and mounted; a file written there reads back: "${readBack.trim()}"`,
    );
    out.fact('device', device);
    out.fact('fsType', fsType);
    out.fact('mounted', String(findmnt.includes(device)));
    out.note(
      '(the kubelet then bind-mounts this global mount into the Pod; `mount` answers Not supported on purpose)',
    );
    await call(ctx, node.driver, ['unmountdevice', mountPath]);
  }

  // 5. The Pod goes away: detach by volume name (all kube-controller-manager knows), then reclaim.
  out.note('');
  out.note('The Pod is deleted; kube-controller-manager detaches by volume name:');
  await call(ctx, master.driver, ['detach', pvName, worker.name]);
  const after = await call(ctx, master.driver, ['isattached', opts, worker.name]);
  if (after.attached !== false) throw new Error('isattached still reports the disk attached after detach');
  out.cloud(`ecs DescribeDisks ${diskId}`, await describeDisk(ctx, diskId));
  out.fact('detached', 'true');
  await show(ctx, ['delete', 'pvc', 'data', '--wait=true', '--timeout=30s']);
  await until('the disk to be deleted (reclaimPolicy Delete)', async () =>
    (await cluster.cloud.ecs.describeDisks({ diskIds: [diskId] })).length === 0 ? true : undefined,
  );
  out.ok(`reclaim: PV ${pvName} and disk ${diskId} deleted with the claim`);
  out.fact('diskDeleted', 'true');
}
