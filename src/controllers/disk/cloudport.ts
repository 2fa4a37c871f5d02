// The disk controller's whole view of the cloud: five ECS calls, with responses narrowed to the
// facts the decisions use. An interface, so reconcilers can be driven by the emulator through
// the real facade and nothing else.
import type { EcsApi, EcsDisk } from '../../cloud/ecs.js';
import { toDiskRecord } from '../../cloud/ecs-disk.js';
import { DiskTags } from './types.js';
import type { DiskFacts } from './plan.js';
import type { DesiredDisk } from './model/index.js';

export interface ObservedDisk extends DiskFacts {
  diskId: string;
  zoneId: string;
  category: string;
  sizeGiB: number;
}

export interface DiskCloudPort {
  /** Disks tagged for this PV name (normally zero or one). */
  findByVolumeName(pvName: string): Promise<ObservedDisk[]>;
  describe(diskId: string): Promise<ObservedDisk | undefined>;
  create(desired: DesiredDisk): Promise<string>;
  delete(diskId: string): Promise<void>;
  resize(diskId: string, sizeGiB: number, type: 'online' | 'offline'): Promise<void>;
}

export function observe(d: EcsDisk): ObservedDisk {
  const { diskId, status, instanceId, zoneId, category, sizeGiB, tags } = toDiskRecord(d);
  return { diskId, status, instanceId, zoneId, category, sizeGiB, tags };
}

export function createDiskCloudPort(ecs: EcsApi): DiskCloudPort {
  return {
    async findByVolumeName(pvName) {
      const disks = await ecs.describeDisks({ tags: [{ Key: DiskTags.pvName, Value: pvName }] });
      return disks.map(observe);
    },
    async describe(diskId) {
      const d = await ecs.describeDisk(diskId);
      return d ? observe(d) : undefined;
    },
    async create(desired) {
      const id = await ecs.createDisk({
        zoneId: desired.zoneId,
        diskCategory: desired.category,
        size: desired.sizeGiB,
        diskName: desired.diskName,
        description: desired.description,
        encrypted: desired.encrypted || undefined,
        kmsKeyId: desired.kmsKeyId,
        performanceLevel: desired.performanceLevel,
        resourceGroupId: desired.resourceGroupId,
        tags: desired.tags.map((t) => ({ Key: t.key, Value: t.value })),
        clientToken: desired.clientToken,
      });
      if (!id) throw new Error('CreateDisk returned no DiskId (dry-run mode creates nothing)');
      return id;
    },
    delete: (diskId) => ecs.deleteDisk(diskId),
    resize: (diskId, sizeGiB, type) => ecs.resizeDisk(diskId, sizeGiB, type),
  };
}
