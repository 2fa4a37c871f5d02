// Seeded variations on the hostile-tenant tables (hostile-disks, hostile-slb, hostile-routes):
// the same attacks with other names, tags, placements, spellings and ranges, so R8 does not
// only replay the cases someone thought of when writing the fix. Every variation states the
// refusal it must get, in the same shape as the fixed tables, so the same replays judge it.
import {
  TAG_CLUSTER_ID,
  TAG_DISK_OPEN_PREFIX,
  TAG_DO_NOT_DELETE,
  TAG_PV_NAME,
  RESERVED_TAG_KEYS,
  RESERVED_TAG_PREFIXES,
} from '../../src/cloud/ownership.js';
import type { Tag } from '../../emulators/alicloud/state.js';
import { NOT_OURS, NOTHING_DETACHED, type DiskAttack } from './hostile-disks.js';
import type { SlbAttack } from './hostile-slb.js';
import type { RouteAttack } from './hostile-routes.js';
import type { Rng } from './rng.js';

const PFX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const hex = (r: Rng, n: number): string =>
  Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Random upper/lower case per letter: reserved keys are compared case-insensitively. */
const mangleCase = (r: Rng, s: string): string =>
  [...s].map((ch) => (r() < 0.5 ? ch.toUpperCase() : ch)).join('');

const opts = (volumeId: string, volumeName: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    volumeId,
    'kubernetes.io/fsType': 'ext4',
    'kubernetes.io/readwrite': 'rw',
    'kubernetes.io/pvOrVolumeName': volumeName,
    ...extra,
  });

/**
 * Foreign disks under other tags and placements, named in inline volumes and static PVs, with
 * forged ownership in the options; and detach calls whose volume name is a disk's id, unique
 * name, or the name of a disk that is not this cluster's.
 */
export function diskVariations(r: Rng, n: number): DiskAttack[] {
  const out: DiskAttack[] = [];
  for (let i = 0; i < n; i++) {
    const id = `var-disk-${i}`;
    const device = `/dev/vd${'ijklmnopqrstuvwxyz'[i % 18]}`;
    if (r() < 0.6) {
      const tagKind = pick(r, [
        'none',
        'other-cluster',
        'open-elsewhere',
        'pv-name-only',
        'do-not-delete',
      ] as const);
      const where = pick(r, ['available', 'running-outsider', 'stopped-outsider'] as const);
      const volume = pick(r, [
        `pvc-${hex(r, 8)}-${hex(r, 4)}`,
        `d-${hex(r, 20)}`,
        `data-${int(r, 0, 99)}`,
        `pv-static-${hex(r, 6)}`,
      ]);
      const forge = r() < 0.4;
      out.push({
        id,
        title: `attach: foreign disk (${tagKind}, ${where}) as volume ${volume}${forge ? ', ownership forged in the options' : ''}`,
        prepare: (w) => {
          const tags: Tag[] =
            tagKind === 'other-cluster'
              ? [{ Key: TAG_CLUSTER_ID, Value: `${w.clusterId}-${hex(r, 3)}` }]
              : tagKind === 'open-elsewhere'
                ? [{ Key: `${TAG_DISK_OPEN_PREFIX}${w.clusterId}x`, Value: 'true' }]
                : tagKind === 'pv-name-only'
                  ? [{ Key: TAG_PV_NAME, Value: volume }]
                  : tagKind === 'do-not-delete'
                    ? [{ Key: TAG_DO_NOT_DELETE, Value: hex(r, 32) }]
                    : [];
          const placement =
            where === 'available'
              ? {}
              : {
                  Status: 'In_use' as const,
                  InstanceId: where === 'running-outsider' ? w.foreignInstanceId : w.stoppedForeignInstanceId,
                  Device: device,
                };
          const d = w.addDisk({ Tags: tags, ...placement });
          const extra: Record<string, string> = forge
            ? { [TAG_CLUSTER_ID]: w.clusterId, [`${TAG_DISK_OPEN_PREFIX}${w.clusterId}`]: 'true' }
            : {};
          return {
            argv: ['attach', opts(d, volume, extra), w.nodeName],
            expect: { status: 'Failure', message: NOT_OURS },
            protect: [d],
          };
        },
      });
    } else {
      const form = pick(r, ['id', 'unique-name', 'disk-name', 'other-pv-name'] as const);
      out.push({
        id,
        title: `detach: volume named by a disk's ${form}, that disk on the node`,
        prepare: (w) => {
          const diskName = `kubernetes-dynamic-pv-${hex(r, 10)}`;
          const pv = `pvc-${hex(r, 8)}`;
          // A name may point at this cluster's own disk only through its id: its PV tag would be a
          // legitimate way to find it, so that pairing is left to the other forms.
          const tags: Tag[] =
            form === 'other-pv-name'
              ? [
                  { Key: TAG_CLUSTER_ID, Value: `${w.clusterId}-${hex(r, 3)}` },
                  { Key: TAG_PV_NAME, Value: pv },
                ]
              : form === 'disk-name' || r() < 0.5
                ? []
                : [
                    { Key: TAG_CLUSTER_ID, Value: w.clusterId },
                    { Key: TAG_PV_NAME, Value: `pvc-${hex(r, 8)}` },
                  ];
          const d = w.addDisk({
            Tags: tags,
            DiskName: diskName,
            Status: 'In_use',
            InstanceId: w.nodeInstanceId,
            Device: device,
          });
          const name =
            form === 'id'
              ? d
              : form === 'unique-name'
                ? `alicloud/disk/${d}`
                : form === 'disk-name'
                  ? diskName
                  : pv;
          return {
            argv: ['detach', name, w.nodeName],
            expect: { status: 'Success', message: NOTHING_DETACHED },
            protect: [d],
          };
        },
      });
    }
  }
  return out;
}

/** A reserved key in some spelling: an exact key or a reserved prefix with a made-up rest. */
function reservedKey(r: Rng): string {
  const base =
    r() < 0.5
      ? pick(r, RESERVED_TAG_KEYS)
      : `${pick(r, RESERVED_TAG_PREFIXES)}${pick(r, ['owner', 'cluster-id', 'x', `z${hex(r, 4)}`])}`;
  return mangleCase(r, base);
}

/**
 * From team-b: team-a's listener under other Service names (with force-override-listeners), its
 * VServer group under other ports, SLBs not opened to team-b with and without force, and
 * reserved tag keys in any case among ordinary tags.
 */
export function slbVariations(r: Rng, n: number): SlbAttack[] {
  const out: SlbAttack[] = [];
  for (let i = 0; i < n; i++) {
    const name = `var-${i}-${hex(r, 4)}`;
    const kind = pick(r, ['listener', 'group', 'foreign-id', 'forged-tag'] as const);
    if (kind === 'listener') {
      const http = r() < 0.5;
      out.push({
        name: `${name}: team-a's port 80 on the shared SLB as ${http ? 'http:80' : 'tcp 80'}, force-override-listeners`,
        service: (v) => ({
          name,
          annotations: {
            [`${PFX}id`]: v.shared,
            [`${PFX}force-override-listeners`]: 'true',
            ...(http ? { [`${PFX}protocol-port`]: 'http:80' } : {}),
          },
        }),
        expect: {
          type: 'Warning',
          reason: 'LoadBalancerConflict',
          message: http
            ? /port 80 is taken by a tcp listener .*k8s\/80\/shop\/team-a/
            : /listener tcp:80 belongs to Service team-a\/shop/,
        },
      });
    } else if (kind === 'group') {
      const port = pick(r, [80, 443, int(r, 1024, 9999)]);
      out.push({
        name: `${name}: team-a's VServer group through vgroup-port ${port}`,
        service: (v) => ({
          name,
          annotations: { [`${PFX}id`]: v.shared, [`${PFX}vgroup-port`]: `${v.shopGroup}:${port}` },
          ports: [{ name: 'p', port }],
        }),
        expect: {
          type: 'Warning',
          reason: 'InvalidAnnotation',
          message: /was created by a controller; only user-created groups can be reused/,
        },
      });
    } else if (kind === 'foreign-id') {
      const target = pick(r, ['closed', 'privateToA', 'owned'] as const);
      const force = r() < 0.5;
      out.push({
        name: `${name}: the ${target} SLB by id${force ? ', force-override-listeners' : ''}`,
        service: (v) => ({
          name,
          annotations: {
            [`${PFX}id`]: v[target],
            ...(force ? { [`${PFX}force-override-listeners`]: 'true' } : {}),
          },
        }),
        expect: {
          type: 'Warning',
          reason: 'InvalidAnnotation',
          message:
            target === 'owned' ? /created by a Kubernetes cluster/ : /is not open to namespace "team-b"/,
        },
      });
    } else {
      const key = reservedKey(r);
      const value = hex(r, 12);
      const tags = [`team=b`, `${key}=${value}`, `cost-center=${int(r, 100, 999)}`]
        .sort(() => r() - 0.5)
        .join(',');
      out.push({
        name: `${name}: reserved tag key ${key} among ordinary tags`,
        service: () => ({ name, annotations: { [`${PFX}additional-resource-tags`]: tags } }),
        // Keys the cloud itself forbids (aliyun…, acs:…) are refused by that rule first.
        expect: {
          type: 'Warning',
          reason: 'InvalidAnnotation',
          message: /^(aliyun|acs:)/i.test(key)
            ? new RegExp(`tag key "${escape(key)}" is invalid; .*may not start with "aliyun", "acs:"`)
            : new RegExp(`tag key "${escape(key)}" is reserved`),
        },
      });
    }
  }
  return out;
}

const octet = (r: Rng): number => int(r, 0, 255);

/**
 * podCIDRs inside the reserved ranges (metadata, cloud services, loopback, link-local, multicast,
 * "this network"), outside the cluster CIDR, inside the node subnet, and inside this node's own pod
 * range, at random prefix lengths. Layout as in ROUTE_ARENA (nodes 198.18.0.0/24 with this node
 * .1, pods 198.19.0.0/16, this node's 198.19.1.0/24).
 */
export function routeVariations(r: Rng, n: number): RouteAttack[] {
  const out: RouteAttack[] = [];
  for (let i = 0; i < n; i++) {
    const kind = pick(r, ['metadata', 'reserved', 'outside', 'node-subnet', 'self'] as const);
    if (kind === 'metadata') {
      const len = pick(r, [32, 30, 28, 24, 16]);
      out.push({
        name: `a /${len} around the metadata service`,
        podCIDR: cidrOf([100, 100, 100, 200], len),
        expect: 'reserved-destination',
      });
    } else if (kind === 'reserved') {
      const [first, what] = pick(r, [
        [[127, octet(r), octet(r), octet(r)], 'loopback'],
        [[169, 254, octet(r), octet(r)], 'link-local'],
        [[int(r, 224, 239), octet(r), octet(r), octet(r)], 'multicast'],
        [[int(r, 240, 254), octet(r), octet(r), octet(r)], 'reserved'],
        [[0, octet(r), octet(r), octet(r)], '"this network"'],
        [[100, 100, octet(r), octet(r)], 'cloud internal services'],
      ] as Array<[number[], string]>);
      const len = int(r, 16, 32);
      out.push({ name: `${what} /${len}`, podCIDR: cidrOf(first, len), expect: 'reserved-destination' });
    } else if (kind === 'outside') {
      const base = pick(r, [
        [10, octet(r), octet(r), 0],
        [172, int(r, 16, 31), octet(r), 0],
        [192, 168, octet(r), 0],
        [203, 0, 113, 0],
        [198, 20, octet(r), 0],
      ]);
      out.push({
        name: 'outside the cluster CIDR',
        podCIDR: cidrOf(base, int(r, 20, 28)),
        expect: 'outside-cluster-cidr',
      });
    } else if (kind === 'node-subnet') {
      const len = int(r, 25, 32);
      out.push({
        name: `part of the node subnet /${len}`,
        podCIDR: cidrOf([198, 18, 0, octet(r)], len),
        expect: 'overlaps-local',
      });
    } else {
      const len = int(r, 25, 32);
      out.push({
        name: `inside this node's pod range /${len}`,
        podCIDR: cidrOf([198, 19, 1, octet(r)], len),
        expect: 'overlaps-self',
      });
    }
  }
  return out;
}

/** The network of `addr` at prefix `len`, in CIDR text. */
function cidrOf(addr: number[], len: number): string {
  const n = ((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
}
