// "Hostile tenant" replays against the FlexVolume driver: what a user who can only create Pods,
// PVCs and inline volumes in their own namespace can make kube-controller-manager or the kubelet
// run. The argv is exactly what the caller would exec (the user controls the options JSON and the
// volume name; the node name comes from the scheduler). Each attack names the refusal it must get
// and the disks that must come out byte for byte unchanged. Written against a small world
// interface so the mocha test (test/flexvolume/hostile.test.ts) and an R8 chaos scenario can both
// replay the same table against their own emulator and driver runner.
import type { Disk } from '../../emulators/alicloud/index.js';
import { TAG_CLUSTER_ID, TAG_DISK_OPEN_PREFIX, TAG_PV_NAME } from '../../src/cloud/ownership.js';

export interface DiskAttackWorld {
  /** The cluster id the driver is configured with. */
  clusterId: string;
  /** A Node of the cluster (where the attacker's Pod was scheduled) and its instance. */
  nodeName: string;
  nodeInstanceId: string;
  /** A Running instance in the same zone that is not a Node of this cluster. */
  foreignInstanceId: string;
  /** A Stopped instance in the same zone that is not a Node of this cluster. */
  stoppedForeignInstanceId: string;
  /** Puts a data disk into the cloud (zone of the node); returns its id. */
  addDisk(extra: Partial<Disk>): string;
}

export interface PreparedAttack {
  argv: string[];
  /** Failure whose message matches, or a Success that changed nothing (`noop`, for detach). */
  expect: { status: 'Failure'; message: RegExp } | { status: 'Success'; message: RegExp };
  /** Disks that must be byte-for-byte the same afterwards. */
  protect: string[];
}

export interface DiskAttack {
  id: string;
  title: string;
  prepare(w: DiskAttackWorld): PreparedAttack;
}

const opts = (volumeId: string, volumeName: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    volumeId,
    'kubernetes.io/fsType': 'ext4',
    'kubernetes.io/readwrite': 'rw',
    'kubernetes.io/pvOrVolumeName': volumeName,
    ...extra,
  });

export const NOT_OURS =
  /does not belong to cluster .*nothing was changed.*alicloud\.kubernetes\.io\/open-to\//;
export const NOTHING_DETACHED = /records an attachment of volume .* nothing was detached/;

export const DISK_ATTACKS: readonly DiskAttack[] = [
  {
    id: 'inline-foreign-disk',
    title: 'inline flexVolume naming an untagged disk of the account',
    prepare: (w) => {
      const d = w.addDisk({ Tags: [] });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'inline-other-cluster-disk',
    title: "inline flexVolume naming another cluster's provisioned disk",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [
          { Key: TAG_CLUSTER_ID, Value: `${w.clusterId}-other` },
          { Key: TAG_PV_NAME, Value: 'pvc-elsewhere' },
        ],
      });
      return {
        argv: ['attach', opts(d, 'pvc-elsewhere'), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'inline-disk-opened-elsewhere',
    title: 'inline flexVolume naming a disk opened to another cluster only',
    prepare: (w) => {
      const d = w.addDisk({ Tags: [{ Key: `${TAG_DISK_OPEN_PREFIX}${w.clusterId}-other`, Value: 'true' }] });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'inline-foreign-disk-on-running-instance',
    title: 'inline flexVolume naming a foreign disk in use by a running instance outside the cluster',
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [],
        Status: 'In_use',
        InstanceId: w.foreignInstanceId,
        Device: '/dev/xvdb',
      });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'inline-foreign-disk-on-stopped-instance',
    title:
      'inline flexVolume naming a foreign disk on a stopped instance outside the cluster (the old detachFromStopped path)',
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [],
        Status: 'In_use',
        InstanceId: w.stoppedForeignInstanceId,
        Device: '/dev/xvdb',
      });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'own-disk-on-stopped-non-node',
    title: "this cluster's disk held by a stopped instance that is not a Node: never taken by default",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [{ Key: TAG_CLUSTER_ID, Value: w.clusterId }],
        Status: 'In_use',
        InstanceId: w.stoppedForeignInstanceId,
        Device: '/dev/xvdc',
      });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: { status: 'Failure', message: /stopped instance .* left there: .*detachFromNonNodes/ },
        protect: [d],
      };
    },
  },
  {
    id: 'static-pv-foreign-disk',
    title: 'a PV naming a foreign disk (the driver sees the same call as for an inline volume)',
    prepare: (w) => {
      const d = w.addDisk({ Tags: [] });
      return {
        argv: ['attach', opts(d, 'pv-static-foreign'), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'inline-other-namespace-claim-disk',
    title: "inline flexVolume naming the disk provisioned for another namespace's claim",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [
          { Key: TAG_CLUSTER_ID, Value: w.clusterId },
          { Key: TAG_PV_NAME, Value: 'pvc-of-team-a' },
        ],
      });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: {
          status: 'Failure',
          message: /provisioned for PV pvc-of-team-a and attaches only as that PV/,
        },
        protect: [d],
      };
    },
  },
  {
    id: 'forged-ownership-options',
    title: 'ownership tags written into the volume options instead of onto the disk',
    prepare: (w) => {
      const d = w.addDisk({ Tags: [] });
      const forged = {
        [TAG_CLUSTER_ID]: w.clusterId,
        [`${TAG_DISK_OPEN_PREFIX}${w.clusterId}`]: 'true',
        kubeAliyunDisks: d,
      };
      return {
        argv: ['attach', opts(d, 'data', forged), w.nodeName],
        expect: { status: 'Failure', message: NOT_OURS },
        protect: [d],
      };
    },
  },
  {
    id: 'system-disk-of-a-node',
    title: "inline flexVolume naming a node's system disk",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [{ Key: TAG_CLUSTER_ID, Value: w.clusterId }],
        Type: 'system',
        Status: 'In_use',
        InstanceId: w.nodeInstanceId,
        Device: '/dev/xvda',
      });
      return {
        argv: ['attach', opts(d, 'data'), w.nodeName],
        expect: { status: 'Failure', message: /system disk/ },
        protect: [d],
      };
    },
  },
  {
    id: 'detach-name-is-disk-id',
    title: 'a Pod volume named like a disk id, to make detach take that disk off the node',
    prepare: (w) => {
      const d = w.addDisk({ Tags: [], Status: 'In_use', InstanceId: w.nodeInstanceId, Device: '/dev/xvdd' });
      return {
        argv: ['detach', d, w.nodeName],
        expect: { status: 'Success', message: NOTHING_DETACHED },
        protect: [d],
      };
    },
  },
  {
    id: 'detach-name-is-own-disk-id',
    title: "a Pod volume named like the id of this cluster's disk attached to the node under another name",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [
          { Key: TAG_CLUSTER_ID, Value: w.clusterId },
          { Key: TAG_PV_NAME, Value: 'pvc-of-team-a' },
        ],
        Status: 'In_use',
        InstanceId: w.nodeInstanceId,
        Device: '/dev/xvde',
      });
      return {
        argv: ['detach', d, w.nodeName],
        expect: { status: 'Success', message: NOTHING_DETACHED },
        protect: [d],
      };
    },
  },
  {
    id: 'detach-unique-name-is-disk-id',
    title: 'the crash-recovery unique name <vendor>/<driver>/<disk id>',
    prepare: (w) => {
      const d = w.addDisk({ Tags: [], Status: 'In_use', InstanceId: w.nodeInstanceId, Device: '/dev/xvdf' });
      return {
        argv: ['detach', `alicloud/disk/${d}`, w.nodeName],
        expect: { status: 'Success', message: NOTHING_DETACHED },
        protect: [d],
      };
    },
  },
  {
    id: 'detach-name-is-disk-name',
    title: "a Pod volume named after a foreign disk's name (kube-aliyun's naming)",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [],
        DiskName: 'kubernetes-dynamic-pv-victim',
        Status: 'In_use',
        InstanceId: w.nodeInstanceId,
        Device: '/dev/xvdg',
      });
      return {
        argv: ['detach', 'kubernetes-dynamic-pv-victim', w.nodeName],
        expect: { status: 'Success', message: NOTHING_DETACHED },
        protect: [d],
      };
    },
  },
  {
    id: 'detach-other-cluster-pv-name',
    title: "a Pod volume named after another cluster's PV, whose disk is on this node",
    prepare: (w) => {
      const d = w.addDisk({
        Tags: [
          { Key: TAG_CLUSTER_ID, Value: `${w.clusterId}-other` },
          { Key: TAG_PV_NAME, Value: 'pvc-theirs' },
        ],
        Status: 'In_use',
        InstanceId: w.nodeInstanceId,
        Device: '/dev/xvdh',
      });
      return {
        argv: ['detach', 'pvc-theirs', w.nodeName],
        expect: { status: 'Success', message: NOTHING_DETACHED },
        protect: [d],
      };
    },
  },
];

export interface AttackOutcome {
  id: string;
  ok: boolean;
  /** What went wrong, for a failure line; empty when ok. */
  problem: string;
}

/**
 * Replays every attack: `run` execs the driver with argv and returns its reply; `snapshot` is the
 * exact JSON of a disk in the cloud. An attack passes when the reply is the expected refusal and
 * every protected disk is unchanged.
 */
export async function replayDiskAttacks(
  world: DiskAttackWorld,
  run: (argv: string[]) => Promise<{ status?: string; message?: string }>,
  snapshot: (diskId: string) => string,
  attacks: readonly DiskAttack[] = DISK_ATTACKS,
): Promise<AttackOutcome[]> {
  const out: AttackOutcome[] = [];
  for (const a of attacks) {
    const p = a.prepare(world);
    const before = p.protect.map(snapshot);
    const reply = await run(p.argv);
    const problems: string[] = [];
    if (reply.status !== p.expect.status || !p.expect.message.test(reply.message ?? ''))
      problems.push(`got ${reply.status ?? '?'}: ${(reply.message ?? '').slice(0, 200)}`);
    p.protect.forEach((id, i) => {
      if (snapshot(id) !== before[i]) problems.push(`disk ${id} changed`);
    });
    out.push({ id: a.id, ok: problems.length === 0, problem: problems.join('; ') });
  }
  return out;
}
